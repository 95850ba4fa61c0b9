"""Notification sounds: built-in files in the compiled resources, admin replacements, volume, output
device, and quiet failure on a machine without audio (this one: offscreen, no sound server)."""

from __future__ import annotations

import logging
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from PySide6.QtCore import QFile, QIODevice, QUrl
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from operator_app.settings import SettingsFile
from operator_app.ui.app_resources import RCC, app_icon, register_app_resources
from operator_app.ui.notifications import Notifier
from operator_app.ui.settings_dialog import SettingsDialog
from operator_app.ui.sound_player import KINDS, SoundPlayer, builtin_source, convert_volume

ROOT = Path(__file__).resolve().parents[2]
SOUNDS = ROOT / "resources" / "sounds"

# Qt Multimedia probes for optional libraries (PipeWire, VA-API) that this machine lacks.
pytestmark = pytest.mark.qt_log_ignore(
    "Couldn't load", "Couldn't resolve", "does not support propagateSizeHints"
)


def write_wav(path: Path, seconds: float = 0.2, rate: int = 22050) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x01" * int(rate * seconds))


def test_builtin_sounds_are_small_distinct_pcm_files() -> None:
    contents = set()
    for kind in KINDS:
        path = SOUNDS / f"{kind}.wav"
        assert path.stat().st_size < 60_000
        with wave.open(str(path)) as sound:
            assert (sound.getnchannels(), sound.getsampwidth(), sound.getframerate()) == (1, 2, 22050)
            assert 0.2 < sound.getnframes() / 22050 < 1.0
            contents.add(sound.readframes(sound.getnframes()))
    assert len(contents) == len(KINDS)


def test_compiled_resources_match_their_sources(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_resources
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    fresh = tmp_path / "fresh.rcc"
    build_resources.compile_resources(fresh)
    assert fresh.read_bytes() == RCC.read_bytes(), "run scripts/build_resources.py and commit the .rcc"


def test_resources_hold_the_sounds_and_the_icon(qtbot: QtBot) -> None:
    assert register_app_resources()
    sound = QFile(":/sounds/new_chat.wav")
    assert sound.open(QIODevice.OpenModeFlag.ReadOnly)
    assert bytes(sound.readAll().data()) == (SOUNDS / "new_chat.wav").read_bytes()
    sound.close()
    icon = app_icon()
    assert {size.width() for size in icon.availableSizes()} >= {16, 32, 256}
    assert not icon.pixmap(16, 16).isNull()


def test_builtin_sound_unless_the_folder_has_a_usable_replacement(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = SettingsFile()
    player = SoundPlayer(settings)
    assert player.source("new_chat") == QUrl("qrc:/sounds/new_chat.wav") == builtin_source("new_chat")
    folder = tmp_path / "sounds"
    folder.mkdir()
    write_wav(folder / "new_chat.wav")
    (folder / "transfer.wav").write_text("<html>not a sound</html>")
    write_wav(folder / "assigned.wav", seconds=30)
    settings.set("sound_folder", str(folder))
    with caplog.at_level(logging.WARNING, logger="operator_app.ui.sound_player"):
        assert player.source("new_chat") == QUrl.fromLocalFile(str(folder / "new_chat.wav"))
        for _ in range(3):  # a reminder plays again and again: one warning per file
            assert player.source("transfer") == builtin_source("transfer")
            assert player.source("assigned") == builtin_source("assigned")
            assert player.source("new_message") == builtin_source("new_message")  # missing
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 3
    assert any("transfer.wav is not a PCM WAV file" in w for w in warnings)
    assert any("assigned.wav is not a rate of 8 to 96 kHz and at most 10 s" in w for w in warnings)
    assert any("new_message.wav is missing" in w for w in warnings)
    # The file fixed while the app runs: used from the next sound on.
    write_wav(folder / "transfer.wav")
    assert player.source("transfer") == QUrl.fromLocalFile(str(folder / "transfer.wav"))


def test_volume_is_applied_on_a_perceptual_scale(qtbot: QtBot) -> None:
    player = SoundPlayer(SettingsFile())
    player.play("new_message", 50)
    effect = player.effects["new_message"]
    assert effect.source() == builtin_source("new_message")
    assert effect.volume() == pytest.approx(convert_volume(50))
    assert 0.05 < effect.volume() < 0.5  # half as loud to the ear is far less than half the amplitude
    player.play("new_message", 100)
    assert effect.volume() == pytest.approx(1.0)
    player.play("new_chat", 0)  # volume 0: nothing to play
    assert "new_chat" not in player.effects
    player.play("no_such_kind", 80)
    assert "no_such_kind" not in player.effects


def test_no_device_and_a_failing_sound_log_one_debug_line_each(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    settings = SettingsFile()
    settings.set("sound_output_device", "Headset That Is Not Plugged In")
    player = SoundPlayer(settings)
    with caplog.at_level(logging.DEBUG, logger="operator_app.ui.sound_player"):
        for _ in range(3):
            player.play("queue_reminder", 70)
        effect = player.effects["queue_reminder"]
        # This machine has no sound server: the effect ends in Error (where it plays, that is fine too).
        qtbot.waitUntil(lambda: effect.status() != effect.Status.Loading, timeout=5000)
        player.play("queue_reminder", 70)
    lines = [r.getMessage() for r in caplog.records if r.name == "operator_app.ui.sound_player"]
    failed = [line for line in lines if line.startswith("the queue_reminder sound")]  # not an earlier test's
    assert sum("is not connected; the default is used" in line for line in lines) == 1
    assert len(failed) <= 1
    if effect.status() == effect.Status.Error:
        assert len(failed) == 1
        assert "cannot be played" in failed[0]


def test_settings_dialog_chooses_the_sound_output(qtbot: QtBot) -> None:
    settings = SettingsFile()
    settings.set("sound_output_device", "USB Speakers")
    dialog = SettingsDialog(settings, Notifier(settings))
    qtbot.addWidget(dialog)
    dialog.show()
    output = dialog.findChild(QComboBox, "soundOutputChoice")
    assert output is not None
    assert output.currentData() == "USB Speakers"
    output.list_devices()  # what opening the list does: this machine has no audio output
    assert "USB Speakers" in output.currentText()
    assert output.currentText() != "USB Speakers"  # "(not connected)"
    output.setCurrentIndex(output.findData(""))
    assert SettingsFile().values.sound_output_device == ""


def test_qt_multimedia_is_not_imported_at_start_up() -> None:
    code = (
        "import sys, operator_app.ui.main_window, operator_app.ui.sound_player;"
        "print('PySide6.QtMultimedia' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"

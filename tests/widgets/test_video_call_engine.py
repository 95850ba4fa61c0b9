"""The call engine without a backend: missing devices, a local page that refuses navigation, device settings."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# Test-only Chromium flags: fake camera and microphone, no permission prompt, plain host candidates
# (no mDNS names, which two pages on one machine without multicast could not resolve).
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault(
    "QTWEBENGINE_CHROMIUM_FLAGS",
    "--use-fake-device-for-media-stream --use-fake-ui-for-media-stream --no-sandbox --disable-gpu"
    " --disable-features=WebRtcHideLocalIpsWithMdns",
)

from PySide6.QtWidgets import QWidget  # noqa: E402

from operator_app.ui.video import call_text  # noqa: E402
from operator_app.ui.video.engine import CallEngine  # noqa: E402
from tests.support.waiting import until  # noqa: E402
from tests.widgets.app_harness import run  # noqa: E402

_NO_DEVICES = """
import asyncio, json, os, sys
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
app = QApplication([])
from operator_app.ui.video.engine import CallEngine
from operator_app.ui.video import call_text
host = QWidget()
engine = CallEngine(host)
def opened(microphone, camera, camera_label, microphone_label):
    print(json.dumps({"microphone": microphone, "camera": camera, "notice": call_text.devices_text(microphone, camera),
                      "live_tracks": engine.live_tracks}))
    engine.send({"type": "make_offer"})
def offer(message):
    if message.get("kind") == "offer":
        print(json.dumps({"offer": message["sdp"].count("m=audio") + message["sdp"].count("m=video")}))
        app.quit()
engine.media_opened.connect(opened)
engine.local_signal.connect(offer)
engine.start([], camera_label="", microphone_label="", initials="AB")
QTimer.singleShot(30000, app.quit)
app.exec()
"""

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints",
        # QtWebEngine on the offscreen platform has no OpenGL; Chromium falls back to software.
        "QRhiGles2: Failed to create",
        "Failed to create RHI",
        "GPUInfo not initialized",
        "This plugin does not support raise",
    ),
]


def test_missing_devices_are_reported_and_the_call_can_still_receive(tmp_path: Path) -> None:
    """No camera and no microphone (no fake devices in this process): receive only, said in plain words."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        OPERATOR_APP_HOME=str(tmp_path / "home"),
        QTWEBENGINE_DISABLE_SANDBOX="1",
        # No fake devices; a denied prompt stands for a machine without a camera or a microphone.
        QTWEBENGINE_CHROMIUM_FLAGS="--use-fake-ui-for-media-stream --no-sandbox --disable-gpu --deny-permission-prompts",
    )
    done = subprocess.run(
        [sys.executable, "-c", _NO_DEVICES], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-3000:]
    media = lines[0]
    assert (media["microphone"], media["camera"]) == (False, False), media
    assert media["notice"] == call_text.devices_text(False, False)
    assert media["live_tracks"] == 0
    # Still an offer with both transceivers: the operator sees and hears the visitor.
    assert lines[1] == {"offer": 2}


def test_engine_page_is_local_and_refuses_navigation(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    engine = CallEngine(host)

    async def scenario() -> None:
        await until(lambda: engine.page.url().isLocalFile(), what="page loaded")
        from PySide6.QtCore import QUrl

        engine.page.load(QUrl("https://example.com/"))
        await asyncio.sleep(0.5)
        assert engine.page.url() == engine.url
        await engine.stop()
        assert engine.released

    run(qloop, scenario())


# Qt Multimedia's optional libraries, absent here.
@pytest.mark.qt_log_ignore("Couldn't load", "Couldn't resolve", "does not support propagateSizeHints")
def test_settings_dialog_chooses_call_devices(qtbot: Any) -> None:
    from PySide6.QtWidgets import QComboBox

    from operator_app.settings import SettingsFile
    from operator_app.ui.notifications import Notifier
    from operator_app.ui.settings_dialog import SettingsDialog

    settings = SettingsFile()
    settings.set("call_camera", "Front Camera")
    dialog = SettingsDialog(settings, Notifier(settings))
    qtbot.addWidget(dialog)
    dialog.show()
    camera = dialog.findChild(QComboBox, "callCameraChoice")
    microphone = dialog.findChild(QComboBox, "callMicrophoneChoice")
    assert camera is not None
    assert microphone is not None
    # A saved camera that is not plugged in stays chosen and says so; "" is the system default.
    assert camera.currentData() == "Front Camera"
    camera.list_devices()  # what opening the list does (this machine has no camera)
    assert camera.currentData() == "Front Camera"
    assert camera.currentText() != "Front Camera"
    assert "Front Camera" in camera.currentText()
    assert microphone.currentData() == ""
    camera.setCurrentIndex(camera.findData(""))
    assert SettingsFile().values.call_camera == ""

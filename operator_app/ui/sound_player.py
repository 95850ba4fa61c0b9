"""Notification sounds: designed WAV files compiled into the app, played by Qt Multimedia's QSoundEffect.

The built-in sounds are ``qrc:/sounds/<kind>.wav`` (resources/sounds, built by scripts/build_sounds.py).
An administrator may replace any of them with ``<sound_folder>/<kind>.wav`` (a PCM WAV; a missing or
unusable file falls back to the built-in sound with one warning in the log). The output device is
``sound_output_device`` (a QAudioDevice's description; "" or a missing device: the system default).
QtMultimedia is imported at the first sound, never at start-up. No device, or a sound that fails to
load or play: one debug log line, nothing raised (an offscreen test run has no audio at all).
"""

from __future__ import annotations

import logging
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLoggingCategory, QUrl

from operator_app.settings import SettingsFile
from operator_app.ui.app_resources import register_app_resources

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QAudioDevice, QSoundEffect

log = logging.getLogger(__name__)

KINDS = ("new_chat", "new_message", "transfer", "assigned", "queue_reminder")
# A replacement sound is read by QSoundEffect into memory: keep it short and small.
MAX_REPLACEMENT_BYTES = 2 * 1024 * 1024
MAX_REPLACEMENT_SECONDS = 10.0


def builtin_source(kind: str) -> QUrl:
    return QUrl(f"qrc:/sounds/{kind}.wav")


def check_replacement(path: Path) -> str | None:
    """Why the replacement file at `path` cannot be played (None: it can): PCM WAV, 8 or 16 bit,
    mono or stereo, at most `MAX_REPLACEMENT_SECONDS` and `MAX_REPLACEMENT_BYTES`."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            return "not a file"
        if size > MAX_REPLACEMENT_BYTES:
            return f"larger than {MAX_REPLACEMENT_BYTES} bytes"
        with wave.open(str(path), "rb") as sound:
            if sound.getnchannels() not in (1, 2) or sound.getsampwidth() not in (1, 2):
                return "not 8- or 16-bit mono or stereo PCM"
            rate = sound.getframerate()
            if not 8000 <= rate <= 96000 or sound.getnframes() / rate > MAX_REPLACEMENT_SECONDS:
                return f"not a rate of 8 to 96 kHz and at most {MAX_REPLACEMENT_SECONDS:g} s"
    except FileNotFoundError:
        return "missing"
    except (OSError, EOFError, wave.Error) as exc:
        return f"not a PCM WAV file ({exc})"
    return None


def convert_volume(volume: int) -> float:
    """The 0..100 setting (as a user hears it, logarithmic) to QSoundEffect's linear 0.0..1.0."""
    from PySide6.QtMultimedia import QtAudio

    level = max(0, min(100, volume)) / 100
    return float(
        QtAudio.convertVolume(
            level, QtAudio.VolumeScale.LogarithmicVolumeScale, QtAudio.VolumeScale.LinearVolumeScale
        )
    )


class SoundPlayer:
    """Plays a kind of sound at a volume through one QSoundEffect per kind; never raises."""

    def __init__(self, settings: SettingsFile) -> None:
        self.settings = settings
        self.effects: dict[str, QSoundEffect] = {}
        self._device_key: str | None = None
        self._checked: dict[tuple[str, int, int], str | None] = {}
        self._reported: set[str] = set()

    def source(self, kind: str) -> QUrl:
        """The replacement in `sound_folder` when there is a usable one, else the built-in sound."""
        folder = self.settings.values.sound_folder
        if folder:
            path = Path(folder).expanduser() / f"{kind}.wav"
            try:
                stat = path.stat()
                key = (str(path), stat.st_mtime_ns, stat.st_size)
            except OSError:
                key = (str(path), 0, -1)
            if key not in self._checked:
                self._checked[key] = check_replacement(path)
                if self._checked[key] is not None:
                    log.warning("sound %s is %s; the built-in sound is used", path, self._checked[key])
            if self._checked[key] is None:
                return QUrl.fromLocalFile(str(path))
        return builtin_source(kind)

    def output_device(self) -> QAudioDevice | None:
        """The chosen output (by description); None for the system default or a missing device."""
        from PySide6.QtMultimedia import QMediaDevices

        wanted = self.settings.values.sound_output_device
        if not wanted:
            return None
        for device in QMediaDevices.audioOutputs():
            if device.description() == wanted:
                return device
        self._debug_once(f"device:{wanted}", "sound output %r is not connected; the default is used", wanted)
        return None

    def effect(self, kind: str) -> QSoundEffect:
        """The kind's QSoundEffect, on the current source and output device."""
        from PySide6.QtMultimedia import QSoundEffect

        device = self.output_device()
        device_key = device.description() if device is not None else ""
        if device_key != self._device_key:
            self._device_key = device_key
            for effect in self.effects.values():
                effect.deleteLater()
            self.effects.clear()
        if kind not in self.effects:
            created = QSoundEffect(device) if device is not None else QSoundEffect()
            created.statusChanged.connect(lambda: self._status_changed(kind, created))
            self.effects[kind] = created
        effect = self.effects[kind]
        source = self.source(kind)
        if effect.source() != source:
            effect.setSource(source)
        return effect

    def play(self, kind: str, volume: int) -> None:
        if kind not in KINDS or volume <= 0:
            return
        try:
            _quiet_multimedia_probing()
            register_app_resources()
            effect = self.effect(kind)
            effect.setVolume(convert_volume(volume))
            effect.play()
        except (ImportError, OSError, RuntimeError) as exc:  # no Qt Multimedia or no audio: optional
            self._debug_once(f"play:{kind}", "could not play the %s sound: %r", kind, exc)

    def _status_changed(self, kind: str, effect: Any) -> None:
        from PySide6.QtMultimedia import QSoundEffect

        if effect.status() == QSoundEffect.Status.Error:
            self._debug_once(
                f"error:{kind}:{effect.source().toString()}",
                "the %s sound (%s) cannot be played on this audio output",
                kind,
                effect.source().toString(),
            )

    def _debug_once(self, key: str, message: str, *args: object) -> None:
        if key not in self._reported:
            self._reported.add(key)
            log.debug(message, *args)


_probing_quiet = False


def _quiet_multimedia_probing() -> None:
    """Qt Multimedia warns about every optional library it probes for (PipeWire, VA-API) and does not
    find; those are not faults of the app's sounds."""
    global _probing_quiet
    if not _probing_quiet:
        _probing_quiet = True
        QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver.warning=false")

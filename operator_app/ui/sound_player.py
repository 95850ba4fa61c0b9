"""Notification sounds without QtMultimedia: short tones written as WAV files, played by the OS.

The tones are synthesized with `wave` on first use into the data dir (one file per kind and volume),
then played by ``winsound`` on Windows, ``afplay`` on macOS, or ``paplay``/``pw-play``/``aplay`` on
Linux, detached and silenced. No player, no device, or a failing player: a debug log line, nothing
else (an offscreen test run has no audio at all).
"""

from __future__ import annotations

import logging
import math
import shutil
import struct
import sys
import wave
from pathlib import Path

from PySide6.QtCore import QProcess

log = logging.getLogger(__name__)

RATE = 22050
# kind -> (frequency Hz, duration s) notes; each kind has its own melody so it is told apart by ear.
MELODIES: dict[str, tuple[tuple[float, float], ...]] = {
    "new_chat": ((660.0, 0.12), (880.0, 0.18)),
    "new_message": ((988.0, 0.09),),
    "transfer": ((523.0, 0.1), (659.0, 0.1), (784.0, 0.16)),
    "assigned": ((784.0, 0.1), (1046.0, 0.2)),
    "queue_reminder": ((440.0, 0.1), (0.0, 0.06), (440.0, 0.1)),
}
LINUX_PLAYERS = ("paplay", "pw-play", "aplay")


def write_tone(path: Path, kind: str, volume: int) -> None:
    """A mono 16-bit WAV of the kind's melody at `volume` percent, with soft edges (no clicks)."""
    amplitude = 32767 * 0.6 * max(0, min(100, volume)) / 100
    frames = bytearray()
    for frequency, seconds in MELODIES[kind]:
        count = int(RATE * seconds)
        fade = max(1, int(RATE * 0.01))
        for i in range(count):
            envelope = min(1.0, i / fade, (count - i) / fade)
            value = amplitude * envelope * math.sin(2 * math.pi * frequency * i / RATE) if frequency else 0.0
            frames += struct.pack("<h", int(value))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))


class SoundPlayer:
    """Plays a kind of sound at a volume; never raises, never prints."""

    def __init__(self, sound_dir: Path) -> None:
        self.sound_dir = sound_dir
        self._player: list[str] | None = None
        self._looked = False

    def _file(self, kind: str, volume: int) -> Path:
        path = self.sound_dir / f"{kind}-{volume}.wav"
        if not path.exists():
            write_tone(path, kind, volume)
        return path

    def _find_player(self) -> list[str] | None:
        if not self._looked:
            self._looked = True
            names = ("afplay",) if sys.platform == "darwin" else LINUX_PLAYERS
            for name in names:
                found = shutil.which(name)
                if found:
                    self._player = [found, "-q"] if name == "aplay" else [found]
                    break
            if self._player is None and sys.platform != "win32":
                log.debug("no audio player found (%s): sounds are not played", ", ".join(names))
        return self._player

    def play(self, kind: str, volume: int) -> None:
        if kind not in MELODIES or volume <= 0:
            return
        try:
            path = self._file(kind, volume)
            if sys.platform == "win32":
                import winsound

                flags = winsound.SND_FILENAME | winsound.SND_ASYNC | winsound.SND_NODEFAULT
                winsound.PlaySound(str(path), flags)
                return
            player = self._find_player()
            if player is None:
                return
            process = QProcess()
            process.setProgram(player[0])
            process.setArguments([*player[1:], str(path)])
            process.setStandardOutputFile(QProcess.nullDevice())
            process.setStandardErrorFile(QProcess.nullDevice())
            # PySide6 returns a bool here (some versions a (bool, pid) pair).
            started = process.startDetached()
            ok = started[0] if isinstance(started, tuple) else started
            if not ok:
                log.debug("the audio player %s did not start", player[0])
        except (OSError, RuntimeError, wave.Error) as exc:  # no disk space, no device: sound is optional
            log.debug("could not play the %s sound: %r", kind, exc)

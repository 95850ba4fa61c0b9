"""Synthesize the notification sounds into `resources/sounds/<kind>.wav` (committed).

    .venv/bin/python scripts/build_sounds.py

Pure Python (no numpy), deterministic: the same files on every run. Each kind has its own timbre and
figure so it is told apart by ear without looking:
- new_chat: a rising marimba arpeggio (someone arrived),
- new_message: a short, high marimba double tap (quiet; it comes often),
- transfer: a rising glass-bell arpeggio (a chat handed over to me),
- assigned: a bell "ding" of a major third (the router gave me a chat),
- queue_reminder: two soft low marimba knocks (still waiting).
Mono, 16-bit, 22.05 kHz, under a second: each file stays under 60 KB. Then run
scripts/build_resources.py to compile them into the app.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "sounds"
RATE = 22050
PEAK = 0.7  # of full scale (about -3 dBFS): the app's volume setting scales it further
ATTACK = 0.003
TAIL_FADE = 0.15  # a gentle cosine fade: the bells still ring when the file ends

# (ratio to the fundamental, relative amplitude, decay time constant in seconds)
Partials = tuple[tuple[float, float, float], ...]
# A marimba bar: a strong fundamental, its 4th and 10th partials dying fast (the mallet's knock).
MARIMBA: Partials = ((1.0, 1.0, 0.22), (3.93, 0.28, 0.05), (9.2, 0.06, 0.015))
# A small glass bell: inharmonic partials that ring a little longer than the marimba's.
BELL: Partials = ((1.0, 1.0, 0.45), (2.0, 0.42, 0.3), (2.76, 0.22, 0.18), (5.4, 0.08, 0.06))

# kind -> (timbre, ((start s, frequency Hz, amplitude), ...), length s)
Score = tuple[Partials, tuple[tuple[float, float, float], ...], float]
SCORES: dict[str, Score] = {
    "new_chat": (MARIMBA, ((0.0, 659.26, 0.8), (0.11, 830.61, 0.85), (0.22, 987.77, 1.0)), 0.8),
    "new_message": (MARIMBA, ((0.0, 987.77, 0.7), (0.075, 1318.51, 0.8)), 0.4),
    "transfer": (BELL, ((0.0, 523.25, 0.7), (0.09, 659.26, 0.8), (0.18, 783.99, 1.0)), 0.9),
    "assigned": (BELL, ((0.0, 1046.5, 1.0), (0.0, 1318.51, 0.6)), 0.8),
    "queue_reminder": (MARIMBA, ((0.0, 440.0, 1.0), (0.2, 440.0, 0.8)), 0.6),
}


def render(score: Score) -> list[float]:
    """The score's samples, before normalisation."""
    partials, notes, length = score
    samples = [0.0] * int(RATE * length)
    nyquist = RATE / 2
    for start, frequency, amplitude in notes:
        first = int(start * RATE)
        for ratio, level, decay in partials:
            partial = frequency * ratio
            if partial >= nyquist * 0.9:
                continue
            step = 2 * math.pi * partial / RATE
            for i in range(len(samples) - first):
                t = i / RATE
                envelope = math.exp(-t / decay) * min(1.0, t / ATTACK)
                if envelope < 1e-4 and t > ATTACK:
                    break
                samples[first + i] += amplitude * level * envelope * math.sin(step * i)
    return samples


def finish(samples: list[float]) -> bytes:
    """Normalised to `PEAK`, faded out over the last `TAIL_FADE` seconds (no click, no cut-off ring),
    as 16-bit little-endian PCM."""
    peak = max(abs(value) for value in samples) or 1.0
    fade = int(TAIL_FADE * RATE)
    count = len(samples)
    frames = bytearray()
    for i, value in enumerate(samples):
        left = (count - 1 - i) / fade
        gain = PEAK / peak * (1.0 if left >= 1 else 0.5 - 0.5 * math.cos(math.pi * left))
        frames += struct.pack("<h", round(32767 * value * gain))
    return bytes(frames)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for kind, score in SCORES.items():
        path = OUT / f"{kind}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(finish(render(score)))
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

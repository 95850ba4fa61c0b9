"""The widget's reconnect delay (chat_backend/widget/src/reconnect.js, run by Node.js): soon and spread
out after a node going away closed the socket (1001, 1012), the full backoff otherwise."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

RECONNECT = Path(__file__).resolve().parents[2] / "chat_backend" / "widget" / "src" / "reconnect.js"

# (close code or None, attempt, going-away streak, the random draw)
CASES = [
    (1001, 12, 0, 0.999),  # a node going away while the backoff is high: still back within 2 s
    (1001, 0, 0, 0.5),
    (1012, 12, 1, 0.999),
    (1001, 12, 3, 0.999),  # sent away three times in a row without getting in: the backoff again
    (1006, 12, 0, 0.999),  # the connection was lost: backoff, up to 30 s
    (None, 0, 0, 0.999),  # never opened: backoff from 0.5 s
    (1000, 3, 0, 0.5),
]


def delays() -> list[float]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: the widget is built and checked with Node.js (>= 18)")
    script = (
        f"import {{ reconnectDelay }} from {json.dumps(RECONNECT.as_uri())};\n"
        f"const cases = {json.dumps(CASES)};\n"
        "console.log(JSON.stringify(cases.map(([code, attempt, streak, draw]) =>"
        " reconnectDelay(code === null ? undefined : code, attempt, streak, () => draw))));\n"
    )
    done = subprocess.run(
        [node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60, check=True
    )
    found: list[float] = json.loads(done.stdout)
    return found


def test_going_away_reconnects_within_two_seconds_and_other_closes_back_off() -> None:
    got = delays()
    assert got == pytest.approx([1998.0, 1000.0, 1998.0, 29970.0, 29970.0, 499.5, 2000.0])

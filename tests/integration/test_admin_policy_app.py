"""The real app (`python -m operator_app`) starts with a malformed admin policy: a warning in its log
file names the file, and the app runs on (it tries to sign in, then quits cleanly on SIGTERM). A
server the policy enforces wins over `--server`."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.support.app_process import app_process

STARTED = "automatic sign-in failed"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: a sign-in there fails at once


@pytest.mark.parametrize("case", ["malformed", "bad values and a locked server"])
def test_the_app_starts_with_a_bad_policy_and_says_so_in_its_log(tmp_path: Path, case: str) -> None:
    home = tmp_path / "home"
    (home / "site").mkdir(parents=True)
    policy = home / "site" / "policy.json"
    locked = f"http://127.0.0.1:{closed_port()}"
    if case == "malformed":
        policy.write_text('{"enforced": {"server_url": "https://chat.example.com",', encoding="utf-8")
        expected = [f"{policy}: not valid JSON", "policy ignored"]
    else:
        policy.write_text(
            f'{{"default": {{"sound_volume": 900}}, "enforced": {{"server_url": "{locked}", "x": 1}}}}',
            encoding="utf-8",
        )
        expected = [
            f"{policy} (default): setting 'sound_volume' must be from 0 to 100 (got 900); ignored",
            f"{policy} (enforced): setting 'x' is not a known setting",
            "ignored: the server is set by your administrator",
        ]
    server = f"http://127.0.0.1:{closed_port()}"
    with app_process(home, server, "a@b.c", "pw") as app:
        app.wait_for(STARTED)
    text = app.log_text()
    for line in expected:
        assert line in text
    assert "Traceback" not in text

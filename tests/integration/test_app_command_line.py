"""`python -m operator_app --server URL --email E` signs in by itself and quits cleanly on SIGTERM."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.app_process import app_process
from tests.support.backend import BackendProcess

MARKER = "main window shown with 0 chats loaded"


def test_command_line_sign_in_logs_the_shown_window_and_keeps_secrets_out_of_files(
    backend: BackendProcess, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    with app_process(home, backend.url, backend.agent_email, backend.agent_password) as app:
        app.wait_for("connection connected")
    text = app.log_text()
    assert MARKER in text
    assert "connection offline" in text  # the socket was closed on the way out
    assert "Traceback" not in text
    for path in home.rglob("*"):
        if path.is_file() and path.suffix in (".log", ".json"):
            assert backend.agent_password not in path.read_text(encoding="utf-8", errors="replace")


def test_a_wrong_command_line_password_is_logged_and_the_app_keeps_running(
    backend: BackendProcess, tmp_path: Path
) -> None:
    """The sign-in on its own thread (`operator_app.net.early_signin`) hands its refusal to the app,
    which logs it and shows the login dialog instead of exiting."""
    with app_process(tmp_path / "home", backend.url, backend.agent_email, "not-the-password") as app:
        app.wait_for("automatic sign-in failed")
        time.sleep(0.3)  # still running after the refusal (`app_process` checks it on the way out)
    text = app.log_text()
    assert "main window shown" not in text
    assert "Traceback" not in text

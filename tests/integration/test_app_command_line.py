"""`python -m operator_app --server URL --email E` signs in by itself and quits cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.backend import BackendProcess

MARKER = "main window shown with 0 chats loaded"


def test_command_line_sign_in_logs_the_shown_window_and_keeps_secrets_out_of_files(
    backend: BackendProcess, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OPERATOR_APP_HOME=str(home))
    env["OPERATOR_APP_PASSWORD"] = backend.agent_password
    command = [sys.executable, "-m", "operator_app", "--server", backend.url, "--email", backend.agent_email]
    app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = home / "log" / "operator-app.log"
    try:
        deadline = time.monotonic() + 60
        while "connection connected" not in (log.read_text(encoding="utf-8") if log.exists() else ""):
            assert app.poll() is None, "the app exited early"
            assert time.monotonic() < deadline, "the app did not connect in time"
            time.sleep(0.05)
        app.send_signal(signal.SIGTERM)
        assert app.wait(20) == 128 + signal.SIGTERM
    finally:
        if app.poll() is None:
            app.kill()
    text = log.read_text(encoding="utf-8")
    assert MARKER in text
    assert "connection offline" in text  # the socket was closed on the way out
    assert "Traceback" not in text
    for path in home.rglob("*"):
        if path.is_file() and path.suffix in (".log", ".json"):
            assert backend.agent_password not in path.read_text(encoding="utf-8", errors="replace")

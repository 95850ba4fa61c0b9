"""The operator app as its own process (`python -m operator_app`), offscreen, with its files under a
folder of the test's: for what only a real start shows (the command line, the admin policy, the log)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class AppProcess:
    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.proc = proc
        self.log = log

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        """Until the app's log holds `text`; fails when the app exits first or the time is up."""
        deadline = time.monotonic() + timeout
        while text not in self.log_text():
            assert self.proc.poll() is None, f"the app exited before logging {text!r}"
            assert time.monotonic() < deadline, f"the app did not log {text!r} in time"
            time.sleep(0.05)


@contextmanager
def app_process(home: Path, server: str, email: str, password: str) -> Iterator[AppProcess]:
    """Start the app signing in on its own; on the way out, SIGTERM must end it with 128 + SIGTERM."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OPERATOR_APP_HOME=str(home))
    env["OPERATOR_APP_PASSWORD"] = password
    command = [sys.executable, "-m", "operator_app", "--server", server, "--email", email]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield AppProcess(proc, home / "log" / "operator-app.log")
        assert proc.poll() is None, "the app exited by itself"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)

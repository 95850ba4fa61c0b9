"""A real backend in a subprocess on 127.0.0.1, for integration and end-to-end tests."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import httpx

from tests.support import fork_server

DEMO_SITE_ID = "demo-shop"

# A record's first line, in either of the backend's two formats: its own logging.basicConfig
# ("2026-12-01 23:40:01,123 ERROR chat_backend.realtime.router: ...") and uvicorn's ("ERROR:    ...").
_RECORD_START = re.compile(
    r"^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?P<level>[A-Z]+) \S+:|(?P<uvicorn>[A-Z]+):\s)"
)
_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}


def log_problems(text: str) -> list[str]:
    """Every record in a backend log at ERROR or above, or carrying a traceback (record + its lines)."""
    records: list[tuple[int, list[str]]] = [(0, [])]  # lines before any header: level unknown
    for line in text.splitlines():
        match = _RECORD_START.match(line)
        level_name = match and (match["level"] or match["uvicorn"])
        if level_name in _LEVELS:
            records.append((_LEVELS[level_name], [line]))
        else:
            records[-1][1].append(line)
    return [
        "\n".join(lines)
        for level, lines in records
        if lines and (level >= _LEVELS["ERROR"] or any(line.startswith("Traceback (") for line in lines))
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BackendProcess:
    """`chat-backend serve --demo` on a free port with its own database; can be killed and restarted."""

    database_url: str
    workdir: Path
    port: int = field(default_factory=free_port)
    agent_email: str = "demo@example.com"
    agent_password: str = field(default_factory=lambda: "pw-" + secrets.token_hex(8))
    site_id: str = DEMO_SITE_ID
    demo: bool = True  # `--demo`: the demo shop, and its site and agent created or reset at start
    proc: subprocess.Popen[bytes] | fork_server.ForkedProcess | None = None
    env: dict[str, str] = field(default_factory=dict)  # CHAT_* settings of this process
    log_level: str = "warning"
    serve_args: tuple[str, ...] = ()  # more `serve` options, e.g. ("--demo-samples",)
    log_checked: int = 0  # how much of the log `unread_log_problems` has already read
    # (certificate, key, CA) PEM files: serve https/wss with them (`--ssl-certfile`/`--ssl-keyfile`).
    tls: tuple[str, str, str] | None = None

    # Every backend started and not yet checked: tests/conftest.py reads their logs after each test.
    started: ClassVar[list[BackendProcess]] = []

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"{'wss' if self.tls else 'ws'}://127.0.0.1:{self.port}"

    def verify(self) -> ssl.SSLContext | bool:
        return ssl.create_default_context(cafile=self.tls[2]) if self.tls else True

    @property
    def demo_url(self) -> str:
        return f"{self.url}/demo/index.html"

    @property
    def log_path(self) -> Path:
        return self.workdir / "backend.log"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["CHAT_DEMO_AGENT_PASSWORD"] = self.agent_password
        env["CHAT_DEMO_AGENT_EMAIL"] = self.agent_email
        env["CHAT_BACKEND_HOME"] = str(self.workdir)
        env.update(self.env)
        return env

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run a `chat-backend` admin command against this backend's database."""
        argv = ["--database-url", self.database_url, *args]
        if fork_server.enabled():
            returncode, out, err = self._forked_cli(argv, stdin)
        else:
            cmd = [sys.executable, "-m", "chat_backend.cli", *argv]
            done = subprocess.run(
                cmd, input=stdin, capture_output=True, text=True, env=self._env(), timeout=60
            )
            returncode, out, err = done.returncode, done.stdout, done.stderr
        if returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {err}")
        return out

    def _forked_cli(self, argv: list[str], stdin: str | None) -> tuple[int, str, str]:
        """The command in a child of the fork server (tests/support/fork_server.py): exit status,
        standard output, standard error."""
        files = self.workdir / f"cli-{secrets.token_hex(4)}"
        paths = [files.with_suffix(suffix) for suffix in (".in", ".out", ".err")]
        try:
            paths[0].write_text(stdin or "", encoding="utf-8")
            child = fork_server.spawn(argv, env=self._env(), stdin=paths[0], stdout=paths[1], stderr=paths[2])
            returncode = child.wait(60)
            out, err = (path.read_text(encoding="utf-8", errors="replace") for path in paths[1:])
            return returncode, out, err
        finally:
            for path in paths:
                path.unlink(missing_ok=True)

    def create_agent(self, email: str, name: str, password: str, role: str = "agent") -> None:
        self.cli(
            "create-agent",
            "--email",
            email,
            "--name",
            name,
            "--password-stdin",
            "--role",
            role,
            stdin=password,
        )

    def start(self, timeout: float = 90.0) -> None:
        args = ["--database-url", self.database_url, "serve"]
        args += ["--port", str(self.port), *(["--demo"] if self.demo else []), "--log-level", self.log_level]
        args += self.serve_args
        if self.tls:
            args += ["--ssl-certfile", self.tls[0], "--ssl-keyfile", self.tls[1]]
        verify = self.verify()
        if fork_server.enabled():
            self.proc = fork_server.spawn(args, env=self._env(), stdout=self.log_path)
        else:
            cmd = [sys.executable, "-m", "chat_backend.cli", *args]
            with self.log_path.open("ab") as log:
                self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self._env())
        if not any(other is self for other in BackendProcess.started):
            BackendProcess.started.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"backend exited: {self.log_path.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1, verify=verify).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(
            f"backend did not start in {timeout} s: {self.log_path.read_text(errors='replace')[-3000:]}"
        )

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as when the machine dies."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def unread_log_problems(self) -> list[str]:
        """Error records and tracebacks logged since the last call (see `log_problems`)."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(self.log_checked)
                data = log.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1 if self.running else len(data)  # a live log may end mid-line
        self.log_checked += end
        return log_problems(data[:end].decode(errors="replace"))

    def login_tokens(self, email: str | None = None, password: str | None = None) -> dict[str, str]:
        body = {"email": email or self.agent_email, "password": password or self.agent_password}
        response = httpx.post(f"{self.url}/api/v1/auth/login", json=body, timeout=10, verify=self.verify())
        response.raise_for_status()
        tokens: dict[str, str] = response.json()
        return tokens

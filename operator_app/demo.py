"""`operator-app --demo`: start the embedded backend with the demo shop, then the app logged in.

The backend runs as a separate process (the app never imports `chat_backend`); closing the app stops it.
It never outlives the app: its standard input is a pipe from this process, and it stops when the pipe
closes, which the operating system does however the app ends (quit, crash, Qt aborting, SIGKILL).
The demo adds sample canned replies (type `#` in a chat), a greeting rule, and starts its agent
accepting chats (`serve --demo-samples`).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

from operator_app.launcher import run_app
from operator_app.paths import app_dirs

DEMO_EMAIL = "demo@example.com"
PREFERRED_PORT = 8470


def _port() -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", PREFERRED_PORT))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the demo backend exited during start-up; see the log above")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the demo backend did not start within a minute")


def start_backend() -> tuple[subprocess.Popen[bytes], str, str]:
    """Start `chat-backend serve --demo` on SQLite in the user data dir; return (process, url, password)."""
    if getattr(sys, "frozen", False):
        # Installed apps ship without the backend (packaging/README.md).
        raise SystemExit(
            "The demo is a feature of a source checkout: the installed app has no embedded backend.\n"
            "Run it from a checkout (README.md: `operator-app --demo` in its virtualenv), or sign in "
            "to your team's chat server with `operator-app --server URL`."
        )
    try:
        import chat_backend  # noqa: F401  (only to check that the [backend] extra is installed)
    except ImportError:
        raise SystemExit("The demo needs the backend: pip install -e '.[backend]'") from None
    folder = app_dirs().data / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    port = _port()
    url = f"http://127.0.0.1:{port}"
    password = secrets.token_urlsafe(16)
    env = dict(os.environ, CHAT_DEMO_AGENT_PASSWORD=password, CHAT_DEMO_AGENT_EMAIL=DEMO_EMAIL)
    cmd = [sys.executable, "-m", "chat_backend.cli", "--database-url", f"sqlite:///{folder / 'chat.db'}"]
    cmd += ["serve", "--demo", "--demo-samples", "--exit-with-stdin", "--port", str(port)]
    cmd += ["--log-level", "warning"]
    # The write end stays open in this process only (not inheritable): its end is the backend's EOF.
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE)
    try:
        _wait_healthy(url, proc)
    except BaseException:
        proc.terminate()
        raise
    return proc, url, password


def main() -> int:
    from operator_app.qt_check import exit_if_qt_platform_unusable

    exit_if_qt_platform_unusable()  # before the backend starts: nothing to stop when Qt cannot run
    proc, url, password = start_backend()
    print(f"\nDemo shop: {url}/demo/index.html  (open it in a browser and click the chat button)")
    print(f"Operator app: logged in as {DEMO_EMAIL}; closing it stops the demo backend.\n", flush=True)

    def stop() -> None:
        if proc.stdin is not None:
            proc.stdin.close()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    try:
        return run_app(url, DEMO_EMAIL, password, on_quit=stop)
    finally:
        stop()

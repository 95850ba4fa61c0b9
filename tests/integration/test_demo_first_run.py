"""`operator-app --demo` on first run: its backend never outlives the app, and the demo has sample
canned replies, a greeting rule and its agent accepting chats (real backend processes)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.backend import BackendProcess
from tests.support.databases import sqlite_database

ROOT = Path(__file__).resolve().parents[2]


def backend_pids(marker: str) -> list[int]:
    """Live `chat_backend.cli` processes whose command line holds `marker` (the demo's data folder)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"chat_backend.cli" in command and marker.encode() in command:
                pids.append(int(entry.name))
    return pids


def wait_gone(marker: str, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := backend_pids(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def demo_env(home: Path, platform: str) -> dict[str, str]:
    return dict(os.environ, OPERATOR_APP_HOME=str(home), QT_QPA_PLATFORM=platform)


def test_backend_stops_when_qt_cannot_start_the_app(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "-m", "operator_app", "--demo"],
        env=demo_env(home, "nonexistent"), capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode != 0
    assert "Demo shop: http://127.0.0.1:" in done.stdout  # the backend had started
    assert wait_gone(str(home), 15) == []


def test_backend_stops_when_the_app_is_killed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    app = subprocess.Popen(
        [sys.executable, "-m", "operator_app", "--demo"],
        env=demo_env(home, "offscreen"), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert app.stdout is not None
        line = ""
        while "Demo shop:" not in line:
            line = app.stdout.readline()
            assert line, "the demo ended before its backend was up"
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)  # type: ignore[union-attr]
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        assert len(backend_pids(str(home))) == 1
        app.send_signal(signal.SIGKILL)
        app.wait(10)
        assert wait_gone(str(home), 15) == []
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
        if app.stdout is not None:
            app.stdout.close()


@pytest.fixture(scope="module")
def demo_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    """`serve --demo --demo-samples`, as `operator-app --demo` starts it."""
    workdir = tmp_path_factory.mktemp("demo-samples")
    proc = BackendProcess(
        database_url=sqlite_database(workdir), workdir=workdir, serve_args=("--demo-samples",)
    )
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


def get(backend: BackendProcess, path: str, token: str) -> object:
    response = httpx.get(
        f"{backend.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    response.raise_for_status()
    return response.json()


def test_demo_has_canned_replies_a_greeting_and_an_accepting_agent(demo_backend: BackendProcess) -> None:
    token = demo_backend.login_tokens()["access_token"]
    me = get(demo_backend, "/me", token)
    assert me["status"] == "accepting"  # type: ignore[index]
    canned = get(demo_backend, "/canned", token)
    shortcuts = {reply["shortcut"]: reply for reply in canned}  # type: ignore[union-attr]
    assert {"hello", "あいさつ", "shipping", "配送", "thanks", "ありがとう"} <= set(shortcuts)
    assert all(reply["owner_id"] is None for reply in shortcuts.values())  # team replies
    demo_backend.create_agent("demo-admin@example.com", "Admin", "admin-password-1", "admin")
    admin = demo_backend.login_tokens("demo-admin@example.com", "admin-password-1")["access_token"]
    rules = get(demo_backend, "/greeting-rules", admin)
    assert [rule["site_id"] for rule in rules] == [demo_backend.site_id]  # type: ignore[union-attr]

    # The demo database is kept between runs: a restart adds nothing twice.
    demo_backend.stop()
    demo_backend.start()
    token = demo_backend.login_tokens()["access_token"]
    assert len(get(demo_backend, "/canned", token)) == len(canned)  # type: ignore[arg-type]
    admin = demo_backend.login_tokens("demo-admin@example.com", "admin-password-1")["access_token"]
    assert len(get(demo_backend, "/greeting-rules", admin)) == 1  # type: ignore[arg-type]

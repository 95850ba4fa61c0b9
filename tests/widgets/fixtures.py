"""Fixtures for tests that run the client: a qasync loop, an in-memory keyring, a private app home.

`tests/widgets/conftest.py` registers them for widget tests; integration tests of the app import
them the same way.
"""

from __future__ import annotations

import asyncio
import gc
import io
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import keyring
import keyring.backend
import pytest
from keyring.errors import PasswordDeleteError

T = TypeVar("T")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _prepare_webengine() -> None:
    """QtWebEngine (video calls) needs shared OpenGL contexts set before pytest-qt's QApplication."""
    from PySide6.QtCore import QCoreApplication, Qt

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


_prepare_webengine()


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps passwords in a dict: what a desktop's Secret Service would do."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every platform dir of the app under a temporary folder."""
    home = tmp_path / "operator-home"
    monkeypatch.setenv("OPERATOR_APP_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The headless-Linux case: keyring's `fail` backend, whose set_password raises NoKeyringError."""
    import keyring.backends.fail

    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def qloop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """An asyncio loop inside Qt's (qasync), marked running for the whole test.

    Drive coroutines with `run(qloop, coro)`: it processes Qt events until the task is done, so
    asyncio callbacks always run with their loop current, also while pytest-qt processes events.
    """
    import qasync
    import shiboken6

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            run(loop, asyncio.gather(*pending, return_exceptions=True))
        run(loop, loop.shutdown_asyncgens())
        # Not loop.stop(): that calls QApplication.exit(), which would end later tests' Qt loops.
        qapp.aboutToQuit.disconnect(loop._after_run_forever)  # type: ignore[attr-defined]
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        asyncio.events._set_running_loop(None)
        loop.close()
        # qasync's timer object keeps the Qt timers of cancelled callbacks (an `asyncio.timeout` that
        # did not expire) until they would fire. Deleted here, on the main thread: left to the garbage
        # collector it may die in another thread ("Timers cannot be stopped from another thread").
        shiboken6.delete(loop._timer)  # type: ignore[attr-defined]
        asyncio.set_event_loop(None)
        gc.collect()  # this test's garbage Qt objects die here, on the main thread


def run(loop: asyncio.AbstractEventLoop, awaitable: Awaitable[T], timeout: float = 60.0) -> T:
    """Run a coroutine on the qasync loop by processing Qt events until it is done."""
    from PySide6.QtTest import QTest

    task = asyncio.ensure_future(awaitable, loop=loop)
    deadline = time.monotonic() + timeout
    while not task.done():
        if time.monotonic() > deadline:
            stacks = io.StringIO()
            for pending in asyncio.all_tasks(loop):
                pending.print_stack(file=stacks)
            task.cancel()
            raise TimeoutError(f"{awaitable!r} did not finish in {timeout} s; tasks:\n{stacks.getvalue()}")
        QTest.qWait(2)
    return task.result()


async def eventually(predicate: Callable[[], object], within: float = 10.0, step: float = 0.01) -> None:
    """Wait (without a nested event loop) until `predicate()` is true; TimeoutError after `within` s."""
    async with asyncio.timeout(within):
        while True:
            if predicate():
                return
            await asyncio.sleep(step)

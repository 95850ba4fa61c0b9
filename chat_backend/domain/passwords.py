"""Password hashing (argon2) off the event loop, a bounded number at a time.

An argon2 hash or check takes tens of milliseconds of CPU and 64 MiB: run on the event loop, a stream of
logins would stall every socket. `PasswordWork` runs them on a small thread pool (argon2-cffi releases
the GIL), lets a bounded number wait, and refuses the rest at once with `ServerBusy`. Callers never hold
the database write lock while they wait for it.

Hashes use argon2-cffi's default parameters (RFC 9106's low-memory profile: 3 passes over 64 MiB, 4
lanes). `CHAT_TEST_CHEAP_PASSWORD_HASHES=1` switches new hashes to argon2-cffi's `CHEAPEST` profile,
for test suites that create and sign in thousands of accounts; the server warns at start when it is
set. A hash keeps its own parameters, so either kind verifies under either setting.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode

_T = TypeVar("_T")
CHEAP_FOR_TESTS = "CHAT_TEST_CHEAP_PASSWORD_HASHES"


def cheap_for_tests() -> bool:
    return os.environ.get(CHEAP_FOR_TESTS, "") == "1"


@functools.cache
def _hasher() -> PasswordHasher:
    """Made on first use (the process's environment decides, see above)."""
    if cheap_for_tests():
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


class ServerBusy(DomainError):
    """Too many password checks already running and waiting: HTTP 503 `rate_limited`."""

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.RATE_LIMITED, "The server is busy. Try again in a moment.", retry_after=1.0
        )


def hash_now(password: str) -> str:
    """Hash on the calling thread: for the command line, never on the server's event loop."""
    return _hasher().hash(password)


@functools.cache
def _dummy_hash() -> str:
    """Checked when the e-mail is unknown, so that a wrong e-mail costs the same time as a wrong
    password. Made on first need, not at import: every process that imports this module (each admin
    command, each start) would otherwise pay a full argon2 hash."""
    return _hasher().hash("not a password")


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


class PasswordWork:
    """At most `workers` hashes at once on their own threads, `queue` more waiting; more: `ServerBusy`."""

    def __init__(self, workers: int, queue: int) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="password-hash")
        self._pending = 0  # submitted and not finished (running or waiting)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches; None (an unknown account) costs the same and is False."""
        return await self._run(_verify, password_hash, password)

    async def hash(self, password: str) -> str:
        return await self._run(hash_now, password)

    async def _run(self, func: Callable[..., _T], *args: str | None) -> _T:
        if self._pending >= self.workers + self.queue:
            raise ServerBusy()
        loop = asyncio.get_running_loop()
        self._pending += 1
        # The count drops when the thread is done, not when the caller stops waiting: a client that
        # disconnects mid-check frees no slot its hash still occupies.
        job: Future[_T] = self._executor.submit(func, *args)
        job.add_done_callback(lambda _job: self._finished_on(loop))
        return await asyncio.wrap_future(job)

    def _finished_on(self, loop: asyncio.AbstractEventLoop) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed while the thread ran (shutdown)
            loop.call_soon_threadsafe(self._finished)

    def _finished(self) -> None:
        self._pending -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

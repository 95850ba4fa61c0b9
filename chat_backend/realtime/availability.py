"""Whether any agent accepts chats, as visitors are told at login: read at most about once a second.

Every visitor login answers it, and a storm of logins (a node restarted, 10,000 visitors back) would
otherwise run the same query thousands of times a second. The value is a node's cache: a login takes
one read at most `ttl` old; a reader that must see every change made after some instant (the check
that follows a visitor's registration) asks for a read begun after it, and the reads of a burst share
one query. The routing pass stores what it reads, so its pushes and the cache agree.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

DEFAULT_TTL = 1.0


class AvailabilityCache:
    def __init__(self, read: Callable[[], Awaitable[bool]], ttl: float = DEFAULT_TTL) -> None:
        self._read = read
        self.ttl = ttl
        self._value: bool | None = None
        self._read_at = float("-inf")  # when the read that gave `_value` began (monotonic)
        self._running: asyncio.Task[bool] | None = None
        self._running_since = float("-inf")
        self.reads = 0  # queries run (for tests and benchmarks)

    async def get(self, not_before: float | None = None) -> bool:
        """A value read by a query begun at or after `not_before` (default: `ttl` seconds ago)."""
        if not_before is None:
            not_before = time.monotonic() - self.ttl
        if self._value is not None and self._read_at >= not_before:
            return self._value
        if self._running is None or self._running_since < not_before:
            self._running_since = time.monotonic()
            self._running = asyncio.get_running_loop().create_task(self._query(self._running_since))
        return await asyncio.shield(self._running)

    def store(self, value: bool, read_at: float) -> None:
        """A value read elsewhere (the routing pass) by a query begun at `read_at`."""
        if read_at >= self._read_at:
            self._value, self._read_at = value, read_at

    async def _query(self, started: float) -> bool:
        self.reads += 1
        try:
            value = await self._read()
        except BaseException:
            if self._running_since == started:
                self._running = None
            raise
        self.store(value, started)
        return value

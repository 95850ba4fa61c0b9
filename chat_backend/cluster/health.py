"""Readiness: whether this node should get new clients (`/readyz`).

A list of named checks, each an async callable that returns None when fine or a short reason; other
parts append theirs. A required check failing makes the node not ready (the load balancer stops sending
it clients); an optional one is only reported: Redis being away degrades every node alike (they read the
log on a timer), and taking them all out of the load balancer would turn that into an outage. The answer
is cached for a moment, so that a flood of `/readyz` requests costs one round of checks, not one each.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from chat_backend.cluster.bus import Bus
from chat_backend.db.engine import Database

Check = Callable[[], Awaitable[str | None]]

CHECK_TIMEOUT = 2.0
CACHE_FOR = 1.0


class Readiness:
    def __init__(self) -> None:
        self.checks: list[tuple[str, Check]] = []
        self.optional: set[str] = set()  # reported, but the node is ready without them
        self._cached: tuple[float, dict[str, str]] | None = None
        self._running: asyncio.Task[dict[str, str]] | None = None

    def add(self, name: str, check: Check, required: bool = True) -> None:
        self.checks.append((name, check))
        if not required:
            self.optional.add(name)

    def ready(self, report: dict[str, str]) -> bool:
        return all(result == "ok" for name, result in report.items() if name not in self.optional)

    async def report(self) -> dict[str, str]:
        """{check name: "ok" or the reason}; at most one round of checks runs at a time."""
        now = time.monotonic()
        if self._cached is not None and now - self._cached[0] < CACHE_FOR:
            return self._cached[1]
        if self._running is None:
            self._running = asyncio.create_task(self._round())
        running = self._running
        try:
            return await asyncio.shield(running)
        finally:
            if self._running is running and running.done():
                self._running = None

    async def _round(self) -> dict[str, str]:
        async def one(check: Check) -> str:
            try:
                async with asyncio.timeout(CHECK_TIMEOUT):
                    return await check() or "ok"
            except TimeoutError:
                return "timeout"
            except Exception:
                return "unreachable"

        results = await asyncio.gather(*(one(check) for _, check in self.checks))
        report = {name: result for (name, _), result in zip(self.checks, results, strict=True)}
        self._cached = (time.monotonic(), report)
        return report


def database_check(db: Database) -> Check:
    async def check() -> str | None:
        async with db.read() as session:
            await session.execute(text("SELECT 1"))
        return None

    return check


def redis_check(bus: Bus) -> Check:
    """Optional: the bus is connected (else the nodes poll the log, and presence is frozen)."""

    async def check() -> str | None:
        return None if bus.connected else "unreachable"

    return check

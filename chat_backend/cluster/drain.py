"""Graceful drain: on SIGTERM a node stops taking sockets, tells its clients to reconnect elsewhere and
exits once they have gone, or after `CHAT_DRAIN_TIMEOUT` seconds.

While draining, `/readyz` answers 503 (the load balancer stops sending new clients), a socket that still
arrives is accepted and closed at once with 1001 "going away", and the node's job leases are handed over.
The sockets already open are closed with 1001 too, spread over up to a third of the timeout (at least
`CLOSE_RATE` a second), so that the other nodes are not hit by every client in the same instant; the
clients then reconnect after a short random delay (the widget's and the app's rule for 1001), through the
load balancer, to another node. The listening socket stays open until the end: health checks keep
getting their 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Protocol

from starlette.websockets import WebSocket

from chat_backend.cluster import metrics

log = logging.getLogger(__name__)

CLOSE_GOING_AWAY = 1001
GOING_AWAY_REASON = "going away: this node is stopping"
CLOSE_RATE = 500.0  # sockets closed per second at least
_STEP = 0.1


class Closable(Protocol):
    async def close(self, code: int, reason: str) -> None: ...


class Drain:
    """This node's open sockets by kind, and the drain of them."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.draining = False
        self._live: dict[Closable, str] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self.on_start: list[Callable[[], Awaitable[None]]] = []  # e.g. hand the job leases over
        # WebSocket connections still open at the server (a socket's handler ends when it sent its
        # close frame; the connection lasts until the peer answers it or the close timeout drops it).
        self.open_connections: Callable[[], int] = lambda: 0

    # --- the sockets ------------------------------------------------------------------------

    @contextlib.contextmanager
    def track(self, conn: Closable, kind: str) -> Iterator[None]:
        self._live[conn] = kind
        try:
            yield
        finally:
            del self._live[conn]

    def sockets_by_kind(self) -> dict[str, int]:
        counts = {"agent": 0, "visitor": 0}
        for kind in self._live.values():
            counts[kind] = counts.get(kind, 0) + 1
        return counts

    async def refuse(self, ws: WebSocket) -> None:
        """A socket arriving while draining: accepted only to be told to go elsewhere."""
        await ws.accept()
        with contextlib.suppress(Exception):
            await ws.close(CLOSE_GOING_AWAY, GOING_AWAY_REASON)

    # --- the drain --------------------------------------------------------------------------

    async def run(self, exit_now: Callable[[], None]) -> None:
        """Drain, then `exit_now()` (the server's own shutdown closes whatever is left)."""
        if self.draining:
            return
        self.draining = True
        metrics.DRAINING.set(1)
        started = time.monotonic()
        deadline = started + self.timeout
        log.info("draining: %d sockets to close within %.0f s", len(self._live), self.timeout)
        for hook in self.on_start:
            try:
                await hook()
            except Exception:
                log.exception("drain step failed")
        await self._close_all(min(self.timeout / 3, len(self._live) / CLOSE_RATE))
        # Polled: the server's connection count has no event to wait on.
        while self._remaining() and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(_STEP)
        if self._remaining():
            log.warning("drain timeout: %d sockets still open; stopping anyway", self._remaining())
        else:
            log.info("drained in %.1f s", time.monotonic() - started)
        exit_now()

    def _remaining(self) -> int:
        return max(len(self._live), self.open_connections())

    async def _close_all(self, spread: float) -> None:
        """Close every open socket with 1001, evenly over `spread` seconds (visitors first: an agent
        keeps their chats in view until the end)."""
        order = sorted(self._live, key=lambda conn: self._live[conn] == "agent")
        steps = max(math.ceil(spread / _STEP), 1)
        per_step = math.ceil(len(order) / steps) if order else 0
        for start in range(0, len(order), per_step or 1):
            for conn in order[start : start + per_step]:
                if conn in self._live:
                    task = asyncio.create_task(conn.close(CLOSE_GOING_AWAY, GOING_AWAY_REASON))
                    self._closing.add(task)
                    task.add_done_callback(self._closing.discard)
            if start + per_step < len(order):
                await asyncio.sleep(_STEP)

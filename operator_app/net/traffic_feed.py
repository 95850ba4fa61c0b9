"""The live traffic list over the agent socket: `watch_traffic`, the snapshot, then the deltas above it.

Deltas that arrive while the snapshot loads are buffered and applied afterwards when their `rev` is
above the snapshot's. After every (re)connect the whole sequence runs again: the new snapshot replaces
the list, so visitors who left while we were away disappear. Nothing here knows about Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from operator_app.errors import ApiError, ConnectionLost, RealtimeError, RequestTimeout
from operator_app.net.realtime import RealtimeConnection

if TYPE_CHECKING:
    from chat_protocol.traffic import TrafficDelta, TrafficSnapshot

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class FeedState(StrEnum):
    IDLE = "idle"
    LOADING = "loading"
    LIVE = "live"
    FAILED = "failed"


class TrafficSink(Protocol):
    """Where the feed puts the list (the traffic model implements it)."""

    def load_snapshot(self, snapshot: TrafficSnapshot) -> None: ...
    def apply_delta(self, delta: TrafficDelta) -> None: ...


class TrafficFeed:
    """Keeps a `TrafficSink` equal to the server's live list while `watching`.

    Call `start()` to watch, `connected()` after every (re)connect and resume, `stop()` to end.
    `on_state(FeedState)` reports loading / live / failed for the view's empty state."""

    def __init__(
        self,
        realtime: RealtimeConnection,
        load_snapshot: Callable[[], Awaitable[TrafficSnapshot]],
        sink: TrafficSink,
        *,
        on_state: Callable[[FeedState], None] | None = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self._realtime = realtime
        self._load_snapshot = load_snapshot
        self._sink = sink
        self._on_state = on_state
        self._retry_delays = retry_delays
        self.watching = False
        self.rev = 0
        self.state = FeedState.IDLE
        self._buffer: list[TrafficDelta] | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Watch the list: now if connected, else as soon as the socket is back."""
        if self.watching:
            return
        self.watching = True
        self._realtime.on_traffic = self._delta
        if self._realtime.is_connected:
            self.resync()

    def connected(self) -> None:
        """The socket (re)connected and resumed: a new socket watches nothing until told."""
        if self.watching:
            self.resync()

    def resync(self) -> None:
        """Start over: watch, load the snapshot, apply the buffered deltas above it."""
        if self._task is not None:
            self._task.cancel()
        self._buffer = []
        self._task = asyncio.create_task(self._sync(), name="traffic-sync")

    async def stop(self) -> None:
        from chat_protocol.traffic import WatchTrafficRequest

        self.watching = False
        self._realtime.on_traffic = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._buffer = None
        await self._realtime.notify("watch_traffic", WatchTrafficRequest(watch=False))
        self._set_state(FeedState.IDLE)

    # --- internals --------------------------------------------------------------------------

    def _set_state(self, state: FeedState) -> None:
        if state != self.state:
            self.state = state
            if self._on_state is not None:
                self._on_state(state)

    async def _sync(self) -> None:
        from chat_protocol.traffic import WatchTrafficRequest

        self._set_state(FeedState.LOADING)
        attempt = 0
        while True:
            self._buffer = []
            try:
                await self._realtime.request("watch_traffic", WatchTrafficRequest(watch=True))
                snapshot = await self._load_snapshot()
                break
            except (ApiError, RealtimeError, ConnectionLost, RequestTimeout) as exc:
                log.warning("could not load the traffic list: %r", exc)
                self._set_state(FeedState.FAILED)
                if isinstance(exc, ConnectionLost) or not self._realtime.is_connected:
                    self._buffer = None
                    return  # connected() starts over when the socket is back
                delay = self._retry_delays[min(attempt, len(self._retry_delays) - 1)]
                attempt += 1
                await asyncio.sleep(delay)
        self.rev = snapshot.rev
        self._sink.load_snapshot(snapshot)
        buffered, self._buffer = self._buffer or [], None
        for delta in buffered:
            self._apply(delta)
        log.info("traffic list loaded: %d visitors at rev %d", len(snapshot.rows), snapshot.rev)
        self._set_state(FeedState.LIVE)

    def _delta(self, delta: TrafficDelta) -> None:
        if self._buffer is not None:
            self._buffer.append(delta)
        elif self.state == FeedState.LIVE:
            self._apply(delta)

    def _apply(self, delta: TrafficDelta) -> None:
        if delta.rev <= self.rev:
            return  # already contained in the snapshot
        self.rev = delta.rev
        self._sink.apply_delta(delta)

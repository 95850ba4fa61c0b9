"""Snapshot-then-deltas: watch first, buffer deltas while the snapshot loads, drop those it contains,
and start over after a reconnect (the new snapshot replaces the list)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from chat_protocol.traffic import TrafficDelta, TrafficRow, TrafficSnapshot
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.traffic_feed import FeedState, TrafficFeed

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def row(n: int, rev: int) -> TrafficRow:
    return TrafficRow(visitor_id=f"v{n}", number=n, visit_started_at=NOW, page_started_at=NOW, rev=rev)


class FakeRealtime:
    """What the feed needs of `RealtimeConnection`: requests, notify, the delta hook."""

    def __init__(self) -> None:
        self.is_connected = True
        self.on_traffic: Any = None
        self.requests: list[tuple[str, dict[str, Any]]] = []

    async def request(self, action: str, payload: BaseModel) -> dict[str, Any]:
        self.requests.append((action, payload.model_dump()))
        return {}

    async def notify(self, action: str, payload: BaseModel) -> None:
        self.requests.append((action, payload.model_dump()))


class Sink:
    def __init__(self) -> None:
        self.snapshots: list[TrafficSnapshot] = []
        self.deltas: list[int] = []

    def load_snapshot(self, snapshot: TrafficSnapshot) -> None:
        self.snapshots.append(snapshot)

    def apply_delta(self, delta: TrafficDelta) -> None:
        self.deltas.append(delta.rev)


@pytest.mark.asyncio
async def test_deltas_during_the_snapshot_are_buffered_and_filtered_by_rev() -> None:
    realtime, sink = FakeRealtime(), Sink()
    loading = asyncio.Event()
    release = asyncio.Event()

    async def snapshot() -> TrafficSnapshot:
        loading.set()
        await release.wait()
        return TrafficSnapshot(rev=5, rows=[row(1, 5)], generated_at=NOW)

    states: list[FeedState] = []
    feed = TrafficFeed(realtime, snapshot, sink, on_state=states.append)  # type: ignore[arg-type]
    feed.start()
    await loading.wait()
    assert realtime.requests == [("watch_traffic", {"watch": True})]  # watch before the snapshot
    for rev in (4, 5, 6):
        realtime.on_traffic(TrafficDelta(rev=rev, upserts=[row(2, rev)]))
    assert sink.deltas == []
    release.set()
    for _ in range(100):
        if feed.state == FeedState.LIVE:
            break
        await asyncio.sleep(0.001)
    assert [s.rev for s in sink.snapshots] == [5]
    assert sink.deltas == [6]  # 4 and 5 are already in the snapshot
    realtime.on_traffic(TrafficDelta(rev=6, upserts=[row(2, 6)]))  # a repeat
    realtime.on_traffic(TrafficDelta(rev=7, removed=["v1"]))
    assert sink.deltas == [6, 7]
    assert states == [FeedState.LOADING, FeedState.LIVE]

    # A reconnect: watch again and load again; a restarted server may count revs from 1.
    release.clear()
    loading.clear()

    async def restarted() -> TrafficSnapshot:
        return TrafficSnapshot(rev=1, rows=[], generated_at=NOW)

    feed._load_snapshot = restarted
    feed.connected()
    await asyncio.sleep(0.01)
    assert [s.rev for s in sink.snapshots] == [5, 1]
    realtime.on_traffic(TrafficDelta(rev=2, upserts=[row(3, 2)]))
    assert sink.deltas == [6, 7, 2]
    await feed.stop()
    assert realtime.requests[-1] == ("watch_traffic", {"watch": False})
    assert realtime.on_traffic is None


@pytest.mark.asyncio
async def test_a_failed_snapshot_is_retried_while_connected() -> None:
    realtime, sink = FakeRealtime(), Sink()
    calls = 0

    async def snapshot() -> TrafficSnapshot:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise ApiError(ApiErrorKind.TIMEOUT, "slow")
        return TrafficSnapshot(rev=1, rows=[row(1, 1)], generated_at=NOW)

    states: list[FeedState] = []
    feed = TrafficFeed(realtime, snapshot, sink, on_state=states.append, retry_delays=(0.01,))  # type: ignore[arg-type]
    feed.start()
    for _ in range(100):
        if feed.state == FeedState.LIVE:
            break
        await asyncio.sleep(0.01)
    assert calls == 3
    assert states == [FeedState.LOADING, FeedState.FAILED, FeedState.LIVE]
    assert len(sink.snapshots) == 1

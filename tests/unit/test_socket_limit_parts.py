"""The pure parts of the socket limits: the action cost table, the byte-bounded send queue, the
per-IP / per-site / per-user counters and the coalesced writes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from chat_backend.realtime.action_costs import ACTION_COSTS, INVALID_FRAME_COST, action_cost
from chat_backend.realtime.rate_limit import SocketLimits, TokenBucket, take_all
from chat_backend.realtime.send_queue import FRAME_OVERHEAD, SendQueue, frame_size
from chat_backend.settings import Settings
from chat_protocol.actions import ACTIONS


def test_every_request_action_of_both_sockets_has_a_cost() -> None:
    requests = {(a.socket, a.name) for a in ACTIONS if a.kind == "req"}
    costed = {(socket, name) for socket, table in ACTION_COSTS.items() for name in table}
    assert costed == requests
    assert all(cost >= 1 for table in ACTION_COSTS.values() for cost in table.values())
    assert action_cost("visitor", "no_such_action") == INVALID_FRAME_COST >= 1


def test_the_send_queue_is_bounded_in_bytes_and_drops_ephemeral_frames_first() -> None:
    async def scenario() -> None:
        assert frame_size("abc") == 3 + FRAME_OVERHEAD
        assert frame_size("お茶") == 6 + FRAME_OVERHEAD
        queue = SendQueue(limit=1000)
        big = "x" * (400 - FRAME_OVERHEAD)
        assert queue.put(big)
        assert queue.size == 400
        queue.put_ephemeral("typing-1", "typing")
        queue.put_ephemeral("typing-2", "typing")  # replaces the first, in its place
        assert len(queue) == 2
        assert queue.size == 400 + frame_size("typing-2")
        assert queue.put(big)  # now over half full
        queue.put_ephemeral("peek", "peek")  # dropped
        assert not queue.put(big)  # would pass the bound: refused, nothing queued
        assert queue.size <= queue.limit
        assert queue.peak <= queue.limit
        assert [await queue.get() for _ in range(3)] == [big, "typing-2", big]
        assert queue.size == 0
        assert not queue.half_full
        queue.put("a")
        queue.clear()
        assert queue.size == 0
        assert len(queue) == 0

    asyncio.run(scenario())


def test_token_buckets_charge_costs_and_take_from_all_or_none() -> None:
    bucket = TokenBucket(capacity=5, per_second=0.001)
    assert bucket.take(5) is None
    wait = bucket.take(1)
    assert wait is not None
    assert wait > 100
    huge = TokenBucket(capacity=2, per_second=0.001)
    assert huge.take(10) is None  # a cost above the burst costs the whole burst, never blocks forever
    ip, site = TokenBucket(1, 0.001), TokenBucket(3, 0.001)
    assert take_all([ip, site]) is None
    assert take_all([ip, site]) is not None
    assert site.tokens == pytest.approx(2, abs=0.01)  # the refused attempt took nothing from the site


def test_socket_limits_count_open_sockets_per_ip_and_visitors_per_site() -> None:
    settings = Settings(database_url="sqlite://")
    settings.max_sockets_per_ip = 2
    settings.max_visitor_sockets_per_site = 1
    settings.new_chats_per_ip_burst = 1
    limits = SocketLimits(settings)
    assert limits.open_socket("10.0.0.1") is None
    assert limits.open_socket("10.0.0.1") is None
    assert limits.open_socket("10.0.0.1") == "too many sockets from this address"
    assert limits.open_socket("10.0.0.2") is None
    limits.close_socket("10.0.0.1")
    assert limits.sockets_from("10.0.0.1") == 1
    assert limits.open_socket("10.0.0.1") is None
    assert limits.join_site("shop")
    assert not limits.join_site("shop")
    limits.leave_site("shop")
    assert limits.join_site("shop")
    assert limits.new_chat("10.0.0.1", "shop") is None
    assert limits.new_chat("10.0.0.1", "shop") is not None
    assert limits.new_chat("10.0.0.2", "shop") is None  # another address, same site
    settings.connect_burst, settings.max_sockets_per_ip = 2, 10
    burst = SocketLimits(settings)
    assert [burst.open_socket("10.0.0.3") for _ in range(3)][
        -1
    ] == "too many new connections from this address"


def test_a_flood_of_presence_and_read_marks_is_one_write_of_the_final_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from contextlib import asynccontextmanager

    from chat_backend.domain import coalesced
    from chat_backend.realtime.coalesced_writes import CoalescedWrites
    from chat_backend.realtime.hub import Hub

    written: list[tuple[dict[str, str], dict[tuple[str, str], int]]] = []

    class FakeDatabase:
        @asynccontextmanager
        async def write(self) -> Any:
            yield None

    async def write_presence(_session: object, presence: dict[str, str]) -> list[Any]:
        written.append((dict(presence), {}))
        return []

    async def write_read_marks(_session: object, marks: dict[tuple[str, str], int]) -> list[Any]:
        written[-1][1].update(marks)
        return []

    monkeypatch.setattr(coalesced, "write_presence", write_presence)
    monkeypatch.setattr(coalesced, "write_read_marks", write_read_marks)

    async def scenario() -> None:
        writes = CoalescedWrites(FakeDatabase(), Hub(), every=0.05)  # type: ignore[arg-type]
        for i in range(100):
            writes.presence("v1", "active" if i % 2 else "inactive")
            writes.read_mark("c1", "visitor", i, stored=3, last_seq=50)
        writes.read_mark("c1", "agent", 2, stored=7, last_seq=50)  # would lower it: no write
        assert writes._task is not None
        await writes._task  # the one flush: nothing else came in meanwhile
        assert written == [({"v1": "active"}, {("c1", "visitor"): 50})]
        writes.presence("v1", "left")
        writes.presence("v2", "inactive")
        await writes.flush()  # as at shutdown
        writes.stop()
        assert written[1] == ({"v1": "left", "v2": "inactive"}, {})

    asyncio.run(scenario())

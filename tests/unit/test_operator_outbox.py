"""The outbox: replies written offline survive a restart and are delivered exactly once, in order."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from operator_app.net.outbox import Outbox, OutboxDelivery, OutboxItem
from operator_app.net.realtime import ConnectionLost, RealtimeConnection, RealtimeError
from tests.unit.test_operator_realtime import Recorder, Tokens
from tests.widgets.fake_chat_server import FakeChatServer, eventually


def reply(chat_id: str, text: str) -> dict[str, Any]:
    return {"chat_id": chat_id, "client_id": str(uuid.uuid4()), "text": text}


def test_queued_mutations_survive_reopening_in_order_per_account(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    alice = Outbox(path, "https://chat.example|agent-1")
    first = alice.add("send_message", reply("c1", "first"))
    second = alice.add("take_chat", {"chat_id": "c2", "client_id": str(uuid.uuid4())})
    Outbox(path, "https://chat.example|agent-2").add("send_message", reply("c9", "someone else's"))
    alice.close()

    reopened = Outbox(path, "https://chat.example|agent-1")
    items = reopened.pending()
    assert [i.client_id for i in items] == [first.client_id, second.client_id]
    assert items[0].payload["text"] == "first"
    reopened.remove(first.client_id)
    assert [i.client_id for i in reopened.pending()] == [second.client_id]
    reopened.close()


def test_only_mutations_are_queued(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", "a")
    with pytest.raises(ValueError, match="typing"):
        outbox.add("typing", {"chat_id": "c", "client_id": "x" * 10})
    outbox.close()


class ScriptedRequester:
    """Answers requests from a script of results or exceptions; records every attempt."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.sent: list[tuple[str, str]] = []
        self.connected = asyncio.Event()
        self.connected.set()

    async def wait_connected(self) -> None:
        await self.connected.wait()

    async def request(
        self, action: str, payload: dict[str, Any], *, answer_within: float | None = None
    ) -> dict[str, Any]:
        self.sent.append((action, payload["client_id"]))
        outcome = self.script.pop(0) if self.script else {"ok": True}
        if isinstance(outcome, Exception):
            raise outcome
        return dict(outcome)


@pytest.mark.asyncio
async def test_delivery_keeps_order_and_drops_rows_on_result_or_definitive_error(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", "a")
    items = [outbox.add("send_message", reply("c1", f"m{n}")) for n in range(4)]
    requester = ScriptedRequester(
        [
            {"n": 0},
            ConnectionLost("dropped"),  # kept, sent again
            {"n": 1},
            RealtimeError("rate_limited", "slow down", retry_after=0.01),  # kept, sent again
            {"n": 2},
            RealtimeError("chat_closed", "ended"),  # definitive: dropped and reported
        ]
    )
    done: list[tuple[str, dict[str, Any]]] = []
    failed: list[tuple[str, str]] = []

    def on_failed(item: OutboxItem, error: RealtimeError) -> None:
        failed.append((item.client_id, error.code))

    delivery = OutboxDelivery(
        outbox, requester, lambda item, res: done.append((item.client_id, res)), on_failed, retry_pause=0.01
    )
    delivery.start()
    try:
        await asyncio.wait_for(delivery.idle.wait(), 5)
    finally:
        await delivery.stop()
    ids = [i.client_id for i in items]
    assert [c for _, c in requester.sent] == [ids[0], ids[1], ids[1], ids[2], ids[2], ids[3]]
    assert done == [(ids[0], {"n": 0}), (ids[1], {"n": 1}), (ids[2], {"n": 2})]
    assert failed == [(ids[3], "chat_closed")]
    assert outbox.pending() == []
    outbox.close()


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeChatServer]:
    fake = FakeChatServer(status="accepting")
    await fake.start()
    yield fake
    await fake.stop()


@pytest.mark.asyncio
async def test_a_reply_written_offline_is_delivered_once_after_a_restart(
    server: FakeChatServer, tmp_path: Path
) -> None:
    chat = await server.visitor_opens_chat("Is anyone there?")
    await server.take_for_me(chat)
    path = tmp_path / "outbox.sqlite3"

    # Session 1: the server is down; two replies are written and the app quits.
    await server.stop()
    outbox = Outbox(path, "acct")
    listener, tokens = Recorder(server), Tokens(server)
    conn = RealtimeConnection(
        server.url.replace("http", "ws") + "/ws/agent", listener, tokens, backoff=lambda a: 0.05
    )
    delivery = OutboxDelivery(outbox, conn, lambda i, r: None, lambda i, e: None)
    conn.start()
    delivery.start()
    first = outbox.add("send_message", reply(chat, "Yes, I am here."))
    second = outbox.add("send_message", reply(chat, "How can I help?"))
    delivery.kick()
    await asyncio.sleep(0.3)
    await delivery.stop()
    await conn.stop()
    outbox.close()
    assert server.frames("send_message") == []

    # Session 2: the server is back and the app starts again.
    await server.start()
    outbox = Outbox(path, "acct")
    delivered: list[str] = []
    conn = RealtimeConnection(
        server.url.replace("http", "ws") + "/ws/agent", listener, tokens, backoff=lambda a: 0.05
    )
    delivery = OutboxDelivery(outbox, conn, lambda i, r: delivered.append(i.client_id), lambda i, e: None)
    conn.start()
    delivery.start()
    try:
        await eventually(lambda: len(delivered) == 2)
    finally:
        await delivery.stop()
        await conn.stop()
    sent = [f["payload"]["client_id"] for f in server.frames("send_message")]
    assert sent == [first.client_id, second.client_id]
    texts = [e.text for e in server.events if getattr(e, "client_id", None) in sent]
    assert texts == ["Yes, I am here.", "How can I help?"]
    assert outbox.pending() == []
    outbox.close()


@pytest.mark.asyncio
async def test_a_lost_answer_is_retried_with_the_same_client_id_and_applied_once(
    server: FakeChatServer, tmp_path: Path
) -> None:
    chat = await server.visitor_opens_chat("hi")
    await server.take_for_me(chat)
    outbox = Outbox(tmp_path / "o.sqlite3", "acct")
    listener, tokens = Recorder(server), Tokens(server)
    conn = RealtimeConnection(
        server.url.replace("http", "ws") + "/ws/agent", listener, tokens, backoff=lambda a: 0.05
    )
    delivered: list[str] = []
    delivery = OutboxDelivery(outbox, conn, lambda i, r: delivered.append(i.client_id), lambda i, e: None)
    conn.start()
    await asyncio.wait_for(conn.wait_connected(), 5)
    # The server commits the reply but the connection drops before its answer arrives.
    original = server._request

    async def commit_then_drop(sock: Any, action: str, req_id: str | None, payload: dict[str, Any]) -> None:
        if action == "send_message" and not delivered and len(server.frames("send_message")) == 1:
            await server._mutation(action, payload)
            server._results[payload["client_id"]] = {"event": server.events[-1].model_dump(mode="json")}
            await sock.ws.close(1011, "gone")
            return
        await original(sock, action, req_id, payload)

    server._request = commit_then_drop  # type: ignore[method-assign]
    item = outbox.add("send_message", reply(chat, "only once"))
    delivery.start()
    try:
        await eventually(lambda: delivered == [item.client_id])
    finally:
        await delivery.stop()
        await conn.stop()
    assert [f["payload"]["client_id"] for f in server.frames("send_message")] == [item.client_id] * 2
    assert [getattr(e, "text", None) for e in server.events].count("only once") == 1
    outbox.close()

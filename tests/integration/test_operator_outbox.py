"""The outbox: replies written offline survive a restart and are delivered exactly once, in order.

Persistence and the delivery rules are tested alone; delivery end to end against the real backend.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from operator_app.errors import ConnectionLost, RealtimeError
from operator_app.net.api import websocket_url
from operator_app.net.outbox import Outbox, OutboxDelivery, OutboxItem
from operator_app.net.realtime import ConnectionState, RealtimeConnection
from tests.support.backend import BackendProcess
from tests.support.fault_proxy import FaultProxy
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id
from tests.unit.test_operator_realtime import Recorder, Tokens, proxy  # noqa: F401  (fixture)
from tests.widgets.fixtures import eventually


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


async def chat_of_mine(backend: BackendProcess) -> tuple[WireClient, str]:
    """A visitor's chat, taken by the demo agent (from another device): the visitor and the chat id."""
    await asyncio.to_thread(backend.cli, "routing", "--auto-assign", "off")
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "Is anyone there?"})
    chat_id: str = sent["event"]["chat_id"]
    agent = await connect_agent(backend)
    await agent.ok("set_status", {"status": "accepting"})
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await agent.ok("set_status", {"status": "not_accepting"})
    await agent.close()
    return visitor, chat_id


async def agent_messages(backend: BackendProcess, tokens: Tokens, chat_id: str) -> list[tuple[str, str]]:
    """(client_id, text) of the agent messages the server stored for a chat, in order."""
    page = await http_get(backend, f"/api/v1/chats/{chat_id}/events", tokens.token)
    return [
        (e["client_id"], e["text"])
        for e in page["events"]
        if e["kind"] == "message" and e["author"]["kind"] == "agent"
    ]


def realtime(server_url: str, listener: Recorder, tokens: Tokens) -> RealtimeConnection:
    return RealtimeConnection(websocket_url(server_url), listener, tokens, backoff=lambda a: 0.05)


@pytest.mark.asyncio
async def test_a_reply_written_offline_is_delivered_once_after_a_restart(
    backend: BackendProcess, tmp_path: Path
) -> None:
    visitor, chat = await chat_of_mine(backend)
    await visitor.close()
    tokens = Tokens(backend)
    path = tmp_path / "outbox.sqlite3"

    # Session 1: the server is down; two replies are written and the app quits.
    await asyncio.to_thread(backend.kill)
    outbox = Outbox(path, "acct")
    listener = Recorder(tokens.snapshot_cursor)
    conn = realtime(backend.url, listener, tokens)
    delivery = OutboxDelivery(outbox, conn, lambda i, r: None, lambda i, e: None)
    conn.start()
    delivery.start()
    first = outbox.add("send_message", reply(chat, "Yes, I am here."))
    second = outbox.add("send_message", reply(chat, "How can I help?"))
    delivery.kick()
    await eventually(lambda: listener.states[-1:] == [ConnectionState.OFFLINE])  # tried, and failed
    await delivery.stop()
    await conn.stop()
    outbox.close()

    # Session 2: the server is back and the app starts again.
    await asyncio.to_thread(backend.start)
    outbox = Outbox(path, "acct")
    assert [i.client_id for i in outbox.pending()] == [first.client_id, second.client_id]
    delivered: list[str] = []
    conn = realtime(backend.url, Recorder(tokens.snapshot_cursor), tokens)
    delivery = OutboxDelivery(outbox, conn, lambda i, r: delivered.append(i.client_id), lambda i, e: None)
    conn.start()
    delivery.start()
    try:
        await eventually(lambda: len(delivered) == 2)
    finally:
        await delivery.stop()
        await conn.stop()
    assert delivered == [first.client_id, second.client_id]
    assert await agent_messages(backend, tokens, chat) == [
        (first.client_id, "Yes, I am here."),
        (second.client_id, "How can I help?"),
    ]
    assert outbox.pending() == []
    outbox.close()


@pytest.mark.asyncio
async def test_a_lost_answer_is_retried_with_the_same_client_id_and_applied_once(
    backend: BackendProcess,
    proxy: FaultProxy,  # noqa: F811
    tmp_path: Path,
) -> None:
    visitor, chat = await chat_of_mine(backend)
    tokens = Tokens(backend)
    outbox = Outbox(tmp_path / "o.sqlite3", "acct")
    conn = realtime(proxy.url, Recorder(tokens.snapshot_cursor), tokens)
    delivered: list[str] = []
    delivery = OutboxDelivery(outbox, conn, lambda i, r: delivered.append(i.client_id), lambda i, e: None)
    conn.start()
    await asyncio.wait_for(conn.wait_connected(), 10)
    # The server commits the reply, but its answer is lost and then the connection drops.
    proxy.drop_next("send_message", answer=True)
    item = outbox.add("send_message", reply(chat, "only once"))
    delivery.start()
    try:
        committed = await visitor.next_event(kind="message", text="only once")
        assert delivered == []
        await proxy.close_all(1011, "gone")
        await eventually(lambda: delivered == [item.client_id])
    finally:
        await delivery.stop()
        await conn.stop()
    assert [f["payload"]["client_id"] for f in proxy.frames("send_message")] == [item.client_id] * 2
    assert await agent_messages(backend, tokens, chat) == [(item.client_id, "only once")]
    assert committed["client_id"] == item.client_id
    with pytest.raises(TimeoutError):
        await visitor.next_event(within=1, kind="message", text="only once")  # the visitor saw it once
    await visitor.close()
    outbox.close()

"""The outbox: replies written offline survive a restart and are delivered exactly once, in order.

Persistence and the delivery rules are tested alone; delivery end to end against the real backend.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from operator_app.net.api import websocket_url
from operator_app.net.outbox import Outbox, OutboxDelivery
from operator_app.net.realtime import ConnectionState, RealtimeConnection
from tests.integration.test_operator_realtime import Recorder, Tokens, proxy  # noqa: F401  (fixture)
from tests.support.backend import BackendProcess
from tests.support.fault_proxy import FaultProxy
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id
from tests.unit.test_operator_outbox import reply
from tests.widgets.fixtures import eventually


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

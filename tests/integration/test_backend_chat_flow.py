"""The chat lifecycle over the real sockets: visitor writes, agent takes, sneak peek, replies, closes."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.backend import BackendProcess
from tests.support.wire import connect_agent, connect_visitor, http_get, new_id

pytestmark = pytest.mark.asyncio


async def _accepting(agent) -> None:  # type: ignore[no-untyped-def]
    await agent.ok("set_status", {"status": "accepting"})


async def test_visitor_message_reaches_queue_and_agent_reply_reaches_visitor(
    db_backend: BackendProcess,
) -> None:
    agent = await connect_agent(db_backend)
    await _accepting(agent)
    visitor, login = await connect_visitor(db_backend)
    assert login["chat"] is None

    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "こんにちは", "name": "山田"})
    chat_id = sent["event"]["chat_id"]
    queued = await agent.next_event(kind="chat_state", state="queued", chat_id=chat_id)
    assert queued["visitor"]["name"] == "山田"
    message = await agent.next_event(kind="message", chat_id=chat_id)
    assert message["text"] == "こんにちは"

    taken = await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    assert taken["chat"]["state"] == "taken"
    joined = await visitor.next_event(kind="chat_state", state="taken")
    assert joined["agent"]["name"] == "佐藤 花子"

    await visitor.send("sneak_peek", {"text": "I am typ"})
    peek = await agent.next_push("sneak_peek")
    assert peek["payload"] == {"chat_id": chat_id, "text": "I am typ"}

    await agent.send("typing", {"chat_id": chat_id, "typing": True})
    typing = await visitor.next_push("typing")
    assert typing["payload"]["typing"] is True

    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "How can I help?"})
    reply = await visitor.next_event(kind="message")
    assert reply["text"] == "How can I help?"
    assert reply["author"]["kind"] == "agent"

    closed = await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    assert closed["chat"]["state"] == "closed"
    await visitor.next_event(kind="chat_state", state="closed")
    await agent.close()
    await visitor.close()


async def test_same_client_id_twice_yields_one_message(db_backend: BackendProcess) -> None:
    visitor, _ = await connect_visitor(db_backend)
    client_id = new_id()
    first = await visitor.ok("send_message", {"client_id": client_id, "text": "once"})
    second = await visitor.ok("send_message", {"client_id": client_id, "text": "once"})
    assert first["event"]["event_id"] == second["event"]["event_id"]
    transcript = await visitor.ok("transcript", {"after_seq": 0})
    assert [e["text"] for e in transcript["events"] if e["kind"] == "message"] == ["once"]
    await visitor.close()


async def test_two_agents_taking_the_same_chat_exactly_one_wins(db_backend: BackendProcess) -> None:
    db_backend.create_agent("second@example.com", "Second", "second-password")
    first = await connect_agent(db_backend)
    second = await connect_agent(db_backend, "second@example.com", "second-password")
    await _accepting(first)
    await _accepting(second)
    visitor, _ = await connect_visitor(db_backend)
    chat_id = (await visitor.ok("send_message", {"client_id": new_id(), "text": "hi"}))["event"]["chat_id"]
    results = await asyncio.gather(
        first.request("take_chat", {"chat_id": chat_id, "client_id": new_id()}),
        second.request("take_chat", {"chat_id": chat_id, "client_id": new_id()}),
    )
    kinds = sorted(r["type"] for r in results)
    assert kinds == ["err", "res"]
    loser = next(r for r in results if r["type"] == "err")
    assert loser["payload"]["code"] == "chat_already_taken"
    for client in (first, second, visitor):
        await client.close()


async def test_not_accepting_agent_cannot_take(db_backend: BackendProcess) -> None:
    agent = await connect_agent(db_backend)
    visitor, _ = await connect_visitor(db_backend)
    chat_id = (await visitor.ok("send_message", {"client_id": new_id(), "text": "hi"}))["event"]["chat_id"]
    refused = await agent.request("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    assert refused["payload"]["code"] == "not_accepting"
    await agent.close()
    await visitor.close()


async def test_snapshot_lists_queue_and_my_chats_and_transcript_pages(db_backend: BackendProcess) -> None:
    db_backend.cli("routing", "--auto-assign", "off")
    agent = await connect_agent(db_backend)
    await _accepting(agent)
    v1, _ = await connect_visitor(db_backend)
    v2, _ = await connect_visitor(db_backend)
    chat1 = (await v1.ok("send_message", {"client_id": new_id(), "text": "one"}))["event"]["chat_id"]
    chat2 = (await v2.ok("send_message", {"client_id": new_id(), "text": "two"}))["event"]["chat_id"]
    await agent.ok("take_chat", {"chat_id": chat1, "client_id": new_id()})
    for i in range(5):
        await v1.ok("send_message", {"client_id": new_id(), "text": f"m{i}"})
    snap = await http_get(db_backend, "/api/v1/snapshot", agent.token)  # type: ignore[attr-defined]
    assert [c["chat_id"] for c in snap["my_chats"]] == [chat1]
    assert [c["chat_id"] for c in snap["queue"]] == [chat2]
    assert snap["queue"][0]["last_message"]["text"] == "two"
    page = await http_get(db_backend, f"/api/v1/chats/{chat1}/events?after_seq=0&limit=3", agent.token)  # type: ignore[attr-defined]
    assert page["has_more"] is True
    assert [e["seq"] for e in page["events"]] == [1, 2, 3]
    rest = await http_get(db_backend, f"/api/v1/chats/{chat1}/events?after_seq=3&limit=100", agent.token)  # type: ignore[attr-defined]
    texts = [e["text"] for e in rest["events"] if e["kind"] == "message"]
    assert texts == ["m0", "m1", "m2", "m3", "m4"]
    for client in (agent, v1, v2):
        await client.close()

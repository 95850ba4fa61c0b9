"""Targeted wake-ups: the cost of one message does not grow with the idle sockets on the node, and
every socket still gets each event it may see exactly once, in order.

The backend runs in this process (on its own thread and loop, serving real sockets on 127.0.0.1) so
that the test can count the SQL statements it runs against the event log: every statement is real, the
count only observes them. Before the event tail, each commit woke every socket and each idle visitor's
socket read the log once: 40 idle visitors cost 40 more reads per message.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from chat_backend.app import DEMO_SITE_ID
from tests.support.served_backend import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PLAIN_EMAIL,
    PLAIN_PASSWORD,
    ServedBackend,
)
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id

pytestmark = pytest.mark.asyncio

IDLE_VISITORS = 40


async def _round_trip(served: ServedBackend, visitor: WireClient, agent: WireClient, chat_id: str) -> int:
    """A visitor's message to the agent and the agent's answer: the log statements they cost."""
    before = await served.quiet()
    text = f"question {new_id()}"
    await visitor.ok("send_message", {"client_id": new_id(), "text": text})
    await agent.next_event(kind="message", chat_id=chat_id, text=text)
    answer = f"answer {new_id()}"
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": answer})
    await visitor.next_event(kind="message", text=answer)
    return await served.quiet() - before


async def test_a_message_costs_the_same_log_reads_with_many_idle_visitors(served: ServedBackend) -> None:
    agent = await connect_agent(served.address)
    await agent.ok("set_status", {"status": "accepting"})
    visitor, _ = await connect_visitor(served.address)
    chat_id = (await visitor.ok("send_message", {"client_id": new_id(), "text": "hello"}))["event"]["chat_id"]
    await agent.next_event(kind="message", chat_id=chat_id)
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await visitor.next_event(kind="chat_state", state="taken")
    await _round_trip(served, visitor, agent, chat_id)  # whatever runs once per chat is done

    alone = await _round_trip(served, visitor, agent, chat_id)
    idle = [(await connect_visitor(served.address))[0] for _ in range(IDLE_VISITORS)]
    crowded = await _round_trip(served, visitor, agent, chat_id)

    # Each idle visitor reading the log on each of the two commits would add 80 statements.
    assert crowded <= alone + 4, f"{alone} log statements alone, {crowded} with {IDLE_VISITORS} idle visitors"
    assert all(client.pushes.empty() for client in idle), "an idle visitor got another chat's events"
    for client in (agent, visitor, *idle):
        await client.close()


async def _held_chat(served: ServedBackend, agent: WireClient) -> tuple[WireClient, dict[str, Any], str]:
    """A visitor whose chat `agent` holds."""
    visitor, login = await connect_visitor(served.address)
    chat_id = (await visitor.ok("send_message", {"client_id": new_id(), "text": "hello"}))["event"]["chat_id"]
    await agent.next_event(kind="message", chat_id=chat_id)
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await visitor.next_event(kind="chat_state", state="taken")
    return visitor, login, chat_id


async def _messages(client: WireClient, count: int) -> list[str]:
    return [(await client.next_event(kind="message"))["text"] for _ in range(count)]


async def test_a_visitor_behind_the_tails_window_and_a_resumed_one_get_each_event_once_in_order(
    served: ServedBackend,
) -> None:
    assert served.tail is not None
    served.tail.capacity = 3  # a small window: a quiet visitor's cursor falls behind it
    agent = await connect_agent(served.address)
    await agent.ok("set_status", {"status": "accepting"})
    quiet, quiet_login, quiet_chat = await _held_chat(served, agent)
    busy, _, busy_chat = await _held_chat(served, agent)
    for n in range(6):
        await agent.ok("send_message", {"chat_id": busy_chat, "client_id": new_id(), "text": f"busy {n}"})
    assert await _messages(busy, 6) == [f"busy {n}" for n in range(6)]

    # The quiet visitor's socket reads the log once, then takes the tail's events again.
    texts = [f"quiet {n}" for n in range(5)]
    for text in texts:
        await agent.ok("send_message", {"chat_id": quiet_chat, "client_id": new_id(), "text": text})
    assert await _messages(quiet, 5) == texts

    # A second tab resumes from before the last three: replayed from the log, then live, each once.
    tab = WireClient(await _visitor_socket(served))
    login = await tab.ok("login", {"site_id": DEMO_SITE_ID, "visitor_token": quiet_login["visitor_token"]})
    assert login["chat"]["chat_id"] == quiet_chat
    first_events = [
        e for e in (await quiet.ok("transcript", {"after_seq": 0}))["events"] if e["kind"] == "message"
    ]
    cursor = next(e["event_id"] for e in first_events if e["text"] == "quiet 1")
    resumed = await tab.ok("resume", {"cursor": cursor})
    assert resumed["replayed"] == 3
    await agent.ok("send_message", {"chat_id": quiet_chat, "client_id": new_id(), "text": "live"})
    assert await _messages(tab, 4) == ["quiet 2", "quiet 3", "quiet 4", "live"]
    assert await _messages(quiet, 1) == ["live"]
    await served.quiet()
    assert [p for p in (*_drained(tab), *_drained(quiet)) if p["action"] == "event"] == []
    for client in (agent, quiet, busy, tab):
        await client.close()


async def _visitor_socket(served: ServedBackend) -> Any:
    import websockets

    from tests.support.wire import visitor_address

    url = served.address.ws_url + "/ws/visitor"
    return await websockets.connect(url, origin=served.address.url, **visitor_address())  # type: ignore[arg-type]


def _drained(client: WireClient) -> list[dict[str, Any]]:
    return [client.pushes.get_nowait() for _ in range(client.pushes.qsize())]


async def test_an_admin_and_a_promoted_supervisor_are_woken_for_chats_in_their_scope(
    served: ServedBackend,
) -> None:
    holder = await connect_agent(served.address)
    await holder.ok("set_status", {"status": "accepting"})
    admin = await connect_agent(served.address, ADMIN_EMAIL, ADMIN_PASSWORD)
    plain = await connect_agent(served.address, PLAIN_EMAIL, PLAIN_PASSWORD)
    visitor, _, chat_id = await _held_chat(served, holder)
    await visitor.ok("send_message", {"client_id": new_id(), "text": "before"})
    assert (await admin.next_event(kind="message", text="before"))["chat_id"] == chat_id
    await holder.next_event(kind="message", text="before")

    # The plain agent joins the holder's group and becomes its supervisor: live events follow at once.
    tokens = served.address.login_tokens(ADMIN_EMAIL, ADMIN_PASSWORD)
    async with httpx.AsyncClient(base_url=served.address.url) as http:
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        ids = {m["name"]: m["agent_id"] for m in (await http.get("/api/v1/agents", headers=headers)).json()}
        members = [ids["Agent"], ids["Plain"]]
        group = await http.post("/api/v1/groups", json={"name": "Tea", "agent_ids": members}, headers=headers)
        assert group.status_code == 201, group.text
        promoted = await http.patch(
            f"/api/v1/agents/{ids['Plain']}", json={"role": "supervisor"}, headers=headers
        )
        assert promoted.is_success, promoted.text
    await served.quiet()
    await visitor.ok("send_message", {"client_id": new_id(), "text": "after"})
    assert (await plain.next_event(kind="message", text="after"))["chat_id"] == chat_id
    assert (await admin.next_event(kind="message", text="after"))["chat_id"] == chat_id
    for client in (holder, admin, plain, visitor):
        await client.close()

"""The operator's workflow on the real backend: routing, notes, transfer, rating, read receipts, offline.

One backend per database serves the module (`tidy_db_backend`: no agent online and no chat queued when
a test starts, default routing settings); each test makes its own agents and visitors.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tests.support.backend import BackendProcess
from tests.support.sharing import Account, admin_of
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id

pytestmark = pytest.mark.asyncio


@pytest.fixture
def db_backend(tidy_db_backend: BackendProcess) -> BackendProcess:
    return tidy_db_backend


async def _account(backend: BackendProcess, name: str, role: str = "agent") -> Account:
    """An agent of this test's own (the shared backend has the others' too)."""
    return await asyncio.to_thread(admin_of(backend).new_agent, name, role)


async def _agent(backend: BackendProcess, account: Account | None = None) -> WireClient:
    """Signed in and accepting chats: `account`, or a new agent named like the demo agent."""
    account = account or await _account(backend, "佐藤 花子")
    client = await connect_agent(backend, account.email, account.password)
    await client.ok("set_status", {"status": "accepting"})
    return client


async def _chat(backend: BackendProcess, text: str = "hello") -> tuple[WireClient, str]:
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": text})
    return visitor, sent["event"]["chat_id"]


async def test_auto_assignment_by_lowest_load_up_to_the_limit(db_backend: BackendProcess) -> None:
    await asyncio.to_thread(admin_of(db_backend).set_routing, default_max_chats=2)
    a = await _agent(db_backend)
    b = await _agent(db_backend, await _account(db_backend, "Agent B"))
    visitors = []
    owners: dict[str, str] = {}
    for i in range(5):
        visitor, chat_id = await _chat(db_backend, f"question {i}")
        visitors.append(visitor)
        if i < 4:
            event = await a.next_event(kind="chat_state", state="taken", chat_id=chat_id)
            assert event["assigned"] is True
            owners[chat_id] = event["agent"]["name"]
    # Lowest load first: the two agents alternate and each reaches the limit of 2.
    assert sorted(owners.values()) == ["Agent B", "Agent B", "佐藤 花子", "佐藤 花子"]
    snapshot = await http_get(db_backend, "/api/v1/snapshot", a.token)  # type: ignore[attr-defined]
    assert len(snapshot["queue"]) == 1
    waiting = snapshot["queue"][0]["chat_id"]
    position = await visitors[4].next_push("queue_position")
    assert position["payload"]["position"] == 1
    # A chat closes: the waiting one goes to the agent who now has room.
    mine = next(chat for chat, name in owners.items() if name == "佐藤 花子")
    await a.ok("close_chat", {"chat_id": mine, "client_id": new_id()})
    routed = await a.next_event(kind="chat_state", state="taken", chat_id=waiting)
    assert routed["agent"]["name"] == "佐藤 花子"
    for client in (a, b, *visitors):
        await client.close()


async def test_note_never_reaches_the_visitor_socket(db_backend: BackendProcess) -> None:
    agent = await _agent(db_backend)
    visitor, chat_id = await _chat(db_backend)
    await agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    note = await agent.ok(
        "send_note", {"chat_id": chat_id, "client_id": new_id(), "text": "SECRET-NOTE vip customer"}
    )
    assert note["event"]["audience"] == "agents"
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "visible reply"})
    await visitor.next_event(kind="message", text="visible reply")
    # Every frame the visitor received, the transcript, and a replay from zero: no note anywhere.
    seen = [await visitor.pushes.get() for _ in range(visitor.pushes.qsize())]
    transcript = await visitor.ok("transcript", {"after_seq": 0})
    for blob in (seen, transcript):
        assert "SECRET-NOTE" not in json.dumps(blob)
    # The agent's transcript has it, marked for agents.
    page = await http_get(db_backend, f"/api/v1/chats/{chat_id}/events", agent.token)  # type: ignore[attr-defined]
    notes = [e for e in page["events"] if e["kind"] == "note"]
    assert [n["text"] for n in notes] == ["SECRET-NOTE vip customer"]
    for client in (agent, visitor):
        await client.close()


async def test_visitor_replay_from_zero_never_contains_a_note(db_backend: BackendProcess) -> None:
    agent = await _agent(db_backend)
    visitor, login = await connect_visitor(db_backend)
    chat_id = (await visitor.ok("send_message", {"client_id": new_id(), "text": "hi"}))["event"]["chat_id"]
    await agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    await agent.ok("send_note", {"chat_id": chat_id, "client_id": new_id(), "text": "SECRET-NOTE"})
    await visitor.close()
    again, _ = await connect_visitor(db_backend, token=login["visitor_token"], resume=False)
    resumed = await again.ok("resume", {"cursor": 0})
    replayed = [await again.next_push("event") for _ in range(resumed["replayed"])]
    assert replayed
    assert "SECRET-NOTE" not in json.dumps(replayed)
    await agent.close()
    await again.close()


async def test_transfer_moves_the_chat_with_its_transcript_and_a_note(db_backend: BackendProcess) -> None:
    agent_b = await _account(db_backend, "Agent B")
    a = await _agent(db_backend)
    visitor, chat_id = await _chat(db_backend, "I need billing help")
    await a.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    b = await _agent(db_backend, agent_b)
    agents = await http_get(db_backend, "/api/v1/agents", a.token)  # type: ignore[attr-defined]
    b_id = next(x["agent_id"] for x in agents if x["agent_id"] == agent_b.agent_id and x["name"] == "Agent B")
    moved = await a.ok(
        "transfer_chat",
        {"chat_id": chat_id, "client_id": new_id(), "to_agent_id": b_id, "note": "billing question"},
    )
    assert moved["chat"]["agent"]["name"] == "Agent B"
    received = await b.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    assert received["transferred_from"]["name"] == "佐藤 花子"
    note = await b.next_event(kind="note", chat_id=chat_id)
    assert note["text"] == "billing question"
    told = await visitor.next_event(kind="chat_state", state="taken")
    while told["agent"]["name"] != "Agent B":
        told = await visitor.next_event(kind="chat_state", state="taken")
    page = await http_get(db_backend, f"/api/v1/chats/{chat_id}/events", b.token)  # type: ignore[attr-defined]
    assert [e["text"] for e in page["events"] if e["kind"] == "message"] == ["I need billing help"]
    refused = await a.request(
        "send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "still mine?"}
    )
    assert refused["payload"]["code"] == "forbidden"
    for client in (a, b, visitor):
        await client.close()


async def test_transfer_to_an_agent_who_just_went_offline_is_refused_and_nothing_changes(
    db_backend: BackendProcess,
) -> None:
    agent_b = await _account(db_backend, "Agent B")
    a = await _agent(db_backend)
    b = await _agent(db_backend, agent_b)
    agents = await http_get(db_backend, "/api/v1/agents", a.token)  # type: ignore[attr-defined]
    b_id = next(x["agent_id"] for x in agents if x["agent_id"] == agent_b.agent_id and x["name"] == "Agent B")
    await b.close()
    await asyncio.sleep(0.3)
    visitor, chat_id = await _chat(db_backend)
    await a.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    refused = await a.request(
        "transfer_chat", {"chat_id": chat_id, "client_id": new_id(), "to_agent_id": b_id}
    )
    assert refused["type"] == "err"
    assert refused["payload"]["code"] == "target_unavailable"
    assert "Agent B" in refused["payload"]["message"]
    await a.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "still here"})
    for client in (a, visitor):
        await client.close()


async def test_rating_after_close_reaches_the_agent(db_backend: BackendProcess) -> None:
    agent = await _agent(db_backend)
    visitor, chat_id = await _chat(db_backend)
    await agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    await visitor.ok("close_chat", {"client_id": new_id()})
    closed = await agent.next_event(kind="chat_state", state="closed", chat_id=chat_id)
    assert closed["reason"] == "visitor"
    await visitor.ok(
        "rate_chat", {"client_id": new_id(), "rating": "good", "comment": "<b>とても</b>助かりました"}
    )
    rating = await agent.next_event(kind="rating", chat_id=chat_id)
    assert (rating["rating"], rating["comment"]) == ("good", "<b>とても</b>助かりました")
    for client in (agent, visitor):
        await client.close()


async def test_read_receipts_travel_both_ways(db_backend: BackendProcess) -> None:
    agent = await _agent(db_backend)
    visitor, chat_id = await _chat(db_backend)
    await agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    reply = await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "hi"})
    await visitor.send("mark_read", {"seq": reply["event"]["seq"]})
    read = await agent.next_push("read")
    assert read["payload"] == {"chat_id": chat_id, "reader": "visitor", "seq": reply["event"]["seq"]}
    await agent.send("mark_read", {"chat_id": chat_id, "seq": reply["event"]["seq"]})
    seen = await visitor.next_push("read")
    assert seen["payload"]["reader"] == "agent"
    for client in (agent, visitor):
        await client.close()


async def test_offline_form_when_nobody_accepts(db_backend: BackendProcess) -> None:
    tokens = db_backend.login_tokens()
    before = await http_get(db_backend, "/api/v1/offline-messages", tokens["access_token"])
    visitor, login = await connect_visitor(db_backend)
    assert login["agents_available"] is False
    body = {"client_id": new_id(), "name": "<i>Ken</i>", "email": "ken@example.com", "text": "Call me back"}
    first = await visitor.ok("offline_message", body)
    again = await visitor.ok("offline_message", body)
    assert first == again
    bad = await visitor.request("offline_message", {**body, "client_id": new_id(), "email": "not-an-email"})
    assert bad["payload"]["code"] == "invalid_payload"
    listed = await http_get(db_backend, "/api/v1/offline-messages", tokens["access_token"])
    assert [(m["name"], m["email"], m["text"]) for m in listed if m not in before] == [
        ("<i>Ken</i>", "ken@example.com", "Call me back")
    ]
    # An agent starts accepting: visitors hear that someone is available.
    agent = await _agent(db_backend)
    available = await visitor.next_push("availability")
    while not available["payload"]["agents_available"]:
        available = await visitor.next_push("availability")
    for client in (agent, visitor):
        await client.close()


async def test_visitor_inactivity_is_shown_to_the_agent(db_backend: BackendProcess) -> None:
    agent = await _agent(db_backend)
    visitor, chat_id = await _chat(db_backend)
    await agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    await visitor.send("activity", {"active": False})
    presence = await agent.next_push("visitor_presence")
    assert presence["payload"] == {"chat_id": chat_id, "presence": "inactive"}
    for client in (agent, visitor):
        await client.close()


async def test_canned_replies_personal_and_team(db_backend: BackendProcess) -> None:
    me = await _account(db_backend, "佐藤 花子")
    supervisor = await _account(db_backend, "Lead", role="supervisor")
    agent = {"Authorization": f"Bearer {db_backend.login_tokens(me.email, me.password)['access_token']}"}
    lead = {
        "Authorization": f"Bearer {db_backend.login_tokens(supervisor.email, supervisor.password)['access_token']}"
    }
    async with httpx.AsyncClient(base_url=f"{db_backend.url}/api/v1") as http:
        body = {
            "shortcut": "thanks",
            "title": "Thanks",
            "text": "ありがとうございます、{visitor.name|お客様}",
        }
        mine = (await http.post("/canned", json=body, headers=agent)).json()
        assert mine["owner_id"] is not None
        forbidden = await http.post("/canned", json={**body, "shared": True}, headers=agent)
        assert forbidden.status_code == 403
        team = await http.post("/canned", json={**body, "shared": True, "text": "Team thanks"}, headers=lead)
        assert team.status_code == 201
        listed = (await http.get("/canned", headers=agent)).json()
        assert sorted(r["text"] for r in listed) == ["Team thanks", body["text"]]
        lead_sees = (await http.get("/canned", headers=lead)).json()
        assert [r["text"] for r in lead_sees] == ["Team thanks"]
        edited = await http.put(
            f"/canned/{mine['canned_id']}", json={**body, "title": "Merci"}, headers=agent
        )
        assert edited.json()["title"] == "Merci"
        assert (await http.delete(f"/canned/{team.json()['canned_id']}", headers=agent)).status_code == 403
        assert (await http.delete(f"/canned/{mine['canned_id']}", headers=agent)).status_code == 204
        bad = await http.post("/canned", json={**body, "shortcut": "has space"}, headers=agent)
        assert bad.status_code == 422
        # The team reply goes again: the other tests of the module see no team replies of this one.
        assert (await http.delete(f"/canned/{team.json()['canned_id']}", headers=lead)).status_code == 204


async def test_a_visitor_cannot_rate_another_visitors_chat(db_backend: BackendProcess) -> None:
    _owner, chat_id = await _chat(db_backend)
    stranger, _ = await connect_visitor(db_backend)
    refused = await stranger.request(
        "rate_chat", {"client_id": new_id(), "chat_id": chat_id, "rating": "bad"}
    )
    assert refused["payload"]["code"] == "not_found"
    for client in (_owner, stranger):
        await client.close()

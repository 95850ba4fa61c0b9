"""1:1 video calls over the real sockets: signalling forwarded between the chat's agent and its visitor
only, every way a call ends recorded in the transcript, and the admins' call settings."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.support.backend import BackendProcess
from tests.support.databases import sqlite_database
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id

pytestmark = pytest.mark.asyncio

RING_S = 4.0
GRACE_S = 1.5
SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = "candidate:842163049 1 udp 1677729535 192.0.2.10 54400 typ srflx raddr 0.0.0.0 rport 0"


@pytest.fixture
def call_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BackendProcess]:
    """The backend with a short ring timeout and disconnect grace."""
    monkeypatch.setenv("CHAT_CALL_RING_TIMEOUT", str(RING_S))
    monkeypatch.setenv("CHAT_CALL_DISCONNECT_GRACE", str(GRACE_S))
    proc = BackendProcess(database_url=sqlite_database(tmp_path), workdir=tmp_path)
    proc.start()
    yield proc
    proc.stop()


@pytest_asyncio.fixture
async def opened() -> AsyncIterator[list[WireClient]]:
    """Every socket a test opens, closed at its end."""
    clients: list[WireClient] = []
    yield clients
    for client in clients:
        await client.close()


async def _agent(
    backend: BackendProcess, opened: list[WireClient], email: str | None = None, password: str | None = None
) -> WireClient:
    client = await connect_agent(backend, email, password)
    opened.append(client)
    return client


async def _visitor(
    backend: BackendProcess, opened: list[WireClient], token: str | None = None
) -> tuple[WireClient, dict[str, Any]]:
    client, login = await connect_visitor(backend, token=token)
    opened.append(client)
    return client, login


async def _chat_taken(
    backend: BackendProcess, opened: list[WireClient], agent: WireClient | None = None
) -> tuple[WireClient, WireClient, str, dict[str, Any]]:
    if agent is None:
        agent = await _agent(backend, opened)
        await agent.ok("set_status", {"status": "accepting"})
    visitor, login = await _visitor(backend, opened)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "ビデオで見せてもらえますか？"})
    chat_id = sent["event"]["chat_id"]
    await visitor.next_event(kind="chat_state", state="taken")  # auto-assigned to the accepting agent
    return agent, visitor, chat_id, login


async def _pushes(client: WireClient, wait: float = 0.6) -> list[dict[str, Any]]:
    """Every push that arrives within `wait` seconds."""
    await asyncio.sleep(wait)
    got = []
    while not client.pushes.empty():
        got.append(client.pushes.get_nowait())
    return got


def _call_frames(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f["action"].startswith("call_")]


async def _state(client: WireClient, state: str, within: float = 10) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            payload: dict[str, Any] = (await client.next_push("call_state"))["payload"]
            if payload["state"] == state:
                return payload


async def _call_events(backend: BackendProcess, agent: WireClient, chat_id: str) -> list[dict[str, Any]]:
    page = await http_get(backend, f"/api/v1/chats/{chat_id}/events", agent.token)  # type: ignore[attr-defined]
    return [e for e in page["events"] if e["kind"] == "call"]


async def _ring(agent: WireClient, visitor: WireClient, chat_id: str) -> str:
    invited = await agent.ok("call_invite", {"chat_id": chat_id, "client_id": new_id()})
    incoming = (await visitor.next_push("call_incoming"))["payload"]
    assert incoming["call_id"] == invited["call_id"]
    call_id: str = invited["call_id"]
    return call_id


async def _connected(agent: WireClient, visitor: WireClient, chat_id: str) -> str:
    call_id = await _ring(agent, visitor, chat_id)
    await visitor.ok("call_answer", {"call_id": call_id, "accept": True})
    await _state(agent, "connecting")
    await visitor.ok("call_state_report", {"call_id": call_id, "state": "connected"})
    await _state(agent, "connected")
    await _state(visitor, "connected")
    return call_id


async def _code(client: WireClient, action: str, payload: dict[str, Any]) -> str:
    frame = await client.request(action, payload)
    return "ok" if frame["type"] == "res" else str(frame["payload"]["code"])


async def test_a_call_is_signalled_both_ways_and_recorded_in_the_transcript(
    call_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, _ = await _chat_taken(call_backend, opened)
    client_id = new_id()
    invited = await agent.ok("call_invite", {"chat_id": chat_id, "client_id": client_id})
    call_id = invited["call_id"]
    assert invited["chat_id"] == chat_id
    assert invited["ice_servers"] == []
    again = await agent.ok("call_invite", {"chat_id": chat_id, "client_id": client_id})
    assert (again["call_id"], again["expires_at"]) == (call_id, invited["expires_at"])

    incoming = (await visitor.next_push("call_incoming"))["payload"]
    assert incoming["call_id"] == call_id
    assert incoming["chat_id"] == chat_id
    assert incoming["agent_name"] == "佐藤 花子"
    assert incoming["recording_notice"] == ""
    assert incoming["expires_at"] == invited["expires_at"]
    assert [f for f in await _pushes(visitor, 0.3) if f["action"] == "call_incoming"] == []  # rang once

    await visitor.ok("call_ringing", {"call_id": call_id})
    assert (await _state(agent, "ringing"))["call_id"] == call_id
    await visitor.ok("call_answer", {"call_id": call_id, "accept": True})
    assert (await _state(agent, "connecting"))["chat_id"] == chat_id
    await _state(visitor, "connecting")
    started = await agent.next_event(kind="call", state="started")
    assert started["call_id"] == call_id
    assert started["author"]["kind"] == "agent"

    await agent.ok("call_signal", {"call_id": call_id, "kind": "offer", "sdp": SDP})
    offer = (await visitor.next_push("call_signal"))["payload"]
    assert (offer["kind"], offer["sdp"], offer["call_id"]) == ("offer", SDP, call_id)
    await visitor.ok("call_signal", {"call_id": call_id, "kind": "answer", "sdp": SDP + "a=answer\r\n"})
    answer = (await agent.next_push("call_signal"))["payload"]
    assert (answer["kind"], answer["sdp"]) == ("answer", SDP + "a=answer\r\n")
    ice = {"call_id": call_id, "kind": "ice", "candidate": CANDIDATE, "sdp_mid": "0", "sdp_mline_index": 0}
    await agent.ok("call_signal", ice)
    await visitor.ok("call_signal", {**ice, "candidate": ""})  # end of candidates
    to_visitor = (await visitor.next_push("call_signal"))["payload"]
    assert (to_visitor["candidate"], to_visitor["sdp_mid"], to_visitor["sdp_mline_index"]) == (
        CANDIDATE,
        "0",
        0,
    )
    assert (await agent.next_push("call_signal"))["payload"]["candidate"] == ""

    await visitor.ok("call_state_report", {"call_id": call_id, "state": "connected"})
    assert (await _state(agent, "connected"))["reason"] is None
    await _state(visitor, "connected")
    await agent.ok("call_state_report", {"call_id": call_id, "state": "connected"})
    assert [f for f in _call_frames(await _pushes(agent, 0.3)) if f["action"] == "call_state"] == []

    await visitor.ok("call_media", {"call_id": call_id, "microphone": False, "camera": True})
    media = (await agent.next_push("call_media"))["payload"]
    assert (media["microphone"], media["camera"], media["party"]) == (False, True, "visitor")
    await agent.ok(
        "call_media", {"call_id": call_id, "microphone": True, "camera": False, "party": "visitor"}
    )
    assert (await visitor.next_push("call_media"))["payload"]["party"] == "agent"  # set by the server

    await asyncio.sleep(0.5)
    await agent.ok("call_hangup", {"call_id": call_id})
    for side in (agent, visitor):
        ended = await _state(side, "ended")
        assert (ended["reason"], ended["ended_by"]) == ("hangup", "agent")
        assert ended["duration_s"] >= 0.4

    events = await _call_events(call_backend, agent, chat_id)
    assert [(e["state"], e["reason"], e["ended_by"]) for e in events] == [
        ("started", None, None),
        ("ended", "hangup", "agent"),
    ]
    assert events[1]["duration_s"] >= 0.4
    assert events[0]["audience"] == "all"
    seen = await visitor.ok("transcript", {"after_seq": 0, "limit": 100})
    assert [(e["state"], e["call_id"]) for e in seen["events"] if e["kind"] == "call"] == [
        ("started", call_id),
        ("ended", call_id),
    ]
    ended_event = await visitor.next_event(kind="call", state="ended")
    assert ended_event["duration_s"] == events[1]["duration_s"]

    # After the end: the call is gone, nothing is forwarded, and the old invitation does not ring again.
    assert (
        await _code(visitor, "call_signal", {"call_id": call_id, "kind": "answer", "sdp": SDP}) == "not_found"
    )
    assert await _code(agent, "call_signal", {"call_id": call_id, "kind": "offer", "sdp": SDP}) == "not_found"
    assert await _code(agent, "call_invite", {"chat_id": chat_id, "client_id": client_id}) == "not_found"
    assert [f for f in await _pushes(visitor, 0.3) if f["action"] in ("call_signal", "call_incoming")] == []
    assert [f for f in await _pushes(agent, 0.1) if f["action"] == "call_signal"] == []
    # A new call of the same chat can start.
    assert await _ring(agent, visitor, chat_id) != call_id


async def test_declined_call_has_only_its_end(call_backend: BackendProcess, opened: list[WireClient]) -> None:
    agent, visitor, chat_id, _ = await _chat_taken(call_backend, opened)
    call_id = await _ring(agent, visitor, chat_id)
    await visitor.ok("call_answer", {"call_id": call_id, "accept": False})
    for side in (agent, visitor):
        ended = await _state(side, "ended")
        assert (ended["reason"], ended["ended_by"], ended["duration_s"]) == ("declined", "visitor", 0)
    events = await _call_events(call_backend, agent, chat_id)
    assert [(e["state"], e["reason"], e["ended_by"], e["duration_s"]) for e in events] == [
        ("ended", "declined", "visitor", 0)
    ]
    assert events[0]["author"]["kind"] == "visitor"


async def test_unanswered_call_ends_after_the_ring_timeout(
    call_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, _ = await _chat_taken(call_backend, opened)
    started = time.monotonic()
    call_id = await _ring(agent, visitor, chat_id)
    await visitor.ok("call_ringing", {"call_id": call_id})
    for side in (agent, visitor):
        ended = await _state(side, "ended", within=RING_S + 5)
        assert (ended["reason"], ended["ended_by"], ended["duration_s"]) == ("no_answer", "system", 0)
    assert time.monotonic() - started >= RING_S - 0.5
    assert await _code(visitor, "call_answer", {"call_id": call_id, "accept": True}) == "not_found"
    events = await _call_events(call_backend, agent, chat_id)
    assert [(e["state"], e["reason"]) for e in events] == [("ended", "no_answer")]


async def test_agent_cancels_before_the_answer(
    call_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, _ = await _chat_taken(call_backend, opened)
    call_id = await _ring(agent, visitor, chat_id)
    await agent.ok("call_hangup", {"call_id": call_id})
    for side in (agent, visitor):
        ended = await _state(side, "ended")
        assert (ended["reason"], ended["ended_by"]) == ("cancelled", "agent")
    assert await _code(visitor, "call_answer", {"call_id": call_id, "accept": True}) == "not_found"
    events = await _call_events(call_backend, agent, chat_id)
    assert [(e["state"], e["reason"], e["ended_by"]) for e in events] == [("ended", "cancelled", "agent")]


async def test_a_party_whose_socket_does_not_come_back_ends_the_call(
    call_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, _ = await _chat_taken(call_backend, opened)
    call_id = await _connected(agent, visitor, chat_id)
    closed = time.monotonic()
    await visitor.close()
    ended = await _state(agent, "ended", within=GRACE_S + 5)
    assert (ended["reason"], ended["ended_by"], ended["call_id"]) == ("disconnected", "visitor", call_id)
    assert ended["duration_s"] > 0
    assert time.monotonic() - closed >= GRACE_S - 0.3

    # The agent's app reconnecting within the grace keeps the call; staying away ends it.
    _, visitor2, chat2, _ = await _chat_taken(call_backend, opened, agent)
    call2 = await _connected(agent, visitor2, chat2)
    await agent.close()
    agent = await _agent(call_backend, opened)
    await asyncio.sleep(GRACE_S + 0.5)
    await agent.ok("call_signal", {"call_id": call2, "kind": "offer", "sdp": SDP})  # still running
    assert (await visitor2.next_push("call_signal"))["payload"]["sdp"] == SDP
    await agent.close()
    ended2 = await _state(visitor2, "ended", within=GRACE_S + 5)
    assert (ended2["reason"], ended2["ended_by"]) == ("disconnected", "agent")
    agent = await _agent(call_backend, opened)
    events = await _call_events(call_backend, agent, chat2)
    assert [(e["state"], e["reason"]) for e in events] == [("started", None), ("ended", "disconnected")]


async def test_a_reconnect_or_second_tab_keeps_the_call_and_a_reload_ends_it(
    call_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, login = await _chat_taken(call_backend, opened)
    token = login["visitor_token"]
    call_id = await _connected(agent, visitor, chat_id)

    # A second tab of the same visitor, while the calling page stays connected: the call goes on.
    other_tab, _ = await _visitor(call_backend, opened, token)
    # The calling page's socket drops and comes back naming its call: the call goes on, and
    # signalling reaches the new socket.
    await visitor.close()
    back, _ = await connect_visitor(call_backend, token=token, call_id=call_id)
    opened.append(back)
    assert [f for f in _call_frames(await _pushes(agent)) if f["payload"].get("state") == "ended"] == []
    await agent.ok(
        "call_signal", {"call_id": call_id, "kind": "ice", "candidate": "candidate:1 1 udp 1 h 9 typ host"}
    )
    signal = (await back.next_push("call_signal"))["payload"]
    assert (signal["call_id"], signal["kind"]) == (call_id, "ice")
    await other_tab.close()

    # The page is reloaded: the new page names the call its tab ran, which ends as `page_reloaded`.
    await back.close()
    reloaded, _ = await connect_visitor(call_backend, token=token, reloaded_call_id=call_id)
    opened.append(reloaded)
    ended = await _state(agent, "ended")
    assert (ended["reason"], ended["ended_by"], ended["call_id"]) == ("page_reloaded", "visitor", call_id)
    # The reloaded page learns it from the transcript.
    seen = await reloaded.ok("transcript", {"after_seq": 0, "limit": 100})
    assert [(e["state"], e.get("reason")) for e in seen["events"] if e["kind"] == "call"] == [
        ("started", None),
        ("ended", "page_reloaded"),
    ]

    # A page that cannot tell (no call named) while no other socket of the visitor is connected: the
    # call it must have run ends as `page_reloaded` too.
    # (This fallback depends on the server having seen the old socket close, hence the pause; the
    # widget names the call instead, which does not.)
    call2 = await _connected(agent, reloaded, chat_id)
    await reloaded.close()
    await asyncio.sleep(0.5)
    await _visitor(call_backend, opened, token)
    ended = await _state(agent, "ended")
    assert (ended["reason"], ended["call_id"]) == ("page_reloaded", call2)


async def test_closing_or_taking_over_the_chat_ends_the_call(
    call_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, _ = await _chat_taken(call_backend, opened)
    call_id = await _connected(agent, visitor, chat_id)
    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    for side in (agent, visitor):
        ended = await _state(side, "ended")
        assert (ended["reason"], ended["ended_by"], ended["call_id"]) == ("chat_ended", "system", call_id)
    page = await http_get(call_backend, f"/api/v1/chats/{chat_id}/events", agent.token)  # type: ignore[attr-defined]
    kinds = [(e["kind"], e.get("state")) for e in page["events"]][-2:]
    assert kinds == [("call", "ended"), ("chat_state", "closed")]

    # A supervisor taking the chat over ends the call too; the old holder cannot act on it any more.
    _, visitor2, chat2, _ = await _chat_taken(call_backend, opened, agent)
    call_backend.create_agent("boss@example.com", "Boss", "password-boss", "admin")
    boss = await _agent(call_backend, opened, "boss@example.com", "password-boss")
    call2 = await _ring(agent, visitor2, chat2)
    await boss.ok("take_over", {"chat_id": chat2, "client_id": new_id()})
    for side in (agent, visitor2):
        ended = await _state(side, "ended")
        assert (ended["reason"], ended["call_id"]) == ("chat_ended", call2)
    assert await _code(agent, "call_hangup", {"call_id": call2}) == "not_found"


async def test_only_the_chats_agent_and_visitor_take_part(
    call_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, _ = await _chat_taken(call_backend, opened)
    call_backend.create_agent("root@example.com", "Root", "password-root", "admin")
    call_backend.create_agent("other@example.com", "Other", "password-other", "agent")
    call_backend.create_agent("sup@example.com", "Sup", "password-sup", "supervisor")
    root_token = call_backend.login_tokens("root@example.com", "password-root")["access_token"]
    sup = await _agent(call_backend, opened, "sup@example.com", "password-sup")
    other = await _agent(call_backend, opened, "other@example.com", "password-other")
    me = await http_get(call_backend, "/api/v1/me", agent.token)  # type: ignore[attr-defined]
    sup_me = await http_get(call_backend, "/api/v1/me", sup.token)  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=call_backend.url) as http:
        group = {"name": "Support", "agent_ids": [me["agent_id"], sup_me["agent_id"]]}
        created = await http.post(
            "/api/v1/groups", json=group, headers={"Authorization": f"Bearer {root_token}"}
        )
        assert created.is_success, created.text
    await sup.ok("watch_chat", {"chat_id": chat_id, "watch": True})
    _, stranger, stranger_chat, _ = await _chat_taken(
        call_backend, opened, agent
    )  # a visitor of another chat

    call_id = await _ring(agent, visitor, chat_id)
    offer = {"call_id": call_id, "kind": "offer", "sdp": SDP}
    assert await _code(agent, "call_signal", offer) == "forbidden"  # not answered yet
    assert (
        await _code(agent, "call_invite", {"chat_id": chat_id, "client_id": new_id()}) == "call_in_progress"
    )
    for intruder in (other, sup):
        assert (
            await _code(intruder, "call_invite", {"chat_id": chat_id, "client_id": new_id()}) == "forbidden"
        )
        assert await _code(intruder, "call_hangup", {"call_id": call_id}) == "forbidden"
    assert await _code(stranger, "call_answer", {"call_id": call_id, "accept": True}) == "forbidden"
    await visitor.ok("call_answer", {"call_id": call_id, "accept": True})
    await _state(agent, "connecting")

    for intruder in (other, sup):
        assert await _code(intruder, "call_signal", offer) == "forbidden"
        assert (
            await _code(intruder, "call_media", {**offer, "microphone": True, "camera": True}) == "forbidden"
        )
        assert (
            await _code(intruder, "call_state_report", {"call_id": call_id, "state": "failed"}) == "forbidden"
        )
    answer = {"call_id": call_id, "kind": "answer", "sdp": SDP}
    assert await _code(stranger, "call_signal", answer) == "forbidden"
    assert await _code(stranger, "call_hangup", {"call_id": call_id}) == "forbidden"
    stale = {"call_id": new_id(), "kind": "answer", "sdp": SDP}
    assert await _code(visitor, "call_signal", stale) == "not_found"
    assert await _code(agent, "call_signal", {**stale, "kind": "offer"}) == "not_found"
    assert [f for f in await _pushes(visitor) if f["action"] in ("call_signal", "call_media")] == []
    assert [f for f in await _pushes(agent, 0.1) if f["action"] in ("call_signal", "call_media")] == []

    # The real parties still talk; the watching supervisor gets none of it (the transcript events only).
    await agent.ok("call_signal", offer)
    await visitor.next_push("call_signal")
    await visitor.ok("call_signal", answer)
    await agent.next_push("call_signal")
    await agent.ok("call_hangup", {"call_id": call_id})
    await _state(visitor, "ended")
    watched = await _pushes(sup)
    assert _call_frames(watched) == []
    call_events = [e["payload"]["event"] for e in watched if e["action"] == "event"]
    assert [e["state"] for e in call_events if e["kind"] == "call"] == [
        "started",
        "ended",
    ]
    assert _call_frames(await _pushes(other, 0.1)) == []
    assert _call_frames(await _pushes(stranger, 0.1)) == []

    # The visitor must be connected to be called.
    await stranger.close()
    code = ""
    for _ in range(50):
        code = await _code(agent, "call_invite", {"chat_id": stranger_chat, "client_id": new_id()})
        if code != "ok":
            break
        await asyncio.sleep(0.1)
    assert code == "visitor_offline"


async def test_oversized_sdp_is_refused_and_not_forwarded(
    call_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, _ = await _chat_taken(call_backend, opened)
    call_id = await _ring(agent, visitor, chat_id)
    await visitor.ok("call_answer", {"call_id": call_id, "accept": True})
    await _state(agent, "connecting")
    huge = {"call_id": call_id, "kind": "offer", "sdp": "a" * 20_001}
    assert await _code(agent, "call_signal", huge) == "invalid_payload"
    long_candidate = {"call_id": call_id, "kind": "ice", "candidate": "c" * 1_001}
    assert await _code(visitor, "call_signal", long_candidate) == "invalid_payload"
    assert [f for f in await _pushes(visitor) if f["action"] == "call_signal"] == []
    assert [f for f in await _pushes(agent, 0.1) if f["action"] == "call_signal"] == []


async def test_call_settings_are_for_admins_and_reach_the_visitor(
    call_backend: BackendProcess, opened: list[WireClient]
) -> None:
    call_backend.create_agent("root@example.com", "Root", "password-root", "admin")
    admin = {
        "Authorization": f"Bearer {call_backend.login_tokens('root@example.com', 'password-root')['access_token']}"
    }
    plain = {"Authorization": f"Bearer {call_backend.login_tokens()['access_token']}"}
    body = {
        "ice_servers": [
            {"urls": ["stun:stun.example.com:3478"]},
            {"urls": ["turn:turn.example.com:3478"], "username": "u", "credential": "secret"},
        ],
        "recording_notice_enabled": True,
        "recording_notice": "この通話は品質向上のため録画されます。<b>not markup</b>",
    }
    async with httpx.AsyncClient(base_url=call_backend.url) as http:
        defaults = await http.get("/api/v1/settings/calls", headers=admin)
        assert defaults.json() == {
            "ice_servers": [],
            "recording_notice_enabled": False,
            "recording_notice": "",
        }
        assert (await http.get("/api/v1/settings/calls", headers=plain)).status_code == 403
        assert (await http.put("/api/v1/settings/calls", json=body, headers=plain)).status_code == 403
        too_long = {**body, "recording_notice": "x" * 501}
        assert (await http.put("/api/v1/settings/calls", json=too_long, headers=admin)).status_code == 422
        saved = await http.put("/api/v1/settings/calls", json=body, headers=admin)
        assert saved.is_success, saved.text
        stored = (await http.get("/api/v1/settings/calls", headers=admin)).json()
        assert stored["recording_notice"] == body["recording_notice"]
        assert stored["ice_servers"][1]["username"] == "u"
        audit = (await http.get("/api/v1/audit", headers=admin)).json()
        entry = next(e for e in audit if e["action"] == "settings.calls")
        assert entry["before"]["recording_notice_enabled"] is False
        assert entry["after"]["recording_notice_enabled"] is True

    agent, visitor, chat_id, _ = await _chat_taken(call_backend, opened)
    invited = await agent.ok("call_invite", {"chat_id": chat_id, "client_id": new_id()})
    assert [s["urls"] for s in invited["ice_servers"]] == [
        ["stun:stun.example.com:3478"],
        ["turn:turn.example.com:3478"],
    ]
    incoming = (await visitor.next_push("call_incoming"))["payload"]
    assert incoming["recording_notice"] == body["recording_notice"]
    assert incoming["ice_servers"] == invited["ice_servers"]

    # Switched off, the notice no longer reaches the visitor.
    await agent.ok("call_hangup", {"call_id": invited["call_id"]})
    async with httpx.AsyncClient(base_url=call_backend.url) as http:
        off = {**body, "recording_notice_enabled": False}
        assert (await http.put("/api/v1/settings/calls", json=off, headers=admin)).is_success
    _, visitor2, chat2, _ = await _chat_taken(call_backend, opened, agent)
    await agent.ok("call_invite", {"chat_id": chat2, "client_id": new_id()})
    assert (await visitor2.next_push("call_incoming"))["payload"]["recording_notice"] == ""

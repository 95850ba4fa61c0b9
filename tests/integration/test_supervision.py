"""Supervision on the real backend: watch, whisper, join, take over; scope checked again at delivery and
replay; deactivation; visitors confined to their own chats."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any

import httpx
import pytest
import websockets

from tests.support.backend import BackendProcess
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id

pytestmark = pytest.mark.asyncio


class Team:
    """The holder (demo agent) in group A with supervisor S; agent B and supervisor T in group B; an admin."""

    def __init__(self, backend: BackendProcess) -> None:
        self.backend = backend
        self.passwords = {"holder": backend.agent_password}
        self.emails = {"holder": backend.agent_email}
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.groups: dict[str, str] = {}

    async def setup(self) -> None:
        for key, role in (("sup", "supervisor"), ("b", "agent"), ("sup_b", "supervisor"), ("admin", "admin")):
            self.emails[key], self.passwords[key] = f"{key}@example.com", f"password-{key}"
            self.backend.create_agent(self.emails[key], key.upper(), self.passwords[key], role)
        for key in self.emails:
            self.tokens[key] = self.backend.login_tokens(self.emails[key], self.passwords[key])[
                "access_token"
            ]
            self.ids[key] = (await http_get(self.backend, "/api/v1/me", self.tokens[key]))["agent_id"]
        for name, members in (("A", ("holder", "sup")), ("B", ("b", "sup_b"))):
            body = {"name": name, "agent_ids": [self.ids[m] for m in members]}
            self.groups[name] = (await self.call("admin", "POST", "/api/v1/groups", body))["group_id"]
        # Chats are taken by hand, so each test decides who holds what.
        routing = await self.call("admin", "GET", "/api/v1/settings/routing")
        await self.call("admin", "PUT", "/api/v1/settings/routing", {**routing, "auto_assign": False})

    async def call(self, who: str, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        async with httpx.AsyncClient(base_url=self.backend.url) as http:
            headers = {"Authorization": f"Bearer {self.tokens[who]}"}
            response = await http.request(method, path, json=body, headers=headers)
        assert response.status_code == expect or (expect == 200 and response.is_success), response.text
        return response.json() if response.content else None

    async def connect(self, who: str, accepting: bool = False) -> WireClient:
        client = await connect_agent(self.backend, self.emails[who], self.passwords[who])
        if accepting:
            await client.ok("set_status", {"status": "accepting"})
        return client


async def _chat_with(holder: WireClient, backend: BackendProcess, text: str) -> tuple[WireClient, str]:
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": text})
    chat_id: str = sent["event"]["chat_id"]
    await holder.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    return visitor, chat_id


def _drained(client: WireClient) -> list[dict[str, Any]]:
    return [client.pushes.get_nowait() for _ in range(client.pushes.qsize())]


async def _replay(backend: BackendProcess, email: str, password: str) -> list[dict[str, Any]]:
    """Every event a fresh socket gets when it resumes from cursor 0."""
    client = await connect_agent(backend, email, password, resume=False)
    result = await client.ok("resume", {"cursor": 0})
    events = [(await client.next_push("event"))["payload"]["event"] for _ in range(result["replayed"])]
    await client.close()
    return events


async def test_supervisor_watches_whispers_joins_and_takes_over(backend: BackendProcess) -> None:
    team = Team(backend)
    await team.setup()
    holder = await team.connect("holder", accepting=True)
    sup = await team.connect("sup")
    visitor, chat_id = await _chat_with(holder, backend, "my parcel is late")
    # The supervisor's list shows the chat with its agent, visitor and waiting time.
    listed = await team.call("sup", "GET", "/api/v1/supervision/chats")
    assert [row["chat"]["chat_id"] for row in listed] == [chat_id]
    assert listed[0]["chat"]["agent"]["id"] == team.ids["holder"]
    assert listed[0]["waiting_seconds"] >= 1  # the visitor waits for an answer (0 = answered)
    assert await team.call("sup_b", "GET", "/api/v1/supervision/chats") == []
    # Watching: the sneak peek and the agent's typing reach the supervisor, read-only.
    watched = await sup.ok("watch_chat", {"chat_id": chat_id, "watch": True})
    assert watched["chat"]["chat_id"] == chat_id
    await visitor.send("sneak_peek", {"text": "where is it"})
    peek = await sup.next_push("sneak_peek")
    assert peek["payload"] == {"chat_id": chat_id, "text": "where is it"}
    await holder.send("typing", {"chat_id": chat_id, "typing": True})
    typing = await sup.next_push("typing")
    assert typing["payload"]["author"]["id"] == team.ids["holder"]
    refused = await sup.request("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "x"})
    assert refused["payload"]["code"] == "forbidden"
    # Whisper: the holder sees it as a note by the supervisor; the visitor never does.
    whisper = await sup.ok(
        "whisper", {"chat_id": chat_id, "client_id": new_id(), "text": "WHISPER-1 offer a refund"}
    )
    assert whisper["event"]["kind"] == "note"
    assert whisper["event"]["audience"] == "agents"
    got = await holder.next_event(kind="note", text="WHISPER-1 offer a refund")
    assert got["author"]["id"] == team.ids["sup"]
    # Join: the transcript says so, and the supervisor may now write to the visitor.
    joined = await sup.ok("join_chat", {"chat_id": chat_id, "client_id": new_id()})
    assert joined["event"]["author"]["kind"] == "system"
    await visitor.next_event(kind="message", text="SUP joined the chat.")
    await sup.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "I am the team lead"})
    await visitor.next_event(kind="message", text="I am the team lead")
    # Take over: the chat is the supervisor's; the previous agent's notice is the state event.
    taken = await sup.ok("take_over", {"chat_id": chat_id, "client_id": new_id()})
    assert taken["chat"]["agent"]["id"] == team.ids["sup"]
    notice = await holder.next_event(kind="chat_state", chat_id=chat_id, state="taken")
    assert notice["transferred_from"]["id"] == team.ids["holder"]
    assert notice["agent"]["id"] == team.ids["sup"]
    assert (await holder.request("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "x"}))[
        "payload"
    ]["code"] == "forbidden"
    # The chat continues with the supervisor; the former holder no longer receives its messages.
    await visitor.ok("send_message", {"client_id": new_id(), "text": "thanks, lead"})
    await sup.next_event(kind="message", text="thanks, lead")
    await sup.ok("send_note", {"chat_id": chat_id, "client_id": new_id(), "text": "WHISPER-2 refunded"})
    await sup.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "done"})
    await visitor.next_event(kind="message", text="done")
    await asyncio.sleep(0.3)
    assert "thanks, lead" not in json.dumps(_drained(holder))
    # Nothing written for agents ever reached the visitor: live frames, transcript, replay from 0.
    visitor_frames = json.dumps(_drained(visitor)) + json.dumps(
        await visitor.ok("transcript", {"after_seq": 0})
    )
    await visitor.ok("resume", {"cursor": 0})
    await asyncio.sleep(0.3)
    visitor_frames += json.dumps(_drained(visitor))
    assert "WHISPER" not in visitor_frames
    assert "I am the team lead" in visitor_frames
    for client in (holder, sup, visitor):
        await client.close()


async def test_replay_forgets_chats_after_transfer_and_after_the_role_is_lowered(
    backend: BackendProcess,
) -> None:
    team = Team(backend)
    await team.setup()
    holder = await team.connect("holder", accepting=True)
    b = await team.connect("b", accepting=True)
    sup = await team.connect("sup")
    visitor0, b_chat = await _chat_with(b, backend, "for b")
    visitor1, moved = await _chat_with(holder, backend, "SECRET-MOVED question")
    visitor2, kept = await _chat_with(holder, backend, "SECRET-KEPT question")
    await sup.next_event(kind="message", text="SECRET-KEPT question")
    await holder.ok("send_note", {"chat_id": moved, "client_id": new_id(), "text": "SECRET-MOVED note"})
    # Transfer `moved` to B (group B): out of the holder's hands and out of supervisor A's scope.
    await holder.ok("transfer_chat", {"chat_id": moved, "client_id": new_id(), "to_agent_id": team.ids["b"]})
    await sup.ok("whisper", {"chat_id": kept, "client_id": new_id(), "text": "SECRET-KEPT whisper"})
    for who in ("holder", "sup"):
        replay = await _replay(backend, team.emails[who], team.passwords[who])
        texts = json.dumps([e for e in replay if e["kind"] != "chat_state"])
        assert "SECRET-MOVED" not in texts, who
        assert "SECRET-KEPT" in texts, who
        assert b_chat not in texts
    assert (await team.call("sup", "GET", f"/api/v1/chats/{moved}/events", expect=404))["detail"][
        "code"
    ] == "not_found"
    refused = await sup.request("whisper", {"chat_id": moved, "client_id": new_id(), "text": "x"})
    assert refused["payload"]["code"] == "not_found"
    # B's supervisor sees it now, with its whole history.
    replay_b = json.dumps(await _replay(backend, team.emails["sup_b"], team.passwords["sup_b"]))
    assert "SECRET-MOVED note" in replay_b
    # The supervisor's role is lowered: the live socket stops at once, replay and REST forget the chat.
    await sup.ok("watch_chat", {"chat_id": kept})
    await team.call("admin", "PATCH", f"/api/v1/agents/{team.ids['sup']}", {"role": "agent"})
    await asyncio.sleep(0.3)
    _drained(sup)
    await visitor2.ok("send_message", {"client_id": new_id(), "text": "SECRET-KEPT after demotion"})
    await holder.next_event(kind="message", text="SECRET-KEPT after demotion")
    await visitor2.send("sneak_peek", {"text": "SECRET-KEPT peek"})
    await asyncio.sleep(0.5)
    assert "SECRET-KEPT" not in json.dumps(_drained(sup))
    replay = await _replay(backend, team.emails["sup"], team.passwords["sup"])
    assert "SECRET-KEPT" not in json.dumps([e for e in replay if e["kind"] != "chat_state"])
    await team.call("sup", "GET", f"/api/v1/chats/{kept}/events", expect=404)
    await team.call("sup", "GET", "/api/v1/supervision/chats", expect=403)
    # The audit log has the change with before and after.
    audit = await team.call("admin", "GET", "/api/v1/audit")
    change = next(e for e in audit if e["action"] == "agent.update")
    assert change["target"] == team.ids["sup"]
    assert change["before"] == {"role": "supervisor"}
    assert change["after"] == {"role": "agent"}
    for client in (holder, b, sup, visitor0, visitor1, visitor2):
        await client.close()


async def test_whispers_never_reach_the_visitor_after_transfer(backend: BackendProcess) -> None:
    team = Team(backend)
    await team.setup()
    holder = await team.connect("holder", accepting=True)
    b = await team.connect("b", accepting=True)
    sup_b = await team.connect("sup_b")
    await team.call("admin", "PUT", f"/api/v1/agents/{team.ids['b']}/status", {"status": "not_accepting"})
    assert (await b.next_push("status"))["payload"]["status"] == "not_accepting"
    visitor, chat_id = await _chat_with(holder, backend, "hello")
    await b.ok("set_status", {"status": "accepting"})
    await holder.ok(
        "transfer_chat", {"chat_id": chat_id, "client_id": new_id(), "to_agent_id": team.ids["b"]}
    )
    await sup_b.ok("whisper", {"chat_id": chat_id, "client_id": new_id(), "text": "WHISPER-B be kind"})
    await b.next_event(kind="note", text="WHISPER-B be kind")
    await b.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "hi from B"})
    await visitor.next_event(kind="message", text="hi from B")
    await visitor.ok("resume", {"cursor": 0})
    await asyncio.sleep(0.3)
    frames = json.dumps(_drained(visitor)) + json.dumps(await visitor.ok("transcript", {"after_seq": 0}))
    assert "WHISPER-B" not in frames
    assert "hi from B" in frames
    for client in (holder, b, sup_b, visitor):
        await client.close()


async def test_a_deactivated_agents_sockets_close_at_once_and_its_token_is_refused(
    backend: BackendProcess,
) -> None:
    team = Team(backend)
    await team.setup()
    refresh = backend.login_tokens(team.emails["b"], team.passwords["b"])["refresh_token"]
    b1 = await team.connect("b")
    b2 = await team.connect("b")
    await team.call("sup", "PATCH", f"/api/v1/agents/{team.ids['b']}", {"active": False}, expect=403)
    # The last active admin cannot lock everybody out.
    await team.call("admin", "PATCH", f"/api/v1/agents/{team.ids['admin']}", {"active": False}, expect=403)
    await team.call("admin", "PATCH", f"/api/v1/agents/{team.ids['admin']}", {"role": "agent"}, expect=403)
    detail = await team.call("admin", "PATCH", f"/api/v1/agents/{team.ids['b']}", {"active": False})
    assert detail["active"] is False
    for client in (b1, b2):
        await asyncio.wait_for(client.ws.wait_closed(), 5)
        assert client.ws.close_code == 4001
    await team.call("b", "GET", "/api/v1/me", expect=401)
    async with httpx.AsyncClient(base_url=backend.url) as http:
        assert (await http.post("/api/v1/auth/refresh", json={"refresh_token": refresh})).status_code == 401
        body = {"email": team.emails["b"], "password": team.passwords["b"]}
        assert (await http.post("/api/v1/auth/login", json=body)).status_code == 401
    ws = await websockets.connect(f"{backend.ws_url}/ws/agent")
    client = WireClient(ws)
    assert (await client.request("login", {"token": team.tokens["b"]}))["payload"]["code"] == "invalid_token"
    # Deactivated elsewhere (another node, the database): the next delivery batch closes the socket.
    sup_b = await team.connect("sup_b")
    with sqlite3.connect(backend.database_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE agents SET active = 0 WHERE id = ?", (team.ids["sup_b"],))
    visitor, _ = await connect_visitor(backend)
    await visitor.ok("send_message", {"client_id": new_id(), "text": "wakes every socket"})
    await asyncio.wait_for(sup_b.ws.wait_closed(), 5)
    assert sup_b.ws.close_code == 4001
    for c in (client, b1, b2, sup_b, visitor):
        await c.close()


async def test_a_visitor_never_reads_another_visitors_chat(backend: BackendProcess) -> None:
    team = Team(backend)
    await team.setup()
    holder = await team.connect("holder", accepting=True)
    victim, chat_id = await _chat_with(holder, backend, "SECRET-VICTIM my address")
    await holder.ok(
        "send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "SECRET-VICTIM reply"}
    )
    attacker, login = await connect_visitor(backend)
    sent = await attacker.ok("send_message", {"client_id": new_id(), "text": "attacker here"})
    own_chat = sent["event"]["chat_id"]
    await holder.ok("take_chat", {"chat_id": own_chat, "client_id": new_id()})
    # A chat id in `mark_read` is ignored: the read mark lands on the attacker's own chat.
    await attacker.send("mark_read", {"chat_id": chat_id, "seq": 5})
    assert (await holder.next_push("read"))["payload"]["chat_id"] == own_chat
    answers: list[Any] = [
        await attacker.request("rate_chat", {"client_id": new_id(), "chat_id": chat_id, "rating": "bad"}),
        None,
        await attacker.ok("transcript", {"after_seq": 0}),
        await attacker.ok("resume", {"cursor": 0}),
        # Agent actions and an agent's token are refused on the visitor socket.
        await attacker.request("take_chat", {"chat_id": chat_id, "client_id": new_id()}),
        await attacker.request("whisper", {"chat_id": chat_id, "client_id": new_id(), "text": "x"}),
    ]
    assert answers[0]["payload"]["code"] == "not_found"
    assert answers[4]["payload"]["code"] == "unknown_action"
    assert answers[5]["payload"]["code"] == "unknown_action"
    await asyncio.sleep(0.3)
    assert "SECRET-VICTIM" not in json.dumps(answers) + json.dumps(_drained(attacker))
    # The victim's chat id or an agent token as a visitor token gives a new visitor, not the victim.
    victim_id = (await http_get(backend, f"/api/v1/chats/{chat_id}/events", team.tokens["holder"]))["chat"]
    for token in (
        chat_id,
        victim_id["visitor"]["visitor_id"],
        team.tokens["holder"],
        login["visitor_token"][:-1],
    ):
        ws = await websockets.connect(f"{backend.ws_url}/ws/visitor", origin=backend.url)  # type: ignore[arg-type]
        other = WireClient(ws)
        answer = await other.request("login", {"site_id": backend.site_id, "visitor_token": token})
        if answer["type"] == "res":
            assert answer["payload"]["visitor_id"] != victim_id["visitor"]["visitor_id"]
            assert answer["payload"]["chat"] is None
            assert "SECRET-VICTIM" not in json.dumps(await other.ok("transcript", {"after_seq": 0}))
        else:
            assert answer["payload"]["code"] == "invalid_token"
        await other.close()
    # A visitor token on the agent socket is refused.
    ws = await websockets.connect(f"{backend.ws_url}/ws/agent")
    client = WireClient(ws)
    assert (await client.request("login", {"token": login["visitor_token"]}))["payload"][
        "code"
    ] == "invalid_token"
    for c in (client, holder, victim, attacker):
        await c.close()

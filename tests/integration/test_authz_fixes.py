"""Issue 13's authorisation fixes and the visitor's spam mark, on one backend per database shared by the
module: a colleague's live chat stays out of a visitor's profile, a retry answers the first answer (and
only to who may still read the chat), a group's scope ends when its queue is left, a group's queue waits
for its members, and a visitor marked as spam opens no chat."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import pytest_asyncio
import websockets

from tests.support.backend import BackendProcess
from tests.support.wire import WireClient, connect_visitor, new_id

pytestmark = pytest.mark.asyncio

ADMIN_EMAIL, ADMIN_PASSWORD = "authz-admin@example.com", "password-authz-admin"
# Everyone the tests need, made once per backend: group A is the holder's, group B another one;
# x and y are in no group.
PEOPLE = {
    "holder": "agent", "a": "agent", "sup_a": "supervisor",
    "b": "agent", "sup_b": "supervisor",
    "x": "agent", "y": "agent",
}  # fmt: skip
GROUPS = {"A": ("holder", "a", "sup_a"), "B": ("b", "sup_b")}


@dataclass
class Staff:
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def backend(shared_db_backend: BackendProcess) -> BackendProcess:
    return shared_db_backend


@pytest.fixture(scope="module")
def staff(backend: BackendProcess) -> Staff:
    """The people and groups, made by an admin; chats are taken by hand (no automatic assignment)."""
    backend.create_agent(ADMIN_EMAIL, "Admin", ADMIN_PASSWORD, "admin")
    made = Staff()
    made.tokens["admin"] = backend.login_tokens(ADMIN_EMAIL, ADMIN_PASSWORD)["access_token"]
    with httpx.Client(base_url=backend.url, timeout=20) as http:

        def ok(method: str, path: str, body: Any = None) -> Any:
            headers = {"Authorization": f"Bearer {made.tokens['admin']}"}
            response = http.request(method, path, json=body, headers=headers)
            assert response.is_success, response.text
            return response.json()

        made.ids["admin"] = ok("GET", "/api/v1/me")["agent_id"]
        for key, role in PEOPLE.items():
            email = f"{key}-{uuid.uuid4().hex[:8]}@example.com"
            created = ok("POST", "/api/v1/agents", {"email": email, "name": key, "role": role})
            made.ids[key] = created["agent"]["agent_id"]
            made.tokens[key] = backend.login_tokens(email, created["temporary_password"])["access_token"]
        for name, members in GROUPS.items():
            body = {"name": f"{name}-{uuid.uuid4().hex[:8]}", "agent_ids": [made.ids[m] for m in members]}
            made.groups[name] = ok("POST", "/api/v1/groups", body)["group_id"]
        routing = ok("GET", "/api/v1/settings/routing")
        ok("PUT", "/api/v1/settings/routing", {**routing, "auto_assign": False})
    return made


@dataclass
class Team:
    """The staff as one test sees them: `sockets` of those `online()`, visitors made by `visitor()`."""

    backend: BackendProcess
    http: httpx.AsyncClient
    staff: Staff
    sockets: dict[str, WireClient] = field(default_factory=dict)
    opened: list[WireClient] = field(default_factory=list)

    @property
    def ids(self) -> dict[str, str]:
        return self.staff.ids

    async def call(self, who: str, method: str, path: str, body: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.staff.tokens[who]}"}
        return await self.http.request(method, path, json=body, headers=headers)

    async def ok(self, who: str, method: str, path: str, body: Any = None) -> Any:
        response = await self.call(who, method, path, body)
        assert response.is_success, response.text
        return response.json()

    async def online(self, *who: str) -> None:
        for key in who:
            self.sockets[key] = await self.connect(key)

    async def connect(self, who: str, cursor: int | None = None) -> WireClient:
        """A socket of `who`, resumed from `cursor` (default: their snapshot's)."""
        client = WireClient(await websockets.connect(f"{self.backend.ws_url}/ws/agent"))
        self.opened.append(client)
        await client.ok("login", {"token": self.staff.tokens[who]})
        if cursor is None:
            cursor = (await self.ok(who, "GET", "/api/v1/snapshot"))["cursor"]
        await client.ok("resume", {"cursor": cursor})
        return client

    async def accepting(self, *who: str, on: bool = True) -> None:
        for key in who:
            await self.sockets[key].ok("set_status", {"status": "accepting" if on else "not_accepting"})

    async def visitor(self, text: str = "first") -> tuple[WireClient, str, str]:
        """A new visitor on a page of the shop who writes: (socket, visitor id, chat id)."""
        page = {"url": f"{self.backend.url}/demo/index.html", "title": "Shop"}
        client, login = await connect_visitor(self.backend, page=page)
        self.opened.append(client)
        sent = await client.ok("send_message", {"client_id": new_id(), "text": text})
        return client, login["visitor_id"], sent["event"]["chat_id"]

    async def to_group(self, holder: str, chat_id: str, group: str, ready: str) -> None:
        """`holder` sends its chat to a group's queue; `ready`, a member, accepts chats meanwhile."""
        await self.accepting(ready)
        payload = {"chat_id": chat_id, "client_id": new_id(), "to_group_id": self.staff.groups[group]}
        await self.sockets[holder].ok("transfer_chat", payload)
        await self.accepting(ready, on=False)


@pytest_asyncio.fixture
async def team(backend: BackendProcess, staff: Staff) -> AsyncIterator[Team]:
    async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
        made = Team(backend, http, staff)
        try:
            yield made
        finally:
            for client in made.opened:
                await client.close()


async def err_code(client: WireClient, action: str, payload: dict[str, Any]) -> str:
    frame = await client.request(action, payload)
    assert frame["type"] == "err", frame
    return str(frame["payload"]["code"])


def listed(profile: dict[str, Any]) -> dict[str, str | None]:
    """{chat id: its last message's text} of a profile's previous chats."""
    return {
        c["chat_id"]: c["last_message"]["text"] if c["last_message"] else None
        for c in profile["previous_chats"]
    }


async def test_a_visitor_profile_lists_a_colleagues_live_chat_only_to_who_may_read_it(team: Team) -> None:
    await team.online("holder")
    visitor, visitor_id, first = await team.visitor("my card number is 4111")
    path = f"/api/v1/visitors/{visitor_id}"
    assert listed(await team.ok("a", "GET", path)) == {first: "my card number is 4111"}  # queued
    await team.accepting("holder")
    await team.sockets["holder"].ok("take_chat", {"chat_id": first, "client_id": new_id()})
    await visitor.ok("send_message", {"client_id": new_id(), "text": "and the code is 123"})
    for who in ("holder", "sup_a", "admin"):
        assert listed(await team.ok(who, "GET", path)) == {first: "and the code is 123"}, who
    for who in ("a", "sup_b"):
        profile = await team.ok(who, "GET", path)
        assert profile["previous_chats"] == [], who
        assert profile["visitor_id"] == visitor_id  # the rest of the profile is everyone's
        transcript = await team.call(who, "GET", f"/api/v1/chats/{first}/events")
        assert transcript.status_code == 404  # the same rule as the transcript
    patched = await team.ok("a", "PATCH", path, {"tags": ["vip"]})
    assert patched["previous_chats"] == []
    await team.sockets["holder"].ok("close_chat", {"chat_id": first, "client_id": new_id()})
    second = (await visitor.ok("send_message", {"client_id": new_id(), "text": "again"}))["event"]["chat_id"]
    assert listed(await team.ok("a", "GET", path)) == {second: "again", first: "and the code is 123"}


async def test_a_retry_answers_the_first_answer_and_only_to_who_may_still_read_the_chat(team: Team) -> None:
    await team.online("x", "y")
    await team.accepting("x", "y")
    visitor, _, chat_id = await team.visitor("first")
    _, _, other_chat = await team.visitor("elsewhere")
    x = team.sockets["x"]
    take = {"chat_id": chat_id, "client_id": new_id()}
    taken = await x.ok("take_chat", take)
    await visitor.ok("send_message", {"client_id": new_id(), "text": "newer"})
    assert await x.ok("take_chat", take) == taken  # the first answer, not the newer message
    assert taken["chat"]["last_message"]["text"] == "first"
    assert await err_code(x, "take_chat", {**take, "chat_id": other_chat}) == "client_id_conflict"
    # Messages and notes: a retry naming another chat is a conflict too.
    await x.ok("take_chat", {"chat_id": other_chat, "client_id": new_id()})
    message = {"chat_id": chat_id, "client_id": new_id(), "text": "hello"}
    assert (await x.ok("send_message", message))["event"]["chat_id"] == chat_id
    assert await err_code(x, "send_message", {**message, "chat_id": other_chat}) == "client_id_conflict"
    note = {"chat_id": chat_id, "client_id": new_id(), "text": "note"}
    await x.ok("send_note", note)
    assert await err_code(x, "send_note", {**note, "chat_id": other_chat}) == "client_id_conflict"
    # Handed on to y: x retries the transfer, or the take, once the chat is y's live chat.
    transfer = {"chat_id": chat_id, "client_id": new_id(), "to_agent_id": team.ids["y"]}
    handed = await x.ok("transfer_chat", transfer)
    assert handed["chat"]["agent"]["id"] == team.ids["y"]
    await visitor.ok("send_message", {"client_id": new_id(), "text": "newest, for y only"})
    assert await err_code(x, "transfer_chat", transfer) == "not_found"
    assert await err_code(x, "take_chat", take) == "not_found"
    assert await err_code(x, "transfer_chat", {**transfer, "chat_id": other_chat}) == "client_id_conflict"
    # Closed, the chat is anyone's to read again: y's retried close answers its first answer.
    close = {"chat_id": chat_id, "client_id": new_id()}
    closed = await team.sockets["y"].ok("close_chat", close)
    assert closed["chat"]["state"] == "closed"
    assert await team.sockets["y"].ok("close_chat", close) == closed
    assert (await x.ok("transfer_chat", transfer))["chat"]["last_message"]["text"] == "hello"


async def test_a_retry_of_an_action_logged_before_answers_were_kept_is_answered_from_the_log(
    team: Team,
) -> None:
    if not team.backend.database_url.startswith("sqlite"):
        pytest.skip("the event is edited with sqlite3")
    await team.online("x")
    await team.accepting("x")
    visitor, _, chat_id = await team.visitor("first")
    take = {"chat_id": chat_id, "client_id": new_id()}
    taken = await team.sockets["x"].ok("take_chat", take)
    with sqlite3.connect(team.backend.database_url.removeprefix("sqlite:///")) as db:
        row = "SELECT data FROM events WHERE client_id = ?"
        assert '"answer"' in db.execute(row, (take["client_id"],)).fetchone()[0]
        db.execute(
            "UPDATE events SET data = json_remove(data, '$.answer') WHERE client_id = ?", (take["client_id"],)
        )
        assert '"answer"' not in db.execute(row, (take["client_id"],)).fetchone()[0]
    await visitor.ok("send_message", {"client_id": new_id(), "text": "newer"})
    again = await team.sockets["x"].ok("take_chat", take)
    assert again["event"] == taken["event"]
    assert again["chat"]["last_message"]["text"] == "first"
    assert again["chat"]["last_seq"] == taken["event"]["seq"]
    assert (again["chat"]["state"], again["chat"]["agent"]) == ("taken", taken["chat"]["agent"])


async def test_a_supervisors_scope_ends_when_the_chat_leaves_the_groups_queue(team: Team) -> None:
    await team.online("holder", "sup_a", "b", "sup_b")
    cursor = (await team.ok("sup_b", "GET", "/api/v1/snapshot"))["cursor"]
    visitor, _, chat_id = await team.visitor("hello")
    await team.accepting("holder")
    await team.sockets["holder"].ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await team.to_group("holder", chat_id, "B", ready="b")
    sup_b = team.sockets["sup_b"]
    assert (await sup_b.ok("watch_chat", {"chat_id": chat_id, "watch": True}))["chat"]["state"] == "queued"
    # Group B's agent takes it and hands it back to the holder, outside group B.
    await team.accepting("b")
    await team.sockets["b"].ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    to_holder = {"chat_id": chat_id, "client_id": new_id(), "to_agent_id": team.ids["holder"]}
    await team.sockets["b"].ok("transfer_chat", to_holder)
    await visitor.ok("send_message", {"client_id": new_id(), "text": "private, for the holder"})
    assert await err_code(sup_b, "watch_chat", {"chat_id": chat_id, "watch": True}) == "not_found"
    assert (
        await err_code(sup_b, "whisper", {"chat_id": chat_id, "client_id": new_id(), "text": "x"})
        == "not_found"
    )
    assert (await team.call("sup_b", "GET", f"/api/v1/chats/{chat_id}/events")).status_code == 404
    supervised = await team.ok("sup_b", "GET", "/api/v1/supervision/chats")
    assert chat_id not in {row["chat"]["chat_id"] for row in supervised}
    # A replay from before the chat began: its state changes only (no message of a chat out of scope).
    replay = await team.connect("sup_b", cursor)
    texts = []
    while not replay.pushes.empty():
        event = replay.pushes.get_nowait()["payload"].get("event", {})
        if event.get("chat_id") == chat_id and event["kind"] == "message":
            texts.append(event["text"])
    assert texts == []
    # The holder's own group's supervisor keeps it.
    assert (await team.sockets["sup_a"].ok("watch_chat", {"chat_id": chat_id, "watch": True}))["chat"]
    supervised = await team.ok("sup_a", "GET", "/api/v1/supervision/chats")
    assert chat_id in {row["chat"]["chat_id"] for row in supervised}


async def test_a_groups_queue_waits_for_its_members_only(team: Team) -> None:
    await team.online("holder", "a", "sup_a", "b", "sup_b", "admin")
    await team.accepting("holder", "a", "sup_a", "sup_b")
    chats = []
    for _ in range(2):
        _, _, chat_id = await team.visitor("for group B")
        await team.sockets["holder"].ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
        await team.to_group("holder", chat_id, "B", ready="b")
        chats.append(chat_id)
    first, second = chats
    # Only members find it in their queue, with the group named; the chat_state event says so too.
    for who, listed in (("a", False), ("sup_a", False), ("admin", False), ("b", True), ("sup_b", True)):
        snapshot = await team.ok(who, "GET", "/api/v1/snapshot")
        queue = {chat["chat_id"]: chat for chat in snapshot["queue"]}
        assert (first in queue) is listed, who
        assert (team.staff.groups["B"] in snapshot["me"]["group_ids"]) is listed, who
    events = await team.ok("b", "GET", f"/api/v1/chats/{first}/events")
    queued = [e for e in events["events"] if e["kind"] == "chat_state" and e["state"] == "queued"]
    assert queued[-1]["group_id"] == team.staff.groups["B"]
    admin = team.sockets["admin"]
    await team.accepting("admin")
    for who in ("a", "sup_a", "admin"):
        take = {"chat_id": first, "client_id": new_id()}
        assert await err_code(team.sockets[who], "take_chat", take) == "forbidden", who
    taken = await team.sockets["sup_b"].ok("take_chat", {"chat_id": first, "client_id": new_id()})
    assert taken["chat"]["agent"]["id"] == team.ids["sup_b"]
    # An admin (or a supervisor with the chat in scope) takes over instead.
    over = await admin.ok("take_over", {"chat_id": second, "client_id": new_id()})
    assert over["chat"]["agent"]["id"] == team.ids["admin"]


async def test_a_visitor_marked_as_spam_opens_no_chat_until_the_mark_is_taken_back(team: Team) -> None:
    await team.online("y")
    visitor, visitor_id, chat_id = await team.visitor("buy cheap watches")
    first = {"client_id": new_id(), "text": "more spam"}
    await visitor.ok("send_message", first)
    path = f"/api/v1/visitors/{visitor_id}/spam"
    marked = await team.ok("x", "PUT", path)
    assert marked["spam"]["agent_id"] == team.ids["x"]
    assert marked["spam"]["agent_name"] == "x"
    assert (await team.ok("y", "PUT", path))["spam"] == marked["spam"]  # the first mark stays
    assert (await team.ok("y", "GET", f"/api/v1/visitors/{visitor_id}"))["spam"] == marked["spam"]
    # The open chat goes on (and a retry is answered as before); a new one is refused.
    assert (await visitor.ok("send_message", first))["event"]["chat_id"] == chat_id
    await visitor.ok("close_chat", {"client_id": new_id()})
    assert await err_code(visitor, "send_message", {"client_id": new_id(), "text": "again"}) == "blocked"
    offline = {"client_id": new_id(), "name": "S", "email": "s@example.com", "text": "spam"}
    assert await err_code(visitor, "offline_message", offline) == "blocked"
    invite = {"visitor_id": visitor_id, "client_id": new_id(), "text": "Hello!"}
    assert await err_code(team.sockets["y"], "invite_visitor", invite) == "blocked"
    # Taken back: by its author or a supervisor, not by another agent.
    refused = await team.call("y", "DELETE", path)
    assert refused.status_code == 403
    assert refused.json()["detail"]["code"] == "forbidden"
    assert (await team.ok("x", "DELETE", path))["spam"] is None
    await team.ok("y", "PUT", path)
    assert (await team.ok("sup_a", "DELETE", path))["spam"] is None
    assert (await visitor.ok("send_message", {"client_id": new_id(), "text": "a real question"}))["event"]
    assert (await team.call("y", "PUT", "/api/v1/visitors/no-such-visitor/spam")).status_code == 404
    audit = await team.ok("admin", "GET", "/api/v1/audit?limit=50")
    trail = [(e["action"], e["actor_id"]) for e in audit if e["target"] == visitor_id]
    assert trail == [
        ("visitor.spam_unmark", team.ids["sup_a"]),
        ("visitor.spam_mark", team.ids["y"]),
        ("visitor.spam_unmark", team.ids["x"]),
        ("visitor.spam_mark", team.ids["x"]),
    ]

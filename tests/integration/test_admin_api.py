"""The team view and the admin REST on the real backend: the day's figures, accounts and temporary
passwords, password changes and resets, groups, sites and their origins, and the audit log."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import event
from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db import migrate
from chat_backend.db.engine import Database
from chat_backend.db.tables import Agent, AgentGroup, Chat, EventRow, Group, Site, Visitor
from chat_backend.domain import team as team_domain
from chat_backend.domain.authz import Actor
from tests.support.backend import BackendProcess
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id

pytestmark = pytest.mark.asyncio

TEMPORARY = re.compile(r"^[a-hj-km-np-z2-9]{4}(-[a-hj-km-np-z2-9]{4}){3}$")


class Team:
    """The holder (demo agent), agent B and supervisor S in group A; agent C and supervisor T in group
    B; an admin in no group. Accounts other than the demo agent's and the admin's are made over REST."""

    def __init__(self, backend: BackendProcess) -> None:
        self.backend = backend
        self.emails = {"holder": backend.agent_email, "admin": "admin@example.com"}
        self.passwords = {"holder": backend.agent_password, "admin": "password-admin"}
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.groups: dict[str, str] = {}

    async def setup(self) -> None:
        self.backend.create_agent(self.emails["admin"], "Admin", self.passwords["admin"], "admin")
        for key in ("holder", "admin"):
            self.login(key)
            self.ids[key] = (await self.call(key, "GET", "/api/v1/me"))["agent_id"]
        for key, name, role in (("b", "B", "agent"), ("sup", "S", "supervisor")):
            await self.add(key, name, role)
        for key, name, role in (("c", "C", "agent"), ("sup_b", "T", "supervisor")):
            await self.add(key, name, role)
        for name, members in (("A", ("holder", "b", "sup")), ("B", ("c", "sup_b"))):
            body = {"name": name, "agent_ids": [self.ids[m] for m in members]}
            self.groups[name] = (await self.call("admin", "POST", "/api/v1/groups", body, expect=201))[
                "group_id"
            ]
        routing = await self.call("admin", "GET", "/api/v1/settings/routing")
        await self.call("admin", "PUT", "/api/v1/settings/routing", {**routing, "auto_assign": False})

    async def add(self, key: str, name: str, role: str) -> dict[str, Any]:
        """An account made by the admin, signed in with its temporary password."""
        body = {"email": f"{key}@example.com", "name": name, "role": role}
        created: dict[str, Any] = await self.call("admin", "POST", "/api/v1/agents", body, expect=201)
        self.emails[key], self.passwords[key] = body["email"], created["temporary_password"]
        self.ids[key] = created["agent"]["agent_id"]
        self.login(key)
        return created

    def login(self, key: str) -> str:
        self.tokens[key] = self.backend.login_tokens(self.emails[key], self.passwords[key])["access_token"]
        return self.tokens[key]

    async def call(
        self,
        who: str,
        method: str,
        path: str,
        body: Any = None,
        expect: int = 200,
        params: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> Any:
        async with httpx.AsyncClient(base_url=self.backend.url) as http:
            headers = {"Authorization": f"Bearer {token or self.tokens[who]}"}
            response = await http.request(method, path, json=body, headers=headers, params=params)
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    async def refused(self, who: str, method: str, path: str, body: Any, status: int, code: str) -> str:
        detail = (await self.call(who, method, path, body, expect=status))["detail"]
        assert detail["code"] == code, detail
        message: str = detail["message"]
        return message

    async def connect(self, who: str, accepting: bool = False) -> WireClient:
        client = await connect_agent(self.backend, self.emails[who], self.passwords[who])
        if accepting:
            await client.ok("set_status", {"status": "accepting"})
        return client

    async def audit(self, **params: Any) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = await self.call("admin", "GET", "/api/v1/audit", params=params)
        return entries

    async def last_audit(self, action: str) -> dict[str, Any]:
        return next(e for e in await self.audit(limit=500) if e["action"] == action)

    async def members(self, who: str, **params: Any) -> dict[str, dict[str, Any]]:
        rows = await self.call(who, "GET", "/api/v1/team", params=params)
        return {row["name"]: row for row in rows}


async def _ask(backend: BackendProcess, text: str) -> tuple[WireClient, str, datetime]:
    """A visitor writes: their socket, the new chat and the message's time."""
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": text})
    return visitor, sent["event"]["chat_id"], _at(sent["event"])


async def _reply(agent: WireClient, chat_id: str, text: str) -> datetime:
    sent = await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": text})
    return _at(sent["event"])


def _at(event_json: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event_json["created_at"])


async def _closed(ws: WireClient) -> int | None:
    await asyncio.wait_for(ws.ws.wait_closed(), 5)
    return ws.ws.close_code


# --- the team view ------------------------------------------------------------------------------


async def test_team_view_figures_for_a_scripted_day(db_backend: BackendProcess) -> None:
    team = Team(db_backend)
    await team.setup()
    start = datetime.now(UTC)
    holder = await team.connect("holder", accepting=True)
    b = await team.connect("b", accepting=True)
    holder_name = (await team.call("holder", "GET", "/api/v1/me"))["name"]

    async def taken(agent: WireClient, chat_id: str) -> None:
        await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})

    # Chat 1: the holder answers after about 0.8 s; chat 2 after about 0.3 s.
    v1, chat1, asked1 = await _ask(db_backend, "one")
    await taken(holder, chat1)
    await asyncio.sleep(0.8)
    delay1 = (await _reply(holder, chat1, "hello one") - asked1).total_seconds()
    await _reply(holder, chat1, "anything else?")  # only the first reply counts
    v2, chat2, asked2 = await _ask(db_backend, "two")
    await taken(holder, chat2)
    await asyncio.sleep(0.3)
    delay2 = (await _reply(holder, chat2, "hello two") - asked2).total_seconds()
    await asyncio.sleep(0.05)
    middle = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await _reply(holder, chat1, "still there?")  # chat 1 was first answered before `middle`
    # Chat 3: B takes it and never answers.
    v3, chat3, _ = await _ask(db_backend, "three")
    await taken(b, chat3)
    # Chat 4: the holder answers after about 0.5 s, then transfers it to B, who answers too: it counts
    # for both, but the first response is the holder's alone.
    v4, chat4, asked4 = await _ask(db_backend, "four")
    await taken(holder, chat4)
    await asyncio.sleep(0.5)
    delay4 = (await _reply(holder, chat4, "hello four") - asked4).total_seconds()
    await holder.ok("transfer_chat", {"chat_id": chat4, "client_id": new_id(), "to_agent_id": team.ids["b"]})
    await b.next_event(kind="chat_state", chat_id=chat4, state="taken")
    await _reply(b, chat4, "B here")
    assert delay1 >= 0.8
    assert delay2 >= 0.3
    assert delay4 >= 0.5

    day = await team.members("sup", since=start.isoformat())
    assert sorted(day) == sorted(["B", "S", holder_name])
    holder_row = day[holder_name]
    assert (holder_row["chats_today"], holder_row["answered_today"]) == (3, 3)
    assert holder_row["first_response_today"] == pytest.approx((delay1 + delay2 + delay4) / 3, abs=0.02)
    assert (day["B"]["chats_today"], day["B"]["answered_today"]) == (2, 1)
    assert day["B"]["first_response_today"] is None
    assert (day["S"]["chats_today"], day["S"]["answered_today"], day["S"]["first_response_today"]) == (
        0,
        0,
        None,
    )
    # Online and load (open chats held now) with the effective limit.
    assert (holder_row["online"], holder_row["load"], holder_row["status"]) == (True, 2, "accepting")
    assert (day["B"]["online"], day["B"]["load"]) == (True, 2)
    assert day["S"]["online"] is False
    default_limit = (await team.call("admin", "GET", "/api/v1/settings/routing"))["default_max_chats"]
    assert holder_row["max_chats"] == default_limit
    await team.call("admin", "PATCH", f"/api/v1/agents/{team.ids['b']}", {"max_chats": 3})
    assert (await team.members("sup", since=start.isoformat()))["B"]["max_chats"] == 3
    assert holder_row["group_ids"] == [team.groups["A"]]

    # `since` is respected; a naive one is UTC, an offset one is the same instant.
    later = await team.members("sup", since=middle.isoformat())
    later_holder = later[holder_name]
    assert (later_holder["chats_today"], later_holder["answered_today"]) == (1, 1)
    assert later_holder["first_response_today"] == pytest.approx(delay4, abs=0.02)
    naive = await team.members("sup", since=middle.replace(tzinfo=None).isoformat())
    tokyo = await team.members("sup", since=middle.astimezone(timezone(timedelta(hours=9))).isoformat())
    assert naive == later == tokyo
    future = await team.members("admin", since=(datetime.now(UTC) + timedelta(minutes=5)).isoformat())
    assert {(r["chats_today"], r["answered_today"], r["first_response_today"]) for r in future.values()} == {
        (0, 0, None)
    }
    # Without `since`: today since UTC midnight.
    assert (await team.members("sup")) == (await team.members("sup", since=start.isoformat()))

    # Scope: a supervisor sees their groups and themselves, an admin every active agent.
    assert sorted(await team.members("sup_b")) == ["C", "T"]
    everyone = await team.members("admin")
    assert set(everyone) >= {"Admin", "B", "C", "S", "T"}
    assert len(everyone) == 6
    await team.call("admin", "PATCH", f"/api/v1/agents/{team.ids['c']}", {"active": False})
    assert "C" not in await team.members("admin")
    assert sorted(await team.members("sup_b")) == ["T"]
    await team.refused("b", "GET", "/api/v1/team", None, 403, "forbidden")
    for client in (holder, b, v1, v2, v3, v4):
        await client.close()


async def _seed(session: AsyncSession, agents: int, chats: int, since: datetime) -> dict[str, list[float]]:
    """`agents` agents of one group and `chats` chats since `since`, each answered by its holder after a
    known delay (every third opened by the holder's greeting); the expected delays per agent."""
    ids = [f"agent-{i}" for i in range(agents)]
    session.add_all([Site(id="s", name="Site", origins=[]), Group(id="g", name="G")])
    session.add_all(Agent(id=a, email=f"{a}@x", name=a, password_hash="-", role="agent") for a in ids)
    await session.flush()
    session.add_all(AgentGroup(agent_id=a, group_id="g") for a in ids)
    session.add_all(Visitor(id=f"v{i}", site_id="s", number=i + 1, token_hash=f"t{i}") for i in range(chats))
    await session.flush()
    expected: dict[str, list[float]] = {a: [] for a in ids}
    for i in range(chats):
        holder, created, delay = ids[i % agents], since + timedelta(minutes=i), float(i % 7 + 1)
        chat = Chat(
            id=f"c{i}",
            site_id="s",
            visitor_id=f"v{i}",
            state="taken",
            agent_id=holder,
            created_at=created,
            taken_at=created + timedelta(seconds=2),
        )
        session.add(chat)
        await session.flush()
        lines = [("visitor", f"v{i}", 1.0), ("agent", holder, 1.0 + delay), ("visitor", f"v{i}", 30.0)]
        if i % 3 == 0:  # an invitation greeting before the visitor spoke is not a response
            lines.insert(0, ("agent", holder, 0.5))
        session.add_all(
            EventRow(
                chat_id=chat.id,
                seq=seq,
                kind="message",
                author_kind=kind,
                author_id=author,
                author_key=f"{kind}:{author}",
                client_id=f"{chat.id}-{seq}",
                text="x",
                created_at=created + timedelta(seconds=offset),
            )
            for seq, (kind, author, offset) in enumerate(lines, start=1)
        )
        expected[holder].append(delay)
    return expected


async def test_team_figures_take_the_same_number_of_queries_for_any_team_size(tmp_path: Path) -> None:
    """50 agents and 2,000 chats a day must not mean 100,000 queries: the count is fixed."""
    since = datetime(2030, 1, 1, tzinfo=UTC)
    counts = []
    for agents, chats in ((3, 6), (12, 120)):
        url = f"sqlite:///{tmp_path / f'team-{agents}.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        db = Database(url)
        statements: list[str] = []

        def count(
            _conn: SyncConnection, _cursor: Any, statement: str, *_args: Any, into: list[str] = statements
        ) -> None:
            into.append(statement)

        try:
            async with db.write() as session:
                expected = await _seed(session, agents, chats, since)
            event.listen(db.engine.sync_engine, "before_cursor_execute", count)
            async with db.read() as session:
                rows = await team_domain.team(session, Actor("admin", "admin", frozenset()), since, set())
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
            # A supervisor of the group sees the same figures.
            async with db.read() as session:
                scoped = await team_domain.team(
                    session, Actor("agent-0", "supervisor", frozenset({"g"})), since, set()
                )
        finally:
            await db.dispose()
        counts.append(len(statements))
        assert len(rows) == agents
        assert scoped == rows
        for row in rows:
            delays = expected[row.agent_id]
            assert (row.chats_today, row.answered_today) == (len(delays), len(delays))
            assert row.first_response_today == pytest.approx(sum(delays) / len(delays))
    assert counts[0] == counts[1]
    assert counts[0] <= 10


# --- accounts and passwords -------------------------------------------------------------------


async def test_a_new_agent_signs_in_with_the_temporary_password_and_replaces_it(
    db_backend: BackendProcess,
) -> None:
    team = Team(db_backend)
    await team.setup()
    body = {
        "email": "  New.Agent@Example.COM ",
        "name": " 新人 ",
        "role": "agent",
        "group_ids": [team.groups["A"]],
        "max_chats": 4,
    }
    created = await team.call("admin", "POST", "/api/v1/agents", body, expect=201)
    agent, temporary = created["agent"], created["temporary_password"]
    assert TEMPORARY.match(temporary), temporary
    assert (agent["email"], agent["name"], agent["role"], agent["max_chats"]) == (
        "new.agent@example.com",
        "新人",
        "agent",
        4,
    )
    assert agent["group_ids"] == [team.groups["A"]]
    assert agent["must_change_password"] is True
    # The same address in another case exists; an unknown group is not found; only admins create.
    dup = {**body, "email": "NEW.agent@example.com"}
    await team.refused("admin", "POST", "/api/v1/agents", dup, 409, "already_exists")
    unknown = {**body, "email": "other@example.com", "group_ids": ["no-such-group"]}
    await team.refused("admin", "POST", "/api/v1/agents", unknown, 404, "not_found")
    await team.refused(
        "admin", "POST", "/api/v1/agents", {**body, "email": "no-at-sign"}, 422, "invalid_payload"
    )
    await team.refused("sup", "POST", "/api/v1/agents", {**body, "email": "x@example.com"}, 403, "forbidden")
    # The account list has it, flagged, with deactivated accounts, by name.
    accounts = await team.call("admin", "GET", "/api/v1/agent-accounts")
    assert [a["name"] for a in accounts] == sorted(a["name"] for a in accounts)
    listed = next(a for a in accounts if a["agent_id"] == agent["agent_id"])
    assert listed == agent
    await team.refused("sup", "GET", "/api/v1/agent-accounts", None, 403, "forbidden")

    # Signing in with the temporary password works; `/me` and the snapshot say to change it.
    team.emails["new"], team.passwords["new"] = "new.agent@example.com", temporary
    first = team.login("new")
    me = await team.call("new", "GET", "/api/v1/me")
    assert me["must_change_password"] is True
    assert (await team.call("new", "GET", "/api/v1/snapshot"))["me"]["must_change_password"] is True
    other = db_backend.login_tokens(team.emails["new"], temporary)
    other_socket = await connect_agent(db_backend, team.emails["new"], temporary)
    # A wrong current password, or a short new one, is refused and changes nothing.
    wrong = {"current_password": "not-it-at-all", "new_password": "a-good-new-password"}
    await team.refused("new", "PUT", "/api/v1/me/password", wrong, 403, "invalid_credentials")
    short = {"current_password": temporary, "new_password": "short"}
    await team.call("new", "PUT", "/api/v1/me/password", short, expect=422)
    same = {"current_password": temporary, "new_password": temporary}
    await team.refused("new", "PUT", "/api/v1/me/password", same, 422, "invalid_payload")
    assert (await team.call("new", "GET", "/api/v1/me"))["must_change_password"] is True

    change = {"current_password": temporary, "new_password": "my-own-password-1"}
    await team.call("new", "PUT", "/api/v1/me/password", change, expect=204)
    # This login stays; the flag is cleared; the other login and its socket end at once.
    assert (await team.call("new", "GET", "/api/v1/me", token=first))["must_change_password"] is False
    await team.call("new", "GET", "/api/v1/me", token=other["access_token"], expect=401)
    assert await _closed(other_socket) == 4001
    async with httpx.AsyncClient(base_url=db_backend.url) as http:
        refresh = await http.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
        assert refresh.status_code == 401
        old = {"email": team.emails["new"], "password": temporary}
        assert (await http.post("/api/v1/auth/login", json=old)).status_code == 401
    assert db_backend.login_tokens(team.emails["new"], "my-own-password-1")["access_token"]
    flagged = next(
        a
        for a in await team.call("admin", "GET", "/api/v1/agent-accounts")
        if a["agent_id"] == agent["agent_id"]
    )
    assert flagged["must_change_password"] is False

    # Audited, without any password.
    entry = await team.last_audit("agent.create")
    assert entry["target"] == agent["agent_id"]
    assert entry["before"] is None
    assert entry["after"]["email"] == "new.agent@example.com"
    changed = await team.last_audit("agent.password")
    assert (changed["target"], changed["before"], changed["after"]) == (agent["agent_id"], None, None)
    logged = str(await team.audit(limit=500))
    assert temporary not in logged
    assert "my-own-password-1" not in logged
    assert "argon2" not in logged
    await other_socket.close()


async def test_a_password_reset_ends_every_login_of_the_agent_at_once(db_backend: BackendProcess) -> None:
    team = Team(db_backend)
    await team.setup()
    refresh = db_backend.login_tokens(team.emails["b"], team.passwords["b"])["refresh_token"]
    sockets = [await team.connect("b"), await team.connect("b")]
    bystander = await team.connect("c")
    await team.refused(
        "sup", "POST", f"/api/v1/agents/{team.ids['b']}/password-reset", None, 403, "forbidden"
    )
    await team.refused("admin", "POST", "/api/v1/agents/nobody/password-reset", None, 404, "not_found")
    reset = await team.call("admin", "POST", f"/api/v1/agents/{team.ids['b']}/password-reset")
    temporary = reset["temporary_password"]
    assert TEMPORARY.match(temporary)
    for ws in sockets:
        assert await _closed(ws) == 4001
    await team.call("b", "GET", "/api/v1/me", expect=401)
    async with httpx.AsyncClient(base_url=db_backend.url) as http:
        assert (await http.post("/api/v1/auth/refresh", json={"refresh_token": refresh})).status_code == 401
        old = {"email": team.emails["b"], "password": team.passwords["b"]}
        assert (await http.post("/api/v1/auth/login", json=old)).status_code == 401
    ws = WireClient(await websockets.connect(f"{db_backend.ws_url}/ws/agent"))
    assert (await ws.request("login", {"token": team.tokens["b"]}))["payload"]["code"] == "invalid_token"
    await ws.close()
    # Another agent's socket is untouched.
    assert (await bystander.request("ping", {}))["type"] == "res"
    team.passwords["b"] = temporary
    team.login("b")
    assert (await team.call("b", "GET", "/api/v1/me"))["must_change_password"] is True
    entry = await team.last_audit("agent.password_reset")
    assert entry["target"] == team.ids["b"]
    assert entry["after"] == {"must_change_password": True}
    assert temporary not in str(entry)
    for client in (*sockets, bystander):
        await client.close()


# --- groups -------------------------------------------------------------------------------------


async def test_groups_are_renamed_restaffed_and_deleted_and_their_chats_keep_working(
    db_backend: BackendProcess,
) -> None:
    team = Team(db_backend)
    await team.setup()
    groups = {g["name"]: g for g in await team.call("b", "GET", "/api/v1/groups")}
    assert groups["A"]["agent_ids"] == sorted([team.ids["holder"], team.ids["b"], team.ids["sup"]])
    # Names are unique, on create and on rename; members and groups must exist.
    await team.refused("admin", "POST", "/api/v1/groups", {"name": " A "}, 409, "already_exists")
    rename = {"name": "B", "agent_ids": []}
    await team.refused("admin", "PUT", f"/api/v1/groups/{team.groups['A']}", rename, 409, "already_exists")
    ghost = {"name": "A", "agent_ids": ["nobody"]}
    await team.refused("admin", "PUT", f"/api/v1/groups/{team.groups['A']}", ghost, 404, "not_found")
    await team.refused("admin", "PUT", "/api/v1/groups/nope", {"name": "Z"}, 404, "not_found")
    await team.refused("sup", "PUT", f"/api/v1/groups/{team.groups['A']}", rename, 403, "forbidden")
    await team.refused("sup", "DELETE", f"/api/v1/groups/{team.groups['A']}", None, 403, "forbidden")

    # Restaffing changes a supervisor's scope at once.
    body = {"name": "Sales", "agent_ids": [team.ids["sup"], team.ids["c"], team.ids["c"]]}
    updated = await team.call("admin", "PUT", f"/api/v1/groups/{team.groups['A']}", body)
    assert updated == {
        "group_id": team.groups["A"],
        "name": "Sales",
        "agent_ids": sorted([team.ids["sup"], team.ids["c"]]),
    }
    assert sorted(await team.members("sup")) == ["C", "S"]
    entry = await team.last_audit("group.update")
    assert entry["before"] == {
        "name": "A",
        "agent_ids": sorted([team.ids["holder"], team.ids["b"], team.ids["sup"]]),
    }
    assert entry["after"] == {"name": "Sales", "agent_ids": updated["agent_ids"]}

    # A chat waiting in group B's queue: deleting the group leaves it queued for anyone.
    holder = await team.connect("holder", accepting=True)
    c = await team.connect("c", accepting=True)  # a transfer to a group needs someone there
    visitor, chat_id, _ = await _ask(db_backend, "for group B")
    await holder.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await holder.ok(
        "transfer_chat", {"chat_id": chat_id, "client_id": new_id(), "to_group_id": team.groups["B"]}
    )
    page = await team.call("admin", "GET", f"/api/v1/chats/{chat_id}/events")
    assert page["chat"]["group_id"] == team.groups["B"]
    await team.call("admin", "DELETE", f"/api/v1/groups/{team.groups['B']}", expect=204)
    assert "B" not in {g["name"] for g in await team.call("b", "GET", "/api/v1/groups")}
    page = await team.call("admin", "GET", f"/api/v1/chats/{chat_id}/events")
    assert (page["chat"]["state"], page["chat"]["group_id"]) == ("queued", None)
    b = await team.connect("b", accepting=True)
    await b.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await _reply(b, chat_id, "B takes it from here")
    await visitor.next_event(kind="message", text="B takes it from here")
    await team.refused("admin", "DELETE", f"/api/v1/groups/{team.groups['B']}", None, 404, "not_found")
    deleted = await team.last_audit("group.delete")
    assert deleted["target"] == team.groups["B"]
    assert deleted["before"] == {"name": "B", "agent_ids": sorted([team.ids["c"], team.ids["sup_b"]])}
    assert deleted["after"] is None
    for client in (holder, b, c, visitor):
        await client.close()


# --- sites --------------------------------------------------------------------------------------


async def _visitor_login(backend: BackendProcess, site_id: str, origin: str) -> dict[str, Any]:
    ws = WireClient(await websockets.connect(f"{backend.ws_url}/ws/visitor", origin=origin))  # type: ignore[arg-type]
    try:
        return await ws.request("login", {"site_id": site_id})
    finally:
        await ws.close()


async def test_sites_origins_apply_at_once_to_visitor_sockets_and_page_push(
    db_backend: BackendProcess,
) -> None:
    team = Team(db_backend)
    await team.setup()
    body = {"name": " Tea shop ", "origins": ["HTTPS://Shop.Example:443/path", "https://shop.example"]}
    site = await team.call("admin", "POST", "/api/v1/sites", body, expect=201)
    assert (site["name"], site["origins"]) == ("Tea shop", ["https://shop.example"])
    assert site["embed_snippet"] == (
        f'<script src="{db_backend.url}/widget.js" data-site="{site["site_id"]}" async></script>'
    )
    bad = {"name": "Bad", "origins": ["https://ok.example", "ftp://files.example"]}
    message = await team.refused("admin", "POST", "/api/v1/sites", bad, 422, "invalid_payload")
    assert "ftp://files.example" in message
    await team.refused("sup", "POST", "/api/v1/sites", body, 403, "forbidden")
    listed = {s["site_id"]: s for s in await team.call("b", "GET", "/api/v1/sites")}
    assert listed[site["site_id"]] == site
    assert db_backend.site_id in listed

    # A visitor socket from an origin is accepted exactly while the origin is on the list.
    origin = "http://tea.test:8123"
    path = f"/api/v1/sites/{site['site_id']}"
    assert (await _visitor_login(db_backend, site["site_id"], origin))["payload"][
        "code"
    ] == "origin_not_allowed"
    change = {"name": "Tea shop", "origins": ["https://shop.example", "HTTP://tea.test:8123/"]}
    updated = await team.call("admin", "PUT", path, change)
    assert updated["origins"] == ["http://tea.test:8123", "https://shop.example"]
    accepted = await _visitor_login(db_backend, site["site_id"], origin)
    assert accepted["type"] == "res"
    assert accepted["payload"]["site_origins"] == updated["origins"]
    await team.call("admin", "PUT", path, {"name": "Tea shop", "origins": ["https://shop.example"]})
    assert (await _visitor_login(db_backend, site["site_id"], origin))["payload"][
        "code"
    ] == "origin_not_allowed"
    bad_change = {"name": "Tea shop", "origins": ["not an origin"]}
    await team.refused("admin", "PUT", path, bad_change, 422, "invalid_payload")
    await team.refused("admin", "PUT", "/api/v1/sites/nope", change, 404, "not_found")
    await team.refused("sup", "PUT", path, change, 403, "forbidden")

    # Page push follows the demo site's list as it is now.
    holder = await team.connect("holder", accepting=True)
    visitor, chat_id, _ = await _ask(db_backend, "show me")
    await holder.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    demo_path = f"/api/v1/sites/{db_backend.site_id}"
    demo = listed[db_backend.site_id]
    push = {"chat_id": chat_id, "url": "https://partner.example/offer"}
    refused = await holder.request("push_page", {**push, "client_id": new_id()})
    assert refused["payload"]["code"] == "page_not_allowed"
    widened = {"name": demo["name"], "origins": [*demo["origins"], "https://partner.example"]}
    await team.call("admin", "PUT", demo_path, widened)
    await holder.ok("push_page", {**push, "client_id": new_id()})
    await team.call("admin", "PUT", demo_path, {"name": demo["name"], "origins": demo["origins"]})
    refused = await holder.request("push_page", {**push, "client_id": new_id()})
    assert refused["payload"]["code"] == "page_not_allowed"

    created = next(e for e in await team.audit(limit=500) if e["action"] == "site.create")
    assert (created["target"], created["before"]) == (site["site_id"], None)
    shop = {
        "name": "Tea shop",
        "origins": ["https://shop.example"],
        "default_group_id": None,
        "preview": "consent",
    }
    assert created["after"] == shop
    updates = [e for e in await team.audit(limit=500) if e["action"] == "site.update"]
    assert len(updates) == 4
    assert updates[-1]["before"] == shop
    assert updates[-1]["after"] == {**shop, "origins": updated["origins"]}
    for client in (holder, visitor):
        await client.close()


# --- canned replies and the audit log -----------------------------------------------------------


def _canned(shared: bool, text: str = "Thanks!") -> dict[str, Any]:
    return {"shortcut": "s" + uuid.uuid4().hex[:8], "title": "t", "text": text, "shared": shared}


async def test_team_canned_replies_are_audited_and_personal_ones_are_not(db_backend: BackendProcess) -> None:
    team = Team(db_backend)
    await team.setup()
    before = len(await team.audit(limit=500))
    mine = await team.call("b", "POST", "/api/v1/canned", _canned(False), expect=201)
    await team.call("b", "PUT", f"/api/v1/canned/{mine['canned_id']}", _canned(False, "edited"))
    await team.call("b", "DELETE", f"/api/v1/canned/{mine['canned_id']}", expect=204)
    assert len(await team.audit(limit=500)) == before

    shared = await team.call("sup", "POST", "/api/v1/canned", _canned(True, "Team text"), expect=201)
    new_body = _canned(True, "Team text v2")
    await team.call("sup", "PUT", f"/api/v1/canned/{shared['canned_id']}", new_body)
    await team.call("admin", "DELETE", f"/api/v1/canned/{shared['canned_id']}", expect=204)
    entries = {e["action"]: e for e in await team.audit(limit=3)}
    assert set(entries) == {"canned.create", "canned.update", "canned.delete"}
    assert entries["canned.create"]["after"]["text"] == "Team text"
    assert entries["canned.create"]["actor_id"] == team.ids["sup"]
    assert entries["canned.update"]["before"]["text"] == "Team text"
    assert entries["canned.update"]["after"]["text"] == "Team text v2"
    assert entries["canned.delete"]["before"]["shortcut"] == new_body["shortcut"]
    assert entries["canned.delete"]["actor_id"] == team.ids["admin"]
    assert {e["target"] for e in entries.values()} == {shared["canned_id"]}


async def test_the_audit_log_pages_back_with_before_id(db_backend: BackendProcess) -> None:
    team = Team(db_backend)
    await team.setup()
    for n in range(3):
        await team.call("admin", "POST", "/api/v1/groups", {"name": f"Extra {n}"}, expect=201)
    everything = await team.audit(limit=500)
    assert len(everything) >= 9
    ids = [e["audit_id"] for e in everything]
    assert ids == sorted(ids, reverse=True)
    pages, before_id = [], None
    for _ in range(len(everything)):  # bounded: a server ignoring `before_id` must fail, not hang
        params = {"limit": 4} if before_id is None else {"limit": 4, "before_id": before_id}
        page = await team.audit(**params)
        if not page:
            break
        pages.append(page)
        before_id = page[-1]["audit_id"]
    assert [e for page in pages for e in page] == everything
    assert all(len(page) == 4 for page in pages[:-1])
    assert await team.audit(before_id=min(ids)) == []
    await team.refused("sup", "GET", "/api/v1/audit", None, 403, "forbidden")

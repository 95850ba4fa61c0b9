"""docs/roles.md is the rule book: every row of its matrix, for every role, against the real backend."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from chat_protocol.actions import ACTIONS
from tests.support.backend import BackendProcess
from tests.support.dovecot import Dovecot, running_dovecot
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id

ROLES_MD = Path(__file__).resolve().parents[2] / "docs" / "roles.md"
COLUMNS = ("agent", "sup_in", "sup_out", "admin")
OUTCOMES = {"yes", "forbidden", "not_found", "invalid_token"}


def parse_matrix() -> dict[str, dict[str, str]]:
    """{action: {column: expected}} from the table whose header starts with `| Action |`."""
    rows: dict[str, dict[str, str]] = {}
    in_table = False
    for line in ROLES_MD.read_text(encoding="utf-8").splitlines():
        if line.startswith("| Action |"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        if not in_table or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = cells[0].strip("`")
        assert name not in rows, f"duplicate row {name}"
        expected = dict(zip(COLUMNS, cells[1:5], strict=True))
        assert set(expected.values()) <= OUTCOMES, line
        rows[name] = expected
    return rows


def route_of(row: str) -> str:
    return re.sub(r"\s*\[.*\]$", "", row)


@dataclass
class Person:
    email: str
    password: str
    agent_id: str = ""
    token: str = ""
    ws: WireClient | None = None

    @property
    def socket(self) -> WireClient:
        assert self.ws is not None
        return self.ws


@dataclass
class World:
    backend: BackendProcess
    http: httpx.AsyncClient
    people: dict[str, Person]
    chat_id: str = ""
    visitor_id: str = ""
    group_in: str = ""
    group_out: str = ""
    visitors: list[WireClient] = field(default_factory=list)
    visitor_of: dict[str, WireClient] = field(default_factory=dict)  # chat id -> its visitor's socket
    passed_chat_id: str = ""  # queued for group B once, now the holder's
    closed_chat_id: str = ""  # the holder's (group A), closed
    spam_visitor_id: str = ""
    passwords_given: list[str] = field(default_factory=list)  # must never reach the audit log
    call_id: str = ""  # a ringing call of the holder, for the call rows
    call_rung_at: float = 0.0
    dovecot: Dovecot | None = None  # the support mailbox, for a ticket with a file from an e-mail
    attachment_path: str = ""  # that file's download route, once made
    chat_file_id: str = ""  # an image the holder sent in `chat_id`
    closed_file_id: str = ""  # an image the holder sent in a chat they then closed

    async def call(self, who: str, method: str, path: str, body: Any = None, token: str | None = None) -> str:
        token = token or self.people[who].token
        response = await self.http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        return outcome_of_http(response)

    async def ok(self, who: str, method: str, path: str, body: Any = None) -> Any:
        return await self.ok_as(self.people[who], method, path, body)

    async def ok_as(self, person: Person, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {person.token}"}
        response = await self.http.request(method, path, json=body, headers=headers)
        assert response.is_success, response.text
        return response.json() if response.content else None

    async def close(self) -> None:
        for client in [p.ws for p in self.people.values() if p.ws] + self.visitors:
            await client.close()

    async def ws(self, who: str, action: str, payload: dict[str, Any], silent_ok: bool = False) -> str:
        socket = self.people[who].socket
        try:
            frame = await socket.request(action, payload, within=1.5 if silent_ok else 10)
        except TimeoutError:
            if silent_ok:  # answered by nothing when allowed (`typing`, `mark_read`)
                return "yes"
            raise
        return "yes" if frame["type"] == "res" else str(frame["payload"]["code"])

    async def fresh_chat(self, taken: bool = True) -> str:
        """A new visitor's chat, taken by the holder (the demo agent) unless `taken` is False."""
        visitor, _ = await connect_visitor(self.backend)
        self.visitors.append(visitor)
        sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "help"})
        chat_id: str = sent["event"]["chat_id"]
        self.visitor_of[chat_id] = visitor
        if taken:
            await self.people["holder"].socket.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
        return chat_id

    async def visitor_on_page(self) -> str:
        import websockets

        ws = await websockets.connect(f"{self.backend.ws_url}/ws/visitor", origin=self.backend.url)  # type: ignore[arg-type]
        client = WireClient(ws)
        page = {"url": f"{self.backend.url}/demo/index.html", "title": "Shop"}
        login = await client.ok("login", {"site_id": self.backend.site_id, "page": page})
        await client.ok("resume", {"cursor": login["cursor"]})
        self.visitors.append(client)
        visitor_id: str = login["visitor_id"]
        return visitor_id


def outcome_of_http(response: httpx.Response) -> str:
    if response.is_success:
        return "yes"
    if response.status_code in (401, 403, 404):
        code = response.json()["detail"]["code"]
        expected = {401: "invalid_token", 403: "forbidden", 404: "not_found"}[response.status_code]
        assert code == expected, response.text
        return str(code)
    return f"http {response.status_code}: {response.text[:200]}"


Probe = Callable[[World, str], Awaitable[str]]


def _canned(shared: bool = False) -> dict[str, Any]:
    return {"shortcut": "s" + uuid.uuid4().hex[:8], "title": "t", "text": "Thanks!", "shared": shared}


async def _own_canned(w: World, who: str, method: str) -> str:
    created = await w.ok(who, "POST", "/api/v1/canned", _canned())
    path = f"/api/v1/canned/{created['canned_id']}"
    return await w.call(who, method, path, _canned() if method == "PUT" else None)


async def _refresh(w: World, who: str) -> str:
    person = w.people[who]
    tokens = w.backend.login_tokens(person.email, person.password)
    response = await w.http.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    return outcome_of_http(response)


async def _logout(w: World, who: str) -> str:
    person = w.people[who]
    tokens = w.backend.login_tokens(person.email, person.password)
    return await w.call(who, "POST", "/api/v1/auth/logout", token=tokens["access_token"])


async def _login(w: World, who: str) -> str:
    person = w.people[who]
    body = {"email": person.email, "password": person.password}
    return outcome_of_http(await w.http.post("/api/v1/auth/login", json=body))


async def _put_same(w: World, who: str, path: str) -> str:
    current = await w.ok("admin", "GET", path)
    return await w.call(who, "PUT", path, current)


async def _rule(w: World) -> str:
    rule = await w.ok("admin", "POST", "/api/v1/greeting-rules", _rule_body())
    rule_id: str = rule["rule_id"]
    return rule_id


def _rule_body() -> dict[str, Any]:
    return {"name": "r" + uuid.uuid4().hex[:6], "text": "Hello!", "enabled": False}


async def _ws_login(w: World, who: str) -> str:
    person = w.people[who]
    client = await connect_agent(w.backend, person.email, person.password, resume=False)
    await client.close()
    return "yes"


async def _take(w: World, who: str, chat_id: str = "") -> str:
    chat_id = chat_id or await w.fresh_chat(taken=False)
    await w.people[who].socket.ok("set_status", {"status": "accepting"})
    try:
        return await w.ws(who, "take_chat", {"chat_id": chat_id, "client_id": new_id()})
    finally:
        await w.people[who].socket.ok("set_status", {"status": "not_accepting"})


async def _to_group(w: World, chat_id: str, group_id: str, ready: str) -> None:
    """The holder sends its chat to a group's queue (`ready`, a member, accepts chats meanwhile)."""
    await w.people[ready].socket.ok("set_status", {"status": "accepting"})
    try:
        payload = {"chat_id": chat_id, "client_id": new_id(), "to_group_id": group_id}
        await w.people["holder"].socket.ok("transfer_chat", payload)
    finally:
        await w.people[ready].socket.ok("set_status", {"status": "not_accepting"})


async def _take_group_queued(w: World, who: str) -> str:
    """A chat queued for the chat's group (A): its members only."""
    chat_id = await w.fresh_chat()
    await _to_group(w, chat_id, w.group_in, "sup_in" if who == "agent" else "agent")
    return await _take(w, who, chat_id)


async def _passed_through_other_queue(w: World) -> str:
    """A chat once queued for group B, taken there, then handed to the holder (group A)."""
    if not w.passed_chat_id:
        chat_id = await w.fresh_chat()
        await _to_group(w, chat_id, w.group_out, "sup_out")
        sup_out = w.people["sup_out"].socket
        await sup_out.ok("set_status", {"status": "accepting"})
        try:
            await sup_out.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
            to_holder = {
                "chat_id": chat_id,
                "client_id": new_id(),
                "to_agent_id": w.people["holder"].agent_id,
            }
            await sup_out.ok("transfer_chat", to_holder)
        finally:
            await sup_out.ok("set_status", {"status": "not_accepting"})
        w.passed_chat_id = chat_id
    return w.passed_chat_id


async def _retry_after_handing_on(w: World, who: str, action: str) -> str:
    """The caller takes a chat and hands it to the holder; the visitor writes again; the caller retries
    `action` with its first client_id: the first answer (not the newer message), if still readable."""
    chat_id = await w.fresh_chat(taken=False)
    socket = w.people[who].socket
    take = {"chat_id": chat_id, "client_id": new_id()}
    transfer = {"chat_id": chat_id, "client_id": new_id(), "to_agent_id": w.people["holder"].agent_id}
    await socket.ok("set_status", {"status": "accepting"})
    try:
        await socket.ok("take_chat", take)
        await socket.ok("transfer_chat", transfer)
    finally:
        await socket.ok("set_status", {"status": "not_accepting"})
    await w.visitor_of[chat_id].ok("send_message", {"client_id": new_id(), "text": "newer"})
    frame = await socket.request(action, take if action == "take_chat" else transfer)
    await w.people["holder"].socket.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    if frame["type"] != "res":
        return str(frame["payload"]["code"])
    last = frame["payload"]["chat"]["last_message"]
    return "yes" if last is not None and last["text"] == "help" else f"fresh data: {last}"


async def _profile_lists_live_chat(w: World, who: str) -> str:
    """`yes`: the profile lists the holder's live chat with its last message; `not_found`: left out."""
    headers = {"Authorization": f"Bearer {w.people[who].token}"}
    response = await w.http.get(f"/api/v1/visitors/{w.visitor_id}", headers=headers)
    if not response.is_success:
        return outcome_of_http(response)
    listed = {chat["chat_id"]: chat for chat in response.json()["previous_chats"]}
    if w.chat_id not in listed:
        return "not_found"
    return "yes" if listed[w.chat_id]["last_message"] is not None else "listed without its last message"


async def _closed_chat(w: World) -> str:
    """A chat the holder (group A) took, answered and closed."""
    if not w.closed_chat_id:
        chat_id = await w.fresh_chat()
        holder = w.people["holder"].socket
        await holder.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "アーカイブ"})
        await holder.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
        w.closed_chat_id = chat_id
    return w.closed_chat_id


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def _holder_sends_file(w: World, chat_id: str) -> str:
    headers = {
        "Authorization": f"Bearer {w.people['holder'].token}",
        "X-File-Name": "photo.png",
        "X-Client-Id": new_id(),
        "Content-Type": "application/octet-stream",
    }
    response = await w.http.post(f"/api/v1/chats/{chat_id}/attachments", content=_png(), headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["event"]["attachment"]["attachment_id"])


async def _chat_file(w: World) -> str:
    if not w.chat_file_id:
        w.chat_file_id = await _holder_sends_file(w, w.chat_id)
    return w.chat_file_id


async def _closed_file(w: World) -> str:
    if not w.closed_file_id:
        chat_id = await w.fresh_chat()
        w.closed_file_id = await _holder_sends_file(w, chat_id)
        await w.people["holder"].socket.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    return w.closed_file_id


async def _agent_uploads(w: World, who: str) -> str:
    headers = {
        "Authorization": f"Bearer {w.people[who].token}",
        "X-File-Name": "photo.png",
        "X-Client-Id": new_id(),
        "Content-Type": "application/octet-stream",
    }
    response = await w.http.post(f"/api/v1/chats/{w.chat_id}/attachments", content=_png(), headers=headers)
    return outcome_of_http(response)


async def _archive_lists_closed_chat(w: World, who: str) -> str:
    """`yes`: the archives list the holder's closed chat; `not_found`: left out."""
    chat_id = await _closed_chat(w)
    headers = {"Authorization": f"Bearer {w.people[who].token}"}
    response = await w.http.post("/api/v1/archives/search", json={"q": "アーカイブ"}, headers=headers)
    if not response.is_success:
        return outcome_of_http(response)
    return "yes" if chat_id in {hit["chat_id"] for hit in response.json()["hits"]} else "not_found"


async def _tag_then(w: World, who: str, method: str) -> str:
    tag = await w.ok("admin", "POST", "/api/v1/tags", {"name": "t" + uuid.uuid4().hex[:8]})
    body = {"name": "t" + uuid.uuid4().hex[:8], "colour": "#00aa00"}
    return await w.call(who, method, f"/api/v1/tags/{tag['tag_id']}", body if method == "PUT" else None)


async def _ticket(w: World) -> str:
    """A fresh ticket of the chat's group (A), written by an admin."""
    body = {
        "client_id": new_id(),
        "site_id": w.backend.site_id,
        "subject": "配送について",
        "requester_email": "visitor@example.com",
        "text": "荷物はいつ届きますか",
        "group_id": w.group_in,
    }
    ticket = await w.ok("admin", "POST", "/api/v1/tickets", body)
    return str(ticket["ticket"]["ticket_id"])


async def _on_ticket(w: World, who: str, method: str, suffix: str, body: Any = None) -> str:
    ticket_id = await _ticket(w)
    if callable(body):
        body = await body(w)
    return await w.call(who, method, f"/api/v1/tickets/{ticket_id}{suffix}", body)


async def _merge_body(w: World) -> dict[str, str]:
    return {"into": await _ticket(w)}


async def _attachment(w: World, who: str) -> str:
    if not w.attachment_path:
        w.attachment_path = await _mailed_attachment(w)
    return await w.call(who, "GET", w.attachment_path)


async def _mailed_attachment(w: World) -> str:
    """A visitor's e-mail with a file, fetched by the backend from dovecot; its ticket put in group A."""
    import asyncio
    from email.message import EmailMessage

    assert w.dovecot is not None
    sender = f"mailer-{uuid.uuid4().hex[:8]}@example.com"
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "support@example.com", "請求書"
    msg.set_content("添付します")
    msg.add_attachment(b"file", maintype="application", subtype="pdf", filename="a.pdf")
    w.dovecot.deliver(msg.as_bytes())
    config = await w.ok("admin", "GET", "/api/v1/settings/email")
    await w.ok("admin", "PUT", "/api/v1/settings/email", {**config, **w.dovecot.imap_settings()})  # polls
    deadline = time.monotonic() + 30
    while not (found := (await w.ok("admin", "GET", f"/api/v1/tickets?q={sender}"))["tickets"]):
        assert time.monotonic() < deadline, "the e-mail did not become a ticket"
        await asyncio.sleep(0.05)
    ticket_id = found[0]["ticket_id"]
    detail = await w.ok("admin", "PATCH", f"/api/v1/tickets/{ticket_id}", {"group_id": w.group_in})
    file_id = next(f["attachment_id"] for e in detail["entries"] for f in e["attachments"])
    return f"/api/v1/tickets/{ticket_id}/attachments/{file_id}"


async def _mail_retry(w: World, who: str) -> str:
    """A reply's mail (waiting: sending is off in this world) tried again now."""
    ticket_id = await _ticket(w)
    await w.ok("admin", "POST", f"/api/v1/tickets/{ticket_id}/replies", _ticket_text())
    waiting = await w.ok("admin", "GET", "/api/v1/mail/outbox")
    return await w.call(who, "POST", f"/api/v1/mail/outbox/{waiting[0]['mail_id']}/retry")


def _ticket_text() -> dict[str, str]:
    return {"client_id": new_id(), "text": "お待たせしました"}


async def _delete_visitor(w: World, who: str) -> str:
    """A visitor who came and left: only an admin deletes them (retried while their close travels)."""
    import asyncio

    visitor, login = await connect_visitor(w.backend)
    await visitor.close()
    path = f"/api/v1/visitors/{login['visitor_id']}"
    outcome = await w.call(who, "DELETE", path)
    for _ in range(50):
        if who != "admin" or outcome == "yes":
            break
        await asyncio.sleep(0.1)
        outcome = await w.call(who, "DELETE", path)
    return outcome


async def _report_counts_closed_chat(w: World, who: str) -> str:
    """`yes`: the report of these days counts the holder's closed chat; `not_found`: left out."""
    await _closed_chat(w)
    today = datetime.now(UTC).date()
    params = {"since": str(today - timedelta(days=1)), "until": str(today + timedelta(days=1)), "by": "agent"}
    headers = {"Authorization": f"Bearer {w.people[who].token}"}
    response = await w.http.get("/api/v1/reports", params=params, headers=headers)
    if not response.is_success:
        return outcome_of_http(response)
    holder = w.people["holder"].agent_id
    return "yes" if holder in {row["key"] for row in response.json()["rows"]} else "not_found"


async def _spam_visitor(w: World) -> str:
    if not w.spam_visitor_id:
        w.spam_visitor_id = await w.visitor_on_page()
    return w.spam_visitor_id


async def _unmark_spam(w: World, who: str) -> str:
    """The admin marks a visitor, then `who` takes the mark back."""
    path = f"/api/v1/visitors/{await w.visitor_on_page()}/spam"
    await w.ok("admin", "PUT", path)
    return await w.call(who, "DELETE", path)


async def _invite(w: World, who: str) -> str:
    visitor_id = await w.visitor_on_page()
    payload = {"visitor_id": visitor_id, "client_id": new_id(), "text": "May I help?"}
    return await w.ws(who, "invite_visitor", payload)


ROLE_OF = {"agent": "agent", "sup_in": "supervisor", "sup_out": "supervisor", "admin": "admin"}


async def _new_account(w: World, role: str = "agent") -> dict[str, Any]:
    """A throwaway account made by the admin: `{"agent": AgentDetail, "temporary_password": ...}`."""
    body = {"email": f"x{uuid.uuid4().hex[:10]}@example.com", "name": "Temp", "role": role}
    created: dict[str, Any] = await w.ok("admin", "POST", "/api/v1/agents", body)
    w.passwords_given.append(created["temporary_password"])
    return created


async def _reset_password(w: World, who: str) -> str:
    created = await _new_account(w)
    path = f"/api/v1/agents/{created['agent']['agent_id']}/password-reset"
    response = await w.http.post(path, headers={"Authorization": f"Bearer {w.people[who].token}"})
    if response.is_success:
        w.passwords_given.append(response.json()["temporary_password"])
    return outcome_of_http(response)


async def _change_own_password(w: World, who: str) -> str:
    """A fresh account of the column's role changes its temporary password (the people's own logins and
    sockets must survive the rest of the run)."""
    created = await _new_account(w, ROLE_OF[who])
    email, temporary = created["agent"]["email"], created["temporary_password"]
    token = w.backend.login_tokens(email, temporary)["access_token"]
    body = {"current_password": temporary, "new_password": "new-" + uuid.uuid4().hex}
    w.passwords_given.append(body["new_password"])
    return await w.call(who, "PUT", "/api/v1/me/password", body, token=token)


async def _training_on_and_off(w: World, who: str) -> str:
    """Training mode on, then off again at once: the later rows see the person at work."""
    got = await w.call(who, "PUT", "/api/v1/training", {"training": True})
    await w.call(who, "PUT", "/api/v1/training", {"training": False})
    return got


async def _group_then(w: World, who: str, method: str) -> str:
    group = await w.ok("admin", "POST", "/api/v1/groups", {"name": "g" + uuid.uuid4().hex[:8]})
    body = {"name": "g" + uuid.uuid4().hex[:8], "agent_ids": [w.people["agent"].agent_id]}
    return await w.call(who, method, f"/api/v1/groups/{group['group_id']}", body if method == "PUT" else None)


def _site_body() -> dict[str, Any]:
    return {"name": "Site " + uuid.uuid4().hex[:6], "origins": ["https://shop.example"]}


async def _update_site(w: World, who: str) -> str:
    site = await w.ok("admin", "POST", "/api/v1/sites", _site_body())
    return await w.call(who, "PUT", f"/api/v1/sites/{site['site_id']}", _site_body())


def _c(w: World) -> dict[str, Any]:
    return {"chat_id": w.chat_id, "client_id": new_id()}


async def _metrics(w: World, who: str) -> str:
    """From loopback (a trusted network): anyone. Relayed by a proxy: no one, whatever their role."""
    relayed = await w.http.get(
        "/metrics", headers={"Authorization": f"Bearer {w.people[who].token}", "X-Forwarded-For": "127.0.0.1"}
    )
    assert outcome_of_http(relayed) == "forbidden"
    return await w.call(who, "GET", "/metrics")


PROBES: dict[str, Probe] = {
    "GET /api/v1/tickets": lambda w, who: w.call(who, "GET", "/api/v1/tickets"),
    "POST /api/v1/tickets": lambda w, who: w.call(
        who,
        "POST",
        "/api/v1/tickets",
        {
            "client_id": new_id(),
            "site_id": w.backend.site_id,
            "subject": "s",
            "requester_email": "a@example.com",
            "text": "t",
            "group_id": w.group_in,
        },
    ),
    "GET /api/v1/tickets/{ticket_id}": lambda w, who: _on_ticket(w, who, "GET", ""),
    "POST /api/v1/tickets/{ticket_id}/replies": lambda w, who: _on_ticket(
        w, who, "POST", "/replies", _ticket_text()
    ),
    "POST /api/v1/tickets/{ticket_id}/notes": lambda w, who: _on_ticket(
        w, who, "POST", "/notes", _ticket_text()
    ),
    "PATCH /api/v1/tickets/{ticket_id}": lambda w, who: _on_ticket(w, who, "PATCH", "", {"state": "solved"}),
    "POST /api/v1/tickets/{ticket_id}/merge": lambda w, who: _on_ticket(
        w, who, "POST", "/merge", _merge_body
    ),
    "GET /api/v1/tickets/{ticket_id}/attachments/{attachment_id}": _attachment,
    "POST /api/v1/chats/{chat_id}/ticket": lambda w, who: w.call(
        who, "POST", f"/api/v1/chats/{w.chat_id}/ticket", {"client_id": new_id()}
    ),
    "POST /api/v1/chats/{chat_id}/attachments": _agent_uploads,
    "GET /api/v1/attachments/{attachment_id}": lambda w, who: _then(
        _chat_file(w), lambda file_id: w.call(who, "GET", f"/api/v1/attachments/{file_id}")
    ),
    "GET /api/v1/attachments/{attachment_id} [closed]": lambda w, who: _then(
        _closed_file(w), lambda file_id: w.call(who, "GET", f"/api/v1/attachments/{file_id}")
    ),
    "GET /api/v1/attachments/{attachment_id}/thumbnail": lambda w, who: _then(
        _chat_file(w), lambda file_id: w.call(who, "GET", f"/api/v1/attachments/{file_id}/thumbnail")
    ),
    "POST /api/v1/visitor/chats/{chat_id}/attachments": lambda w, who: w.call(
        who, "POST", f"/api/v1/visitor/chats/{w.chat_id}/attachments"
    ),
    "GET /api/v1/visitor/attachments/{attachment_id}": lambda w, who: _then(
        _chat_file(w), lambda file_id: w.call(who, "GET", f"/api/v1/visitor/attachments/{file_id}")
    ),
    "GET /api/v1/visitor/attachments/{attachment_id}/thumbnail": lambda w, who: _then(
        _chat_file(w), lambda file_id: w.call(who, "GET", f"/api/v1/visitor/attachments/{file_id}/thumbnail")
    ),
    "GET /api/v1/settings/attachments": lambda w, who: w.call(who, "GET", "/api/v1/settings/attachments"),
    "PUT /api/v1/settings/attachments": lambda w, who: _put_same(w, who, "/api/v1/settings/attachments"),
    "GET /api/v1/settings/email": lambda w, who: w.call(who, "GET", "/api/v1/settings/email"),
    "PUT /api/v1/settings/email": lambda w, who: _put_same(w, who, "/api/v1/settings/email"),
    "GET /api/v1/mail/outbox": lambda w, who: w.call(who, "GET", "/api/v1/mail/outbox"),
    "POST /api/v1/mail/outbox/{mail_id}/retry": _mail_retry,
    "GET /healthz": lambda w, who: w.call(who, "GET", "/healthz"),
    "GET /readyz": lambda w, who: w.call(who, "GET", "/readyz"),
    "GET /metrics": _metrics,
    "GET /api/v1/info": lambda w, who: w.call(who, "GET", "/api/v1/info"),
    "POST /api/v1/auth/login": _login,
    "POST /api/v1/auth/refresh": _refresh,
    "POST /api/v1/auth/logout": _logout,
    "GET /api/v1/me": lambda w, who: w.call(who, "GET", "/api/v1/me"),
    "GET /api/v1/snapshot": lambda w, who: w.call(who, "GET", "/api/v1/snapshot"),
    "GET /api/v1/chats/{chat_id}/events": lambda w, who: w.call(
        who, "GET", f"/api/v1/chats/{w.chat_id}/events"
    ),
    "GET /api/v1/chats/{chat_id}/events [passed through another group's queue]": lambda w, who: _then(
        _passed_through_other_queue(w), lambda chat_id: w.call(who, "GET", f"/api/v1/chats/{chat_id}/events")
    ),
    "GET /api/v1/chats/{chat_id}/events [closed]": lambda w, who: _then(
        _closed_chat(w), lambda chat_id: w.call(who, "GET", f"/api/v1/chats/{chat_id}/events")
    ),
    "POST /api/v1/archives/search": _archive_lists_closed_chat,
    "GET /api/v1/chats/{chat_id}/export": lambda w, who: w.call(
        who, "GET", f"/api/v1/chats/{w.chat_id}/export"
    ),
    "GET /api/v1/chats/{chat_id}/export [closed]": lambda w, who: _then(
        _closed_chat(w), lambda chat_id: w.call(who, "GET", f"/api/v1/chats/{chat_id}/export?format=html")
    ),
    "POST /api/v1/archives/export": lambda w, who: w.call(who, "POST", "/api/v1/archives/export", {"q": "x"}),
    "GET /api/v1/tags": lambda w, who: w.call(who, "GET", "/api/v1/tags"),
    "POST /api/v1/tags": lambda w, who: w.call(who, "POST", "/api/v1/tags", {"name": "t" + uuid.uuid4().hex}),
    "PUT /api/v1/tags/{tag_id}": lambda w, who: _tag_then(w, who, "PUT"),
    "DELETE /api/v1/tags/{tag_id}": lambda w, who: _tag_then(w, who, "DELETE"),
    "GET /api/v1/chats/{chat_id}/tags": lambda w, who: w.call(who, "GET", f"/api/v1/chats/{w.chat_id}/tags"),
    "PUT /api/v1/chats/{chat_id}/tags": lambda w, who: w.call(
        who, "PUT", f"/api/v1/chats/{w.chat_id}/tags", {"tag_ids": []}
    ),
    "PUT /api/v1/chats/{chat_id}/tags [closed]": lambda w, who: _then(
        _closed_chat(w), lambda chat_id: w.call(who, "PUT", f"/api/v1/chats/{chat_id}/tags", {"tag_ids": []})
    ),
    "GET /api/v1/settings/tags": lambda w, who: w.call(who, "GET", "/api/v1/settings/tags"),
    "PUT /api/v1/settings/tags": lambda w, who: _put_same(w, who, "/api/v1/settings/tags"),
    "GET /api/v1/reports": lambda w, who: w.call(
        who, "GET", "/api/v1/reports?since=2025-01-01&until=2025-01-31"
    ),
    "GET /api/v1/reports [a closed chat of group A]": _report_counts_closed_chat,
    "GET /api/v1/canned": lambda w, who: w.call(who, "GET", "/api/v1/canned"),
    "POST /api/v1/canned": lambda w, who: w.call(who, "POST", "/api/v1/canned", _canned()),
    "POST /api/v1/canned [team]": lambda w, who: w.call(who, "POST", "/api/v1/canned", _canned(True)),
    "PUT /api/v1/canned/{canned_id}": lambda w, who: _own_canned(w, who, "PUT"),
    "DELETE /api/v1/canned/{canned_id}": lambda w, who: _own_canned(w, who, "DELETE"),
    "GET /api/v1/agents": lambda w, who: w.call(who, "GET", "/api/v1/agents"),
    "PUT /api/v1/agents/{agent_id}/limit": lambda w, who: w.call(
        who, "PUT", f"/api/v1/agents/{w.people['agent'].agent_id}/limit", {"max_chats": 5}
    ),
    "PUT /api/v1/agents/{agent_id}/status": lambda w, who: w.call(
        who, "PUT", f"/api/v1/agents/{w.people['agent'].agent_id}/status", {"status": "away"}
    ),
    "PATCH /api/v1/agents/{agent_id}": lambda w, who: w.call(
        who, "PATCH", f"/api/v1/agents/{w.people['agent'].agent_id}", {"max_chats": 4}
    ),
    "POST /api/v1/agents": lambda w, who: w.call(
        who, "POST", "/api/v1/agents", {"email": f"n{uuid.uuid4().hex[:10]}@example.com", "name": "New"}
    ),
    "GET /api/v1/agent-accounts": lambda w, who: w.call(who, "GET", "/api/v1/agent-accounts"),
    "POST /api/v1/agents/{agent_id}/password-reset": _reset_password,
    "PUT /api/v1/me/password": _change_own_password,
    "GET /api/v1/team": lambda w, who: w.call(who, "GET", "/api/v1/team"),
    "PUT /api/v1/training": _training_on_and_off,
    "GET /api/v1/training/results": lambda w, who: w.call(who, "GET", "/api/v1/training/results"),
    "GET /api/v1/groups": lambda w, who: w.call(who, "GET", "/api/v1/groups"),
    "POST /api/v1/groups": lambda w, who: w.call(who, "POST", "/api/v1/groups", {"name": uuid.uuid4().hex}),
    "PUT /api/v1/groups/{group_id}": lambda w, who: _group_then(w, who, "PUT"),
    "DELETE /api/v1/groups/{group_id}": lambda w, who: _group_then(w, who, "DELETE"),
    "GET /api/v1/sites": lambda w, who: w.call(who, "GET", "/api/v1/sites"),
    "POST /api/v1/sites": lambda w, who: w.call(who, "POST", "/api/v1/sites", _site_body()),
    "PUT /api/v1/sites/{site_id}": _update_site,
    "GET /api/v1/supervision/chats": lambda w, who: w.call(who, "GET", "/api/v1/supervision/chats"),
    "GET /api/v1/audit": lambda w, who: w.call(who, "GET", "/api/v1/audit"),
    "GET /api/v1/offline-messages": lambda w, who: w.call(who, "GET", "/api/v1/offline-messages"),
    "GET /api/v1/settings/routing": lambda w, who: w.call(who, "GET", "/api/v1/settings/routing"),
    "PUT /api/v1/settings/routing": lambda w, who: _put_same(w, who, "/api/v1/settings/routing"),
    "GET /api/v1/traffic": lambda w, who: w.call(who, "GET", "/api/v1/traffic"),
    "GET /api/v1/visitors/{visitor_id}": lambda w, who: w.call(
        who, "GET", f"/api/v1/visitors/{w.visitor_id}"
    ),
    "GET /api/v1/visitors/{visitor_id} [a colleague's live chat]": _profile_lists_live_chat,
    "PATCH /api/v1/visitors/{visitor_id}": lambda w, who: w.call(
        who, "PATCH", f"/api/v1/visitors/{w.visitor_id}", {"tags": ["vip"]}
    ),
    "PUT /api/v1/visitors/{visitor_id}/spam": lambda w, who: _then(
        _spam_visitor(w), lambda visitor_id: w.call(who, "PUT", f"/api/v1/visitors/{visitor_id}/spam")
    ),
    "DELETE /api/v1/visitors/{visitor_id}/spam": _unmark_spam,
    "GET /api/v1/visitors/{visitor_id}/data": lambda w, who: w.call(
        who, "GET", f"/api/v1/visitors/{w.visitor_id}/data"
    ),
    "DELETE /api/v1/visitors/{visitor_id}": _delete_visitor,
    "GET /api/v1/settings/retention": lambda w, who: w.call(who, "GET", "/api/v1/settings/retention"),
    "PUT /api/v1/settings/retention": lambda w, who: _put_same(w, who, "/api/v1/settings/retention"),
    "GET /api/v1/settings/traffic": lambda w, who: w.call(who, "GET", "/api/v1/settings/traffic"),
    "PUT /api/v1/settings/traffic": lambda w, who: _put_same(w, who, "/api/v1/settings/traffic"),
    "GET /api/v1/greeting-rules": lambda w, who: w.call(who, "GET", "/api/v1/greeting-rules"),
    "POST /api/v1/greeting-rules": lambda w, who: w.call(who, "POST", "/api/v1/greeting-rules", _rule_body()),
    "PUT /api/v1/greeting-rules/{rule_id}": lambda w, who: _rule_then(w, who, "PUT"),
    "DELETE /api/v1/greeting-rules/{rule_id}": lambda w, who: _rule_then(w, who, "DELETE"),
    "GET /api/v1/settings/team": lambda w, who: w.call(who, "GET", "/api/v1/settings/team"),
    "PUT /api/v1/settings/team": lambda w, who: _put_same(w, who, "/api/v1/settings/team"),
    "GET /api/v1/settings/business-hours": lambda w, who: w.call(
        who, "GET", "/api/v1/settings/business-hours"
    ),
    "PUT /api/v1/settings/business-hours": lambda w, who: _put_same(
        w, who, "/api/v1/settings/business-hours"
    ),
    "GET /api/v1/settings/calls": lambda w, who: w.call(who, "GET", "/api/v1/settings/calls"),
    "PUT /api/v1/settings/calls": lambda w, who: _put_same(w, who, "/api/v1/settings/calls"),
    "GET /api/v1/settings/app-updates": lambda w, who: w.call(who, "GET", "/api/v1/settings/app-updates"),
    "PUT /api/v1/settings/app-updates": lambda w, who: _put_same(w, who, "/api/v1/settings/app-updates"),
    "ws:login": _ws_login,
    "ws:ping": lambda w, who: w.ws(who, "ping", {}),
    "ws:resume": lambda w, who: w.ws(who, "resume", {"cursor": 0}),
    "ws:set_status": lambda w, who: w.ws(who, "set_status", {"status": "not_accepting"}),
    "ws:watch_traffic": lambda w, who: w.ws(who, "watch_traffic", {"watch": True}),
    "ws:invite_visitor": _invite,
    "ws:take_chat": _take,
    "ws:take_chat [queued for the group]": _take_group_queued,
    "ws:take_chat [retried after handing the chat on]": lambda w, who: _retry_after_handing_on(
        w, who, "take_chat"
    ),
    "ws:send_message": lambda w, who: w.ws(who, "send_message", {**_c(w), "text": "hi"}),
    "ws:typing": lambda w, who: w.ws(who, "typing", {"chat_id": w.chat_id, "typing": True}, silent_ok=True),
    "ws:close_chat": lambda w, who: w.ws(who, "close_chat", _c(w)),
    "ws:send_note": lambda w, who: w.ws(who, "send_note", {**_c(w), "text": "note"}),
    "ws:transfer_chat": lambda w, who: w.ws(
        who, "transfer_chat", {**_c(w), "to_agent_id": w.people["agent"].agent_id}
    ),
    "ws:transfer_chat [retried after handing the chat on]": lambda w, who: _retry_after_handing_on(
        w, who, "transfer_chat"
    ),
    "ws:mark_read": lambda w, who: w.ws(who, "mark_read", {"chat_id": w.chat_id, "seq": 1}, silent_ok=True),
    "ws:push_page": lambda w, who: w.ws(
        who, "push_page", {**_c(w), "url": f"{w.backend.url}/demo/index.html"}
    ),
    "ws:watch_chat": lambda w, who: w.ws(who, "watch_chat", {"chat_id": w.chat_id, "watch": True}),
    "ws:watch_chat [passed through another group's queue]": lambda w, who: _then(
        _passed_through_other_queue(w),
        lambda chat_id: w.ws(who, "watch_chat", {"chat_id": chat_id, "watch": True}),
    ),
    "ws:whisper": lambda w, who: w.ws(who, "whisper", {**_c(w), "text": "psst"}),
    "ws:join_chat": lambda w, who: _on_fresh_chat(w, who, "join_chat"),
    "ws:take_over": lambda w, who: _on_fresh_chat(w, who, "take_over"),
    "ws:call_invite": lambda w, who: w.ws(who, "call_invite", _c(w)),
    "ws:call_signal": lambda w, who: _on_call(w, who, "call_signal", {"kind": "offer", "sdp": "v=0"}),
    "ws:call_media": lambda w, who: _on_call(w, who, "call_media", {"microphone": True, "camera": True}),
    "ws:call_state_report": lambda w, who: _on_call(w, who, "call_state_report", {"state": "connected"}),
    "ws:call_hangup": lambda w, who: _on_call(w, who, "call_hangup", {}),
    "ws:watch_preview": lambda w, who: w.ws(who, "watch_preview", {"chat_id": w.chat_id}),
    "ws:stop_preview": lambda w, who: w.ws(who, "stop_preview", {"chat_id": w.chat_id}),
}


async def _then(first: Awaitable[str], probe: Callable[[str], Awaitable[str]]) -> str:
    """`probe` on what `first` made (a chat id, a visitor id)."""
    return await probe(await first)


async def _holders_call(w: World) -> str:
    """A call the holder rings on a fresh chat (renewed well before the 45 s ring timeout)."""
    if not w.call_id or time.monotonic() - w.call_rung_at > 20:
        chat_id = await w.fresh_chat()
        invited = await w.people["holder"].socket.ok(
            "call_invite", {"chat_id": chat_id, "client_id": new_id()}
        )
        w.call_id, w.call_rung_at = invited["call_id"], time.monotonic()
    return w.call_id


async def _on_call(w: World, who: str, action: str, extra: dict[str, Any]) -> str:
    return await w.ws(who, action, {"call_id": await _holders_call(w), **extra})


async def _rule_then(w: World, who: str, method: str) -> str:
    rule_id = await _rule(w)
    return await w.call(
        who, method, f"/api/v1/greeting-rules/{rule_id}", _rule_body() if method == "PUT" else None
    )


async def _on_fresh_chat(w: World, who: str, action: str) -> str:
    chat_id = await w.fresh_chat()
    return await w.ws(who, action, {"chat_id": chat_id, "client_id": new_id()})


async def build_world(backend: BackendProcess, http: httpx.AsyncClient) -> World:
    """The holder (the demo agent) and a plain agent in group A with its supervisor; a supervisor of
    group B; an admin. One chat held by the holder; routing by hand so chats stay where we put them."""
    people = {"holder": Person(backend.agent_email, backend.agent_password)}
    for key, role in (
        ("agent", "agent"),
        ("sup_in", "supervisor"),
        ("sup_out", "supervisor"),
        ("admin", "admin"),
    ):
        person = Person(f"{key}@example.com", f"password-{key}")
        backend.create_agent(person.email, key, person.password, role)
        people[key] = person
    world = World(backend, http, people)
    for person in people.values():
        person.token = backend.login_tokens(person.email, person.password)["access_token"]
        person.agent_id = (await world.ok_as(person, "GET", "/api/v1/me"))["agent_id"]
    members_a = [people[k].agent_id for k in ("holder", "agent", "sup_in")]
    group_a = await world.ok("admin", "POST", "/api/v1/groups", {"name": "Group A", "agent_ids": members_a})
    group_b = await world.ok(
        "admin", "POST", "/api/v1/groups", {"name": "Group B", "agent_ids": [people["sup_out"].agent_id]}
    )
    world.group_in, world.group_out = group_a["group_id"], group_b["group_id"]
    # The holder receives transfers all along the run (some rows hand chats to it).
    await world.ok("admin", "PUT", f"/api/v1/agents/{people['holder'].agent_id}/limit", {"max_chats": 50})
    routing = await world.ok("admin", "GET", "/api/v1/settings/routing")
    await world.ok("admin", "PUT", "/api/v1/settings/routing", {**routing, "auto_assign": False})
    for person in people.values():
        person.ws = await connect_agent(backend, person.email, person.password)
    await people["holder"].socket.ok("set_status", {"status": "accepting"})
    world.chat_id = await world.fresh_chat()
    world.visitor_id = (await world.ok("holder", "GET", f"/api/v1/chats/{world.chat_id}/events"))["chat"][
        "visitor"
    ]["visitor_id"]
    return world


def test_roles_md_rows_all_have_a_probe() -> None:
    rows = parse_matrix()
    assert set(rows) == set(PROBES)


@pytest.mark.asyncio
async def test_roles_md_names_every_route_and_agent_socket_action(backend: BackendProcess) -> None:
    rows = parse_matrix()
    async with httpx.AsyncClient(base_url=backend.url) as http:
        spec = (await http.get("/openapi.json")).json()
    routes = {f"{m.upper()} {path}" for path, ops in spec["paths"].items() for m in ops}
    documented = {route_of(r) for r in rows if not r.startswith("ws:")}
    assert documented == routes
    actions = {a.name for a in ACTIONS if a.socket == "agent" and a.kind == "req"}
    assert {route_of(r).removeprefix("ws:") for r in rows if r.startswith("ws:")} == actions


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest.mark.asyncio
async def test_every_role_gets_exactly_what_roles_md_says(backend: BackendProcess, dovecot: Dovecot) -> None:
    rows = parse_matrix()
    async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
        world = await build_world(backend, http)
        world.dovecot = dovecot
        try:
            mismatches = []
            for row, expected in rows.items():
                # The app pings every 20 s; the server closes a socket silent for 45 s (a slow run).
                for person in world.people.values():
                    await person.socket.ok("ping")
                for column in COLUMNS:
                    got = await PROBES[row](world, column)
                    if got != expected[column]:
                        mismatches.append(f"{row} as {column}: expected {expected[column]}, got {got}")
            assert mismatches == []
            # The admin changes above are in the audit log, with before and after.
            audit = await world.ok("admin", "GET", "/api/v1/audit?limit=500")
            actions = {entry["action"] for entry in audit}
            assert {
                "agent.create",
                "agent.update",
                "agent.limit",
                "agent.status",
                "agent.password_reset",
                "agent.password",
                "group.create",
                "group.update",
                "group.delete",
                "site.create",
                "site.update",
                "canned.create",
                "settings.routing",
                "settings.calls",
                "visitor.spam_mark",
                "visitor.spam_unmark",
            } <= actions
            # No password, temporary or chosen, nor any hash ever reaches the audit log.
            logged = json.dumps(audit)
            assert len(world.passwords_given) >= 5
            assert not [p for p in world.passwords_given if p in logged]
            assert "$argon2" not in logged
            patch = next(e for e in audit if e["action"] == "agent.update")
            assert patch["before"] == {"max_chats": 5}
            assert patch["after"] == {"max_chats": 4}
            assert patch["actor_id"] == world.people["admin"].agent_id
        finally:
            await world.close()

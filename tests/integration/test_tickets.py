"""Tickets on a real backend, SQLite and PostgreSQL: an offline message is a ticket of the site's
default group, pushed to the agents who may see it; the group rule of docs/roles.md ("Tickets");
replies queue an e-mail and make the ticket pending; notes, assignment, spam (the visitor's mark),
merging a duplicate, a ticket from a chat with its transcript; a visitor's data includes and deletes
their tickets."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id


@pytest.fixture
def backend(tidy_db_backend: BackendProcess) -> BackendProcess:
    return tidy_db_backend


@dataclass
class Desk:
    backend: BackendProcess
    tokens: dict[str, str]
    ids: dict[str, str]
    emails: dict[str, str]
    passwords: dict[str, str]
    groups: dict[str, str]

    async def call(self, who: str, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        async with httpx.AsyncClient(base_url=self.backend.url, timeout=20) as http:
            response = await http.request(
                method, path, json=body, headers={"Authorization": f"Bearer {self.tokens[who]}"}
            )
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    async def tickets(self, who: str, **params: str) -> dict[str, Any]:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        found: dict[str, Any] = await self.call(who, "GET", f"/api/v1/tickets?{query}")
        return found

    async def socket(self, who: str) -> WireClient:
        return await connect_agent(self.backend, self.emails[who], self.passwords[who])


def _desk(backend: BackendProcess) -> Desk:
    """Groups A (a, sup_a) and B (b); the demo site's tickets go to A."""
    admin = admin_of(backend)
    accounts = {
        "a": admin.new_agent("A agent"),
        "sup_a": admin.new_agent("Sup A", role="supervisor"),
        "b": admin.new_agent("B agent"),
    }
    groups = {}
    for name, members in (("A", ("a", "sup_a")), ("B", ("b",))):
        body = {"name": f"{name}-{new_id()[:8]}", "agent_ids": [accounts[m].agent_id for m in members]}
        groups[name] = admin.call("POST", "/groups", body)["group_id"]
    site = next(s for s in admin.call("GET", "/sites") if s["site_id"] == backend.site_id)
    admin.call(
        "PUT",
        f"/sites/{backend.site_id}",
        {"name": site["name"], "origins": site["origins"], "default_group_id": groups["A"]},
    )
    tokens = {who: backend.login_tokens(a.email, a.password)["access_token"] for who, a in accounts.items()}
    tokens["admin"] = admin.token
    return Desk(
        backend,
        tokens,
        {who: a.agent_id for who, a in accounts.items()} | {"admin": admin.account.agent_id},
        {who: a.email for who, a in accounts.items()},
        {who: a.password for who, a in accounts.items()},
        groups,
    )


def _clear_default_group(backend: BackendProcess) -> None:
    admin = admin_of(backend)
    site = next(s for s in admin.call("GET", "/sites") if s["site_id"] == backend.site_id)
    admin.call("PUT", f"/sites/{backend.site_id}", {"name": site["name"], "origins": site["origins"]})


async def _offline_ticket(desk: Desk, text: str, email: str = "hanako@example.jp") -> tuple[str, str]:
    """(ticket id, visitor id) of an offline message."""
    visitor, login = await connect_visitor(desk.backend)
    try:
        body = {"client_id": new_id(), "name": "山田 花子", "email": email, "text": text}
        await visitor.ok("offline_message", body)
        await visitor.ok("offline_message", body)  # a retry makes no second ticket
    finally:
        await visitor.close()
    found = await desk.tickets("admin", q=email)
    mine = [t for t in found["tickets"] if t["visitor_id"] == login["visitor_id"]]
    assert len(mine) == 1, found
    return mine[0]["ticket_id"], login["visitor_id"]


@pytest.mark.asyncio
async def test_an_offline_message_is_a_ticket_of_the_sites_group_seen_by_its_members_only(
    backend: BackendProcess,
) -> None:
    desk = await asyncio.to_thread(_desk, backend)
    try:
        a_socket, b_socket = await desk.socket("a"), await desk.socket("b")
        try:
            ticket_id, _visitor = await _offline_ticket(desk, "抹茶のギフト\n配送はいつですか")
            push = await a_socket.next_push("ticket")
            assert push["payload"] == {
                **push["payload"],
                "ticket_id": ticket_id,
                "reason": "created",
                "notify": True,
                "subject": "抹茶のギフト",
            }
            assert not [f for f in b_socket.pushes._queue if f.get("action") == "ticket"]  # type: ignore[attr-defined]
        finally:
            await a_socket.close()
            await b_socket.close()
        detail = await desk.call("a", "GET", f"/api/v1/tickets/{ticket_id}")
        assert detail["ticket"]["group_id"] == desk.groups["A"]
        assert detail["ticket"]["state"] == "open"
        assert detail["ticket"]["source"] == "offline"
        assert [(e["kind"], e["author_name"], e["text"]) for e in detail["entries"]] == [
            ("visitor", "山田 花子", "抹茶のギフト\n配送はいつですか")
        ]
        await desk.call("b", "GET", f"/api/v1/tickets/{ticket_id}", expect=404)
        listed_b = await desk.tickets("b")
        assert ticket_id not in [t["ticket_id"] for t in listed_b["tickets"]]
        listed_a = await desk.tickets("a", state="open")
        assert ticket_id in [t["ticket_id"] for t in listed_a["tickets"]]
        assert listed_a["counts"]["open"] >= 1
        by_number = await desk.tickets("a", q=f"%23{detail['ticket']['number']}")
        assert [t["ticket_id"] for t in by_number["tickets"]] == [ticket_id]

        # Moved to group B (by a member of A): A no longer sees it, B does; assigned to a, a sees it again.
        await desk.call("a", "PATCH", f"/api/v1/tickets/{ticket_id}", {"group_id": desk.groups["B"]})
        await desk.call("a", "GET", f"/api/v1/tickets/{ticket_id}", expect=404)
        await desk.call("b", "PATCH", f"/api/v1/tickets/{ticket_id}", {"assignee_id": desk.ids["a"]})
        detail = await desk.call("a", "GET", f"/api/v1/tickets/{ticket_id}")
        assert detail["ticket"]["assignee_name"] == "A agent"
        assert [e["kind"] for e in detail["entries"]] == ["visitor", "group", "assignee"]
    finally:
        await asyncio.to_thread(_clear_default_group, backend)


@pytest.mark.asyncio
async def test_reply_queues_an_email_and_the_ticket_waits_then_notes_spam_and_merge(
    backend: BackendProcess,
) -> None:
    desk = await asyncio.to_thread(_desk, backend)
    try:
        ticket_id, visitor_id = await _offline_ticket(desk, "返品したい", email="ken@example.com")
        reply = {"client_id": new_id(), "text": "ご連絡ありがとうございます。\n<b>返品</b>は可能です。"}
        detail = await desk.call("a", "POST", f"/api/v1/tickets/{ticket_id}/replies", reply)
        again = await desk.call("a", "POST", f"/api/v1/tickets/{ticket_id}/replies", reply)
        assert len(again["entries"]) == len(detail["entries"])  # a retry adds nothing
        kinds = [(e["kind"], e.get("state"), e.get("mail_state")) for e in detail["entries"]]
        assert kinds == [("visitor", None, None), ("reply", None, "queued"), ("state", "pending", None)]
        assert detail["ticket"]["state"] == "pending"
        assert detail["ticket"]["unanswered"] is False
        assert detail["ticket"]["assignee_id"] == desk.ids["a"]  # the replier takes an unassigned ticket

        note = {"client_id": new_id(), "text": "在庫を確認中", "state": "solved"}
        detail = await desk.call("sup_a", "POST", f"/api/v1/tickets/{ticket_id}/notes", note)
        assert detail["entries"][-2]["kind"] == "note"
        assert detail["ticket"]["state"] == "solved"

        # A duplicate from the same visitor is merged into the first ticket.
        duplicate_id, _ = await _offline_ticket(desk, "返品の件 (再送)", email="ken@example.com")
        kept = await desk.call("a", "POST", f"/api/v1/tickets/{duplicate_id}/merge", {"into": ticket_id})
        assert kept["ticket"]["ticket_id"] == ticket_id
        assert "返品の件 (再送)" in [e["text"] for e in kept["entries"]]
        merged = await desk.call("a", "GET", f"/api/v1/tickets/{duplicate_id}")
        assert merged["ticket"]["state"] == "solved"
        assert merged["ticket"]["merged_into"] == ticket_id
        await desk.call(
            "a", "POST", f"/api/v1/tickets/{duplicate_id}/merge", {"into": ticket_id}
        )  # again: same
        await desk.call("a", "POST", f"/api/v1/tickets/{ticket_id}/merge", {"into": ticket_id}, expect=422)

        # Spam: the visitor gets the spam mark, the ticket is never answered.
        await desk.call("a", "PATCH", f"/api/v1/tickets/{ticket_id}", {"state": "spam"})
        profile = await desk.call("a", "GET", f"/api/v1/visitors/{visitor_id}")
        assert profile["spam"] is not None
        refused = {"client_id": new_id(), "text": "hello"}
        await desk.call("a", "POST", f"/api/v1/tickets/{ticket_id}/replies", refused, expect=403)
        await desk.call("a", "DELETE", f"/api/v1/visitors/{visitor_id}/spam")
    finally:
        await asyncio.to_thread(_clear_default_group, backend)


@pytest.mark.asyncio
async def test_a_ticket_from_a_chat_carries_its_transcript_and_a_visitors_data_holds_it(
    backend: BackendProcess,
) -> None:
    desk = await asyncio.to_thread(_desk, backend)
    try:
        await asyncio.to_thread(admin_of(backend).set_routing, auto_assign=False)
        holder = await desk.socket("a")
        visitor, login = await connect_visitor(backend)
        try:
            await holder.ok("set_status", {"status": "accepting"})
            sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "注文1234が届きません"})
            chat_id = sent["event"]["chat_id"]
            await holder.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
            await holder.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "確認します"})
            await holder.ok("send_note", {"chat_id": chat_id, "client_id": new_id(), "text": "倉庫に確認"})
            body = {"client_id": new_id(), "requester_email": "taro@example.jp"}
            await desk.call("b", "POST", f"/api/v1/chats/{chat_id}/ticket", body, expect=404)
            made = await desk.call("a", "POST", f"/api/v1/chats/{chat_id}/ticket", body, expect=201)
            await holder.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
        finally:
            await visitor.close()
            await holder.close()
        ticket = made["ticket"]
        assert ticket["subject"] == "注文1234が届きません"
        assert ticket["chat_id"] == chat_id
        assert ticket["requester_email"] == "taro@example.jp"
        assert ticket["group_id"] == desk.groups["A"]
        assert [e["kind"] for e in made["entries"]] == ["transcript"]
        transcript = made["entries"][0]["text"]
        assert "注文1234が届きません" in transcript
        assert "確認します" in transcript

        exported = await desk.call("admin", "GET", f"/api/v1/visitors/{login['visitor_id']}/data")
        assert [t["id"] for t in exported["tickets"]] == [ticket["ticket_id"]]
        assert "client_id" not in exported["tickets"][0]
        for _ in range(50):
            async with httpx.AsyncClient(base_url=backend.url) as http:
                gone = await http.delete(
                    f"/api/v1/visitors/{login['visitor_id']}",
                    headers={"Authorization": f"Bearer {desk.tokens['admin']}"},
                )
            if gone.status_code == 200:
                break
            await asyncio.sleep(0.2)
        assert gone.status_code == 200, gone.text
        await desk.call("admin", "GET", f"/api/v1/tickets/{ticket['ticket_id']}", expect=404)
    finally:
        await asyncio.to_thread(_clear_default_group, backend)


@pytest.mark.asyncio
async def test_bad_ticket_input_is_refused(backend: BackendProcess) -> None:
    desk = await asyncio.to_thread(_desk, backend)
    try:
        base = {"client_id": new_id(), "site_id": backend.site_id, "subject": "s", "text": "t"}
        await desk.call("a", "POST", "/api/v1/tickets", {**base, "requester_email": "no-at"}, expect=422)
        await desk.call(
            "a",
            "POST",
            "/api/v1/tickets",
            {**base, "requester_email": "a@b.c", "site_id": "nope"},
            expect=404,
        )
        await desk.call("a", "GET", "/api/v1/tickets?cursor=%%%", expect=422)
        made = await desk.call(
            "a",
            "POST",
            "/api/v1/tickets",
            {**base, "requester_email": "a@b.c", "group_id": desk.groups["B"]},
            expect=201,
        )
        # Written for group B by an agent of A: the writer is its assignee and keeps it.
        assert made["ticket"]["assignee_id"] == desk.ids["a"]
        long = {"client_id": new_id(), "text": "x" * 20_001}
        await desk.call("a", "POST", f"/api/v1/tickets/{made['ticket']['ticket_id']}/notes", long, expect=422)
    finally:
        await asyncio.to_thread(_clear_default_group, backend)

"""E-mail in, end to end: mails delivered into a real dovecot's Maildir, fetched over IMAP by a real
backend, land in tickets (or do not) as docs/email.md "E-mail in" says."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.backend import BackendProcess
from tests.support.dovecot import Dovecot, running_dovecot
from tests.support.sharing import Admin, admin_of

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest.fixture
def inbox(shared_db_backend: BackendProcess, dovecot: Dovecot) -> Inbox:
    admin = admin_of(shared_db_backend)
    current = admin.call("GET", "/settings/email")
    current.update(dovecot.imap_settings(default_sender="support@shop.example", poll_seconds=3600))
    current.pop("password", None)
    admin.call("PUT", "/settings/email", current)
    return Inbox(shared_db_backend, admin, dovecot)


class Inbox:
    def __init__(self, backend: BackendProcess, admin: Admin, dovecot: Dovecot) -> None:
        self.backend, self.admin, self.dovecot = backend, admin, dovecot

    def deliver(self, *raws: bytes) -> None:
        """Deliver the mails, have the backend poll (saving the settings polls at once), wait until
        it took them all."""
        for raw in raws:
            self.dovecot.deliver(raw)
        self.admin.call("PUT", "/settings/email", self.admin.call("GET", "/settings/email"))
        deadline = time.monotonic() + 30
        while self.dovecot.waiting():
            assert time.monotonic() < deadline, "the backend did not take the mail"
            time.sleep(0.05)

    def ticket(self, subject: str = "配送について") -> dict[str, Any]:
        body = {
            "client_id": str(uuid.uuid4()),
            "site_id": self.backend.site_id,
            "subject": subject,
            "requester_email": "visitor@example.com",
            "requester_name": "山田",
            "text": "荷物はいつ届きますか",
        }
        created: dict[str, Any] = self.admin.call("POST", "/tickets", body)
        return created["ticket"]

    def reply(self, ticket_id: str, state: str = "pending") -> str:
        """An agent's reply; answers the Message-ID of its (queued) e-mail."""
        body = {"client_id": str(uuid.uuid4()), "text": "お調べします", "state": state}
        self.admin.call("POST", f"/tickets/{ticket_id}/replies", body)
        return sent_message_id(self.backend.database_url, ticket_id)

    def detail(self, ticket_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.admin.call("GET", f"/tickets/{ticket_id}")
        return found

    def tickets_from(self, address: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.admin.call("GET", f"/tickets?q={address}")["tickets"]
        return found


def sent_message_id(database_url: str, ticket_id: str) -> str:
    query = "SELECT message_id FROM mail_outbox WHERE ticket_id = {} ORDER BY created_at DESC"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            return str(db.execute(query.format("?"), (ticket_id,)).fetchone()[0])

    async def read() -> str:
        conn = await asyncpg.connect(database_url)
        try:
            return str(await conn.fetchval(query.format("$1"), ticket_id))
        finally:
            await conn.close()

    return asyncio.run(read())


def mail(sender: str, subject: str, text: str, **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@shop.example"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@mail.example.jp>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(text)
    return msg


def test_a_reply_to_our_mail_joins_its_ticket_once_with_its_file(inbox: Inbox) -> None:
    ticket = inbox.ticket()
    ours = inbox.reply(ticket["ticket_id"], state="solved")
    msg = mail(
        "山田 <visitor@example.com>",
        f"Re: 配送について [#{ticket['number']}]",
        "届きました。ありがとう。\n\n2026年12月1日 10:00 Shop <support@shop.example>さんは書きました:\n> お調べします",
        In_Reply_To=ours,
        References=ours,
    )
    msg.add_attachment(b"%PDF-1.4 receipt", maintype="application", subtype="pdf", filename="領収書.pdf")
    inbox.deliver(msg.as_bytes(), msg.as_bytes())  # fetched twice (a crash before the delete)

    detail = inbox.detail(ticket["ticket_id"])
    assert detail["ticket"]["state"] == "open"  # a solved ticket opens again
    visitor = [e for e in detail["entries"] if e["kind"] == "visitor"]
    assert [e["text"] for e in visitor] == ["荷物はいつ届きますか", "届きました。ありがとう。"]
    [file] = visitor[1]["attachments"]
    assert file["filename"] == "領収書.pdf"
    response = httpx.get(
        f"{inbox.backend.url}/api/v1/tickets/{ticket['ticket_id']}/attachments/{file['attachment_id']}",
        headers={"Authorization": f"Bearer {inbox.admin.token}"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4 receipt"
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''%E9%A0%98%E5%8F%8E%E6%9B%B8.pdf"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"


def test_a_mail_copying_only_the_subject_is_a_new_ticket(inbox: Inbox) -> None:
    ticket = inbox.ticket()
    forger = f"forger-{uuid.uuid4().hex[:8]}@evil.example"
    inbox.deliver(mail(forger, f"Re: 配送について [#{ticket['number']}]", "Send me the invoice").as_bytes())
    [new] = inbox.tickets_from(forger)
    assert new["ticket_id"] != ticket["ticket_id"]
    assert new["source"] == "email"
    assert new["state"] == "open"
    assert [e["kind"] for e in inbox.detail(ticket["ticket_id"])["entries"]] == ["visitor"]


def test_an_auto_reply_never_reopens_a_solved_ticket(inbox: Inbox) -> None:
    ticket = inbox.ticket()
    ours = inbox.reply(ticket["ticket_id"], state="solved")
    before = inbox.detail(ticket["ticket_id"])["entries"]
    away = mail(
        "visitor@example.com",
        "自動応答: 不在です",
        "12月5日まで不在です。",
        In_Reply_To=ours,
        Auto_Submitted="auto-replied",
    )
    inbox.deliver(away.as_bytes())
    after = inbox.detail(ticket["ticket_id"])
    assert after["ticket"]["state"] == "solved"
    assert after["entries"] == before
    assert not inbox.tickets_from("自動応答")


def test_a_bounce_marks_the_reply_failed(inbox: Inbox) -> None:
    ticket = inbox.ticket()
    ours = inbox.reply(ticket["ticket_id"])
    dsn = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n"
        "To: support@shop.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@mx.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        "Final-Recipient: rfc822; visitor@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {ours}\r\nSubject: Re\r\n--B--\r\n"
    ).encode()
    inbox.deliver(dsn)
    detail = inbox.detail(ticket["ticket_id"])
    [reply] = [e for e in detail["entries"] if e["kind"] == "reply"]
    assert reply["mail_state"] == "failed"
    assert reply["mail_error"].startswith("bounced: ")
    assert "User unknown" in reply["mail_error"]
    assert [e["kind"] for e in detail["entries"] if e["kind"] == "visitor"] == ["visitor"]


def _sql(database_url: str, query: str, *args: Any) -> list[tuple[Any, ...]]:
    """Run one statement on the backend's database (`?` placeholders); its rows."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            return [tuple(row) for row in db.execute(query, args)]

    async def run() -> list[tuple[Any, ...]]:
        numbered = query
        for n in range(1, len(args) + 1):
            numbered = numbered.replace("?", f"${n}", 1)
        conn = await asyncpg.connect(database_url)
        try:
            return [tuple(row) for row in await conn.fetch(numbered, *args)]
        finally:
            await conn.close()

    return asyncio.run(run())


async def _chat_ticket(backend: BackendProcess) -> tuple[dict[str, Any], str]:
    """A closed chat's ticket (its visitor known, gone from the site): (ticket, visitor id)."""
    from tests.integration.test_attachments import _chat, _holder

    agent = await _holder(backend, "Mail Holder")
    visitor, login, chat_id = await _chat(backend, agent)
    async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
        made = await http.post(
            f"/api/v1/chats/{chat_id}/ticket",
            json={"client_id": str(uuid.uuid4()), "requester_email": "visitor@example.com"},
            headers={"Authorization": f"Bearer {agent.token}"},  # type: ignore[attr-defined]
        )
    assert made.status_code == 201, made.text
    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": str(uuid.uuid4())})
    await visitor.close()
    await agent.close()
    return made.json()["ticket"], login["visitor_id"]


def test_an_emailed_file_is_kept_in_the_file_store_and_goes_with_its_visitor(inbox: Inbox) -> None:
    from tests.integration.test_attachments import _stored_files

    backend, url = inbox.backend, inbox.backend.database_url
    ticket, visitor_id = asyncio.run(_chat_ticket(backend))
    ours = inbox.reply(ticket["ticket_id"])
    msg = mail("山田 <visitor@example.com>", "Re: 配送", "写真と明細です", In_Reply_To=ours, References=ours)
    msg.add_attachment(b"%PDF-1.4 invoice", maintype="application", subtype="pdf", filename="明細.pdf")
    msg.add_attachment(b"\x00not inspected\xff", maintype="application", subtype="x-odd", filename="x.bin")
    before = set(_stored_files(backend))
    inbox.deliver(msg.as_bytes())

    [entry] = [e for e in inbox.detail(ticket["ticket_id"])["entries"] if e["text"] == "写真と明細です"]
    files = {f["filename"]: f["attachment_id"] for f in entry["attachments"]}
    assert set(files) == {"明細.pdf", "x.bin"}
    rows = {
        row[0]: row[1:]
        for row in _sql(
            url, "SELECT id, storage_key, data FROM ticket_attachments WHERE entry_id = ?", entry["entry_id"]
        )
    }
    for attachment_id in files.values():
        key, data = rows[attachment_id]
        assert key.startswith("ticket/")  # in the store,
        assert data == b""  # not in the database
    mine = set(_stored_files(backend)) - before
    assert sorted(p.read_bytes() for p in mine) == sorted([b"%PDF-1.4 invoice", b"\x00not inspected\xff"])

    def download(attachment_id: str) -> bytes:
        response = httpx.get(
            f"{backend.url}/api/v1/tickets/{ticket['ticket_id']}/attachments/{attachment_id}",
            headers={"Authorization": f"Bearer {inbox.admin.token}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-disposition"].startswith("attachment;")
        return response.content

    assert download(files["明細.pdf"]) == b"%PDF-1.4 invoice"
    assert download(files["x.bin"]) == b"\x00not inspected\xff"  # kept as it came
    # A file from before the store (its bytes in the row) is still served from the row.
    old_key = rows[files["x.bin"]][0]
    _sql(
        url,
        "UPDATE ticket_attachments SET data = ?, storage_key = NULL WHERE id = ?",
        b"old bytes",
        files["x.bin"],
    )
    assert download(files["x.bin"]) == b"old bytes"
    mine = {p for p in mine if not p.as_posix().endswith(old_key)}  # no row names it any more

    for _ in range(100):  # the visitor counts as gone once their socket closed
        try:
            inbox.admin.call("DELETE", f"/visitors/{visitor_id}")
            break
        except httpx.HTTPStatusError:
            time.sleep(0.2)
    assert not _sql(url, "SELECT id FROM ticket_attachments WHERE entry_id = ?", entry["entry_id"])
    assert not (mine & set(_stored_files(backend)))  # the visitor's files went from the store too
    assert not _sql(url, "SELECT key FROM file_deletions WHERE key = ?", rows[files["明細.pdf"]][0])

""" "E-mail me this conversation" (`email_transcript`) on a real backend, SQLite and PostgreSQL: refused
before an agent has replied, then one `mail_outbox` row per chat (read from the backend's database)
with the visitor-facing messages only, never a note, in the visitor's language; a second request
queues nothing; the per-IP limit applies."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
import websockets

from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.wire import WireClient, connect_agent, connect_visitor, loopback_addresses, new_id

pytestmark = pytest.mark.asyncio


@pytest.fixture
def backend(tidy_db_backend: BackendProcess) -> BackendProcess:
    return tidy_db_backend


async def _holder(backend: BackendProcess) -> WireClient:
    """An agent of this test accepting chats, which it takes by hand (auto-assignment off)."""
    admin = admin_of(backend)
    account = admin.new_agent("Mail Holder")
    admin.set_routing(auto_assign=False)  # tidy_db_backend puts the defaults back
    agent = await connect_agent(backend, account.email, account.password)
    await agent.ok("set_status", {"status": "accepting"})
    return agent


async def _outbox(backend: BackendProcess, chat_id: str) -> list[dict[str, Any]]:
    """The backend's `mail_outbox` rows of the chat, read from its database."""
    query = "SELECT kind, dedupe_key, to_addr, subject, body_text, body_html, headers FROM mail_outbox"
    url = backend.database_url
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split("///", 1)[1]) as db:
            db.row_factory = sqlite3.Row
            rows = [dict(r) for r in db.execute(query + " WHERE chat_id = ?", (chat_id,))]
    else:
        import asyncpg  # type: ignore[import-untyped]

        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            rows = [dict(r) for r in await conn.fetch(query + " WHERE chat_id = $1", chat_id)]
        finally:
            await conn.close()
    for row in rows:
        if isinstance(row["headers"], str):
            row["headers"] = json.loads(row["headers"])
    return rows


async def _visitor_email(backend: BackendProcess, visitor_id: str) -> str:
    url = backend.database_url
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split("///", 1)[1]) as db:
            return str(db.execute("SELECT email FROM visitors WHERE id = ?", (visitor_id,)).fetchone()[0])
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return str(await conn.fetchval("SELECT email FROM visitors WHERE id = $1", visitor_id))
    finally:
        await conn.close()


async def _talk(visitor: WireClient, agent: WireClient, visitor_text: str, agent_text: str) -> str:
    """The visitor writes, the agent takes the chat and answers: the chat's id."""
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": visitor_text})
    chat_id: str = sent["event"]["chat_id"]
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": agent_text})
    return chat_id


async def test_transcript_is_queued_once_after_an_agent_reply_without_notes_in_japanese(
    backend: BackendProcess,
) -> None:
    agent = await _holder(backend)
    visitor, login = await connect_visitor(backend)
    try:
        sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "注文 <b>A-1</b> & 配送"})
        chat_id = sent["event"]["chat_id"]
        ask = {"client_id": new_id(), "chat_id": chat_id, "lang": "ja"}

        refused = await visitor.request("email_transcript", ask)
        assert refused["type"] == "err", refused
        assert refused["payload"]["code"] == "agent_reply_required", refused

        await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
        note = {"chat_id": chat_id, "client_id": new_id(), "text": "SECRET-NOTE 返金しないこと"}
        await agent.ok("send_note", note)
        await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "確認いたします"})

        no_address = await visitor.request("email_transcript", ask)
        assert no_address["payload"]["code"] == "email_required", no_address
        bad = await visitor.request("email_transcript", {**ask, "email": "not an address"})
        assert bad["payload"]["code"] == "invalid_payload", bad

        first = await visitor.ok("email_transcript", {**ask, "email": "taro@example.com"})
        assert first == {"queued": True}
        retry = await visitor.ok("email_transcript", {**ask, "email": "taro@example.com"})
        assert retry == {"queued": True}  # the same client_id: answered like the first time
        again = await visitor.ok("email_transcript", {**ask, "client_id": new_id()})
        assert again == {"queued": False}  # at most one transcript per chat
        other = await visitor.ok("email_transcript", {"client_id": new_id(), "email": "x@example.com"})
        assert other == {"queued": False}  # no chat_id: the newest chat, the same one

        [mail] = await _outbox(backend, chat_id)
        assert mail["kind"] == "transcript"
        assert mail["dedupe_key"] == f"transcript:{chat_id}"
        assert mail["to_addr"] == "taro@example.com"
        assert mail["headers"]["auto_submitted"] is True
        assert "チャットの記録" in mail["subject"]
        assert "\n" not in mail["subject"]
        text, page = mail["body_text"], mail["body_html"]
        assert "注文 <b>A-1</b> & 配送" in text
        assert "確認いたします" in text
        assert "担当者" in text
        assert "お客様" in text
        assert "(Asia/Tokyo)" in text
        assert "SECRET-NOTE" not in text
        assert "SECRET-NOTE" not in page
        assert "返金" not in page
        assert "注文 &lt;b&gt;A-1&lt;/b&gt; &amp; 配送" in page
        assert "<b>A-1" not in page
        assert '<html lang="ja">' in page
        # The address given is kept as the visitor's, who had none.
        assert await _visitor_email(backend, login["visitor_id"]) == "taro@example.com"

        # Someone else's chat is not found.
        stranger, _ = await connect_visitor(backend)
        try:
            theirs = await stranger.request("email_transcript", {**ask, "client_id": new_id()})
            assert theirs["payload"]["code"] == "not_found", theirs
        finally:
            await stranger.close()
    finally:
        await visitor.close()
        await agent.close()


@pytest.mark.skipif(not loopback_addresses(), reason="needs all of 127.0.0.0/8 (Linux)")
async def test_transcript_mails_are_limited_per_ip_and_go_to_the_known_address_in_english(
    backend: BackendProcess,
) -> None:
    """Four visitors from one address, each with an agent's reply: the default burst is 3."""
    agent = await _holder(backend)
    ip = f"127.88.{int(new_id()[:2], 16)}.{int(new_id()[:2], 16) % 250 + 1}"
    answers, chats = [], []
    for n in range(4):
        ws = await websockets.connect(f"{backend.ws_url}/ws/visitor", origin=backend.url, local_addr=(ip, 0))  # type: ignore[arg-type]
        visitor = WireClient(ws)
        try:
            await visitor.ok("login", {"site_id": backend.site_id, "visitor_token": None})
            await visitor.send("identify", {"name": f"Visitor {n}", "email": f"known{n}@example.com"})
            chats.append(await _talk(visitor, agent, f"hello {n}", f"reply {n}"))
            answers.append(await visitor.request("email_transcript", {"client_id": new_id()}))
        finally:
            await visitor.close()
    assert [a["type"] for a in answers] == ["res", "res", "res", "err"], answers
    assert answers[3]["payload"]["code"] == "rate_limited"
    assert answers[3]["payload"]["retry_after"] > 0
    [mail] = await _outbox(backend, chats[0])
    assert mail["to_addr"] == "known0@example.com"
    assert mail["subject"].startswith("Your conversation with ")
    assert "reply 0" in mail["body_text"]
    assert "You: hello 0" in mail["body_text"]
    assert await _outbox(backend, chats[3]) == []
    await agent.close()

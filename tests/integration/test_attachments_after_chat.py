"""A chat's files after the chat, on a real backend, SQLite and PostgreSQL: the archives find a chat by
its file's name (Japanese too), the transcript exports (text, HTML, CSV), the e-mailed transcript and a
ticket made from the chat show "[File] name (size)" (escaped, never a link), and the visitor's data
export lists the files (described, not their bytes)."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import httpx
import pytest

from tests.integration.test_attachments import _chat, _holder, _pdf_of_size, _visitor_upload
from tests.integration.test_transcript_mail import _outbox
from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.wire import new_id

pytestmark = pytest.mark.asyncio

NAME = "請求書&見積.pdf"


@pytest.fixture
def backend(tidy_db_backend: BackendProcess) -> BackendProcess:
    return tidy_db_backend


async def test_a_chats_file_is_found_exported_mailed_and_ticketed_by_its_name(
    backend: BackendProcess,
) -> None:
    agent = await _holder(backend)
    visitor, login, chat_id = await _chat(backend, agent)
    bearer = {"Authorization": f"Bearer {agent.token}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
        sent = await _visitor_upload(http, backend, login, chat_id, _pdf_of_size(120 * 1024), NAME)
        assert sent.status_code == 201, sent.text
        info = sent.json()["event"]["attachment"]
        assert (info["name"], info["size"]) == (NAME, 120 * 1024)
        await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "確認します"})
        await agent.ok("send_note", {"chat_id": chat_id, "client_id": new_id(), "text": "経理に回す"})
        mailed = {"client_id": new_id(), "chat_id": chat_id, "lang": "en", "email": "taro@example.com"}
        await visitor.ok("email_transcript", mailed)
        made = await http.post(
            f"/api/v1/chats/{chat_id}/ticket", json={"client_id": new_id()}, headers=bearer
        )
        assert made.status_code == 201, made.text
        await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
        await visitor.close()

        line = f"[File] {NAME} (120 KB)"
        # A ticket made from the chat: the transcript shows the file; the subject comes from words.
        ticket = made.json()
        assert ticket["ticket"]["subject"] == "my parcel is damaged"
        assert line in ticket["entries"][0]["text"]

        # The archives: the file's name finds the chat, Japanese and full-width alike.
        for q in ("請求書", "見積.PDF", "見積．ｐｄｆ"):
            found = await http.post("/api/v1/archives/search", json={"q": q}, headers=bearer)
            assert found.status_code == 200, found.text
            [hit] = found.json()["hits"]
            assert (hit["chat_id"], hit["match"], hit["snippet"]) == (chat_id, "file", NAME), q
        noted = await http.post("/api/v1/archives/search", json={"q": "経理"}, headers=bearer)
        [hit] = noted.json()["hits"]
        assert (hit["match"], hit["snippet"]) == ("note", "経理に回す")  # a note matches as before
        missing = await http.post("/api/v1/archives/search", json={"q": "請求書2"}, headers=bearer)
        assert missing.json()["hits"] == []

        # Exports: one line per file, in the reader's language; HTML escaped and without a link.
        text = await http.get(f"/api/v1/chats/{chat_id}/export", headers=bearer)
        assert text.status_code == 200, text.text
        assert line in text.text
        ja = await http.get(f"/api/v1/chats/{chat_id}/export", params={"lang": "ja"}, headers=bearer)
        assert f"[ファイル] {NAME} (120 KB)" in ja.text
        page = await http.get(f"/api/v1/chats/{chat_id}/export", params={"format": "html"}, headers=bearer)
        assert "[File] 請求書&amp;見積.pdf (120 KB)" in page.text
        assert info["attachment_id"] not in page.text
        assert "href" not in page.text.lower()
        sheet = await http.post("/api/v1/archives/export", json={"q": "請求書"}, headers=bearer)
        rows = list(csv.reader(io.StringIO(sheet.text.lstrip("\ufeff"))))
        assert [row[0] for row in rows[1:]] == [chat_id]
        assert rows[1][-1] == NAME

    # The e-mailed transcript.
    [mail] = await _outbox(backend, chat_id)
    assert line in mail["body_text"]
    assert "[File] 請求書&amp;見積.pdf (120 KB)" in mail["body_html"]
    assert info["attachment_id"] not in mail["body_html"] + mail["body_text"]

    # The visitor's data: each chat lists its files, described.
    exported = await _visitor_data(backend, login["visitor_id"])
    [chat] = exported["chats"]
    [described] = chat["attachments"]
    assert set(described) == {"attachment_id", "name", "content_type", "size", "created_at"}
    assert (described["attachment_id"], described["name"], described["size"]) == (
        info["attachment_id"],
        NAME,
        120 * 1024,
    )
    assert described["content_type"] == "application/pdf"
    await agent.close()


async def _visitor_data(backend: BackendProcess, visitor_id: str) -> dict[str, Any]:
    admin = admin_of(backend)
    found: dict[str, Any] = await asyncio.to_thread(admin.call, "GET", f"/visitors/{visitor_id}/data")
    return found

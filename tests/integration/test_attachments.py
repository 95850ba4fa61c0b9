"""Files in chats on a real backend, SQLite and PostgreSQL: an agent's and a visitor's uploads become
messages both sides receive; what is stored is the re-encoded image (no GPS); downloads go only to the
chat's visitor and to agents who may read the chat, as attachments, never sniffed; hostile uploads
(wrong type, one byte over, empty, interrupted, from another origin) leave nothing behind; a retry
stores one file; a transfer hands the files on; deleting the visitor deletes the files."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from PIL import Image

from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module", autouse=True)
def visitors_share_one_address() -> Iterator[None]:
    """Every visitor of this module uploads from 127.0.0.1: the per-IP allowance of uploads is raised
    through its setting before the module's backend starts (the per-visitor one stays at its default,
    which a test below proves)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHAT_UPLOADS_PER_IP_BURST", "1000")
        yield


@pytest.fixture
def backend(tidy_db_backend: BackendProcess) -> BackendProcess:
    return tidy_db_backend


async def test_a_visitor_sends_ten_files_in_a_burst_then_waits(backend: BackendProcess) -> None:
    agent = await _holder(backend)
    visitor, login, chat_id = await _chat(backend, agent)
    async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
        for _ in range(10):  # refused files count too: they cost the server the same work
            empty = await _visitor_upload(http, backend, login, chat_id, b"", "empty.pdf")
            assert empty.status_code == 422
        late = await _visitor_upload(http, backend, login, chat_id, PDF, "one-too-many.pdf")
        assert late.status_code == 429
        assert late.json()["detail"]["code"] == "rate_limited"
        assert int(late.headers["retry-after"]) > 0
        assert late.headers["access-control-allow-origin"] == backend.url
    await visitor.close()
    await agent.close()


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (35.0, 39.0, 0.0)
    gps[3] = "E"
    gps[4] = (139.0, 44.0, 0.0)
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 200)).save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert b"PhoneMaker" in data
    return data


LIMIT = 64 * 1024  # the admin's limit in the test of hostile uploads


def _pixel_bomb() -> bytes:
    """A PNG whose header promises 50,000 x 50,000 pixels (2.5 gigapixels), with a tiny body."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 50_000, 50_000, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _zip_bomb_docx() -> bytes:
    """A .docx whose document part unpacks to 20 MB of zeros from a few kilobytes."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as entry:
            for _ in range(20):
                entry.write(b"\x00" * (1024 * 1024))
    return out.getvalue()


def _png(size: tuple[int, int] = (16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _pdf_of_size(size: int) -> bytes:
    """A PDF of exactly `size` bytes (a comment fills it out before the end marker)."""
    head, tail = PDF[: -len(b"%%EOF\n")], b"%%EOF\n"
    return head + b"%" + b"x" * (size - len(head) - len(tail) - 2) + b"\n" + tail


async def _holder(backend: BackendProcess, name: str = "File Holder") -> WireClient:
    admin = admin_of(backend)
    account = admin.new_agent(name)
    admin.set_routing(auto_assign=False)
    agent = await connect_agent(backend, account.email, account.password)
    await agent.ok("set_status", {"status": "accepting"})
    return agent


async def _chat(backend: BackendProcess, agent: WireClient) -> tuple[WireClient, dict[str, Any], str]:
    visitor, login = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "my parcel is damaged"})
    chat_id: str = sent["event"]["chat_id"]
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    return visitor, login, chat_id


def _visitor_headers(backend: BackendProcess, login: dict[str, Any], **more: str) -> dict[str, str]:
    return {
        "X-Visitor-Token": login["visitor_token"],
        "X-Site-Id": backend.site_id,
        "Origin": backend.url,
        **more,
    }


async def _visitor_upload(
    http: httpx.AsyncClient,
    backend: BackendProcess,
    login: dict[str, Any],
    chat_id: str,
    data: bytes,
    name: str,
    client_id: str | None = None,
) -> httpx.Response:
    headers = _visitor_headers(
        backend,
        login,
        **{
            "X-File-Name": quote(name),
            "X-Client-Id": client_id or new_id(),
            "Content-Type": "application/octet-stream",
        },
    )
    return await http.post(f"/api/v1/visitor/chats/{chat_id}/attachments", content=data, headers=headers)


async def _agent_upload(
    http: httpx.AsyncClient,
    agent: WireClient,
    chat_id: str,
    data: bytes,
    name: str,
    client_id: str | None = None,
) -> httpx.Response:
    headers = {
        "Authorization": f"Bearer {agent.token}",  # type: ignore[attr-defined]
        "X-File-Name": quote(name),
        "X-Client-Id": client_id or new_id(),
        "Content-Type": "application/octet-stream",
    }
    return await http.post(f"/api/v1/chats/{chat_id}/attachments", content=data, headers=headers)


def _stored_files(backend: BackendProcess) -> list[Path]:
    root = backend.workdir / "files"
    if backend.database_url.startswith("sqlite"):
        root = Path(backend.database_url.split("///", 1)[1]).parent / "files"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_a_visitors_photo_reaches_the_agent_without_its_gps_and_a_pdf_goes_back(
    backend: BackendProcess,
) -> None:
    agent = await _holder(backend)
    visitor, login, chat_id = await _chat(backend, agent)
    async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
        sent = await _visitor_upload(http, backend, login, chat_id, _jpeg_with_gps(), "IMG_0001.JPG")
        assert sent.status_code == 201, sent.text
        assert sent.headers["access-control-allow-origin"] == backend.url
        attachment = sent.json()["event"]["attachment"]
        assert attachment["name"] == "IMG_0001.JPG"
        assert attachment["content_type"] == "image/jpeg"
        assert (attachment["width"], attachment["height"], attachment["thumbnail"]) == (640, 480, True)
        # The agent receives it as a message of the chat.
        event = await agent.next_event(chat_id=chat_id, kind="message", text="")
        assert event["attachment"]["attachment_id"] == attachment["attachment_id"]
        # The agent downloads it: the re-encoded image, without the camera's metadata.
        auth = {"Authorization": f"Bearer {agent.token}"}  # type: ignore[attr-defined]
        got = await http.get(f"/api/v1/attachments/{attachment['attachment_id']}", headers=auth)
        assert got.status_code == 200
        assert got.headers["content-type"] == "image/jpeg"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in got.headers["content-security-policy"]
        image = Image.open(io.BytesIO(got.content))
        assert image.size == (640, 480)
        assert not image.getexif().get_ifd(0x8825)
        assert b"PhoneMaker" not in got.content
        assert b"Exif" not in got.content
        thumb = await http.get(f"/api/v1/attachments/{attachment['attachment_id']}/thumbnail", headers=auth)
        assert max(Image.open(io.BytesIO(thumb.content)).size) <= 320
        # On disk too: no file in the store holds the metadata.
        stored = _stored_files(backend)
        assert stored
        assert not [p for p in stored if b"PhoneMaker" in p.read_bytes()]

        # The agent sends a PDF back; the visitor receives it and downloads it.
        back = await _agent_upload(http, agent, chat_id, PDF, "請求書.pdf")
        assert back.status_code == 201, back.text
        pdf = back.json()["event"]["attachment"]
        pushed = await visitor.next_event(chat_id=chat_id, kind="message", text="")
        if pushed["attachment"]["attachment_id"] != pdf["attachment_id"]:  # the visitor's own photo first
            pushed = await visitor.next_event(chat_id=chat_id, kind="message", text="")
        assert pushed["attachment"] == pdf
        got = await http.get(
            f"/api/v1/visitor/attachments/{pdf['attachment_id']}", headers=_visitor_headers(backend, login)
        )
        assert got.status_code == 200
        assert got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf" in got.headers["content-disposition"]
        assert got.headers["access-control-allow-origin"] == backend.url
        assert "content-disposition" in got.headers["access-control-expose-headers"].lower()
    await visitor.close()
    await agent.close()


async def test_a_photo_of_several_megabytes_goes_through(backend: BackendProcess) -> None:
    """Larger than the HTTP layer's cap for other requests (1 MiB): uploads have their own."""
    from PIL import ImageFilter

    agent = await _holder(backend)
    visitor, login, chat_id = await _chat(backend, agent)
    grain = Image.effect_noise((2400, 1800), 60).filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    Image.merge("RGB", (grain, grain, grain)).save(out, "PNG")
    big = out.getvalue()
    assert len(big) > 2 * 1024 * 1024
    async with httpx.AsyncClient(base_url=backend.url, timeout=60) as http:
        sent = await _visitor_upload(http, backend, login, chat_id, big, "scan.png")
        assert sent.status_code == 201, sent.text[:200]
        assert sent.json()["event"]["attachment"]["width"] == 2400
    await visitor.close()
    await agent.close()


async def test_only_the_chats_visitor_and_allowed_agents_fetch_a_file(backend: BackendProcess) -> None:
    agent = await _holder(backend)
    visitor, login, chat_id = await _chat(backend, agent)
    stranger, stranger_login = await connect_visitor(backend)
    other_agent = await _holder(backend, "Other Agent")
    async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
        sent = await _visitor_upload(http, backend, login, chat_id, _png(), "screenshot.png")
        file_id = sent.json()["event"]["attachment"]["attachment_id"]
        path = f"/api/v1/visitor/attachments/{file_id}"
        # Another visitor, with and without a token; a token from another origin; no site.
        assert (await http.get(path, headers=_visitor_headers(backend, stranger_login))).status_code == 404
        assert (await http.get(path, headers={"Origin": backend.url})).status_code == 401
        foreign = _visitor_headers(backend, login, Origin="https://evil.example")
        refused = await http.get(path, headers=foreign)
        assert refused.status_code == 403
        assert "access-control-allow-origin" not in refused.headers
        # A page on this server (the demo shop): a browser's GET to its own origin carries no Origin
        # but Sec-Fetch-Site; anything else without an Origin stays refused.
        own = {k: v for k, v in _visitor_headers(backend, login).items() if k != "Origin"}
        same = await http.get(path, headers={**own, "Sec-Fetch-Site": "same-origin"})
        assert same.status_code == 200
        assert "access-control-allow-origin" not in same.headers
        for site in ("cross-site", "same-site", "none"):
            assert (await http.get(path, headers={**own, "Sec-Fetch-Site": site})).status_code == 403
        assert (await http.get(path, headers=own)).status_code == 403
        # Another agent (not the holder, no scope): hidden, as the chat is; no token at all: 401.
        other = {"Authorization": f"Bearer {other_agent.token}"}  # type: ignore[attr-defined]
        assert (await http.get(f"/api/v1/attachments/{file_id}", headers=other)).status_code == 404
        assert (await http.get(f"/api/v1/attachments/{file_id}")).status_code == 401
        # The agent's token does not open the visitor's route, nor the visitor's the agent's.
        assert (await http.get(path, headers=other)).status_code == 401
        as_bearer = {"Authorization": f"Bearer {login['visitor_token']}"}
        assert (await http.get(f"/api/v1/attachments/{file_id}", headers=as_bearer)).status_code == 401
        # A visitor cannot send into another visitor's chat.
        theirs = await _visitor_upload(http, backend, stranger_login, chat_id, _png(), "x.png")
        assert theirs.status_code == 404
        # CORS: a preflight from the site's origin is answered; from any other origin it is not.
        ask = {"Origin": backend.url, "Access-Control-Request-Method": "POST"}
        ok = await http.options(f"/api/v1/visitor/chats/{chat_id}/attachments", headers=ask)
        assert ok.status_code == 204
        assert ok.headers["access-control-allow-origin"] == backend.url
        assert "X-Visitor-Token" in ok.headers["access-control-allow-headers"]
        evil = await http.options(path, headers={**ask, "Origin": "https://evil.example"})
        assert evil.status_code == 403
        assert "access-control-allow-origin" not in evil.headers

        # A transfer hands the file on: the new holder fetches it, the old one no longer does.
        await agent.ok(
            "transfer_chat",
            {"chat_id": chat_id, "client_id": new_id(), "to_agent_id": (await _agent_id(http, other_agent))},
        )
        await _until_status(http, f"/api/v1/attachments/{file_id}", other, 200)
        mine = {"Authorization": f"Bearer {agent.token}"}  # type: ignore[attr-defined]
        assert (await http.get(f"/api/v1/attachments/{file_id}", headers=mine)).status_code == 404
    for client in (visitor, stranger, agent, other_agent):
        await client.close()


async def _agent_id(http: httpx.AsyncClient, agent: WireClient) -> str:
    me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {agent.token}"})  # type: ignore[attr-defined]
    return str(me.json()["agent_id"])


async def _until_status(http: httpx.AsyncClient, path: str, headers: dict[str, str], status: int) -> None:
    for _ in range(100):
        if (await http.get(path, headers=headers)).status_code == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} never answered {status}")


async def test_hostile_uploads_are_refused_and_leave_nothing(backend: BackendProcess) -> None:
    agent = await _holder(backend)
    visitor, login, chat_id = await _chat(backend, agent)
    admin = admin_of(backend)
    admin.call(
        "PUT",
        "/settings/attachments",
        {"enabled": True, "max_bytes": LIMIT, "allowed": ["images", "pdf", "text", "office"]},
    )
    before = set(_stored_files(backend))
    try:
        async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
            html = b"<!doctype html><script>alert(document.cookie)</script>"
            cases = {
                "../../etc/passwd": (b"", 422, "empty"),
                "page.png": (html, 415, "type_not_allowed"),
                "chart.png": (
                    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                    415,
                    "type_not_allowed",
                ),
                "x.pdf": (_png(), 415, "name_mismatch"),
                "huge.png": (_pixel_bomb(), 422, "too_complex"),
                "report.docx": (_zip_bomb_docx(), 422, "too_complex"),
                "big.pdf": (_pdf_of_size(LIMIT + 1), 413, "too_large"),
            }
            for name, (data, status, code) in cases.items():
                got = await _visitor_upload(http, backend, login, chat_id, data, name)
                assert got.status_code == status, (name, got.text)
                if code:
                    assert got.json()["detail"]["code"] == code
                assert got.headers["access-control-allow-origin"] == backend.url  # the widget reads why
            # Each visitor may send 10 files in a burst: the rest comes from another visitor's chat.
            visitor2, login2, chat_id2 = await _chat(backend, agent)
            # A polyglot (a PNG with a script and a ZIP after it) is kept as the image alone.
            polyglot = _png() + b"<script>alert(1)</script>" + _zip_bomb_docx()[:200]
            kept = await _visitor_upload(http, backend, login2, chat_id2, polyglot, "cat.png")
            assert kept.status_code == 201, kept.text
            served = await http.get(
                f"/api/v1/visitor/attachments/{kept.json()['event']['attachment']['attachment_id']}",
                headers=_visitor_headers(backend, login2),
            )
            assert b"<script>" not in served.content
            assert b"PK" not in served.content
            assert served.content.startswith(b"\x89PNG")
            exactly = _pdf_of_size(LIMIT)
            assert (
                await _visitor_upload(http, backend, login2, chat_id2, exactly, "max.pdf")
            ).status_code == 201
            # Files turned off: refused before the body is read.
            off = {"enabled": False, "max_bytes": LIMIT, "allowed": ["images", "pdf", "text", "office"]}
            admin.call("PUT", "/settings/attachments", off)
            disabled = await _visitor_upload(http, backend, login2, chat_id2, PDF, "a.pdf")
            assert disabled.status_code == 403
            assert disabled.json()["detail"]["code"] == "disabled"
            admin.call("PUT", "/settings/attachments", {**off, "enabled": True})
            # A hostile name is made safe (no folders, no controls or direction marks, no device name).
            named = await _visitor_upload(http, backend, login2, chat_id2, PDF, "..\\..\\CON\u202egnp.pdf")
            assert named.status_code == 201, named.text
            shown = named.json()["event"]["attachment"]["name"]
            assert "/" not in shown
            assert "\\" not in shown
            assert "\u202e" not in shown
            assert shown != "CON.pdf"
            # An upload cut off halfway: no message, no file.
            files_before_cut = set(_stored_files(backend))
            await _cut_off_upload(backend, login2, chat_id2)
            await asyncio.sleep(0.3)
            assert set(_stored_files(backend)) == files_before_cut
            transcript = await http.get(
                f"/api/v1/chats/{chat_id2}/events",
                headers={"Authorization": f"Bearer {agent.token}"},  # type: ignore[attr-defined]
            )
            names = [e["attachment"]["name"] for e in transcript.json()["events"] if e.get("attachment")]
            assert len(names) == 3  # the polyglot's image, max.pdf and the renamed one
    finally:
        admin.call(
            "PUT",
            "/settings/attachments",
            {"enabled": True, "max_bytes": 10 * 1024 * 1024, "allowed": ["images", "pdf", "text", "office"]},
        )
    assert len(set(_stored_files(backend)) - before) == 4  # the polyglot's image and thumbnail, two PDFs
    await visitor.close()
    await visitor2.close()
    await agent.close()


async def _cut_off_upload(backend: BackendProcess, login: dict[str, Any], chat_id: str) -> None:
    """Half of a declared body, then the connection closes."""
    url = urlsplit(backend.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    body = _pdf_of_size(2000)
    head = (
        f"POST /api/v1/visitor/chats/{chat_id}/attachments HTTP/1.1\r\n"
        f"Host: {url.netloc}\r\nOrigin: {backend.url}\r\n"
        f"X-Visitor-Token: {login['visitor_token']}\r\nX-Site-Id: {backend.site_id}\r\n"
        f"X-File-Name: cut.pdf\r\nX-Client-Id: {new_id()}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body[: len(body) // 2])
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.transport.abort()
    del reader


async def test_a_retried_upload_stores_one_file_and_deleting_the_visitor_deletes_it(
    backend: BackendProcess,
) -> None:
    agent = await _holder(backend)
    visitor, login, chat_id = await _chat(backend, agent)
    async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
        before = set(_stored_files(backend))
        client_id = new_id()
        first = await _visitor_upload(http, backend, login, chat_id, _png((400, 300)), "a.png", client_id)
        again = await _visitor_upload(http, backend, login, chat_id, _png((400, 300)), "a.png", client_id)
        assert first.status_code == again.status_code == 201
        assert first.json()["event"] == again.json()["event"]
        mine = set(_stored_files(backend)) - before
        assert len(mine) == 2  # the image and its thumbnail, once
        await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
        await visitor.close()
        admin = admin_of(backend)
        for _ in range(100):  # the visitor counts as gone once their socket closed
            try:
                admin.call("DELETE", f"/visitors/{login['visitor_id']}")
                break
            except httpx.HTTPStatusError:
                await asyncio.sleep(0.2)
        assert not (mine & set(_stored_files(backend)))
    await agent.close()

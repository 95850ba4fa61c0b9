"""HTTP- and login-level hardening: password checks off the event loop, login limits behind trusted
proxies, refresh-token reuse, IDN origins, bounded integers, security headers, the docs page, and
half-sent requests.

Most tests share one backend with default settings; `tuned` is one more, with short HTTP timeouts, the
docs page on, 127.0.0.1 as a trusted proxy (so X-Forwarded-For names the client) and small login
limits."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import argon2
import httpx
import pytest
import websockets

from chat_backend.app import create_app
from chat_backend.db import migrate
from chat_backend.domain import auth
from chat_backend.settings import Settings
from tests.support.backend import BackendProcess
from tests.support.databases import sqlite_database
from tests.support.waiting import until
from tests.support.wire import WireClient, connect_visitor

pytestmark = pytest.mark.asyncio

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "admin-password-1"
OWNER_EMAIL, OWNER_PASSWORD = "owner@example.com", "owner-password-1"
TUNED_ENV = {
    "CHAT_HTTP_HEADER_TIMEOUT": "1",
    "CHAT_HTTP_BODY_TIMEOUT": "1",
    "CHAT_API_DOCS": "1",
    "CHAT_TRUSTED_PROXIES": "127.0.0.1",
    "CHAT_LOGIN_PAIR_FAILURES": "3",
    "CHAT_LOGIN_IP_FAILURES": "5",
    "CHAT_LOGIN_ACCOUNT_FAILURES": "4",
    "CHAT_LOGIN_ACCOUNT_INTERVAL": "600",
    "CHAT_HTTP_MAX_UPLOAD_BYTES": "3000000",
    "CHAT_HTTP_UPLOAD_TIMEOUT": "1",
    "CHAT_WS_COMPRESSION": "0",
}


@pytest.fixture(scope="module")
def backend(shared_backend: BackendProcess) -> BackendProcess:
    """Default settings, with an admin."""
    shared_backend.create_agent(ADMIN_EMAIL, "Admin", ADMIN_PASSWORD, "admin")
    return shared_backend


@pytest.fixture(scope="module")
def tuned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    workdir = tmp_path_factory.mktemp("tuned-backend")
    proc = BackendProcess(database_url=sqlite_database(workdir), workdir=workdir)
    with pytest.MonkeyPatch.context() as env:  # only while it starts: the shared backend may start later
        for name, value in TUNED_ENV.items():
            env.setenv(name, value)
        proc.start()
    try:
        proc.create_agent(OWNER_EMAIL, "Owner", OWNER_PASSWORD)
        yield proc
    finally:
        proc.stop()


def admin_headers(backend: BackendProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {backend.login_tokens(ADMIN_EMAIL, ADMIN_PASSWORD)['access_token']}"}


async def login(http: httpx.AsyncClient, email: str, password: str, ip: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": ip} if ip else {}
    return await http.post("/api/v1/auth/login", json={"email": email, "password": password}, headers=headers)


# --- password checks: off the event loop, outside the write lock, bounded ------------------------


async def test_password_checks_run_off_the_event_loop_outside_the_write_lock_and_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every check is held until the test lets it go: meanwhile the server answers other requests and
    writes, two checks run (the workers), two wait (the queue) and the rest are refused at once."""
    url = sqlite_database(tmp_path)
    await asyncio.to_thread(migrate.upgrade, url)
    settings = Settings(database_url=url, password_hash_workers=2, password_hash_queue=2)
    app = create_app(settings)
    db = app.state.chat.db
    async with db.write() as session:
        await auth.create_agent(session, "held@example.com", "Held", "right-password", "agent")

    release, running = threading.Event(), []

    def held_verify(_self: object, _hash: str, _password: str) -> bool:
        running.append(1)
        release.wait(20)
        raise argon2.exceptions.VerifyMismatchError()

    monkeypatch.setattr(argon2.PasswordHasher, "verify", held_verify)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://chat.test") as http:
            logins = [asyncio.create_task(login(http, "held@example.com", f"wrong-{n}")) for n in range(6)]
            await until(lambda: len(running) == 2 and sum(t.done() for t in logins) == 2, what="two checks")
            assert (await http.get("/healthz")).json() == {"status": "ok"}
            async with asyncio.timeout(10), db.write():
                pass  # the write lock is free while passwords are being checked
            refused = [t.result() for t in logins if t.done()]
            assert [r.status_code for r in refused] == [503, 503]
            assert all(r.json()["detail"]["code"] == "rate_limited" for r in refused)
            assert all(r.headers["retry-after"] for r in refused)
            assert len(running) == 2  # no more than the two workers at once
            release.set()
            answers = await asyncio.gather(*logins)
        assert sorted(r.status_code for r in answers) == [401, 401, 401, 401, 503, 503]
        assert len(running) == 4
    finally:
        release.set()
        await db.dispose()
        app.state.chat.passwords.close()


# --- login limits by IP and account, behind a trusted proxy ---------------------------------------


async def test_ten_wrong_passwords_lock_that_ip_out_of_that_account_only(tuned: BackendProcess) -> None:
    """(3 in the tuned backend.) The owner, from elsewhere, still gets in."""
    async with httpx.AsyncClient(base_url=tuned.url) as http:
        for _ in range(3):
            assert (await login(http, OWNER_EMAIL, "wrong", "203.0.113.10")).status_code == 401
        locked = await login(http, OWNER_EMAIL, OWNER_PASSWORD, "203.0.113.10")
        assert locked.status_code == 429
        assert locked.json()["detail"]["code"] == "rate_limited"
        assert int(locked.headers["retry-after"]) > 0
        assert (await login(http, "nobody@example.com", "wrong", "203.0.113.10")).status_code == 401
        assert (await login(http, OWNER_EMAIL, OWNER_PASSWORD, "203.0.113.11")).status_code == 200


async def test_one_ip_failing_on_many_accounts_is_throttled(tuned: BackendProcess) -> None:
    async with httpx.AsyncClient(base_url=tuned.url) as http:
        for n in range(5):
            assert (await login(http, f"spray{n}@example.com", "wrong", "203.0.113.20")).status_code == 401
        throttled = await login(http, OWNER_EMAIL, OWNER_PASSWORD, "203.0.113.20")
        assert throttled.status_code == 429
        assert (await login(http, "spray0@example.com", "wrong", "203.0.113.21")).status_code == 401


async def test_an_account_attacked_from_many_ips_slows_them_but_lets_its_owner_in(
    tuned: BackendProcess,
) -> None:
    tuned.create_agent("target@example.com", "Target", "target-password")
    async with httpx.AsyncClient(base_url=tuned.url) as http:
        for n in range(4):
            assert (await login(http, "target@example.com", "wrong", f"198.51.100.{n}")).status_code == 401
        # The attacking IPs now take turns on this account: one attempt per 600 s between them.
        assert (await login(http, "target@example.com", "wrong", "198.51.100.0")).status_code == 401
        assert (await login(http, "target@example.com", "wrong", "198.51.100.1")).status_code == 429
        assert (await login(http, "target@example.com", "target-password", "198.51.100.2")).status_code == 429
        # Its owner, from an IP that has not failed, is not slowed, however often.
        for _ in range(2):
            assert (
                await login(http, "target@example.com", "target-password", "203.0.113.30")
            ).status_code == 200


async def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_client(tuned: BackendProcess) -> None:
    """127.0.0.2 is no trusted proxy: whatever X-Forwarded-For it sends, it is one client."""
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(base_url=tuned.url, transport=transport) as http:
        for n in range(3):
            assert (await login(http, "forged@example.com", "wrong", f"192.0.2.{n}")).status_code == 401
        assert (await login(http, "forged@example.com", "wrong", "192.0.2.99")).status_code == 429


# --- refresh-token reuse ------------------------------------------------------------------------


async def test_a_reused_refresh_token_ends_the_whole_login_and_its_sockets(backend: BackendProcess) -> None:
    first = backend.login_tokens()
    other_login = backend.login_tokens()  # another login of the same agent stays
    async with httpx.AsyncClient(base_url=backend.url) as http:
        rotated = (
            await http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        ).json()
        ws = await websockets.connect(f"{backend.ws_url}/ws/agent")
        agent = WireClient(ws)
        await agent.ok("login", {"token": rotated["access_token"]})
        # The first refresh token, used again (stolen, say): refused, and the login it was rotated into
        # ends too: its tokens are revoked and its socket is closed.
        reused = await http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert reused.status_code == 401
        assert reused.json()["detail"]["code"] == "invalid_token"
        await asyncio.wait_for(ws.wait_closed(), 10)
        assert ws.close_code == 4001
        bearer = {"Authorization": f"Bearer {rotated['access_token']}"}
        assert (await http.get("/api/v1/me", headers=bearer)).status_code == 401
        again = await http.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
        assert again.status_code == 401
        other = {"Authorization": f"Bearer {other_login['access_token']}"}
        assert (await http.get("/api/v1/me", headers=other)).status_code == 200
        await agent.close()


# --- IDN site origins ---------------------------------------------------------------------------


async def test_idn_site_origins_are_stored_and_matched_as_browsers_send_them(backend: BackendProcess) -> None:
    async with httpx.AsyncClient(base_url=backend.url) as http:
        body = {"name": "Straße", "origins": ["https://faß.example", "https://xn--fa-hia.example"]}
        created = await http.post("/api/v1/sites", json=body, headers=admin_headers(backend))
    assert created.status_code == 201
    site = created.json()
    assert site["origins"] == ["https://xn--fa-hia.example"]  # not fass.example, someone else's domain
    visitor, _ = await connect_visitor(backend, origin="https://xn--fa-hia.example", site_id=site["site_id"])
    await visitor.close()
    stranger = WireClient(
        await websockets.connect(f"{backend.ws_url}/ws/visitor", origin="https://fass.example")
    )  # type: ignore[arg-type]
    refused = await stranger.request("login", {"site_id": site["site_id"]})
    assert refused["type"] == "err"
    assert refused["payload"]["code"] == "origin_not_allowed"
    await stranger.close()


# --- integers and numbers a client sends are bounded ------------------------------------------


async def test_huge_or_non_finite_numbers_are_refused_with_422(backend: BackendProcess) -> None:
    admin = admin_headers(backend)
    huge = 10**30
    async with httpx.AsyncClient(base_url=backend.url, headers=admin) as http:
        chat_id = "00000000-0000-0000-0000-000000000000"
        for path, params in [
            (f"/api/v1/chats/{chat_id}/events", {"after_seq": huge}),
            (f"/api/v1/chats/{chat_id}/events", {"limit": huge}),
            ("/api/v1/audit", {"before_id": huge}),
            ("/api/v1/audit", {"before_id": -huge}),
        ]:
            answer = await http.get(path, params=params)
            assert answer.status_code == 422, (path, params, answer.text)
            assert answer.json()["detail"]["code"] == "invalid_payload"
            assert answer.json()["detail"]["message"].startswith("query.")
        routing = (await http.get("/api/v1/settings/routing")).json()
        answer = await http.put("/api/v1/settings/routing", json={**routing, "reassign_after": huge})
        assert answer.status_code == 422
        rule = {"name": "Big", "text": "Hi", "conditions": {"min_time_on_site": huge}}
        assert (await http.post("/api/v1/greeting-rules", json=rule)).status_code == 422
        for raw in (b'{"email": "a@example.com", "password": NaN}', b'{"email": 1e999, "password": "x"}'):
            answer = await http.post(
                "/api/v1/auth/login", content=raw, headers={"Content-Type": "application/json"}
            )
            assert answer.status_code == 422, answer.text
            assert "NaN" not in answer.text


# --- security headers and the docs page ---------------------------------------------------------


async def test_every_kind_of_response_carries_the_security_headers(backend: BackendProcess) -> None:
    async with httpx.AsyncClient(base_url=backend.url) as http:
        page = await http.get("/demo/index.html")
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-eval" not in policy
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        widget = await http.get("/widget.js")
        api = await http.get("/api/v1/info")
        refused = await http.get("/api/v1/me")
        missing = await http.get("/no-such-page")
        for response in (page, widget, api, refused, missing, await http.get("/healthz")):
            assert response.headers["x-content-type-options"] == "nosniff", response.url
        for response in (widget, api, refused, missing):
            assert response.headers["content-security-policy"].startswith("default-src 'none'"), response.url
            assert response.headers["referrer-policy"] == "no-referrer"
        assert "javascript" in widget.headers["content-type"]
        assert refused.status_code == 401
        for response in (api, refused):
            assert response.headers["cache-control"] == "no-store"
        assert "server" not in page.headers


async def test_the_docs_page_is_off_by_default(backend: BackendProcess) -> None:
    async with httpx.AsyncClient(base_url=backend.url) as http:
        for path in ("/docs", "/redoc", "/docs/assets/swagger-ui-bundle.js", "/docs/oauth2-redirect"):
            assert (await http.get(path)).status_code == 404, path
        assert (await http.get("/openapi.json")).status_code == 200


async def test_the_docs_page_when_enabled_loads_nothing_from_elsewhere(tuned: BackendProcess) -> None:
    async with httpx.AsyncClient(base_url=tuned.url) as http:
        page = await http.get("/docs")
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        for remote in ("http:", "https:", "*"):
            assert remote not in policy
        assert "<script>" not in page.text  # no inline script: the CSP would refuse it
        references = re.findall(r'(?:src|href)="([^"]*)"', page.text)
        assert references
        for reference in references:
            assert reference.startswith("/"), reference
            assert not reference.startswith("//"), reference
            asset = await http.get(reference)
            assert asset.status_code == 200, reference
            assert asset.headers["x-content-type-options"] == "nosniff"
        start = (await http.get("/docs/assets/start.js")).text
        assert "/openapi.json" in start
        assert "//" not in start.replace('"/openapi.json"', "")
        assert (await http.get("/redoc")).status_code == 404


# --- half-sent requests (slowloris) and oversized ones --------------------------------------------


async def exchange(backend: BackendProcess, *parts: bytes) -> bytes:
    """Send `parts` on a raw connection, then read until the server closes it. A server that never
    closes fails the test (after 30 s, far beyond the tuned backend's 1 s deadlines)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", backend.port)
    try:
        for part in parts:
            writer.write(part)
            await writer.drain()
        async with asyncio.timeout(30):
            return await reader.read()  # until EOF
    finally:
        writer.close()


async def test_a_request_whose_head_never_ends_is_answered_408_and_closed(tuned: BackendProcess) -> None:
    answer = await exchange(tuned, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1")
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert await exchange(tuned) == b""  # a connection that sends nothing is closed without a word


async def test_the_next_request_on_a_kept_alive_connection_has_a_deadline_too(tuned: BackendProcess) -> None:
    first = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    answer = await exchange(tuned, first, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.count(b"HTTP/1.1 ") == 2
    assert b"HTTP/1.1 408 " in answer


async def test_a_body_that_stops_is_answered_408_and_closed(tuned: BackendProcess) -> None:
    head = (
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    answer = await exchange(tuned, head, b'{"email": "a@example.com",')
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_oversized_heads_and_bodies_are_refused(tuned: BackendProcess) -> None:
    huge_head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Filler: " + b"x" * 40_000 + b"\r\n"
    assert (await exchange(tuned, huge_head)).startswith(b"HTTP/1.1 431 ")
    announced = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2000000\r\n\r\n"
    assert (await exchange(tuned, announced)).startswith(b"HTTP/1.1 413 ")
    chunked = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    assert (await exchange(tuned, chunked, chunk * 20)).startswith(b"HTTP/1.1 413 ")


async def test_only_a_file_sent_into_a_chat_may_carry_a_larger_body(tuned: BackendProcess) -> None:
    """Uploads (`POST .../chats/{id}/attachments`) may announce up to CHAT_HTTP_MAX_UPLOAD_BYTES: the
    app answers them (here 401, no token) instead of the HTTP layer's 413; any other route, or another
    method on that one, keeps the 1 MiB cap; and an upload over its own cap is refused as well."""

    def head(method: bytes, path: bytes, length: int) -> bytes:
        return b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n" % (method, path, length)

    for path in (b"/api/v1/chats/c1/attachments", b"/api/v1/visitor/chats/c1/attachments"):
        assert (await exchange(tuned, head(b"POST", path, 2_000_000))).startswith(b"HTTP/1.1 401 ")
        assert (await exchange(tuned, head(b"POST", path, 3_000_001))).startswith(b"HTTP/1.1 413 ")
        assert (await exchange(tuned, head(b"PUT", path, 2_000_000))).startswith(b"HTTP/1.1 413 ")
    other = head(b"POST", b"/api/v1/chats/c1/attachments/x", 2_000_000)
    assert (await exchange(tuned, other)).startswith(b"HTTP/1.1 413 ")


async def test_socket_compression_is_on_by_default_and_can_be_turned_off(
    backend: BackendProcess, tuned: BackendProcess
) -> None:
    """Compression costs each socket about 45 KB of the node's memory (docs/deploy.md)."""
    for served, expected in ((backend, "permessage-deflate"), (tuned, None)):
        async with websockets.connect(f"{served.ws_url}/ws/visitor", origin=served.url) as ws:  # type: ignore[arg-type]
            assert ws.response is not None
            offered = ws.response.headers.get("Sec-WebSocket-Extensions")
            assert (offered.split(";")[0] if offered else None) == expected

"""REST failures become typed errors the login dialog can explain; sessions refresh their tokens."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from chat_protocol.rest import TokenPair
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.api import ApiClient, normalize_server_url, websocket_url
from operator_app.net.session import AuthSession

Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler) -> ApiClient:
    return ApiClient("https://chat.example.com", transport=httpx.MockTransport(handler))


def info(protocol: int = 1) -> httpx.Response:
    return httpx.Response(200, json={"product": "chat-backend", "version": "1.0", "protocol": protocol})


def error(status: int, code: str, message: str = "no", **extra: object) -> httpx.Response:
    return httpx.Response(status, json={"detail": {"code": code, "message": message, **extra}})


TOKENS = {"access_token": "a1", "refresh_token": "r1", "token_type": "bearer", "expires_in": 3600}


async def failure(handler: Handler, call: str = "login") -> ApiError:
    api = client(handler)
    attempt = api.login("alice@example.com", "wrong") if call == "login" else api.server_info()
    try:
        with pytest.raises(ApiError) as caught:
            await attempt
        return caught.value
    finally:
        await api.aclose()


@pytest.mark.asyncio
async def test_wrong_password_is_invalid_credentials() -> None:
    err = await failure(lambda r: error(401, "invalid_credentials", "Wrong e-mail address or password."))
    assert err.kind is ApiErrorKind.INVALID_CREDENTIALS
    assert err.code == "invalid_credentials"


@pytest.mark.asyncio
async def test_rate_limit_carries_the_wait() -> None:
    err = await failure(lambda r: error(429, "rate_limited", "slow down", retry_after=12.0))
    assert (err.kind, err.retry_after) == (ApiErrorKind.RATE_LIMITED, 12.0)


@pytest.mark.asyncio
async def test_other_http_errors_keep_their_status() -> None:
    err = await failure(lambda r: httpx.Response(503, text="maintenance"))
    assert (err.kind, err.status) == (ApiErrorKind.HTTP, 503)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "response",
    [info(protocol=2), httpx.Response(404, json={"detail": "Not Found"}), httpx.Response(200, text="<html>")],
    ids=["other-protocol", "no-info-endpoint", "not-json"],
)
async def test_a_server_of_another_protocol_or_product_is_incompatible(response: httpx.Response) -> None:
    err = await failure(lambda r: response, call="info")
    assert err.kind is ApiErrorKind.INCOMPATIBLE


@pytest.mark.asyncio
async def test_compatible_server_info_is_returned() -> None:
    api = client(lambda r: info())
    try:
        assert (await api.server_info()).protocol == 1
    finally:
        await api.aclose()


def _raise(exc: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


@pytest.mark.asyncio
async def test_connect_error_caused_by_ssl_is_a_tls_failure() -> None:
    cause = ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed certificate")
    exc = httpx.ConnectError("handshake failed")
    exc.__cause__ = cause
    assert (await failure(_raise(exc))).kind is ApiErrorKind.TLS
    assert (await failure(_raise(httpx.ConnectError("[Errno 111] refused")))).kind is ApiErrorKind.UNREACHABLE
    assert (await failure(_raise(httpx.ReadTimeout("slow")))).kind is ApiErrorKind.TIMEOUT


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.asyncio
# Fixed ids: pytest-xdist workers must collect the same test names, and the port differs per process.
@pytest.mark.parametrize(
    "url",
    [f"http://127.0.0.1:{_closed_port()}", "https://no-such-host.invalid"],
    ids=["refused", "unknown-host"],
)
async def test_refused_connections_and_unknown_hosts_are_unreachable(url: str) -> None:
    api = ApiClient(url)
    try:
        with pytest.raises(ApiError) as caught:
            await api.server_info()
    finally:
        await api.aclose()
    assert caught.value.kind is ApiErrorKind.UNREACHABLE


def _self_signed(folder: Path) -> tuple[Path, Path]:
    crypto = pytest.importorskip("cryptography")
    del crypto
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest_asyncio.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """An HTTPS server with a self-signed certificate answering `/api/v1/info`."""
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    body = json.dumps({"product": "chat-backend", "version": "t", "protocol": 1}).encode()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            writer.write(head.encode() + b"Connection: close\r\n\r\n" + body)
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    yield f"https://127.0.0.1:{port}", cert
    server.close()
    await server.wait_closed()


@pytest.mark.asyncio
async def test_an_untrusted_certificate_is_a_tls_failure_and_the_ca_bundle_setting_fixes_it(
    tls_server: tuple[str, Path],
) -> None:
    url, cert = tls_server
    api = ApiClient(url)
    try:
        with pytest.raises(ApiError) as caught:
            await api.server_info()
        assert caught.value.kind is ApiErrorKind.TLS
        assert caught.value.details["subject"] == caught.value.details["issuer"] == "CN=Test CA"
        assert "self-signed certificate" in caught.value.details["reason"]
    finally:
        await api.aclose()
    trusted = ApiClient(url, ca_bundle=str(cert))
    try:
        assert (await trusted.server_info()).protocol == 1
    finally:
        await trusted.aclose()


def test_a_missing_ca_bundle_is_reported_as_tls() -> None:
    with pytest.raises(ApiError) as caught:
        ApiClient("https://chat.example.com", ca_bundle="/nonexistent/ca.pem")
    assert caught.value.kind is ApiErrorKind.TLS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("chat.example.com", "https://chat.example.com"),
        ("  http://127.0.0.1:8470/ ", "http://127.0.0.1:8470"),
        ("https://example.com/chat/", "https://example.com/chat"),
    ],
)
def test_server_urls_are_normalized(raw: str, expected: str) -> None:
    assert normalize_server_url(raw) == expected


@pytest.mark.parametrize("raw", ["", "ftp://example.com", "https://", "https://x.com/?token=1"])
def test_bad_server_urls_are_refused(raw: str) -> None:
    with pytest.raises(ApiError) as caught:
        normalize_server_url(raw)
    assert caught.value.kind is ApiErrorKind.INVALID_URL


def test_socket_urls_follow_the_scheme() -> None:
    assert websocket_url("https://chat.example.com") == "wss://chat.example.com/ws/agent"
    assert websocket_url("http://127.0.0.1:8470/base") == "ws://127.0.0.1:8470/base/ws/agent"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.asyncio
async def test_the_session_refreshes_before_expiry_once_for_concurrent_callers() -> None:
    refreshed: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/refresh"):
            refreshed.append(json.loads(request.content)["refresh_token"])
            return httpx.Response(200, json={**TOKENS, "access_token": "a2", "refresh_token": "r2"})
        return httpx.Response(404)

    clock = Clock()
    seen: list[TokenPair] = []
    session = AuthSession(
        client(handler), TokenPair(**TOKENS), email="a@x", on_tokens_changed=seen.append, clock=clock
    )
    try:
        assert await session.access_token() == "a1"
        clock.now += 3590
        tokens = await asyncio.gather(*(session.access_token() for _ in range(5)))
        assert tokens == ["a2"] * 5
        assert refreshed == ["r1"]
        assert [t.refresh_token for t in seen] == ["r2"]
    finally:
        await session.api.aclose()


@pytest.mark.asyncio
async def test_a_401_refreshes_and_retries_and_a_refused_refresh_ends_the_session() -> None:
    state = {"refresh_ok": True}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/auth/refresh"):
            if state["refresh_ok"]:
                return httpx.Response(200, json={**TOKENS, "access_token": "a2", "refresh_token": "r2"})
            return error(401, "invalid_token")
        if request.headers["authorization"] == "Bearer a2":
            return httpx.Response(
                200,
                json={"agent_id": "1", "email": "a@x", "name": "A", "role": "agent", "status": "accepting"},
            )
        return error(401, "invalid_token")

    session = AuthSession(client(handler), TokenPair(**TOKENS), email="a@x")
    try:
        assert (await session.me()).name == "A"
        state["refresh_ok"] = False
        with pytest.raises(ApiError) as caught:
            await session.access_token(force_refresh=True)
        assert caught.value.kind is ApiErrorKind.SESSION_EXPIRED
    finally:
        await session.api.aclose()

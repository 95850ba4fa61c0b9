"""A corporate network: the app signs in over HTTPS and keeps its socket (``wss``) through a real HTTP
proxy (Debian's tinyproxy, with and without basic authentication), trusting the company's own CA
through the ``ca_bundle`` setting; an untrusted certificate is named in the login dialog.

One module: one test CA, one backend serving TLS with a certificate it signed, and two proxies.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytestqt.qtbot import QtBot

from operator_app.app import AppController
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.api import ApiClient
from operator_app.settings import Settings
from operator_app.ui.login_dialog import LoginDialog
from tests.support.backend import BackendProcess, free_port
from tests.support.databases import sqlite_database
from tests.widgets.app_harness import eventually, make_controller, run
from tests.widgets.test_operator_login_dialog import fill, sign_in_and_wait

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
    pytest.mark.skipif(
        shutil.which("tinyproxy") is None, reason="needs Debian's tinyproxy (.ci/run installs it)"
    ),
]

PROXY_USER, PROXY_PASSWORD = "operator", "s3cret-proxy"


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass
class Pki:
    ca: Path
    cert: Path
    key: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A company CA ("Example Corp Root CA") and the chat server's certificate for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Example Corp Root CA", "Example Corp")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("chat.example.internal", "Example Corp"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    pki = Pki(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    pki.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pki.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.key.write_bytes(_pem_key(key))
    return pki


@pytest.fixture(scope="module")
def tls_backend(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    """`chat-backend serve --ssl-certfile --ssl-keyfile`: https and wss only."""
    workdir = tmp_path_factory.mktemp("tls-backend")
    backend = BackendProcess(
        database_url=sqlite_database(workdir), workdir=workdir, tls=(str(pki.cert), str(pki.key), str(pki.ca))
    )
    backend.start()
    yield backend
    backend.stop()


class TinyProxy:
    """tinyproxy on 127.0.0.1 with a config of its own; its log tells which tunnels it opened."""

    def __init__(self, folder: Path, *, auth: bool) -> None:
        self.port = free_port()
        self.log = folder / "tinyproxy.log"
        config = folder / "tinyproxy.conf"
        lines = [
            f"Port {self.port}",
            "Listen 127.0.0.1",
            "Timeout 60",
            f'LogFile "{self.log}"',
            "LogLevel Info",
            "MaxClients 50",
            "Allow 127.0.0.1",
            "DisableViaHeader Yes",
        ]
        if auth:
            lines.append(f"BasicAuth {PROXY_USER} {PROXY_PASSWORD}")
        config.write_text("\n".join(lines) + "\n")
        self.log.touch(mode=0o666)
        self.proc = subprocess.Popen(
            ["tinyproxy", "-d", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"tinyproxy did not start: {self.log.read_text(errors='replace')}")

    def url(self, user: str = "", password: str = "") -> str:
        credentials = f"{user}:{password}@" if user else ""
        return f"http://{credentials}127.0.0.1:{self.port}"

    def tunnels_to(self, port: int) -> int:
        """How many CONNECT requests to 127.0.0.1:`port` the proxy received."""
        return self.log.read_text(errors="replace").count(f"CONNECT 127.0.0.1:{port} ")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture(scope="module")
def open_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyProxy]:
    proxy = TinyProxy(tmp_path_factory.mktemp("proxy-open"), auth=False)
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def auth_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyProxy]:
    proxy = TinyProxy(tmp_path_factory.mktemp("proxy-auth"), auth=True)
    yield proxy
    proxy.stop()


def _controller(proxy_url: str, ca_bundle: str) -> AppController:
    controller = make_controller()
    controller.settings.set("proxy_url", proxy_url)
    controller.settings.set("ca_bundle", ca_bundle)
    return controller


def _sign_in_and_connect(
    qloop: asyncio.AbstractEventLoop, controller: AppController, backend: BackendProcess
) -> None:
    async def scenario() -> None:
        await controller.login(backend.url, backend.agent_email, backend.agent_password)
        session = controller.session
        assert session is not None
        await eventually(lambda: session.realtime.is_connected)

    try:
        run(qloop, scenario())
        assert controller.main_window is not None
    finally:
        run(qloop, controller.shutdown())


def test_https_and_wss_through_a_proxy_with_basic_authentication_trusting_the_company_ca(
    qloop: asyncio.AbstractEventLoop, tls_backend: BackendProcess, auth_proxy: TinyProxy, pki: Pki
) -> None:
    before = auth_proxy.tunnels_to(tls_backend.port)
    controller = _controller(auth_proxy.url(PROXY_USER, PROXY_PASSWORD), str(pki.ca))
    _sign_in_and_connect(qloop, controller, tls_backend)
    # The REST calls' tunnel and the socket's: both went through the proxy (nothing else could reach
    # the server: the app was told to use this proxy only).
    assert auth_proxy.tunnels_to(tls_backend.port) - before >= 2


def test_the_systems_proxy_from_the_environment_is_used_when_none_is_set(
    qloop: asyncio.AbstractEventLoop,
    tls_backend: BackendProcess,
    open_proxy: TinyProxy,
    pki: Pki,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", open_proxy.url())
    before = open_proxy.tunnels_to(tls_backend.port)
    _sign_in_and_connect(qloop, _controller("", str(pki.ca)), tls_backend)
    assert open_proxy.tunnels_to(tls_backend.port) - before >= 2

    # "none": straight to the server although the environment names a proxy.
    before = open_proxy.tunnels_to(tls_backend.port)
    _sign_in_and_connect(qloop, _controller("none", str(pki.ca)), tls_backend)
    assert open_proxy.tunnels_to(tls_backend.port) == before


def test_a_wrong_proxy_password_is_explained_in_the_login_dialog(
    qloop: asyncio.AbstractEventLoop,
    tls_backend: BackendProcess,
    auth_proxy: TinyProxy,
    pki: Pki,
    qtbot: QtBot,
) -> None:
    controller = _controller(auth_proxy.url(PROXY_USER, "wrong"), str(pki.ca))

    async def scenario() -> LoginDialog:
        dialog = controller.show_login()
        fill(qtbot, dialog, tls_backend.url, tls_backend.agent_email, tls_backend.agent_password)
        await sign_in_and_wait(qtbot, dialog)
        return dialog

    try:
        dialog = run(qloop, scenario())
        text = dialog.error_label.text()
        assert "refused the user name or password" in text, text
        assert f"operator:***@127.0.0.1:{auth_proxy.port}" in text
        assert "wrong" not in text
        assert controller.main_window is None
    finally:
        run(qloop, controller.shutdown())


def test_an_untrusted_certificate_is_named_in_the_login_dialog_and_never_accepted(
    qloop: asyncio.AbstractEventLoop, tls_backend: BackendProcess, auth_proxy: TinyProxy, qtbot: QtBot
) -> None:
    # No CA bundle: the company's CA is unknown to the system's trust store. Through the proxy, as
    # on the company's network.
    controller = _controller(auth_proxy.url(PROXY_USER, PROXY_PASSWORD), "")

    async def scenario() -> LoginDialog:
        dialog = controller.show_login()
        fill(qtbot, dialog, tls_backend.url, tls_backend.agent_email, tls_backend.agent_password)
        await sign_in_and_wait(qtbot, dialog)
        return dialog

    try:
        dialog = run(qloop, scenario())
        text = dialog.error_label.text()
        assert text.startswith(
            "The server's certificate is not trusted: CN=chat.example.internal, O=Example Corp,"
            " issued by CN=Example Corp Root CA, O=Example Corp."
        ), text
        assert "Settings > Network" in text
        assert controller.main_window is None
        assert controller.session is None
    finally:
        run(qloop, controller.shutdown())


def test_an_untrusted_certificate_directly_names_its_subject_too(
    qloop: asyncio.AbstractEventLoop, tls_backend: BackendProcess
) -> None:
    async def scenario() -> ApiError:
        api = ApiClient(tls_backend.url, proxy="none")
        try:
            await api.server_info()
        except ApiError as exc:
            return exc
        finally:
            await api.aclose()
        raise AssertionError("an untrusted certificate was accepted")

    error = run(qloop, scenario())
    assert error.kind is ApiErrorKind.TLS
    assert error.details["subject"] == "CN=chat.example.internal, O=Example Corp"
    assert error.details["issuer"] == "CN=Example Corp Root CA, O=Example Corp"
    assert "unable to get local issuer certificate" in error.details["reason"]


def test_the_command_lines_early_sign_in_uses_the_same_proxy_and_ca(
    qloop: asyncio.AbstractEventLoop, tls_backend: BackendProcess, auth_proxy: TinyProxy, pki: Pki
) -> None:
    from operator_app import launcher

    values = Settings(proxy_url=auth_proxy.url(PROXY_USER, PROXY_PASSWORD), ca_bundle=str(pki.ca))
    before = auth_proxy.tunnels_to(tls_backend.port)
    early = launcher._start_sign_in(
        tls_backend.url, tls_backend.agent_email, tls_backend.agent_password, values
    )
    assert early is not None

    async def scenario() -> None:
        signed = await early.signed_in()
        try:
            assert signed.snapshot is not None
            assert signed.update is not None
            assert signed.api.route.proxy == auth_proxy.url(PROXY_USER, PROXY_PASSWORD)
        finally:
            await signed.api.aclose()

    run(qloop, scenario())
    assert auth_proxy.tunnels_to(tls_backend.port) > before


def test_the_early_sign_in_reaches_an_https_server_directly_with_the_company_ca(
    qloop: asyncio.AbstractEventLoop, tls_backend: BackendProcess, pki: Pki
) -> None:
    """Without a proxy the early sign-in talks `http.client` over TLS, trusting the same CA bundle; the
    app's client then uses its TLS context rather than loading the trust store again."""
    from operator_app import launcher

    values = Settings(proxy_url="none", ca_bundle=str(pki.ca))
    early = launcher._start_sign_in(
        tls_backend.url, tls_backend.agent_email, tls_backend.agent_password, values
    )
    assert early is not None

    async def scenario() -> None:
        signed = await early.signed_in()
        try:
            assert signed.snapshot is not None
            assert signed.snapshot.me.email == tls_backend.agent_email
            assert signed.api.route.proxy is None
            assert signed.api.ssl_context is not None
            await signed.api.me(signed.tokens.access_token)  # the shared context works on the app's loop
        finally:
            await signed.api.aclose()

    run(qloop, scenario())


def test_the_early_sign_in_names_an_untrusted_certificate_as_the_app_always_did(
    qloop: asyncio.AbstractEventLoop, tls_backend: BackendProcess
) -> None:
    from operator_app import launcher

    values = Settings(proxy_url="none", ca_bundle="")
    early = launcher._start_sign_in(
        tls_backend.url, tls_backend.agent_email, tls_backend.agent_password, values
    )
    assert early is not None

    async def scenario() -> ApiError:
        with pytest.raises(ApiError) as refused:
            await early.signed_in()
        return refused.value

    error = run(qloop, scenario())
    assert error.kind is ApiErrorKind.TLS
    assert error.details["subject"] == "CN=chat.example.internal, O=Example Corp"

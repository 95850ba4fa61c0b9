"""The network configuration (proxy from the setting or the system, redacted passwords), the names read
from an untrusted certificate, and the app version's comparison with the server's."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chat_protocol.rest import ServerInfo
from operator_app import __main__ as cli
from operator_app import __version__
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.certinfo import certificate_names
from operator_app.net.network import proxy_authorization, proxy_for, redact, route_to
from operator_app.ui.error_text import describe_api_error
from operator_app.updates import UpdateStatus, is_older, parse_version, refuse_if_outdated, update_status

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


# --- proxy ------------------------------------------------------------------------------------


def test_the_proxy_setting_none_explicit_or_the_systems(clean_env: pytest.MonkeyPatch) -> None:
    server = "https://chat.example.com"
    assert proxy_for(server, "") is None
    clean_env.setenv("HTTPS_PROXY", "http://corp-proxy:3128")
    assert proxy_for(server, "") == "http://corp-proxy:3128"
    assert proxy_for("http://chat.example.com", "") is None  # only HTTPS_PROXY is set
    assert proxy_for(server, "none") is None
    assert proxy_for(server, " NONE ") is None
    assert proxy_for(server, "other:8080") == "http://other:8080"
    assert proxy_for(server, "http://u%40corp:p%3Ass@other:8080") == "http://u%40corp:p%3Ass@other:8080"
    clean_env.setenv("NO_PROXY", ".example.com,localhost")
    assert proxy_for(server, "") is None
    assert proxy_for("https://chat.elsewhere.org", "") == "http://corp-proxy:3128"


def test_a_system_proxy_of_another_kind_is_ignored_with_a_log_line(
    clean_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clean_env.setenv("HTTPS_PROXY", "socks5://corp:1080")
    assert proxy_for("https://chat.example.com", "") is None
    assert "not usable" in caplog.text


@pytest.mark.parametrize(
    "bad", ["socks5://corp:1080", "ftp://corp", "http://", "http://corp:99999", "http://x:" + "9" * 3000]
)
def test_a_bad_proxy_setting_is_a_proxy_error(bad: str) -> None:
    with pytest.raises(ApiError) as caught:
        proxy_for("https://chat.example.com", bad)
    assert caught.value.kind is ApiErrorKind.PROXY
    assert len(caught.value.message) < 300


def test_passwords_never_reach_logs_or_messages(clean_env: pytest.MonkeyPatch) -> None:
    url = "http://alice:hunter2@corp:3128"
    assert redact(url) == "http://alice:***@corp:3128"
    assert redact("http://corp:3128") == "http://corp:3128"
    assert proxy_authorization(url) == "Basic YWxpY2U6aHVudGVyMg=="
    assert proxy_authorization("http://corp:3128") is None
    with pytest.raises(ApiError) as caught:
        proxy_for("https://chat.example.com", "socks5://alice:hunter2@corp:1080")
    assert "hunter2" not in caught.value.message


def test_a_route_speaks_tls_only_where_needed(clean_env: pytest.MonkeyPatch) -> None:
    plain = route_to("http://chat.test", proxy_setting="none")
    assert (plain.ssl_context, plain.proxy, plain.proxy_ssl_context) == (None, None, None)
    tls_proxy = route_to("http://chat.test", proxy_setting="https://corp:443")
    assert tls_proxy.ssl_context is None
    assert tls_proxy.proxy_ssl_context is not None
    secure = route_to("https://chat.test", proxy_setting="http://corp:3128")
    assert secure.ssl_context is not None
    assert secure.proxy_ssl_context is None


# --- the untrusted certificate's names ----------------------------------------------------------


def _certificate(subject: x509.Name, issuer: x509.Name) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def test_subject_and_issuer_are_read_from_the_certificate() -> None:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "株式会社サンプル"),
            x509.NameAttribute(NameOID.COMMON_NAME, "chat.example.co.jp"),
        ]
    )
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sample Root CA\u0007")])
    assert certificate_names(_certificate(subject, issuer)) == (
        "CN=chat.example.co.jp, O=株式会社サンプル, C=JP",
        "CN=Sample Root CA",  # control characters dropped
    )


def test_damaged_certificates_raise_value_error_only() -> None:
    der = _certificate(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "a")]),
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "b")]),
    )
    rng = random.Random(15)
    samples = [der[:cut] for cut in range(0, len(der), 7)]
    samples += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))) for _ in range(300)]
    for _ in range(300):
        flipped = bytearray(der)
        flipped[rng.randrange(len(der))] = rng.randrange(256)
        samples.append(bytes(flipped))
    for sample in samples:
        try:
            subject, issuer = certificate_names(sample)
        except (ValueError, IndexError):
            continue
        assert isinstance(subject, str)
        assert isinstance(issuer, str)


def test_the_untrusted_certificate_message_names_it() -> None:
    error = ApiError(
        ApiErrorKind.TLS,
        "TLS failure",
        details={"subject": "CN=%2 chat", "issuer": "CN=Corp CA", "reason": "self-signed certificate"},
    )
    text = describe_api_error(error)
    assert text.startswith("The server's certificate is not trusted: CN=%2 chat, issued by CN=Corp CA.")
    assert text.endswith("(self-signed certificate)")
    bare = describe_api_error(ApiError(ApiErrorKind.TLS, "TLS failure"))
    assert "certificate is not trusted" in bare


# --- versions -----------------------------------------------------------------------------------


def test_versions_compare_as_dotted_numbers() -> None:
    assert parse_version("1.4.0") == parse_version("1.4") == (1, 4)
    assert parse_version("0") == (0,)
    assert is_older("1.9", "1.10")
    assert is_older("0.1.0", "0.1.1")
    assert not is_older("1.10", "1.9")
    assert not is_older("1.4", "1.4.0")
    for bad in ("", "v1.2", "1.2-beta", "1..2", "1.2.3.4.5", "１.２", "1." + "9" * 7):
        assert parse_version(bad) is None
        assert not is_older(bad, "2.0")
        assert not is_older("1.0", bad)


def test_update_status_from_the_server_and_the_workstation() -> None:
    info = ServerInfo(
        version="x",
        protocol=1,
        app_min_version="1.2",
        app_latest_version="1.5",
        app_download_url="https://downloads.example.com/",
    )
    status = update_status(info, current="1.3")
    assert (status.required, status.available) == (False, True)
    assert status.download_url == "https://downloads.example.com/"
    assert (
        update_status(info, current="1.3", update_url=" https://intranet/ ").download_url
        == "https://intranet/"
    )
    assert update_status(info, current="1.5").available is False
    assert update_status(ServerInfo(version="x", protocol=1)).available is False
    old = update_status(info, current="1.1")
    assert old.required
    with pytest.raises(ApiError) as caught:
        refuse_if_outdated(old)
    assert caught.value.kind is ApiErrorKind.OUTDATED
    assert caught.value.details == {
        "current": "1.1",
        "min_version": "1.2",
        "download_url": "https://downloads.example.com/",
    }
    refuse_if_outdated(UpdateStatus(current="1.2", min_version="1.2"))


def test_the_command_line_reports_the_one_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == f"operator-app {__version__}"


def test_a_version_the_app_cannot_read_is_ignored_not_the_server() -> None:
    info = ServerInfo.model_validate(
        {"version": "x", "protocol": 1, "app_min_version": "3.0-rc1", "app_download_url": "ftp://x"}
    )
    status = update_status(info, current="1.0")
    assert not status.required
    assert not status.available

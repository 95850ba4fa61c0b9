"""A real SMTP relay for tests (aiosmtpd on 127.0.0.1): STARTTLS (or TLS from the first byte) with a
certificate of a test CA made here, AUTH PLAIN/LOGIN with one user and password, and every message it
accepts kept as raw bytes in a list and in a `mailbox.Maildir` (which an IMAP server such as dovecot
can serve to an end-to-end test).

`stop()` takes it down (connections are refused: "the relay is down"); `start()` brings it back on the
same port."""

from __future__ import annotations

import datetime
import ipaddress
import mailbox
import ssl
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.support.backend import free_port


@dataclass(frozen=True)
class TestCertificates:
    """PEM files: a CA (give it to the client: `CHAT_SMTP_CA_FILE`), and the relay's certificate for
    127.0.0.1 and localhost with its key."""

    __test__ = False  # not a test class for pytest

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certificates(directory: Path) -> TestCertificates:
    """A CA and a server certificate signed by it, valid for a day, written into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mail relay test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    found = TestCertificates(directory / "ca.pem", directory / "relay.pem", directory / "relay-key.pem")
    found.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    found.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    found.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return found


@dataclass
class Received:
    """One accepted message: the envelope and the raw bytes as they arrived."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class MailRelay:
    """The relay; `start()`/`stop()` may be called again and again (same port, same mailbox)."""

    maildir: Path
    certificates: TestCertificates | None = None
    username: str = "relay-user"
    password: str = "relay-pass-例"
    implicit_tls: bool = False  # TLS from the first byte (port 465 style) instead of STARTTLS
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    auth_failures: int = 0
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.mailbox = mailbox.Maildir(self.maildir, create=True)

    # aiosmtpd handler hooks (called on the relay's own thread) -----------------------------------

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        with self._lock:
            self.received.append(Received(envelope.mail_from or "", list(envelope.rcpt_tos), raw))
            self.mailbox.add(raw)
        return "250 Message accepted for delivery"

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.username.encode()
            and auth_data.password == self.password.encode()
        ):
            return AuthResult(success=True)
        self.auth_failures += 1
        return AuthResult(success=False, handled=False)

    # control ---------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._controller is not None:
            return
        kwargs: dict[str, Any] = {
            "authenticator": self._authenticate,
            "auth_required": True,
            # aiosmtpd counts only STARTTLS as TLS; with TLS from the first byte AUTH is inside it anyway.
            "auth_require_tls": self.certificates is not None and not self.implicit_tls,
        }
        if self.certificates is not None:
            context = self.certificates.server_context()
            if self.implicit_tls:
                kwargs["ssl_context"] = context
            else:
                kwargs["tls_context"] = context
                kwargs["require_starttls"] = True
        controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def settings(self, **changes: Any) -> dict[str, Any]:
        """`SmtpSettings` (as JSON) that send through this relay."""
        security = "none" if self.certificates is None else "tls" if self.implicit_tls else "starttls"
        body: dict[str, Any] = {
            "enabled": True,
            "host": "127.0.0.1",
            "port": self.port,
            "security": security,
            "username": self.username,
            "password": self.password,
            "default_sender": "support@example.com",
        }
        body.update(changes)
        return body

    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [item.message() for item in self.received]

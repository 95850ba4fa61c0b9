"""Who a server's untrusted certificate claims to be, for the message that tells the user about it.

When the verified handshake failed, a second handshake without verification reads the certificate
(only to name it: the connection is closed at once, nothing is sent over it) and its subject and
issuer are read from the DER here: the app needs no X.509 library for two names.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from urllib.parse import urlsplit

from operator_app.net.network import proxy_authorization

log = logging.getLogger(__name__)

MAX_VALUE_CHARS = 200
PEER_CERTIFICATE_TIMEOUT = 5.0  # seconds for the second handshake, which only names the certificate
_ATTRIBUTES = {
    bytes.fromhex("550403"): "CN",
    bytes.fromhex("55040a"): "O",
    bytes.fromhex("55040b"): "OU",
    bytes.fromhex("550407"): "L",
    bytes.fromhex("550408"): "ST",
    bytes.fromhex("550406"): "C",
    bytes.fromhex("2a864886f70d010901"): "E",
}
_STRINGS = {
    0x0C: "utf-8",
    0x13: "latin-1",
    0x16: "latin-1",
    0x14: "latin-1",
    0x1E: "utf-16-be",
    0x1C: "utf-32-be",
}


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of the value, end of the value) of the DER element at `pos`; ValueError if cut."""
    if pos + 2 > len(data):
        raise ValueError("truncated")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if not 1 <= count <= 4 or pos + count > len(data):
            raise ValueError("bad length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("truncated")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    items = []
    while start < end:
        item = _tlv(data, start)
        if item[2] > end:
            raise ValueError("overrun")
        items.append(item)
        start = item[2]
    return items


def _name(data: bytes, start: int, end: int) -> str:
    """An X.509 Name as ``CN=..., O=...`` (most specific first, as RFC 4514 writes it)."""
    parts: list[str] = []
    for _set_tag, set_start, set_end in _children(data, start, end):
        for _seq_tag, seq_start, seq_end in _children(data, set_start, set_end):
            fields = _children(data, seq_start, seq_end)
            if len(fields) != 2 or fields[0][0] != 0x06:
                continue
            label = _ATTRIBUTES.get(data[fields[0][1] : fields[0][2]])
            value_tag, value_start, value_end = fields[1]
            encoding = _STRINGS.get(value_tag)
            if label is None or encoding is None:
                continue
            value = data[value_start:value_end].decode(encoding, errors="replace")
            value = "".join(ch for ch in value if ch.isprintable())[:MAX_VALUE_CHARS]
            parts.append(f"{label}={value}")
    return ", ".join(reversed(parts))


def certificate_names(der: bytes) -> tuple[str, str]:
    """(subject, issuer) of a DER certificate; ValueError when it is not one."""
    _tag, cert_start, cert_end = _tlv(der, 0)
    _tag, tbs_start, tbs_end = _tlv(der, cert_start)
    if tbs_end > cert_end:
        raise ValueError("overrun")
    fields = _children(der, tbs_start, tbs_end)
    if fields and fields[0][0] == 0xA0:  # [0] version
        fields = fields[1:]
    if len(fields) < 5:
        raise ValueError("not a certificate")
    issuer, subject = fields[2], fields[4]
    return _name(der, subject[1], subject[2]), _name(der, issuer[1], issuer[2])


async def peer_certificate(server_url: str, proxy: str | None) -> bytes | None:
    """The certificate the server presents, read without verifying it; None when it cannot be read.

    Through a proxy the handshake goes through ``CONNECT`` as the real one did. Only the
    certificate is read: the connection is closed right after the handshake.
    """
    parts = urlsplit(server_url)
    host, port = parts.hostname or "", parts.port or 443
    unverified = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(PEER_CERTIFICATE_TIMEOUT):
            if proxy is None:
                _reader, writer = await asyncio.open_connection(
                    host, port, ssl=unverified, server_hostname=host
                )
            else:
                via = urlsplit(proxy)
                if via.scheme != "http":
                    return None  # TLS inside TLS: asyncio's streams cannot; the message names no subject
                reader, writer = await asyncio.open_connection(via.hostname, via.port or 80)
                target = f"{host}:{port}"
                head = f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n"
                auth = proxy_authorization(proxy)
                if auth:
                    head += f"Proxy-Authorization: {auth}\r\n"
                writer.write((head + "\r\n").encode("latin-1"))
                answer = await reader.readuntil(b"\r\n\r\n")
                if answer.split(b" ", 2)[1:2] != [b"200"]:
                    return None
                await writer.start_tls(unverified, server_hostname=host)
            ssl_object = writer.get_extra_info("ssl_object")
            return ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    except (
        OSError,
        TimeoutError,
        ssl.SSLError,
        asyncio.IncompleteReadError,
        asyncio.LimitOverrunError,
    ) as exc:
        log.info("cannot read the server's certificate: %r", exc)
        return None
    finally:
        if writer is not None:
            writer.close()


def verify_reason(exc: BaseException) -> str:
    """OpenSSL's words for why verification failed (``self-signed certificate``...), or ""."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            words = getattr(current, "verify_message", None) or getattr(current, "reason", None) or ""
            return str(words)[:MAX_VALUE_CHARS]
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return ""


async def untrusted_certificate_details(
    server_url: str, proxy: str | None, exc: BaseException
) -> dict[str, str]:
    """``reason``, ``subject`` and ``issuer`` of a failed verification (what could be read)."""
    reason = verify_reason(exc)
    if not reason:
        return {}  # not a certificate verification (a protocol failure): no certificate to name
    details = {"reason": reason}
    der = await peer_certificate(server_url, proxy)
    if der:
        try:
            subject, issuer = certificate_names(der)
        except (ValueError, IndexError) as parse_error:
            log.info("cannot read the server's certificate: %s", parse_error)
        else:
            details.update(subject=subject, issuer=issuer)
    return details

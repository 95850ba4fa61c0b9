"""E-mail in, parsed: the raw bytes of one inbound mail as an `InboundMail` (who, what it answers, its
text and files, and whether a person wrote it, an auto-responder, or a mail server's bounce). Pure
parsing, no I/O: `chat_backend.domain.mail_inbox` acts on the result.

Everything here is hostile input: sizes are bounded, text is plain (HTML made plain, nothing loaded),
header values are decoded leniently (a broken encoding gives replacement characters, never an error)."""

from __future__ import annotations

import email
import email.message
import re
from dataclasses import dataclass, field
from email.header import Header, decode_header
from email.parser import HeaderParser
from email.utils import getaddresses
from typing import Literal

from chat_backend.domain.mail_text import clean, html_to_text, strip_history
from chat_backend.files.names import safe_name
from chat_protocol.tickets import MAX_SUBJECT_CHARS, MAX_TICKET_TEXT_CHARS

MAX_RAW_BYTES = 25 * 1024 * 1024
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_PARTS = 200  # MIME parts looked at (a mail of thousands of empty parts is not walked to its end)
MAX_DEPTH = 8
MAX_REFERENCES = 50

MailKind = Literal["mail", "auto_reply", "bounce"]
_MSGID = re.compile(r"<[^<>\s]{1,250}>")
_AUTO_SUPPRESS = {"all", "oof", "autoreply", "dr", "ndr", "rn", "nrn"}
_BOUNCERS = {"mailer-daemon", "postmaster"}
# Charsets as mail clients really use them: the Windows supersets of the Japanese and Western ones.
_CODECS = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "iso-8859-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "unknown-8bit": "utf-8",
}


class MailTooLarge(ValueError):
    """The raw mail is over `MAX_RAW_BYTES`: refused unread."""


@dataclass(frozen=True)
class InboundFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InboundMail:
    message_id: str  # "<…>", or "" when the mail has none
    from_name: str
    from_address: str  # the domain in Unicode (IDN decoded); a quoted local part keeps its quotes
    to: list[str]
    subject: str
    in_reply_to: list[str]
    references: list[str]
    text: str  # plain, the quoted history cut off, at most MAX_TICKET_TEXT_CHARS
    attachments: list[InboundFile] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # files over the limits: "name (reason)"
    kind: MailKind = "mail"
    bounced_ids: list[str] = field(default_factory=list)  # a bounce: the Message-IDs it returns
    bounce_reason: str = ""

    @property
    def thread_ids(self) -> list[str]:
        """Every Message-ID this mail says it answers, the direct parent first."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset (a wrong or unknown one falls back to UTF-8, then CP932)."""
    name = (charset or "utf-8").strip().strip('"').lower()
    codec = _CODECS.get(name, name)
    for attempt in (codec, "utf-8"):
        try:
            return data.decode(attempt)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp932", errors="replace")


def decode_words(value: object) -> str:
    """A header value with RFC 2047 encoded words (UTF-8, ISO-2022-JP, …) as one line of text."""
    if value is None:
        return ""
    try:
        chunks = decode_header(value if isinstance(value, Header) else str(value))
    except Exception:  # a malformed header is shown as it came
        return clean(" ".join(str(value).split()))
    out = []
    for chunk, charset in chunks:
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    text = "".join(out).encode("utf-8", errors="replace").decode("utf-8")  # no lone surrogates
    return clean(" ".join(text.split()))


def _header(msg: email.message.Message, name: str) -> str:
    try:
        return decode_words(msg.get(name))
    except Exception:
        return ""


def _raw_header(msg: email.message.Message, name: str) -> str:
    value = msg.get(name)
    return "" if value is None else str(value)


def display_address(addr: str) -> str:
    """`local@domain` with an IDN (`xn--…`) domain in Unicode; the local part (quotes and all) as is."""
    local, at, domain = addr.strip().rpartition("@")
    if not at:
        return addr.strip()[:254]
    try:
        shown = domain.encode("ascii").decode("idna") if "xn--" in domain.lower() else domain
    except UnicodeError:
        shown = domain
    return f"{local}@{shown.lower()}"[:254]


def _addresses(msg: email.message.Message, name: str) -> list[tuple[str, str]]:
    values = [str(v) for v in (msg.get_all(name) or [])]
    pairs = getaddresses(values) if values else []
    return [(decode_words(n), display_address(a)) for n, a in pairs if "@" in a][:100]


def message_ids(value: str) -> list[str]:
    return _MSGID.findall(value)[:MAX_REFERENCES]


def _filename(part: email.message.Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    # One plain component without control or direction characters (a "\u202e" can show "…exe.pdf"
    # for a name ending in ".exe"), as a chat's file names are.
    return safe_name(decode_words(name), fallback="")


def _leaves(msg: email.message.Message, depth: int = 0) -> list[email.message.Message]:
    """The parts that are not containers (a message/rfc822 part is a leaf: an attached mail)."""
    if depth > MAX_DEPTH:
        return []
    if msg.get_content_maintype() == "multipart" and msg.is_multipart():
        found: list[email.message.Message] = []
        for part in msg.get_payload():
            if len(found) >= MAX_PARTS:
                break
            if isinstance(part, email.message.Message):
                found.extend(_leaves(part, depth + 1))
        return found[:MAX_PARTS]
    return [msg]


def _payload(part: email.message.Message) -> bytes:
    if part.get_content_maintype() == "message":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], email.message.Message):
            return inner[0].as_bytes()
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _text_of(part: email.message.Message) -> str:
    return decode_bytes(_payload(part), part.get_content_charset())


def _is_attachment(part: email.message.Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or bool(_filename(part))


def _classify(
    msg: email.message.Message, from_address: str, leaves: list[email.message.Message]
) -> tuple[MailKind, list[str], str]:
    report = msg.get_content_type() == "multipart/report"
    report_type = (msg.get_param("report-type") or "") if report else ""
    if report and str(report_type).lower() == "delivery-status":
        ids, reason, failed = _dsn(leaves)
        return ("bounce", ids, reason) if failed else ("auto_reply", [], "")
    if _automatic(msg):
        return "auto_reply", [], ""
    sender = from_address.rpartition("@")[0].strip('"').lower()
    if sender in _BOUNCERS or _raw_header(msg, "Return-Path").strip() == "<>":
        ids, reason, _failed = _dsn(leaves)
        return "bounce", ids, reason or "the mail server returned the mail"
    return "mail", [], ""


def _automatic(msg: email.message.Message) -> bool:
    """An auto-responder or bulk mail (RFC 3834, and the headers vacation tools and lists add)."""
    auto = _raw_header(msg, "Auto-Submitted").strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return True
    if _raw_header(msg, "Precedence").strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return True
    if msg.get("X-Autoreply") is not None or msg.get("X-Autorespond") is not None:
        return True
    suppress = {t.strip().lower() for t in _raw_header(msg, "X-Auto-Response-Suppress").split(",")}
    return bool(suppress & _AUTO_SUPPRESS) or msg.get("List-Id") is not None


def _dsn(leaves: list[email.message.Message]) -> tuple[list[str], str, bool]:
    """From a delivery report: the returned mail's Message-IDs, why it failed, whether it did fail
    (a "delayed" report is no failure)."""
    ids: list[str] = []
    reasons: list[str] = []
    actions: list[str] = []
    for part in leaves:
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            blocks = part.get_payload()
            if isinstance(blocks, list):
                for block in blocks:
                    if not isinstance(block, email.message.Message):
                        continue
                    if block.get("Action"):
                        actions.append(str(block.get("Action")).strip().lower())
                    for name in ("Status", "Diagnostic-Code"):
                        if block.get(name):
                            reasons.append(" ".join(str(block.get(name)).split()))
        elif ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], email.message.Message):
                ids.extend(message_ids(_raw_header(inner[0], "Message-ID")))
        elif ctype == "text/rfc822-headers":
            headers = HeaderParser().parsestr(_text_of(part))
            ids.extend(message_ids(_raw_header(headers, "Message-ID")))
        elif part.get_content_maintype() == "text" and not ids:  # a plain bounce quoting the headers
            found = re.search(r"^Message-ID:\s*(<[^<>\s]{1,250}>)", _text_of(part), re.I | re.M)
            if found:
                ids.append(found.group(1))
    failed = not actions or any(a.startswith("failed") for a in actions)
    return ids[:MAX_REFERENCES], clean("; ".join(dict.fromkeys(reasons)))[:300], failed


def parse(raw: bytes) -> InboundMail:
    """One raw mail (RFC 5322 bytes) as an `InboundMail`; over `MAX_RAW_BYTES` raises `MailTooLarge`."""
    if len(raw) > MAX_RAW_BYTES:
        raise MailTooLarge(f"{len(raw)} bytes")
    msg = email.message_from_bytes(raw)
    senders = _addresses(msg, "From")
    from_name, from_address = senders[0] if senders else ("", "")
    leaves = _leaves(msg)
    kind, bounced, reason = _classify(msg, from_address, leaves)

    plain: str | None = None
    markup: str | None = None
    files: list[InboundFile] = []
    dropped: list[str] = []
    for part in leaves:
        ctype = part.get_content_type()
        if kind == "bounce" and part.get_content_maintype() == "message":
            continue
        if ctype in ("text/plain", "text/html") and not _is_attachment(part):
            if ctype == "text/plain" and plain is None:
                plain = _text_of(part)
            elif ctype == "text/html" and markup is None:
                markup = _text_of(part)
            continue
        if part.get_content_maintype() == "multipart":
            continue
        name = _filename(part) or ("message.eml" if ctype == "message/rfc822" else "attachment")
        data = _payload(part)
        if len(files) >= MAX_ATTACHMENTS:
            dropped.append(f"{name} (more than {MAX_ATTACHMENTS} files)")
        elif len(data) > MAX_ATTACHMENT_BYTES:
            dropped.append(f"{name} (over {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB)")
        else:
            files.append(InboundFile(name, ctype[:100], data))

    body = plain if plain is not None else html_to_text(markup) if markup is not None else ""
    text = strip_history(clean(body))[:MAX_TICKET_TEXT_CHARS]
    ids = message_ids(_raw_header(msg, "Message-ID"))
    return InboundMail(
        message_id=ids[0] if ids else "",
        from_name=from_name[:100],
        from_address=from_address,
        to=[addr for _name, addr in _addresses(msg, "To") + _addresses(msg, "Delivered-To")],
        subject=_header(msg, "Subject")[:MAX_SUBJECT_CHARS],
        in_reply_to=message_ids(_raw_header(msg, "In-Reply-To")),
        references=message_ids(_raw_header(msg, "References")),
        text=text,
        attachments=files,
        dropped=dropped,
        kind=kind,
        bounced_ids=bounced,
        bounce_reason=reason,
    )

"""A `mail_outbox` row as the MIME message that goes on the wire (no I/O).

multipart/alternative (text, then HTML), both UTF-8 in base64 so the message is 7-bit clean for any
relay; headers with non-ASCII text (a Japanese subject, a requester's name) as RFC 2047 encoded words;
addresses with an internationalized domain in their ASCII form (IDNA 2008, UTS #46, as browsers and
mail clients write them) and quoted local parts (`"john doe"@example.com`) kept quoted. A local part
that is not ASCII would need SMTPUTF8, which relays rarely offer: such an address is refused
(`BadAddress`, the mail fails at once instead of retrying for hours)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import idna

from chat_backend.db.ticket_tables import MailOutboxRow
from chat_backend.domain.auth import as_utc

# RFC 5322 lines of at most 78 characters, CRLF endings, encoded words for non-ASCII header text.
WIRE_POLICY = policy.SMTP


class BadAddress(ValueError):
    """An address this product cannot send to or from (bad syntax, a non-ASCII local part)."""


@dataclass(frozen=True)
class Envelope:
    """What the SMTP conversation names (MAIL FROM, RCPT TO), in the same ASCII form as the headers."""

    sender: str
    recipient: str


def _one_line(text: str, limit: int) -> str:
    """Header text: no line breaks (no header injection), no control characters, bounded."""
    cleaned = "".join(" " if ch in "\r\n\t" else ch for ch in text if ch >= " " or ch in "\r\n\t")
    return " ".join(cleaned.split())[:limit]


def ascii_domain(domain: str) -> str:
    """An address's domain as it goes on the wire: punycode for an internationalized one."""
    domain = domain.strip().rstrip(".")
    if not domain:
        raise BadAddress("The address has no domain.")
    if domain.isascii():
        if any(ch.isspace() or ch in '<>()[]\\,;:"@' for ch in domain):
            raise BadAddress(f"Bad domain {domain[:80]!r}.")
        return domain.lower()
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise BadAddress(f"Bad domain {domain[:80]!r}.") from exc


def wire_address(addr_spec: str, display_name: str = "") -> Address:
    """`addr_spec` (`local@domain`, the local part possibly quoted) as a header address in ASCII."""
    local, at, domain = addr_spec.strip().rpartition("@")
    if not at or not local:
        raise BadAddress(f"Not an e-mail address: {addr_spec[:80]!r}.")
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        local = local[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if not local.isascii() or any(ch in "\r\n" for ch in local):
        raise BadAddress("A local part that is not ASCII needs SMTPUTF8, which is not used.")
    name = _one_line(display_name, 100)
    return Address(display_name=name, username=local, domain=ascii_domain(domain))


def message_id_on_wire(message_id: str) -> str:
    """A stored Message-ID as a header value: `<...>`, one line, ASCII."""
    value = _one_line(message_id, 300)
    if not (value.startswith("<") and value.endswith(">")) or not value.isascii():
        raise BadAddress(f"Bad Message-ID {value[:80]!r}.")
    return value


def compose(row: MailOutboxRow, sender: str, reply_to: str = "") -> tuple[EmailMessage, Envelope]:
    """The message for `row`, from `sender` (the site's address), with `Reply-To` when the support
    mailbox is another address. Raises `BadAddress` when an address cannot be written."""
    from_addr = wire_address(sender)
    to_addr = wire_address(row.to_addr, row.to_name)
    msg = EmailMessage(policy=WIRE_POLICY)
    msg["From"] = from_addr
    msg["To"] = to_addr
    if reply_to and reply_to.strip().lower() != sender.strip().lower():
        msg["Reply-To"] = wire_address(reply_to)
    msg["Subject"] = _one_line(row.subject, 300)
    msg["Date"] = format_datetime(as_utc(row.created_at or datetime.now(UTC)))
    msg["Message-ID"] = message_id_on_wire(row.message_id)
    headers = row.headers or {}
    in_reply_to = headers.get("in_reply_to")
    if isinstance(in_reply_to, str) and in_reply_to.strip():
        msg["In-Reply-To"] = message_id_on_wire(in_reply_to)
    listed = headers.get("references")
    references = [r for r in listed if isinstance(r, str) and r.strip()] if isinstance(listed, list) else []
    if references:
        msg["References"] = " ".join(message_id_on_wire(r) for r in references[-20:])
    if headers.get("auto_submitted") is True:
        # RFC 3834: no vacation replies or other automatic answers to a transcript or a summary.
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(row.body_text, cte="base64")
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html", cte="base64")
        for part in msg.iter_parts():
            if isinstance(part, EmailMessage):
                del part["MIME-Version"]  # add_alternative repeats it in the parts; it belongs on top only
    return msg, Envelope(sender=from_addr.addr_spec, recipient=to_addr.addr_spec)

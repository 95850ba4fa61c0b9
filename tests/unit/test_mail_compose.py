"""A `mail_outbox` row as a MIME message (chat_backend/domain/mail_compose.py), parsed back as a mail
client would: internationalized domains, quoted local parts, Japanese text, Auto-Submitted."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest

from chat_backend.db.ticket_tables import MailOutboxRow
from chat_backend.domain.mail_compose import BadAddress, compose
from chat_backend.domain.mail_out import new_message_id, plain_to_html
from chat_backend.domain.mail_send import MAX_ATTEMPTS, RETRY_MAX, retry_delay


def row(**changes: Any) -> MailOutboxRow:
    fields: dict[str, Any] = {
        "id": "m1",
        "kind": "reply",
        "site_id": "demo-shop",
        "to_addr": "visitor@example.com",
        "to_name": "山田 太郎",
        "subject": "Re: ご注文の配送について [#42]",
        "body_text": "お待たせしました。\n明日お届けします。",
        "body_html": plain_to_html("お待たせしました。\n明日お届けします。"),
        "message_id": "<0123abcd@example.com>",
        "headers": {"in_reply_to": None, "references": [], "auto_submitted": False},
        "created_at": datetime(2026, 12, 7, 3, 4, 5, tzinfo=UTC),
    }
    fields.update(changes)
    return MailOutboxRow(**fields)


def wire(message: EmailMessage) -> tuple[bytes, EmailMessage]:
    raw = message.as_bytes()
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return raw, parsed


def test_japanese_subject_and_bodies_are_encoded_words_and_utf8_parts() -> None:
    message, envelope = compose(row(), "support@example.com")
    raw, parsed = wire(message)
    assert raw.isascii()
    assert b"=?utf-8?" in raw  # RFC 2047 encoded words in the headers
    assert parsed["Subject"] == "Re: ご注文の配送について [#42]"
    assert parsed["To"].addresses[0].display_name == "山田 太郎"
    assert parsed.get_content_type() == "multipart/alternative"
    plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None
    assert html is not None
    assert plain.get_content_charset() == "utf-8"
    assert plain.get_content().replace("\r\n", "\n").rstrip() == "お待たせしました。\n明日お届けします。"  # type: ignore[attr-defined]
    assert "明日お届けします。" in html.get_content()  # type: ignore[attr-defined]
    assert parsed["Message-ID"] == "<0123abcd@example.com>"
    assert parsed["Date"].datetime == datetime(2026, 12, 7, 3, 4, 5, tzinfo=UTC)
    assert envelope.recipient == "visitor@example.com"
    assert envelope.sender == "support@example.com"


def test_an_iso_2022_jp_subject_a_client_wrote_is_answered_in_utf8() -> None:
    """A subject that came in as ISO-2022-JP encoded words is stored as text and goes out as UTF-8."""
    word = base64.b64encode("配送の件".encode("iso-2022-jp")).decode()
    inbound = BytesParser(policy=policy.default).parsebytes(
        f"Subject: =?ISO-2022-JP?B?{word}?=\r\n\r\nx".encode()
    )
    subject = f"Re: {inbound['Subject']}"
    raw, parsed = wire(compose(row(subject=subject), "support@example.com")[0])
    assert parsed["Subject"] == "Re: 配送の件"
    assert b"=?utf-8?" in raw


def test_internationalized_domains_go_out_as_punycode() -> None:
    message, envelope = compose(
        row(to_addr="hanako@例え.テスト"), "support@bücher.example", reply_to="help@bücher.example"
    )
    _raw, parsed = wire(message)
    assert parsed["To"].addresses[0].domain == "xn--r8jz45g.xn--zckzah"
    assert envelope.recipient == "hanako@xn--r8jz45g.xn--zckzah"
    assert envelope.sender == "support@xn--bcher-kva.example"
    assert parsed["Reply-To"] == "help@xn--bcher-kva.example"
    assert new_message_id("support@bücher.example").endswith("@xn--bcher-kva.example>")


def test_a_quoted_local_part_stays_quoted() -> None:
    message, envelope = compose(row(to_addr='"john doe"@example.com', to_name="John"), "support@example.com")
    raw, parsed = wire(message)
    assert b'<"john doe"@example.com>' in raw
    assert parsed["To"].addresses[0].username == "john doe"
    assert envelope.recipient == '"john doe"@example.com'


def test_auto_submitted_only_on_automatic_mail() -> None:
    human = wire(compose(row(), "support@example.com")[0])[1]
    assert human["Auto-Submitted"] is None
    auto = row(kind="summary", headers={"auto_submitted": True})
    assert wire(compose(auto, "support@example.com")[0])[1]["Auto-Submitted"] == "auto-generated"


def test_thread_headers_and_reply_to() -> None:
    headers = {"in_reply_to": "<b@example.com>", "references": ["<a@example.com>", "<b@example.com>"]}
    _raw, parsed = wire(compose(row(headers=headers), "a@example.com", reply_to="help@example.com")[0])
    assert parsed["In-Reply-To"] == "<b@example.com>"
    assert parsed["References"] == "<a@example.com> <b@example.com>"
    assert parsed["Reply-To"] == "help@example.com"
    same = wire(compose(row(), "help@example.com", reply_to="help@example.com")[0])[1]
    assert same["Reply-To"] is None


def test_no_header_injection_through_the_subject_or_name() -> None:
    evil = row(subject="Hello\r\nBcc: victim@example.com", to_name="X\nBcc: v@example.com")
    raw, parsed = wire(compose(evil, "support@example.com")[0])
    assert parsed["Bcc"] is None
    assert b"\r\nBcc:" not in raw


@pytest.mark.parametrize("address", ["山田@example.com", "no-at-sign", "a@exa mple.com", "@example.com"])
def test_addresses_that_cannot_be_written_are_refused(address: str) -> None:
    with pytest.raises(BadAddress):
        compose(row(to_addr=address), "support@example.com")


def test_retries_double_from_30_seconds_up_to_an_hour() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, MAX_ATTEMPTS + 1)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == RETRY_MAX
    assert delays == sorted(delays)

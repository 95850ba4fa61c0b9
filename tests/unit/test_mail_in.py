"""The inbound-mail parser (`chat_backend.domain.mail_in`) on hostile and real-world mails."""

from __future__ import annotations

import base64
from email.message import EmailMessage

import pytest

from chat_backend.domain import mail_in
from chat_backend.domain.mail_text import strip_history
from chat_protocol.tickets import MAX_TICKET_TEXT_CHARS


def _jis_word(text: str) -> str:
    return "=?ISO-2022-JP?B?" + base64.b64encode(text.encode("iso2022_jp")).decode() + "?="


def test_encoded_words_in_iso_2022_jp_and_utf8_and_a_jis_body() -> None:
    raw = (
        f"From: {_jis_word('山田太郎')} <taro@example.jp>\r\n"
        "To: support@shop.example\r\n"
        f"Subject: =?UTF-8?B?{base64.b64encode('配送について'.encode()).decode()}?= {_jis_word('質問')}\r\n"
        "Message-ID: <m1@example.jp>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
        "Content-Transfer-Encoding: 7bit\r\n\r\n"
    ).encode() + "荷物はいつ届きますか。\r\n".encode("iso2022_jp")
    mail = mail_in.parse(raw)
    assert mail.from_name == "山田太郎"
    assert mail.from_address == "taro@example.jp"
    assert mail.subject == "配送について質問"
    assert mail.text == "荷物はいつ届きますか。"
    assert mail.message_id == "<m1@example.jp>"
    assert mail.kind == "mail"


def test_shift_jis_body_and_encoded_attachment_name() -> None:
    msg = EmailMessage()
    msg["From"] = "a@example.jp"
    msg["Subject"] = "見積"
    msg.set_content("お見積りをお願いします。", charset="shift_jis")
    msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="見積書.pdf")
    mail = mail_in.parse(msg.as_bytes())
    assert mail.text == "お見積りをお願いします。"
    assert [(f.filename, f.content_type, f.data) for f in mail.attachments] == [
        ("見積書.pdf", "application/pdf", b"%PDF-1.4")
    ]


def test_attachment_names_lose_folders_controls_and_direction_marks() -> None:
    msg = EmailMessage()
    msg["From"] = "a@example.jp"
    msg["Subject"] = "files"
    msg.set_content("see attached")
    for name in ("invoice\u202egpj.exe", "../../.bashrc", "CON.txt", "a\u200bb.pdf"):
        msg.add_attachment(b"x", maintype="application", subtype="octet-stream", filename=name)
    mail = mail_in.parse(msg.as_bytes())
    assert [f.filename for f in mail.attachments] == ["invoicegpj.exe", "bashrc", "_CON.txt", "ab.pdf"]


def test_idn_domain_shown_in_unicode_and_quoted_local_part_kept() -> None:
    raw = b'From: "Jo" <"jo smith"@xn--r8jz45g.jp>\r\nTo: s@x.example\r\n\r\nhi\r\n'
    mail = mail_in.parse(raw)
    assert mail.from_address == '"jo smith"@例え.jp'
    assert mail.from_name == "Jo"


def test_html_only_mail_becomes_plain_text_without_scripts_or_images() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<script>alert('x')</script><p>Hello <b>there</b>&amp; welcome</p>"
        '<img src="https://tracker.example/pixel.gif" width="1" height="1">'
        '<p>Second <img src="https://cdn.example/logo.png" alt="logo"> line</p></body></html>'
    )
    msg = EmailMessage()
    msg["From"] = "v@example.com"
    msg.set_content(html, subtype="html")
    mail = mail_in.parse(msg.as_bytes())
    assert mail.text == "Hello there& welcome\n\nSecond line"
    assert "alert" not in mail.text
    assert "tracker" not in mail.text
    assert "color" not in mail.text


def test_plain_text_is_preferred_over_html() -> None:
    msg = EmailMessage()
    msg["From"] = "v@example.com"
    msg.set_content("plain words")
    msg.add_alternative("<p>html words</p>", subtype="html")
    assert mail_in.parse(msg.as_bytes()).text == "plain words"


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("Thanks!\n\nOn Mon, 1 Dec 2026 at 10:00, Shop <s@shop.example> wrote:\n> old", "Thanks!"),
        ("Thanks!\n\nOn Mon, 1 Dec 2026 at 10:00, Shop Support\n<s@shop.example> wrote:\n> old", "Thanks!"),
        ("Fine.\nShop <s@shop.example> wrote:\nold text", "Fine."),
        ("了解です。\n\n2026年12月1日(月) 10:00 山田 <s@shop.example>さんは書きました:\n> 前", "了解です。"),
        ("ありがとう\n\n2026/12/01 10:00、Shop のメッセージ:\n\n前のメール", "ありがとう"),
        ("OK\n\n-----Original Message-----\nFrom: Shop\nSent: Monday\nold", "OK"),
        ("はい\n\n差出人: Shop <s@shop.example>\n送信日時: 2026年12月1日\n件名: Re", "はい"),
        ("Yes\n\nFrom: Shop <s@shop.example>\nSent: Monday\nTo: me\nSubject: Re", "Yes"),
        ("Answer first\n> quoted\n> more\n\n", "Answer first"),
        (
            "大丈夫です。\n\n2026年12月7日(月) 14:00 窓口 <s@shop.example>:\n> 明日発送\n> します",
            "大丈夫です。",
        ),
        (
            "Write to Shop <s@shop.example>:\nthey answer fast",
            "Write to Shop <s@shop.example>:\nthey answer fast",
        ),
        ("From: here I begin my story\nand it goes on", "From: here I begin my story\nand it goes on"),
    ],
)
def test_quoted_history_is_cut_off(body: str, kept: str) -> None:
    assert strip_history(body) == kept


def test_text_is_capped_and_huge_mail_refused() -> None:
    msg = EmailMessage()
    msg["From"] = "v@example.com"
    msg.set_content("x" * (MAX_TICKET_TEXT_CHARS + 500))
    assert len(mail_in.parse(msg.as_bytes()).text) == MAX_TICKET_TEXT_CHARS
    with pytest.raises(mail_in.MailTooLarge):
        mail_in.parse(b"x" * (mail_in.MAX_RAW_BYTES + 1))


def test_attachments_beyond_the_limits_are_listed_as_dropped() -> None:
    msg = EmailMessage()
    msg["From"] = "v@example.com"
    msg.set_content("files")
    for i in range(mail_in.MAX_ATTACHMENTS + 1):
        msg.add_attachment(b"x", maintype="application", subtype="octet-stream", filename=f"f{i}.bin")
    mail = mail_in.parse(msg.as_bytes())
    assert len(mail.attachments) == mail_in.MAX_ATTACHMENTS
    assert mail.dropped == [f"f{mail_in.MAX_ATTACHMENTS}.bin (more than {mail_in.MAX_ATTACHMENTS} files)"]


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Precedence: bulk",
        "Precedence: junk",
        "X-Autoreply: yes",
        "X-Autorespond: vacation",
        "X-Auto-Response-Suppress: OOF, AutoReply",
        "List-Id: <news.example.com>",
    ],
)
def test_auto_replies_and_bulk_mail_are_recognised(header: str) -> None:
    raw = f"From: v@example.com\r\n{header}\r\nSubject: Out of office\r\n\r\nAway\r\n".encode()
    assert mail_in.parse(raw).kind == "auto_reply"


def test_a_person_writing_is_a_mail() -> None:
    raw = b"From: v@example.com\r\nAuto-Submitted: no\r\nPrecedence: normal\r\n\r\nHi\r\n"
    assert mail_in.parse(raw).kind == "mail"


def dsn(original_id: str, action: str = "failed") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n"
        "To: support@shop.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; nobody@example.com\r\nAction: {action}\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@shop.example\r\nMessage-ID: {original_id}\r\nSubject: Re: [#3]\r\n"
        "--B--\r\n"
    ).encode()


def test_a_dsn_is_a_bounce_naming_the_returned_mail() -> None:
    mail = mail_in.parse(dsn("<abc123@shop.example>"))
    assert mail.kind == "bounce"
    assert mail.bounced_ids == ["<abc123@shop.example>"]
    assert "5.1.1" in mail.bounce_reason
    assert "User unknown" in mail.bounce_reason


def test_a_delay_notice_is_no_bounce() -> None:
    assert mail_in.parse(dsn("<abc@shop.example>", action="delayed")).kind == "auto_reply"


def test_a_plain_bounce_from_postmaster_with_empty_return_path() -> None:
    raw = (
        b"Return-Path: <>\r\nFrom: postmaster@mx.example\r\nSubject: failure\r\n\r\n"
        b"Delivery failed.\r\n\r\n--- original headers ---\r\nMessage-ID: <orig@shop.example>\r\n"
    )
    mail = mail_in.parse(raw)
    assert mail.kind == "bounce"
    assert mail.bounced_ids == ["<orig@shop.example>"]


def test_thread_ids_and_control_characters() -> None:
    raw = b"From: v@example.com\r\nIn-Reply-To: <b@x>\r\nReferences: <a@x> <b@x>\r\n\r\nhi\x00 there\x07\r\n"
    mail = mail_in.parse(raw)
    assert mail.thread_ids == ["<b@x>", "<a@x>"]
    assert mail.text == "hi there"

"""E-mail out on a real backend through a real relay (tests/support/mail_relay.py: STARTTLS with a test
CA given to the backend as CHAT_SMTP_CA_FILE, AUTH): a ticket reply arrives threaded, waits while the
relay is down, goes out in order when it is back, fails after the last attempt and is queued again by
an admin. The retry clock is driven by running the mail job's pass from the test at a later `now`."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from chat_backend.cluster.mail_job import mail_pass
from chat_backend.db.engine import Database
from chat_backend.domain import mail_send
from tests.support.backend import BackendProcess
from tests.support.databases import create_postgres_database, drop_postgres_database, sqlite_database
from tests.support.mail_relay import MailRelay, TestCertificates, make_certificates
from tests.support.sharing import admin_of
from tests.support.wire import new_id


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> TestCertificates:
    return make_certificates(tmp_path_factory.mktemp("relay-ca"))


POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")


@pytest.fixture(scope="module", params=["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"])
def mail_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, certificates: TestCertificates
) -> Iterator[BackendProcess]:
    """One backend for the module that trusts the relay's test CA, once per database."""
    workdir = tmp_path_factory.mktemp("mail-backend")
    name = ""
    if request.param == "sqlite":
        url = sqlite_database(workdir)
    else:
        name, url = create_postgres_database(POSTGRES_URL)
    proc = BackendProcess(
        database_url=url, workdir=workdir, env={"CHAT_SMTP_CA_FILE": str(certificates.ca_file)}
    )
    try:
        proc.start()
        yield proc
    finally:
        proc.stop()
        if name:
            drop_postgres_database(POSTGRES_URL, name)


@pytest.fixture
def relay(tmp_path: Path, certificates: TestCertificates) -> Iterator[MailRelay]:
    found = MailRelay(tmp_path / "Maildir", certificates)
    found.start()
    try:
        yield found
    finally:
        found.stop()


def wait_for(check: Callable[[], Any], within: float = 20.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def drive(backend: BackendProcess, certificates: TestCertificates, later: timedelta) -> mail_send.PassResult:
    """One pass of the mail job at `now + later`, run here on the backend's database."""

    async def run() -> mail_send.PassResult:
        db = Database(backend.database_url)
        try:
            return await mail_pass(db, None, datetime.now(UTC) + later, str(certificates.ca_file))
        finally:
            await db.dispose()

    return asyncio.run(run())


def new_ticket(backend: BackendProcess, subject: str = "配送について") -> dict[str, Any]:
    body = {
        "client_id": new_id(),
        "site_id": backend.site_id,
        "subject": subject,
        "requester_email": "visitor@example.com",
        "requester_name": "山田 太郎",
        "text": "荷物はいつ届きますか",
    }
    ticket: dict[str, Any] = admin_of(backend).call("POST", "/tickets", body)["ticket"]
    return ticket


def reply(backend: BackendProcess, ticket_id: str, text: str) -> dict[str, Any]:
    detail: dict[str, Any] = admin_of(backend).call(
        "POST", f"/tickets/{ticket_id}/replies", {"client_id": new_id(), "text": text}
    )
    return detail


def reply_entries(backend: BackendProcess, ticket_id: str) -> list[dict[str, Any]]:
    detail = admin_of(backend).call("GET", f"/tickets/{ticket_id}")
    return [entry for entry in detail["entries"] if entry["kind"] == "reply"]


def outbox_of(backend: BackendProcess, ticket_subject: str) -> list[dict[str, Any]]:
    """The ticket's mail in the outbox, oldest first."""
    rows: list[dict[str, Any]] = admin_of(backend).call("GET", "/mail/outbox")
    return [row for row in reversed(rows) if ticket_subject in row["subject"]]


def texts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None
    assert html is not None
    # Text parts travel in their canonical form, CRLF line ends.
    return (
        str(plain.get_content()).replace("\r\n", "\n"),  # type: ignore[attr-defined]
        str(html.get_content()).replace("\r\n", "\n"),  # type: ignore[attr-defined]
    )


def test_ticket_reply_arrives_threaded_and_the_password_stays_hidden(
    mail_backend: BackendProcess, relay: MailRelay
) -> None:
    admin = admin_of(mail_backend)
    admin.call("PUT", "/settings/email", relay.settings(reply_to="help@例え.jp"))
    shown = httpx.get(
        f"{mail_backend.url}/api/v1/settings/email", headers={"Authorization": f"Bearer {admin.token}"}
    )
    assert shown.json()["password"] is None
    assert shown.json()["password_set"] is True
    assert relay.password not in shown.text

    ticket = new_ticket(mail_backend)
    reply(mail_backend, ticket["ticket_id"], "お待たせしました。\n明日届きます <b>")
    wait_for(lambda: len(relay.received) == 1)
    reply(mail_backend, ticket["ticket_id"], "Second answer")
    wait_for(lambda: len(relay.received) == 2)

    first, second = relay.messages()
    assert relay.received[0].rcpt_tos == ["visitor@example.com"]
    assert first.get_content_type() == "multipart/alternative"
    assert first["Subject"] == f"Re: 配送について [#{ticket['number']}]"
    assert first["From"] == "support@example.com"
    assert first["Reply-To"] == "help@xn--r8jz45g.jp"
    assert first["To"].addresses[0].display_name == "山田 太郎"
    assert first["Auto-Submitted"] is None
    plain, html = texts(first)
    assert plain.rstrip() == "お待たせしました。\n明日届きます <b>"
    assert "&lt;b&gt;" in html
    assert "<br>" in html
    assert second["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in second["References"]
    assert all(byte < 128 for byte in relay.received[0].raw)  # 7-bit clean: encoded words, base64
    assert len(relay.mailbox) == 2  # the Maildir an IMAP server can serve
    entries = reply_entries(mail_backend, ticket["ticket_id"])
    assert [entry["mail_state"] for entry in entries] == ["sent", "sent"]


def test_replies_wait_while_the_relay_is_down_then_go_out_in_order(
    mail_backend: BackendProcess, relay: MailRelay, certificates: TestCertificates
) -> None:
    admin_of(mail_backend).call("PUT", "/settings/email", relay.settings())
    relay.stop()
    ticket = new_ticket(mail_backend, "順番の確認")
    reply(mail_backend, ticket["ticket_id"], "one")
    reply(mail_backend, ticket["ticket_id"], "two")
    waiting = wait_for(
        lambda: (
            [row for row in outbox_of(mail_backend, "順番の確認") if row["attempts"]]
            and outbox_of(mail_backend, "順番の確認")
        )
    )
    assert [row["state"] for row in waiting] == ["queued", "queued"]
    assert waiting[0]["attempts"] == 1
    assert waiting[0]["last_error"]
    assert waiting[1]["attempts"] == 0  # behind the first: never overtakes it
    assert relay.password not in waiting[0]["last_error"]
    entries = reply_entries(mail_backend, ticket["ticket_id"])
    assert entries[0]["mail_state"] == "queued"
    assert entries[0]["mail_error"]

    relay.start()
    done = drive(mail_backend, certificates, timedelta(hours=2))
    assert done.sent == [waiting[0]["mail_id"], waiting[1]["mail_id"]]
    assert [texts(message)[0].strip() for message in relay.messages()] == ["one", "two"]
    assert outbox_of(mail_backend, "順番の確認") == []
    assert [e["mail_state"] for e in reply_entries(mail_backend, ticket["ticket_id"])] == ["sent", "sent"]


def test_mail_fails_after_the_last_attempt_and_an_admin_sends_it_again(
    mail_backend: BackendProcess, relay: MailRelay, certificates: TestCertificates
) -> None:
    admin = admin_of(mail_backend)
    admin.call("PUT", "/settings/email", relay.settings())
    relay.stop()
    ticket = new_ticket(mail_backend, "失敗の確認")
    reply(mail_backend, ticket["ticket_id"], "never arrives, at first")
    wait_for(lambda: [row for row in outbox_of(mail_backend, "失敗の確認") if row["attempts"]])
    for hours in range(2, 2 + 2 * mail_send.MAX_ATTEMPTS, 2):
        drive(mail_backend, certificates, timedelta(hours=hours))
        if outbox_of(mail_backend, "失敗の確認")[0]["state"] == "failed":
            break
    [failed] = outbox_of(mail_backend, "失敗の確認")
    assert failed["state"] == "failed"
    assert failed["attempts"] == mail_send.MAX_ATTEMPTS
    assert failed["last_error"]
    assert relay.password not in failed["last_error"]
    [entry] = reply_entries(mail_backend, ticket["ticket_id"])
    assert entry["mail_state"] == "failed"
    assert entry["mail_error"]

    relay.start()
    again = admin.call("POST", f"/mail/outbox/{failed['mail_id']}/retry")
    assert again["state"] == "queued"
    assert again["attempts"] == 0
    wait_for(lambda: relay.received)  # the kick: the backend's job sends it at once
    wait_for(lambda: reply_entries(mail_backend, ticket["ticket_id"])[0]["mail_state"] == "sent")
    refused = httpx.post(
        f"{mail_backend.url}/api/v1/mail/outbox/{failed['mail_id']}/retry",
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    assert refused.status_code == 422  # sent already: never twice


def test_daily_summary_goes_once_to_each_supervisor_and_admin(
    mail_backend: BackendProcess, relay: MailRelay, certificates: TestCertificates
) -> None:
    admin = admin_of(mail_backend)
    supervisor = admin.new_agent("Sup Ervisor", role="supervisor")
    admin.call("PUT", "/settings/email", relay.settings(summary_hour=0))
    try:
        to_admin = wait_for(
            lambda: [m for m in relay.messages() if m["To"].addresses[0].addr_spec == admin.email]
        )
        wait_for(lambda: [m for m in relay.messages() if supervisor.email in str(m["To"])])
        wait_for(lambda: not [m for m in admin.call("GET", "/mail/outbox") if m["kind"] == "summary"])
        assert drive(mail_backend, certificates, timedelta()).sent == []  # one per person and day
    finally:
        admin.call("PUT", "/settings/email", relay.settings())
    [summary] = to_admin
    assert summary["Auto-Submitted"] == "auto-generated"
    assert "日次サマリー" in summary["Subject"]
    plain, _html = texts(summary)
    assert "Open tickets now / 現在の未対応チケット:" in plain
    assert "Chats / チャット: " in plain


def test_mail_waits_uncounted_while_sending_is_off(
    mail_backend: BackendProcess, relay: MailRelay, certificates: TestCertificates
) -> None:
    admin = admin_of(mail_backend)
    admin.call("PUT", "/settings/email", relay.settings(enabled=False))
    ticket = new_ticket(mail_backend, "送信停止中")
    reply(mail_backend, ticket["ticket_id"], "later")
    assert drive(mail_backend, certificates, timedelta(hours=1)).sent == []
    [waiting] = outbox_of(mail_backend, "送信停止中")
    assert waiting["attempts"] == 0
    assert waiting["state"] == "queued"
    admin.call("PUT", "/settings/email", relay.settings())  # the kick: sent at once
    wait_for(lambda: relay.received)
    assert relay.received[0].rcpt_tos == ["visitor@example.com"]


def test_tls_from_the_first_byte(
    mail_backend: BackendProcess, tmp_path: Path, certificates: TestCertificates
) -> None:
    relay = MailRelay(tmp_path / "Maildir", certificates, implicit_tls=True)
    relay.start()
    try:
        admin_of(mail_backend).call("PUT", "/settings/email", relay.settings())
        ticket = new_ticket(mail_backend, "TLS の確認")
        reply(mail_backend, ticket["ticket_id"], "over TLS")
        wait_for(lambda: relay.received)
        assert texts(relay.messages()[0])[0].strip() == "over TLS"
    finally:
        relay.stop()

"""A ticket answered by e-mail, end to end: nobody accepts chats, so a visitor leaves a message in the
widget's offline form (headless Chromium); it is a ticket in the real app (offscreen); the agent
replies; the reply reaches a real SMTP relay (aiosmtpd, AUTH) as a threaded, Japanese, multipart
e-mail; the visitor answers it (ISO-2022-JP, quoting the reply) into the support mailbox that Debian's
dovecot serves over IMAP; the backend polls it into the same ticket, quote stripped; the agent solves it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from chat_protocol.tickets import TicketState
from operator_app.app import AppController
from tests.support.backend import BackendProcess
from tests.support.browser import BrowserThread
from tests.support.dovecot import Dovecot, running_dovecot
from tests.support.mail_relay import MailRelay
from tests.support.sharing import admin_of
from tests.support.waiting import until
from tests.widgets.fixtures import run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

AGENT = ("tickets@example.com", "窓口 太郎", "tickets-password-1")
QUESTION = "抹茶のギフトセットは\n来週までに届きますか？"
REPLY = "はい、明日発送いたします。\n到着は金曜日の予定です。"
ANSWER = "ありがとうございます！ 金曜日で大丈夫です。"


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[MailRelay]:
    found = MailRelay(tmp_path / "relay")
    found.start()
    yield found
    found.stop()


@pytest.fixture
def support_mailbox() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


def _visitor_answer(reply: EmailMessage) -> bytes:
    """The visitor's mail program answers the reply: ISO-2022-JP, the reply quoted below."""
    answer = EmailMessage()
    answer["From"] = "山田 花子 <hanako@example.jp>"
    answer["To"] = str(reply["Reply-To"] or reply["From"])
    answer["Subject"] = "Re: " + str(reply["Subject"])
    answer["Message-ID"] = make_msgid(domain="example.jp")
    answer["In-Reply-To"] = str(reply["Message-ID"])
    answer["References"] = str(reply["Message-ID"])
    quoted = "\n".join("> " + line for line in REPLY.splitlines())
    answer.set_content(
        f"{ANSWER}\n\n2026年12月7日(月) 14:00 窓口 太郎 <support@example.jp>:\n{quoted}\n",
        charset="iso-2022-jp",
    )
    return answer.as_bytes()


def test_an_offline_message_is_answered_by_email_and_the_answer_comes_back_into_the_ticket(
    qloop: asyncio.AbstractEventLoop,
    qtbot: object,
    backend: BackendProcess,
    chromium: BrowserThread,
    relay: MailRelay,
    support_mailbox: Dovecot,
) -> None:
    async def scenario() -> None:
        admin = admin_of(backend)
        settings = {
            **relay.settings(default_sender="shop@example.jp", reply_to="support@example.jp"),
            **support_mailbox.imap_settings(poll_seconds=5),
        }
        admin.call("PUT", "/settings/email", settings)
        await asyncio.to_thread(backend.create_agent, AGENT[0], AGENT[1], AGENT[2], "agent")
        await _offline(chromium, backend)

        controller = AppController()
        window = await controller.login(backend.url, AGENT[0], AGENT[2])
        try:
            window.workspaces.tickets.action.trigger()
            view = window.workspaces.tickets.view
            await until(lambda: view.model.rowCount() == 1, what="the offline message as a ticket")
            ticket = view.model.ticket(0)
            assert ticket is not None
            assert ticket.subject == "抹茶のギフトセットは"
            await view.open_ticket(ticket.ticket_id)
            pane = view.pane
            await until(lambda: any(e.kind == "visitor" for e in pane.model.entries), what="the thread")

            pane.composer.text.insertPlainText(REPLY)
            pane.composer.send_button.click()
            await until(lambda: len(relay.received) == 1, what="the reply at the relay", within=30)
            received = relay.received[0]
            assert received.rcpt_tos == ["hanako@example.jp"]
            reply = received.message()
            assert f"[#{ticket.number}]" in str(reply["Subject"])
            assert "抹茶のギフトセットは" in str(reply["Subject"])
            assert reply["From"].addresses[0].addr_spec == "shop@example.jp"
            assert reply["Reply-To"].addresses[0].addr_spec == "support@example.jp"
            assert reply["Auto-Submitted"] is None  # a person wrote it
            plain = reply.get_body(("plain",))
            assert plain is not None
            assert REPLY in plain.get_content().replace("\r\n", "\n")
            await until(
                lambda: [e.mail_state for e in pane.model.entries if e.kind == "reply"] == ["sent"],
                what="the reply marked sent",
                within=30,
            )
            mail_state = pane.thread_box.findChild(QLabel, "ticketMailState")
            assert mail_state is not None

            # The visitor answers; the support mailbox is polled; the answer joins the ticket.
            support_mailbox.deliver(_visitor_answer(reply))
            await until(
                lambda: any(e.kind == "visitor" and e.text.strip() == ANSWER for e in pane.model.entries),
                what="the visitor's answer in the ticket",
                within=40,
            )
            assert pane.detail is not None
            assert pane.detail.ticket.state == TicketState.OPEN  # pending until the visitor answered
            assert not any("明日発送" in e.text for e in pane.model.entries if e.kind == "visitor")

            pane.state.setCurrentIndex(pane.state.findData("solved"))
            pane.state.activated.emit(pane.state.currentIndex())
            await until(
                lambda: pane.detail is not None and pane.detail.ticket.state == TicketState.SOLVED,
                what="solved",
            )
        finally:
            await controller.shutdown()
            admin.call("PUT", "/settings/email", {"enabled": False, "imap_enabled": False})

    run(qloop, scenario(), timeout=150)


async def _offline(chromium: BrowserThread, backend: BackendProcess) -> None:
    def leave() -> None:
        page = chromium.new_page(backend.demo_url, locale="ja-JP")
        page.get_by_test_id("launcher").click()
        page.get_by_test_id("offline-form").wait_for()
        page.get_by_test_id("offline-name").fill("山田 花子")
        page.get_by_test_id("offline-email").fill("hanako@example.jp")
        page.get_by_test_id("offline-message").fill(QUESTION)
        page.get_by_test_id("offline-send").click()
        page.get_by_test_id("offline-sent").wait_for()

    await chromium.call(leave)

""" "E-mail me this conversation" in the widget, in headless Chromium against the real backend: the control
appears only once the agent has replied, asks for the address when none is known, is used from the
keyboard, says "sent" (one `mail_outbox` row, read from the backend's database) and "already sent",
and is gone again for a new chat. The mail goes out through a real SMTP relay (aiosmtpd, AUTH), where
the Japanese transcript's text and HTML parts are read back.

One backend serves the module (`module_backend`); each test opens its own pages and agents.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.widget_helpers import Agent, bubbles, launch_chromium, new_page, open_widget, send
from tests.support.backend import BackendProcess
from tests.support.mail_relay import MailRelay
from tests.support.sharing import admin_of


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailRelay]:
    found = MailRelay(tmp_path_factory.mktemp("relay") / "Maildir")  # no TLS here: test_mail_out has it
    found.start()
    yield found
    found.stop()


@pytest.fixture
def backend(module_backend: BackendProcess, relay: MailRelay) -> BackendProcess:
    admin_of(module_backend).call("PUT", "/settings/email", relay.settings(default_sender="shop@example.jp"))
    return module_backend


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def agent(backend: BackendProcess) -> Iterator[Agent]:
    """A new agent named like the demo one, accepting chats (automatic assignment gives it the chat)."""
    account = admin_of(backend).new_agent("佐藤 花子")
    agent = Agent(backend, account.email, account.password)
    yield agent
    agent.stop()


@pytest.fixture
def pages(browser: Browser) -> Iterator[list[tuple[Page, list[str]]]]:
    opened: list[tuple[Page, list[str]]] = []
    yield opened
    for page, _ in opened:
        page.context.close()
    assert [errors for _, errors in opened if errors] == []


def _page(pages: list[tuple[Page, list[str]]], browser: Browser, locale: str = "en-US") -> Page:
    page, errors = new_page(browser, locale)
    pages.append((page, errors))
    return page


def _snap(page: Page, name: str) -> None:
    """A PNG of the chat window, when WIDGET_SCREENSHOT_DIR names a directory."""
    folder = os.environ.get("WIDGET_SCREENSHOT_DIR")
    if folder:
        page.emulate_media(reduced_motion="reduce")
        page.get_by_test_id("chat-window").screenshot(path=f"{folder}/widget-mail-{name}.png")


def _outbox(backend: BackendProcess, chat_id: str) -> list[dict[str, Any]]:
    """The backend's `mail_outbox` rows of the chat (the module's backend is on SQLite)."""
    with sqlite3.connect(backend.database_url.split("///", 1)[1]) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(r) for r in db.execute("SELECT * FROM mail_outbox WHERE chat_id = ?", (chat_id,))]
    for row in rows:
        row["headers"] = json.loads(row["headers"])
    return rows


def _chat_with_reply(page: Page, agent: Agent, text: str, reply: str) -> str:
    """The visitor writes, the chat is assigned to `agent`, the control is still hidden; then the agent
    replies. The chat's id."""
    control = page.get_by_test_id("email-transcript")
    send(page, text)
    chat_id: str = agent.wait_message(text)["chat_id"]
    agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    expect(page.locator('[data-testid="chat-event"][data-state="taken"]')).to_be_visible()
    expect(control).to_be_hidden()  # an agent joined, but has not written yet
    agent.say(chat_id, reply)
    expect(bubbles(page, "agent")).to_have_count(1)
    return chat_id


def test_the_control_appears_after_the_reply_asks_for_the_address_and_sends(
    browser: Browser, pages: list[tuple[Page, list[str]]], backend: BackendProcess, agent: Agent
) -> None:
    page = _page(pages, browser)
    open_widget(page, backend.demo_url)
    control = page.get_by_test_id("email-transcript")
    expect(control).to_be_hidden()
    chat_id = _chat_with_reply(page, agent, "Where is my order?", "It ships today.")

    expect(control).to_be_visible()
    button = page.get_by_test_id("email-transcript-open")
    expect(button).to_have_text("E-mail me this conversation")
    _snap(page, "offered")
    button.focus()
    page.keyboard.press("Enter")  # the visitor's address is unknown: the card asks for it
    address = page.get_by_test_id("email-transcript-address")
    expect(address).to_be_visible()
    expect(address).to_be_focused()
    expect(button).to_be_hidden()
    address.fill("not-an-address")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("email-transcript-error")).to_have_text("Please enter a valid e-mail address.")
    expect(address).to_have_attribute("aria-invalid", "true")
    _snap(page, "bad-address")
    address.fill("hanako@example.com")
    page.keyboard.press("Enter")
    sent = page.get_by_test_id("email-transcript-sent")
    expect(sent).to_be_visible()  # its text is there while hidden too
    expect(sent).to_have_text("Sent! The conversation is on its way to your inbox.")
    expect(sent).to_be_focused()
    _snap(page, "sent")
    expect(page.get_by_test_id("email-transcript-form")).to_be_hidden()

    [mail] = _outbox(backend, chat_id)
    assert mail["to_addr"] == "hanako@example.com"
    assert mail["kind"] == "transcript"
    assert "It ships today." in mail["body_text"]
    assert "You: Where is my order?" in mail["body_text"]

    # A new chat starts without the control.
    agent.close_chat(chat_id)
    expect(page.get_by_test_id("chat-event").filter(has_text="The chat has ended")).to_be_visible()
    expect(control).to_be_visible()  # the ended chat is still the one shown
    send(page, "One more thing")
    agent.wait_message("One more thing")
    expect(control).to_be_hidden()


def test_a_known_address_is_used_and_a_second_request_says_already_sent_in_japanese(
    browser: Browser,
    pages: list[tuple[Page, list[str]]],
    backend: BackendProcess,
    agent: Agent,
    relay: MailRelay,
) -> None:
    page = _page(pages, browser, locale="ja-JP")
    open_widget(page, backend.demo_url)
    page.evaluate("() => LiveChatWidget.identify({ name: '山田', email: 'yamada@example.com' })")
    chat_id = _chat_with_reply(page, agent, "配送について", "本日発送いたします。")

    button = page.get_by_test_id("email-transcript-open")
    expect(button).to_have_text("この会話をメールで受け取る")
    button.click()
    sent = page.get_by_test_id("email-transcript-sent")
    expect(sent).to_be_visible()  # its text is there while hidden too
    expect(sent).to_have_text("送信しました。まもなくメールが届きます。")
    expect(page.get_by_test_id("email-transcript-form")).to_be_hidden()  # never asked: the address was known

    [mail] = _outbox(backend, chat_id)
    assert mail["to_addr"] == "yamada@example.com"
    assert "チャットの記録" in mail["subject"]
    assert "本日発送いたします。" in mail["body_text"]

    # The relay receives it: a multipart message whose text parts read in Japanese.
    deadline = time.monotonic() + 30
    while (
        not [r for r in relay.received if "yamada@example.com" in r.rcpt_tos] and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    [received] = [r.message() for r in relay.received if "yamada@example.com" in r.rcpt_tos]
    assert "チャットの記録" in str(received["Subject"])
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["From"].addresses[0].addr_spec == "shop@example.jp"
    plain = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert plain is not None
    assert html is not None
    text = plain.get_content()
    assert "配送について" in text
    assert "本日発送いたします。" in text
    assert "本日発送いたします。" in html.get_content()

    # After a reload the page has forgotten; the server has not: no second mail.
    page.reload()
    expect(page.get_by_test_id("chat-window")).to_be_visible()  # it stays open across page loads
    expect(bubbles(page, "agent")).to_have_count(1)
    page.get_by_test_id("email-transcript-open").click()
    expect(sent).to_be_visible()
    expect(sent).to_have_text("この会話はすでにメールでお送りしています。")
    _snap(page, "already-ja")
    assert len(_outbox(backend, chat_id)) == 1

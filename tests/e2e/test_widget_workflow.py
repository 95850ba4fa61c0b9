"""The widget's part of the chat workflow, in headless Chromium against the real backend: the place in the
queue, the offline form when nobody accepts chats, availability changes, closing and rating, read
receipts both ways, tab activity, transfers, and events the widget must not show.

One backend serves the module (`module_backend`: no agent online, no chat queued and the default routing
settings when a test starts); each test opens its own pages (new visitors) and connects agents of its
own, named like the demo agent.

Set WIDGET_SCREENSHOT_DIR to a directory to keep PNGs of the chat window at the interesting moments.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.e2e.widget_helpers import (
    Agent,
    bubbles,
    launch_chromium,
    new_page,
    open_widget,
    send,
    shadow,
    wait_until,
)
from tests.support.backend import BackendProcess
from tests.support.sharing import Account, admin_of, demo_account
from tests.support.wire import new_id

VISITOR_SOCKET = re.compile(r".*/ws/visitor$")


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def backend(module_backend: BackendProcess) -> BackendProcess:
    return module_backend


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as browser:
        yield browser


class Pages:
    """Fresh browser contexts (empty storage); every page must end without page errors or dialogs."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.opened: list[tuple[Page, list[str]]] = []

    def new(self, locale: str = "en-US") -> Page:
        page, errors = new_page(self.browser, locale)
        self.opened.append((page, errors))
        return page

    def close(self) -> None:
        for page, _ in self.opened:
            page.context.close()
        assert [errors for _, errors in self.opened if errors] == []


@pytest.fixture
def pages(browser: Browser, backend: BackendProcess) -> Iterator[Pages]:
    pages = Pages(browser)
    yield pages
    pages.close()


@pytest.fixture
def page(pages: Pages) -> Page:
    return pages.new()


@pytest.fixture
def agents(backend: BackendProcess) -> Iterator[list[Agent]]:
    """Agents a test connects (in a list, so that each is stopped at the end)."""
    started: list[Agent] = []
    yield started
    for agent in started:
        agent.stop()


def connect(agents: list[Agent], backend: BackendProcess, account: Account | None = None) -> Agent:
    """`account` (by default a new agent named "佐藤 花子") signed in and accepting chats."""
    account = account or admin_of(backend).new_agent("佐藤 花子")
    agent = Agent(backend, account.email, account.password)
    agents.append(agent)
    return agent


class OfflineInbox:
    """The offline messages visitors left since the test began (the module's others are not its own)."""

    def __init__(self, backend: BackendProcess) -> None:
        self.backend = backend
        self.before = {m["message_id"] for m in self._all()}

    def _all(self) -> list[dict[str, Any]]:
        token = self.backend.login_tokens()["access_token"]
        response = httpx.get(
            f"{self.backend.url}/api/v1/offline-messages",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        response.raise_for_status()
        listed: list[dict[str, Any]] = response.json()
        return listed

    def new(self) -> list[dict[str, Any]]:
        return [m for m in self._all() if m["message_id"] not in self.before]


@pytest.fixture
def inbox(backend: BackendProcess) -> OfflineInbox:
    return OfflineInbox(backend)


# --- helpers ------------------------------------------------------------------------------------


def snap(page: Page, name: str) -> None:
    """A PNG of the chat window, when WIDGET_SCREENSHOT_DIR names a directory."""
    folder = os.environ.get("WIDGET_SCREENSHOT_DIR")
    if folder:
        page.emulate_media(reduced_motion="reduce")
        page.get_by_test_id("chat-window").screenshot(path=str(Path(folder) / f"widget3-{name}.png"))


def notice(page: Page, text: str) -> Any:
    return page.get_by_test_id("chat-event").filter(has_text=text)


def assigned_chat(page: Page, agent: Agent, text: str) -> dict[str, Any]:
    """The visitor writes; automatic assignment gives the chat to `agent`. Its `taken` event."""
    send(page, text)
    chat_id = agent.wait_message(text)["chat_id"]
    taken = agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    assert taken["assigned"] is True
    expect(notice(page, f"{taken['agent']['name']} joined the chat")).to_be_visible()
    return taken


def set_visibility(page: Page, state: str) -> None:
    """What the browser does when the tab is hidden or shown again (headless tabs stay visible)."""
    page.evaluate(
        """state => {
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
          document.dispatchEvent(new Event('visibilitychange'));
        }""",
        state,
    )


def presence(agent: Agent, wanted: str) -> dict[str, Any]:
    while True:
        push = agent.next_push("visitor_presence")
        if push["payload"]["presence"] == wanted:
            return push


def record_frames(page: Page) -> None:
    """Note every frame the widget sends, with its time, in the page (`window.__sent`)."""
    page.add_init_script(
        """(() => {
          window.__sent = [];
          const send = WebSocket.prototype.send;
          WebSocket.prototype.send = function (data) {
            try { window.__sent.push({ at: Date.now(), frame: JSON.parse(data) }); } catch (e) {}
            return send.call(this, data);
          };
        })()"""
    )


def sent_frames(page: Page, action: str) -> list[tuple[float, dict[str, Any]]]:
    """(time in seconds, payload) of each frame of this action the widget has sent."""
    found = page.evaluate("action => window.__sent.filter(s => s.frame.action === action)", action)
    return [(item["at"] / 1000, item["frame"]["payload"]) for item in found]


def visitor_sockets(page: Page) -> list[WebSocketRoute]:
    """The widget's sockets, passed through untouched by Playwright's driver; `send` on one of them
    delivers a frame to the widget as if the server had sent it."""
    sockets: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        sockets.append(ws)
        ws.connect_to_server()  # no handlers: the driver forwards both ways without waiting for Python

    page.route_web_socket(VISITOR_SOCKET, route)
    return sockets


# --- queue position -----------------------------------------------------------------------------


@pytest.mark.own_backend  # the wait estimate comes from every chat served so far: here, none
def test_queue_position_is_shown_while_waiting(
    pages: Pages, backend: BackendProcess, agents: list[Agent]
) -> None:
    backend.cli("routing", "--auto-assign", "off")
    agent = connect(agents, backend, demo_account(backend))  # accepting: the composer is offered
    first, second = pages.new(), pages.new()
    open_widget(first, backend.demo_url)
    send(first, "first in line")
    first_chat = agent.wait_message("first in line")["chat_id"]
    open_widget(second, backend.demo_url)
    send(second, "second in line")
    second_chat = agent.wait_message("second in line")["chat_id"]

    # Nobody has been served yet: the estimate is a minute per chat ahead.
    expect(second.get_by_test_id("queue-position")).to_have_text(
        "You are number 2 in the queue · about 2 min"
    )
    expect(second.get_by_test_id("chat-waiting")).to_contain_text("An agent will be with you shortly.")
    expect(first.get_by_test_id("queue-position")).to_have_text("You are next in the queue · about 1 min")
    snap(second, "queue")

    agent.take(first_chat)
    expect(first.get_by_test_id("chat-waiting")).to_be_hidden()
    expect(second.get_by_test_id("queue-position")).to_contain_text("You are next in the queue")

    agent.take(second_chat)
    expect(second.get_by_test_id("chat-waiting")).to_be_hidden()
    expect(second.get_by_test_id("agent-name")).to_have_text("佐藤 花子")


# --- offline form and availability --------------------------------------------------------------


def test_offline_form_when_nobody_accepts(page: Page, backend: BackendProcess, inbox: OfflineInbox) -> None:
    open_widget(page, backend.demo_url)
    form = page.get_by_test_id("offline-form")
    expect(form).to_be_visible()
    expect(page.get_by_test_id("message-input")).to_be_hidden()
    expect(page.get_by_test_id("offline-name")).to_be_focused()
    expect(form).to_contain_text("Leave us a message")

    page.get_by_test_id("offline-name").fill("<i>Ken</i> $& 🍵")
    page.get_by_test_id("offline-email").fill("ken@example")
    page.get_by_test_id("offline-message").fill("Do you ship to Osaka?\n<script>alert(1)</script>")
    page.get_by_test_id("offline-send").click()
    error = page.get_by_test_id("offline-error")
    expect(error).to_have_text("Please enter a valid e-mail address.")
    expect(page.get_by_test_id("offline-email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("offline-email")).to_be_focused()
    snap(page, "offline-en-error")

    page.get_by_test_id("offline-email").fill("ken@example.com")
    expect(error).to_be_hidden()
    page.get_by_test_id("offline-message").fill("   ")
    page.get_by_test_id("offline-send").click()
    expect(error).to_have_text("Please write a message.")
    assert inbox.new() == []

    page.get_by_test_id("offline-message").fill("Do you ship to Osaka?\n<script>alert(1)</script>")
    snap(page, "offline-en")
    page.get_by_test_id("offline-send").click()
    sent = page.get_by_test_id("offline-sent")
    expect(sent).to_have_text("Thanks! We will answer by e-mail.")
    expect(form).to_be_hidden()
    snap(page, "offline-en-sent")
    stored = inbox.new()
    assert [(m["name"], m["email"], m["text"]) for m in stored] == [
        ("<i>Ken</i> $& 🍵", "ken@example.com", "Do you ship to Osaka?\n<script>alert(1)</script>")
    ]
    created = "return [...root.querySelectorAll('i, script')].filter(n => !n.closest('.dots')).length"
    assert shadow(page, created) == 0  # the typing indicator's dots are the only <i>

    # Another page of the shop in the same tab: still thanked, not asked again.
    page.goto(backend.url + "/demo/product-matcha.html")
    expect(page.get_by_test_id("offline-sent")).to_be_visible()
    expect(form).to_be_hidden()


def test_offline_form_in_japanese(pages: Pages, backend: BackendProcess, inbox: OfflineInbox) -> None:
    page = pages.new(locale="ja-JP")
    open_widget(page, backend.demo_url)
    form = page.get_by_test_id("offline-form")
    expect(form).to_contain_text("メッセージを残す")
    expect(page.get_by_test_id("connection-state")).to_have_text("不在 · メッセージを残せます")
    expect(form).to_contain_text("メールアドレス")
    expect(page.get_by_test_id("offline-send")).to_have_text("送信する")
    page.get_by_test_id("offline-name").fill("山田 太郎")
    page.get_by_test_id("offline-email").fill("taro@example.jp")
    page.get_by_test_id("offline-message").fill("抹茶の在庫はいつ入りますか？")
    snap(page, "offline-ja")
    page.get_by_test_id("offline-send").click()
    expect(page.get_by_test_id("offline-sent")).to_have_text("ありがとうございます。メールでお返事します。")
    snap(page, "offline-ja-sent")
    assert [m["text"] for m in inbox.new()] == ["抹茶の在庫はいつ入りますか？"]


def test_offline_message_retry_reuses_its_client_id(
    page: Page, backend: BackendProcess, inbox: OfflineInbox
) -> None:
    """The first answer is lost with its socket: the error shows, the input stays, and the retry
    carries the same client_id, so the message is stored once."""
    sockets: list[WebSocketRoute] = []
    sent: list[dict[str, Any]] = []

    def route(ws: WebSocketRoute) -> None:
        sockets.append(ws)
        server = ws.connect_to_server()
        first = len(sockets) == 1

        def from_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame["action"] == "offline_message":
                sent.append(frame)
            server.send(message)

        def from_server(message: str | bytes) -> None:
            if first and sent:
                ws.close(code=4008, reason="test")  # the answer never arrives
                return
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    page.route_web_socket(VISITOR_SOCKET, route)
    open_widget(page, backend.demo_url)
    page.get_by_test_id("offline-email").fill("ken@example.com")
    page.get_by_test_id("offline-message").fill("lost answer")
    page.get_by_test_id("offline-send").click()
    expect(page.get_by_test_id("offline-error")).to_have_text(
        "The message could not be sent. Please try again."
    )
    expect(page.get_by_test_id("offline-message")).to_have_value("lost answer")
    expect(page.get_by_test_id("connection-state")).to_have_attribute(
        "data-state", "connected", timeout=15000
    )
    wait_until(lambda: len(inbox.new()) == 1)

    page.get_by_test_id("offline-send").click()
    expect(page.get_by_test_id("offline-sent")).to_be_visible()
    assert len(sent) == 2
    assert sent[0]["payload"]["client_id"] == sent[1]["payload"]["client_id"]
    assert [m["text"] for m in inbox.new()] == ["lost answer"]


def test_availability_switches_between_the_form_and_the_composer(
    page: Page, backend: BackendProcess, agents: list[Agent]
) -> None:
    open_widget(page, backend.demo_url)
    form = page.get_by_test_id("offline-form")
    composer = page.get_by_test_id("message-input")
    state = page.get_by_test_id("connection-state")
    expect(form).to_be_visible()
    # Connected, but nobody answers: the header says so instead of "Online".
    expect(state).to_have_attribute("data-state", "connected")
    expect(state).to_have_text("Away · leave a message")
    page.get_by_test_id("offline-email").fill("ken@example.com")

    agent = connect(agents, backend)  # starts accepting
    expect(composer).to_be_visible()
    expect(form).to_be_hidden()
    expect(state).to_have_text("Online")
    expect(page.get_by_test_id("name-input")).to_be_visible()

    agent.set_status("not_accepting")
    expect(form).to_be_visible()
    expect(composer).to_be_hidden()
    expect(state).to_have_text("Away · leave a message")
    expect(page.get_by_test_id("offline-email")).to_have_value("ken@example.com")  # nothing typed is lost

    # An open chat goes on whoever accepts new ones; when it ends, the form is back.
    agent.set_status("accepting")
    expect(composer).to_be_visible()
    taken = assigned_chat(page, agent, "are you there?")
    agent.set_status("not_accepting")
    time.sleep(0.5)
    expect(composer).to_be_visible()
    expect(form).to_be_hidden()
    agent.close_chat(taken["chat_id"])
    expect(notice(page, "The chat has ended")).to_be_visible()
    expect(form).to_be_visible()
    expect(page.get_by_test_id("rating")).to_be_visible()
    expect(composer).to_be_hidden()


# --- closing and rating -------------------------------------------------------------------------


def test_rating_after_the_agent_closes(page: Page, backend: BackendProcess, agents: list[Agent]) -> None:
    agent = connect(agents, backend)
    open_widget(page, backend.demo_url)
    taken = assigned_chat(page, agent, "thanks for the help")
    chat_id = taken["chat_id"]
    expect(page.get_by_test_id("agent-name")).to_have_text("佐藤 花子")
    agent.say(chat_id, "You're welcome!")
    expect(bubbles(page, "agent")).to_have_count(1)

    rating = page.get_by_test_id("rating")
    expect(rating).to_be_hidden()
    agent.close_chat(chat_id)
    ended = notice(page, "The chat has ended")
    expect(ended).to_be_visible()
    expect(ended).to_have_attribute("data-reason", "agent")
    expect(rating).to_be_visible()
    expect(page.get_by_test_id("agent-name")).to_be_hidden()
    submit = page.get_by_test_id("rating-submit")
    expect(submit).to_be_disabled()

    page.get_by_test_id("rate-bad").click()
    page.get_by_test_id("rate-good").click()
    expect(page.get_by_test_id("rate-good")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("rate-bad")).to_have_attribute("aria-pressed", "false")
    comment = "<b>とても</b>助かりました $&"
    page.get_by_test_id("rating-comment").fill(comment)
    snap(page, "rating")
    submit.click()
    expect(page.get_by_test_id("rating-thanks")).to_have_text("Thank you for your feedback!")
    expect(rating).to_be_hidden()
    snap(page, "rating-thanks")

    event = agent.next_event(kind="rating", chat_id=chat_id)
    assert (event["rating"], event["comment"]) == ("good", comment)
    time.sleep(0.5)  # our own rating event also reached the widget: it is not a bubble
    expect(bubbles(page)).to_have_count(2)
    assert [e["kind"] for e in agent.chat_events(chat_id)].count("rating") == 1

    # The next message starts a new chat and the thanks go away.
    send(page, "one more question")
    expect(page.get_by_test_id("rating-thanks")).to_be_hidden()
    assert agent.wait_message("one more question")["chat_id"] != chat_id


def test_the_rating_prompt_can_be_skipped(page: Page, backend: BackendProcess, agents: list[Agent]) -> None:
    agent = connect(agents, backend)
    open_widget(page, backend.demo_url)
    chat_id = assigned_chat(page, agent, "first chat")["chat_id"]
    page.get_by_test_id("end-chat").click()
    page.get_by_test_id("end-chat-yes").click()
    expect(notice(page, "The chat has ended")).to_have_attribute("data-reason", "visitor")
    rating = page.get_by_test_id("rating")
    expect(rating).to_be_visible()

    send(page, "second chat")  # starting a new message hides the prompt
    expect(rating).to_be_hidden()
    second = agent.wait_message("second chat")["chat_id"]
    assert second != chat_id
    agent.next_event(kind="chat_state", state="taken", chat_id=second)
    agent.close_chat(second)
    expect(rating).to_be_visible()
    page.get_by_test_id("rating-skip").click()
    expect(rating).to_be_hidden()
    expect(page.get_by_test_id("rating-thanks")).to_be_hidden()
    expect(page.get_by_test_id("message-input")).to_be_focused()
    assert all(e["kind"] != "rating" for c in (chat_id, second) for e in agent.chat_events(c))


def test_no_rating_prompt_when_no_agent_joined(
    page: Page, backend: BackendProcess, agents: list[Agent]
) -> None:
    admin_of(backend).set_routing(auto_assign=False)
    agent = connect(agents, backend)
    open_widget(page, backend.demo_url)
    send(page, "never mind")
    agent.wait_message("never mind")
    page.get_by_test_id("end-chat").click()
    page.get_by_test_id("end-chat-yes").click()
    expect(notice(page, "The chat has ended")).to_be_visible()
    time.sleep(0.3)
    expect(page.get_by_test_id("rating")).to_be_hidden()


# --- read receipts and activity -----------------------------------------------------------------


def test_read_receipt_follows_the_agents_mark(
    page: Page, backend: BackendProcess, agents: list[Agent]
) -> None:
    agent = connect(agents, backend)
    open_widget(page, backend.demo_url)
    chat_id = assigned_chat(page, agent, "first question")["chat_id"]
    send(page, "second question")
    second = agent.wait_message("second question")
    mine = bubbles(page, "visitor")
    expect(mine).to_have_count(2)
    receipt = page.get_by_test_id("read-receipt")
    expect(receipt).to_have_count(0)

    first_seq = int(mine.first.get_attribute("data-seq") or 0)
    agent.send("mark_read", {"chat_id": chat_id, "seq": first_seq})
    expect(receipt).to_have_count(1)
    expect(mine.first.get_by_test_id("read-receipt")).to_have_text("Read")

    agent.send("mark_read", {"chat_id": chat_id, "seq": second["seq"]})
    expect(mine.last.get_by_test_id("read-receipt")).to_be_visible()
    expect(receipt).to_have_count(1)  # only under the latest read message
    snap(page, "read-receipt")

    # A newer message is not read yet; the mark stays where it is. It survives a reload.
    send(page, "third question")
    expect(mine).to_have_count(3)
    expect(mine.nth(1).get_by_test_id("read-receipt")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")
    expect(mine).to_have_count(3)
    expect(mine.nth(1).get_by_test_id("read-receipt")).to_be_visible()
    expect(receipt).to_have_count(1)


def test_widget_marks_agent_messages_read_while_visible(
    page: Page, backend: BackendProcess, agents: list[Agent]
) -> None:
    record_frames(page)
    agent = connect(agents, backend)
    open_widget(page, backend.demo_url)
    chat_id = assigned_chat(page, agent, "hello")["chat_id"]

    reply = agent.say(chat_id, "Hello! How can I help?")["event"]
    read = agent.next_push("read")["payload"]
    assert read == {"chat_id": chat_id, "reader": "visitor", "seq": reply["seq"]}

    # Minimized: nothing is read. Opened again: read at once.
    page.get_by_test_id("minimize").click()
    later = agent.say(chat_id, "Are you still there?")["event"]
    expect(page.get_by_test_id("unread")).to_have_text("1")
    with pytest.raises(TimeoutError):
        agent.next_push("read", within=1.5)
    page.get_by_test_id("launcher").click()
    assert agent.next_push("read")["payload"]["seq"] == later["seq"]

    # A hidden tab reads nothing either.
    set_visibility(page, "hidden")
    hidden = agent.say(chat_id, "Written while the tab is hidden")["event"]
    with pytest.raises(TimeoutError):
        agent.next_push("read", within=1.5)
    set_visibility(page, "visible")
    assert agent.next_push("read")["payload"]["seq"] == hidden["seq"]

    # A burst of replies: at most one mark_read per 500 ms, each for a higher seq, ending at the last.
    last = None
    for i in range(6):
        last = agent.say(chat_id, f"burst {i}")["event"]
        time.sleep(0.1)
    assert last is not None
    wait_until(lambda: any(mark["seq"] == last["seq"] for _, mark in sent_frames(page, "mark_read")))
    marks = [(at, mark["seq"]) for at, mark in sent_frames(page, "mark_read")]
    seqs = [seq for _, seq in marks]
    assert seqs == sorted(set(seqs)), marks
    gaps = [b[0] - a[0] for a, b in zip(marks, marks[1:], strict=False)]
    assert all(gap >= 0.45 for gap in gaps), gaps
    burst_marks = [seq for seq in seqs if seq > hidden["seq"]]
    assert len(burst_marks) < 6, marks


def test_activity_follows_the_tab_visibility(
    page: Page, backend: BackendProcess, agents: list[Agent]
) -> None:
    record_frames(page)
    agent = connect(agents, backend)
    open_widget(page, backend.demo_url)
    assigned_chat(page, agent, "browsing around")

    set_visibility(page, "hidden")
    assert presence(agent, "inactive")["payload"]["presence"] == "inactive"
    set_visibility(page, "visible")
    assert presence(agent, "active")["payload"]["presence"] == "active"
    activity = [payload for _, payload in sent_frames(page, "activity")]
    assert activity[-2:] == [{"active": False}, {"active": True}]

    # After a reconnect the widget tells the server again: active in a visible tab, else not.
    for visibility, active in (("visible", True), ("hidden", False)):
        set_visibility(page, visibility)
        count = len(sent_frames(page, "activity"))
        page.evaluate("window.LiveChatWidget.reconnect()")
        expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")
        wait_until(lambda n=count: len(sent_frames(page, "activity")) > n)
        assert sent_frames(page, "activity")[-1][1] == {"active": active}
    assert presence(agent, "inactive")["payload"]["presence"] == "inactive"


# --- transfer -----------------------------------------------------------------------------------


def test_transfer_notices(page: Page, backend: BackendProcess, agents: list[Agent]) -> None:
    admin = admin_of(backend)
    agent_a, agent_b = admin.new_agent("佐藤 花子"), admin.new_agent("Agent B")
    a = connect(agents, backend, agent_a)
    open_widget(page, backend.demo_url)
    chat_id = assigned_chat(page, a, "I need billing help")["chat_id"]
    header_agent = page.get_by_test_id("agent-name")
    expect(header_agent).to_have_text("佐藤 花子")

    b = connect(agents, backend, agent_b)
    people = {
        x["name"]: x["agent_id"]
        for x in a.get("/agents")
        if x["agent_id"] in (agent_a.agent_id, agent_b.agent_id)
    }
    moved = a.request(
        "transfer_chat", {"chat_id": chat_id, "client_id": new_id(), "to_agent_id": people["Agent B"]}
    )
    assert moved["type"] == "res", moved
    expect(notice(page, "Agent B has taken over the chat")).to_be_visible()
    expect(header_agent).to_have_text("Agent B")
    expect(notice(page, "joined the chat")).to_have_count(1)  # the first agent's join only
    b.say(chat_id, "Hi, I can help with billing.")
    expect(bubbles(page, "agent").last).to_contain_text("Agent B")
    snap(page, "transfer")

    # To a group: the chat goes back to the queue for that group's members and is routed to the one
    # who can accept (here the agent who served it first; only the transferring agent is skipped).
    group = admin.call("POST", "/groups", {"name": "Billing", "agent_ids": [people["佐藤 花子"]]})
    queued = b.request(
        "transfer_chat", {"chat_id": chat_id, "client_id": new_id(), "to_group_id": group["group_id"]}
    )
    assert queued["type"] == "res", queued
    expect(notice(page, "You are being transferred…")).to_be_visible()
    expect(notice(page, "佐藤 花子 joined the chat")).to_have_count(2)
    expect(page.get_by_test_id("chat-waiting")).to_be_hidden()
    expect(header_agent).to_have_text("佐藤 花子")


# --- events the server pushes that the widget must handle ---------------------------------------


def test_inactivity_close_and_unknown_events(
    page: Page, backend: BackendProcess, agents: list[Agent]
) -> None:
    """The backend closes idle chats after at least a minute; the frames are fed to the widget here,
    on its real socket, as the server would send them."""
    sockets = visitor_sockets(page)
    agent = connect(agents, backend)
    open_widget(page, backend.demo_url)
    taken = assigned_chat(page, agent, "are you open on Sunday?")
    chat_id = taken["chat_id"]
    agent.say(chat_id, "Yes, from 10 to 17.")
    expect(bubbles(page)).to_have_count(2)
    seq = max(e["seq"] for e in agent.chat_events(chat_id))
    base = {"chat_id": chat_id, "created_at": "2030-01-01T00:00:00Z", "audience": "all"}
    author = {"kind": "agent", "id": taken["agent"]["id"], "name": "佐藤 花子"}

    def push(action: str, payload: dict[str, Any]) -> None:
        sockets[-1].send(json.dumps({"v": 1, "type": "push", "action": action, "payload": payload}))

    # Kinds the widget does not show: a note (never sent by the server), something new, a rating.
    push(
        "event",
        {
            "event": {
                **base,
                "event_id": 10**9,
                "seq": seq + 1,
                "kind": "note",
                "author": author,
                "text": "SECRET note",
            }
        },
    )
    push(
        "event",
        {
            "event": {
                **base,
                "event_id": 10**9 + 1,
                "seq": seq + 2,
                "kind": "sticker",
                "author": author,
                "text": "SECRET sticker",
            }
        },
    )
    push(
        "event",
        {
            "event": {
                **base,
                "event_id": 10**9 + 2,
                "seq": seq + 3,
                "kind": "rating",
                "rating": "good",
                "comment": "SECRET rating",
                "author": {"kind": "visitor"},
            }
        },
    )
    push("something_new", {"chat_id": chat_id, "text": "SECRET push"})
    push(
        "event",
        {
            "event": {
                **base,
                "event_id": 10**9 + 3,
                "seq": seq + 4,
                "kind": "chat_state",
                "state": "closed",
                "reason": "inactive",
                "agent": author,
                "author": {"kind": "system"},
            }
        },
    )

    ended = notice(page, "The chat was closed after a period of inactivity")
    expect(ended).to_be_visible()
    expect(ended).to_have_attribute("data-reason", "inactive")
    expect(notice(page, "The chat has ended")).to_have_count(0)
    expect(page.get_by_test_id("rating")).to_be_visible()
    expect(bubbles(page)).to_have_count(2)
    assert "SECRET" not in shadow(page, "return root.textContent")
    expect(page.get_by_test_id("message-input")).to_have_attribute("placeholder", re.compile("new chat"))


def test_inactivity_notice_in_japanese(pages: Pages, backend: BackendProcess, agents: list[Agent]) -> None:
    page = pages.new(locale="ja-JP")
    sockets = visitor_sockets(page)
    agent = connect(agents, backend)
    open_widget(page, backend.demo_url)
    send(page, "日曜日は営業していますか？")
    chat_id = agent.wait_message("日曜日は営業していますか？")["chat_id"]
    taken = agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    expect(notice(page, "佐藤 花子がチャットに参加しました")).to_be_visible()
    closed = {
        "event_id": 10**9,
        "chat_id": chat_id,
        "seq": taken["seq"] + 1,
        "created_at": "2030-01-01T00:00:00Z",
        "author": {"kind": "system"},
        "kind": "chat_state",
        "state": "closed",
        "reason": "inactive",
    }
    sockets[-1].send(json.dumps({"v": 1, "type": "push", "action": "event", "payload": {"event": closed}}))
    expect(notice(page, "一定時間やり取りがなかったため、チャットを終了しました")).to_be_visible()
    expect(page.get_by_test_id("rating")).to_contain_text("このチャットはいかがでしたか？")
    snap(page, "rating-ja")

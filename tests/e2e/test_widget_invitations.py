"""Invitations in the widget: the greeting card above the launcher, replying (the chat starts with the
inviting agent) and dismissing (it stays away on the next page), in headless Chromium on the demo shop
against the real backend. The agent is a protocol-level client inviting over /ws/agent; a few frames
are fed to the widget on its real socket, as the server would send them, to cover hostile content.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Route, WebSocketRoute, expect

from tests.e2e.widget_helpers import (
    Agent,
    bubbles,
    connected,
    frames_sent,
    launch_chromium,
    login_result,
    new_page,
    record_received_frames,
    record_sent_frames,
    shadow,
    wait_for_sent,
)
from tests.support.backend import BackendProcess
from tests.support.wire import new_id

VISITOR_SOCKET = re.compile(r".*/ws/visitor$")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as browser:
        yield browser


class Visitor:
    """A fresh browser context on the demo shop: what it sends and receives is recorded."""

    def __init__(self, browser: Browser, locale: str = "en-US") -> None:
        self.page, self.errors = new_page(browser, locale)
        self.received = record_received_frames(self.page)
        record_sent_frames(self.page)
        self.sockets: list[WebSocketRoute] = []

        def route(ws: WebSocketRoute) -> None:
            self.sockets.append(ws)
            ws.connect_to_server()  # passed through untouched; `push` adds frames of our own

        self.page.route_web_socket(VISITOR_SOCKET, route)

    def goto(self, url: str) -> None:
        self.page.goto(url)
        connected(self.page)

    @property
    def visitor_id(self) -> str:
        visitor_id: str = login_result(self.received)["visitor_id"]
        return visitor_id

    def push(self, action: str, payload: dict[str, Any]) -> None:
        """A push frame delivered to the widget as if the server had sent it."""
        self.sockets[-1].send(json.dumps({"v": 1, "type": "push", "action": action, "payload": payload}))


@pytest.fixture
def visitors(browser: Browser, backend: BackendProcess) -> Iterator[list[Visitor]]:
    opened: list[Visitor] = []
    yield opened
    for visitor in opened:
        visitor.page.context.close()
    assert [v.errors for v in opened if v.errors] == []


@pytest.fixture
def visitor(browser: Browser, visitors: list[Visitor]) -> Visitor:
    visitors.append(Visitor(browser))
    return visitors[-1]


@pytest.fixture
def agent(backend: BackendProcess) -> Iterator[Agent]:
    backend.cli("routing", "--auto-assign", "off")  # chats are taken by hand or by invitation
    agent = Agent(backend)
    yield agent
    agent.stop()


def invite(agent: Agent, visitor_id: str, text: str) -> dict[str, Any]:
    return agent.request("invite_visitor", {"visitor_id": visitor_id, "client_id": new_id(), "text": text})


# --- tests --------------------------------------------------------------------------------------


def test_invitation_shows_and_a_reply_starts_the_chat_with_that_agent(
    visitor: Visitor, backend: BackendProcess, agent: Agent
) -> None:
    page = visitor.page
    visitor.goto(backend.demo_url)
    greeting = page.get_by_test_id("greeting")
    expect(greeting).to_be_hidden()

    answer = invite(agent, visitor.visitor_id, "こんにちは！抹茶についてご質問はありますか？")
    assert answer["type"] == "res", answer
    expect(greeting).to_be_visible()  # the window is closed: above the launcher
    expect(page.get_by_test_id("chat-window")).to_be_hidden()
    expect(page.get_by_test_id("greeting-agent")).to_have_text("佐藤 花子")
    expect(page.get_by_test_id("greeting-text")).to_have_text("こんにちは！抹茶についてご質問はありますか？")
    assert shadow(page, "return root.querySelector('.g-avatar').textContent") != ""  # the agent's initials

    expect(page.get_by_test_id("greeting-reply-send")).to_be_disabled()
    page.get_by_test_id("greeting-reply-input").fill("はい、点て方を教えてください")
    page.get_by_test_id("greeting-reply-send").click()

    expect(greeting).to_be_hidden()
    expect(page.get_by_test_id("chat-window")).to_be_visible()
    mine = bubbles(page, "visitor")
    expect(mine).to_have_count(1)
    expect(mine.first).to_have_attribute("data-status", "sent")
    sent = frames_sent(page, "send_message")
    assert sent[0]["invitation_id"] == answer["payload"]["invitation_id"]
    assert len({frame["client_id"] for frame in sent}) == 1

    message = agent.wait_message("はい、点て方を教えてください")
    states = [e for e in agent.chat_events(message["chat_id"]) if e["kind"] == "chat_state"]
    assert [e["state"] for e in states] == ["incoming", "taken"]  # with the inviting agent, never queued
    assert states[-1]["agent"]["name"] == "佐藤 花子"
    # The conversation shows the greeting, then the reply, with that agent in the header.
    expect(bubbles(page, "agent").filter(has_text="抹茶についてご質問")).to_have_count(1)
    expect(page.get_by_test_id("agent-name")).to_have_text("佐藤 花子")
    assert len(agent.messages(message["chat_id"])) == 2

    # The next page shows the chat, not the greeting.
    visitor.goto(backend.url + "/demo/product-matcha.html")
    expect(bubbles(page, "visitor")).to_have_count(1)
    expect(greeting).to_be_hidden()


def test_invitation_follows_the_visitor_until_answered_then_dismiss_hides_it_for_good(
    visitor: Visitor, backend: BackendProcess, agent: Agent
) -> None:
    page = visitor.page
    visitor.goto(backend.demo_url)
    answer = invite(agent, visitor.visitor_id, "Looking for a gift?")
    invitation_id = answer["payload"]["invitation_id"]
    expect(page.get_by_test_id("greeting")).to_be_visible()

    # Not answered yet: the next page gets it again from the login result.
    visitor.goto(backend.url + "/demo/product-sencha.html")
    assert login_result(visitor.received)["invitation"]["invitation_id"] == invitation_id
    expect(page.get_by_test_id("greeting-text")).to_have_text("Looking for a gift?")

    page.get_by_test_id("greeting-dismiss").click()
    expect(page.get_by_test_id("greeting")).to_be_hidden()
    assert wait_for_sent(page, "dismiss_invitation") == [{"invitation_id": invitation_id}]

    visitor.goto(backend.url + "/demo/cart.html")
    assert login_result(visitor.received)["invitation"] is None
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("greeting")).to_be_hidden()
    # One invitation per visit: the backend refuses a second one.
    again = invite(agent, visitor.visitor_id, "Still there?")
    assert again["type"] == "err"
    assert again["payload"]["code"] == "already_invited"
    expect(page.get_by_test_id("greeting")).to_be_hidden()


def test_dismissed_greeting_stays_hidden_even_if_shown_again(
    visitor: Visitor, backend: BackendProcess, agent: Agent
) -> None:
    """A dismissal whose frame was lost: the server still offers the invitation at the next login;
    the widget remembers, does not show it, and says so again."""
    page = visitor.page
    visitor.goto(backend.demo_url)
    invitation = {"invitation_id": "inv-lost-1", "text": "Hello!", "agent_name": "Ann", "agent_initials": "A"}
    visitor.push("invitation", invitation)
    expect(page.get_by_test_id("greeting")).to_be_visible()
    page.get_by_test_id("greeting-dismiss").click()
    expect(page.get_by_test_id("greeting")).to_be_hidden()

    visitor.goto(backend.url + "/demo/product-matcha.html")
    visitor.push("invitation", invitation)
    assert wait_for_sent(page, "dismiss_invitation") == [{"invitation_id": "inv-lost-1"}]
    expect(page.get_by_test_id("greeting")).to_be_hidden()


def test_greeting_text_is_plain_and_an_automatic_greeting_is_from_the_team(
    browser: Browser, visitors: list[Visitor], backend: BackendProcess, agent: Agent
) -> None:
    visitors.append(Visitor(browser, locale="ja-JP"))
    visitor = visitors[-1]
    page = visitor.page
    visitor.goto(backend.demo_url)
    hostile = '<img src=x onerror="window.__pwned=1"><b>bold?</b> javascript:alert(1)\n' + "長" * 5000
    visitor.push(
        "invitation", {"invitation_id": "rule-1", "text": hostile, "agent_name": "", "agent_initials": ""}
    )
    greeting = page.get_by_test_id("greeting")
    expect(greeting).to_be_visible()
    expect(page.get_by_test_id("greeting-agent")).to_have_text("サポートチーム")
    text = page.get_by_test_id("greeting-text").evaluate("n => n.textContent")
    assert text == hostile[:2000]
    assert shadow(page, "return ['img', 'b', 'a', 'script'].map(t => root.querySelectorAll(t).length)") == [
        0,
        0,
        0,
        0,
    ]
    assert shadow(page, "return root.querySelector('.g-avatar svg') !== null") is True  # a generic icon
    assert page.evaluate("window.__pwned") is None
    expect(page.get_by_test_id("greeting-dismiss")).to_have_attribute("aria-label", "閉じる")
    box = greeting.bounding_box()
    launcher = page.get_by_test_id("launcher").bounding_box()
    assert box is not None
    assert launcher is not None
    assert box["y"] + box["height"] <= launcher["y"]  # above the launcher, inside the viewport
    assert box["height"] < 400

    # Opening the window moves the card into it; the composer's first message answers it too.
    page.get_by_test_id("launcher").click()
    expect(greeting).to_be_visible()
    assert (
        shadow(page, "return root.querySelector('.body').contains(root.querySelector('.greeting'))") is True
    )
    page.get_by_test_id("message-input").fill("質問があります")
    page.get_by_test_id("send").click()
    expect(greeting).to_be_hidden()
    message = agent.wait_message("質問があります")
    assert frames_sent(page, "send_message")[0]["invitation_id"] == "rule-1"
    assert message["text"] == "質問があります"  # an unknown invitation: an ordinary message


def test_pushes_before_the_chat_ui_is_loaded_wait_for_it(visitor: Visitor, backend: BackendProcess) -> None:
    """The chat UI is a chunk imported at the first push that needs it: what arrives while it is on
    its way is handed to it in order, nothing lost; availability needs no UI and is kept meanwhile."""
    page = visitor.page
    held: list[Route] = []
    page.route("**/widget/chunks/chat_ui-*", lambda route: held.append(route))
    visitor.goto(backend.demo_url)
    assert held == []  # nothing to show yet: only the launcher
    visitor.push("invitation", {"invitation_id": "inv-early-1", "text": "First", "agent_name": "Ann"})
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    visitor.push("availability", {"agents_available": False})
    visitor.push("invitation", {"invitation_id": "inv-early-2", "text": "Second", "agent_name": "Bob"})
    page.wait_for_timeout(200)
    expect(page.get_by_test_id("greeting")).to_have_count(0)
    held[0].continue_()
    expect(page.get_by_test_id("greeting-text")).to_have_text("Second")  # the later one, as it came
    expect(page.get_by_test_id("greeting-agent")).to_have_text("Bob")
    page.get_by_test_id("launcher").click()
    expect(page.get_by_test_id("offline-form")).to_be_visible()  # the availability kept meanwhile

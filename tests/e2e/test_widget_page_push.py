"""Page push and safe links in the widget, in headless Chromium on the demo shop against the real
backend: the agent offers a page of the shop, the visitor is asked first, Open goes there and the chat
continues; an offer of a page elsewhere is refused by the widget itself (a frame fed to it on its real
socket, as a compromised or buggy server could send it); URLs in messages become safe links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.e2e.widget_helpers import (
    Agent,
    bubbles,
    frames_sent,
    launch_chromium,
    new_page,
    record_sent_frames,
    shadow,
    start_chat,
    wait_for_sent,
)
from tests.support.backend import BackendProcess
from tests.support.wire import new_id

VISITOR_SOCKET = re.compile(r".*/ws/visitor$")


@pytest.fixture
def backend(shared_backend: BackendProcess) -> BackendProcess:
    """Each test opens its own page (a new visitor) and takes only its own chat: one backend serves
    the whole module."""
    return shared_backend


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser, backend: BackendProcess) -> Iterator[Page]:
    page, errors = new_page(browser)
    record_sent_frames(page)
    yield page
    page.context.close()
    assert errors == []


@pytest.fixture
def agent(backend: BackendProcess) -> Iterator[Agent]:
    backend.cli("routing", "--auto-assign", "off")
    agent = Agent(backend)
    yield agent
    agent.stop()


def visitor_sockets(page: Page) -> list[WebSocketRoute]:
    """The widget's sockets, passed through; `send` on one delivers a frame as if from the server."""
    sockets: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        sockets.append(ws)
        ws.connect_to_server()

    page.route_web_socket(VISITOR_SOCKET, route)
    return sockets


def push_page(agent: Agent, chat_id: str, url: str) -> dict[str, Any]:
    return agent.request("push_page", {"chat_id": chat_id, "client_id": new_id(), "url": url})


# --- page push ------------------------------------------------------------------------------------


def test_open_goes_to_the_shop_page_and_the_chat_continues(
    page: Page, backend: BackendProcess, agent: Agent
) -> None:
    chat_id = start_chat(page, agent, backend, "どのお茶がおすすめですか？")
    agent.say(chat_id, "こちらの抹茶が人気です。")
    target = backend.url + "/demo/product-matcha.html"
    offered = push_page(agent, chat_id, target)
    assert offered["type"] == "res", offered
    offer_seq = offered["payload"]["event"]["seq"]

    prompt = page.get_by_test_id("page-push")
    expect(prompt).to_have_attribute("data-state", "offered")
    expect(prompt).to_contain_text("Your operator would like to show you this page. Open it?")
    expect(page.get_by_test_id("page-push-url")).to_have_text(target)
    assert page.url == backend.demo_url  # nothing happens before the visitor says so

    page.get_by_test_id("page-push-open").click()
    page.wait_for_url(target)
    assert frames_sent(page, "answer_page_push") == []  # a new page: the answer was sent by the old one
    answer = agent.next_event(kind="page_push", state="accepted", chat_id=chat_id)
    assert answer["offer_seq"] == offer_seq

    # The chat goes on here: same conversation, the offer shown as answered, the agent still there.
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")
    expect(page.get_by_test_id("chat-window")).to_be_visible()  # still open, as it was
    expect(bubbles(page)).to_have_count(2)
    status = page.get_by_test_id("page-push")
    expect(status).to_have_count(1)
    expect(status).to_have_attribute("data-state", "accepted")
    expect(status).to_contain_text("You opened the page your operator suggested")
    expect(page.get_by_test_id("page-push-open")).to_have_count(0)
    agent.say(chat_id, "いかがですか？")
    expect(bubbles(page, "agent").filter(has_text="いかがですか？")).to_have_count(1)


def test_no_thanks_declines_and_stays(page: Page, backend: BackendProcess, agent: Agent) -> None:
    chat_id = start_chat(page, agent, backend)
    push_page(agent, chat_id, backend.url + "/demo/cart.html")
    page.get_by_test_id("page-push-decline").click()
    status = page.get_by_test_id("page-push")
    expect(status).to_have_attribute("data-state", "declined")
    expect(status).to_contain_text("You did not open the page")
    answer = agent.next_event(kind="page_push", state="declined", chat_id=chat_id)
    assert wait_for_sent(page, "answer_page_push")[0]["accept"] is False
    assert answer["url"] == backend.url + "/demo/cart.html"
    page.wait_for_timeout(300)
    assert page.url == backend.demo_url

    # After a reload the answered offer is a status line, not a question again.
    page.reload()
    expect(page.get_by_test_id("chat-window")).to_be_visible()
    expect(page.get_by_test_id("page-push")).to_have_attribute("data-state", "declined")
    expect(page.get_by_test_id("page-push-open")).to_have_count(0)


def test_the_widget_refuses_an_offer_outside_the_site(
    page: Page, backend: BackendProcess, agent: Agent
) -> None:
    sockets = visitor_sockets(page)
    chat_id = start_chat(page, agent, backend)
    seq = max(e["seq"] for e in agent.chat_events(chat_id))
    # The backend never sends this (it checks the origin too): a frame fed to the widget as if it had.
    evil = "https://shop.example@evil.example/login"
    event = {
        "chat_id": chat_id,
        "event_id": 10**9,
        "seq": seq + 1,
        "kind": "page_push",
        "audience": "all",
        "created_at": "2030-01-01T00:00:00Z",
        "author": {"kind": "agent", "id": "x", "name": "佐藤 花子"},
        "url": evil,
        "state": "offered",
    }
    sockets[-1].send(json.dumps({"v": 1, "type": "push", "action": "event", "payload": {"event": event}}))
    expect(page.get_by_test_id("page-push-url")).to_have_text(evil)  # shown as text, never a link
    page.get_by_test_id("page-push-open").click()
    expect(page.get_by_test_id("page-push-refused")).to_be_visible()
    expect(page.get_by_test_id("page-push-refused")).to_have_text(
        "This link does not lead to a page of this site, so it was not opened."
    )
    answers = wait_for_sent(page, "answer_page_push")
    assert answers[0]["accept"] is False
    assert answers[0]["seq"] == seq + 1
    expect(page.get_by_test_id("page-push-open")).to_have_count(0)
    page.wait_for_timeout(500)
    assert page.url == backend.demo_url
    assert shadow(page, "return root.querySelectorAll('a').length") == 0


def test_page_url_check(page: Page, backend: BackendProcess, agent: Agent) -> None:
    """The widget's own check (the same rules as chat_protocol.traffic.page_allowed)."""
    page.goto(backend.demo_url)
    # The loader's stand-in has no `internals`: wait for the widget itself (launcher shown).
    expect(page.get_by_test_id("launcher")).to_be_visible()
    here = backend.url
    cases = {
        f"{here}/demo/cart.html": True,
        f"{here}/": True,
        f"{here}/demo/guide.html?tab=matcha#steps": True,
        here.replace("http://", "HTTP://") + "/demo/": True,
        "https://shop.example:443/x": True,  # the default port is the same origin
        "//evil.example/x": False,
        "https://shop.example.evil/x": False,
        "https://shop.example@evil.example/x": False,
        f"http://user:pw@{here[7:]}/": False,
        "javascript:alert(1)": False,
        "data:text/html,<script>alert(1)</script>": False,
        f"{here}\\@evil.example/": False,
        f"{here}/a\tb": False,
        f" {here}/": False,
        "https://shop.example:8443/x": False,
        "http://shop.example/x": False,  # another scheme is another origin
        "/demo/cart.html": False,
        "": False,
    }
    origins = [here, "https://shop.example/"]
    got = page.evaluate(
        "([urls, origins]) => urls.map(u => window.LiveChatWidget.internals.pageAllowed(u, origins))",
        [list(cases), origins],
    )
    assert dict(zip(cases, got, strict=True)) == cases


# --- safe links -------------------------------------------------------------------------------------


def test_urls_in_messages_become_safe_links(page: Page, backend: BackendProcess, agent: Agent) -> None:
    chat_id = start_chat(page, agent, backend)
    text = "See https://example.com/x, or javascript:alert(1) and <a href=x>y</a> (http://example.org/a?b=1)."
    agent.say(chat_id, text)
    bubble = bubbles(page, "agent").filter(has_text="See ").get_by_test_id("message-text")
    expect(bubble).to_have_count(1)
    assert bubble.evaluate("n => n.textContent") == text  # every character shown, nothing lost
    links = bubble.locator("a")
    expect(links).to_have_count(2)
    assert links.evaluate_all(
        "as => as.map(a => [a.getAttribute('href'), a.textContent, a.target, a.rel])"
    ) == [
        ["https://example.com/x", "https://example.com/x", "_blank", "noopener noreferrer"],
        ["http://example.org/a?b=1", "http://example.org/a?b=1", "_blank", "noopener noreferrer"],
    ]
    # The rest stays text: no element made from the message besides the two links.
    assert bubble.evaluate("n => [...n.childNodes].filter(c => c.nodeType === 1).length") == 2
    assert page.evaluate("window.__pwned") is None

    # Only http(s) URLs that a browser opens where they say.
    checks = {
        "https://example.com/x": True,
        "http://example.com": True,
        "javascript:alert(1)": False,
        "data:text/html,x": False,
        "https://exa\\mple.com": False,
        "https://": False,
    }
    got = page.evaluate("urls => urls.map(u => window.LiveChatWidget.internals.isWebUrl(u))", list(checks))
    assert dict(zip(checks, got, strict=True)) == checks

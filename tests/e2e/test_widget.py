"""The website widget (chat_backend/static/widget.js) in real headless Chromium against the real backend.

The visitor is the browser on the demo shop; the agent is a protocol-level client on /ws/agent
(tests.support.wire), driven from these synchronous tests through an asyncio loop in a thread
(tests/e2e/widget_helpers.py). The widget shows the composer only while an agent accepts chats
(otherwise the offline form, see test_widget_workflow.py), so every test that writes has an agent.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.e2e.widget_helpers import (
    Agent,
    bubbles,
    connected,
    launch_chromium,
    new_page,
    open_widget,
    send,
    shadow,
    start_chat,
    wait_until,
)
from tests.support.backend import BackendProcess
from tests.support.databases import sqlite_database

# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser, backend: BackendProcess) -> Iterator[Page]:
    """A fresh browser context (empty localStorage) on the demo shop; fails on any page error or dialog."""
    page, errors = new_page(browser)
    yield page
    page.context.close()
    assert errors == []


@pytest.fixture
def agent(backend: BackendProcess) -> Iterator[Agent]:
    backend.cli("routing", "--auto-assign", "off")  # the agent takes chats from the queue by hand
    agent = Agent(backend)
    yield agent
    agent.stop()


# --- tests --------------------------------------------------------------------------------------


def test_launcher_opens_and_closes_the_window(page: Page, backend: BackendProcess, agent: Agent) -> None:
    page.goto(backend.demo_url)
    launcher = page.get_by_test_id("launcher")
    window = page.get_by_test_id("chat-window")
    expect(launcher).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(window).to_be_hidden()

    launcher.click()
    expect(window).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_test_id("message-input")).to_be_focused()
    expect(page.get_by_test_id("name-input")).to_be_visible()
    state = page.get_by_test_id("connection-state")
    expect(state).to_have_attribute("data-state", "connected")
    expect(state).to_have_text("Online")
    expect(page.get_by_test_id("agent-typing")).to_be_hidden()

    page.keyboard.press("Escape")
    expect(window).to_be_hidden()
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")  # the launcher is a real button
    expect(window).to_be_visible()

    # Nothing global besides the small API object.
    assert page.evaluate("typeof window.LiveChatWidget.open") == "function"


def test_message_shows_once_and_reaches_the_backend(
    page: Page, backend: BackendProcess, agent: Agent
) -> None:
    open_widget(page, backend.demo_url)
    send(page, "こんにちは、注文について質問があります。", name="山田 太郎")

    mine = bubbles(page, "visitor")
    expect(mine).to_have_count(1)
    expect(mine.first).to_have_attribute("data-status", "sent")
    expect(mine.first.get_by_test_id("message-text")).to_have_text("こんにちは、注文について質問があります。")
    expect(page.get_by_test_id("message-input")).to_have_value("")
    expect(page.get_by_test_id("name-input")).to_be_hidden()

    event = agent.wait_message("こんにちは、注文について質問があります。")
    assert event["author"] == {"kind": "visitor", "id": event["author"]["id"], "name": "山田 太郎"}
    assert len(agent.messages(event["chat_id"])) == 1
    expect(mine.first).to_have_attribute("data-seq", str(event["seq"]))

    # Enter sends, Shift+Enter is a newline.
    box = page.get_by_test_id("message-input")
    box.click()
    page.keyboard.type("line one")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("line two")
    page.keyboard.press("Enter")
    second = agent.wait_message("line one\nline two")
    assert second["chat_id"] == event["chat_id"]
    expect(mine).to_have_count(2)
    time.sleep(0.3)
    assert len(agent.messages(event["chat_id"])) == 2
    expect(mine).to_have_count(2)


def test_agent_reply_and_typing_indicator(page: Page, backend: BackendProcess, agent: Agent) -> None:
    chat_id = start_chat(page, agent, backend)
    expect(page.get_by_test_id("chat-event").filter(has_text="佐藤 花子 joined the chat")).to_be_visible()

    typing = page.get_by_test_id("agent-typing")
    expect(typing).to_be_hidden()
    agent.typing(chat_id, True)
    expect(typing).to_be_visible()
    expect(typing).to_contain_text("佐藤 花子 is typing")
    agent.typing(chat_id, False)
    expect(typing).to_be_hidden()

    agent.typing(chat_id, True)
    expect(typing).to_be_visible()
    agent.say(chat_id, "いらっしゃいませ！How can I help?")
    reply = bubbles(page, "agent")
    expect(reply).to_have_count(1)
    expect(reply.first.get_by_test_id("message-text")).to_have_text("いらっしゃいませ！How can I help?")
    expect(reply.first).to_contain_text("佐藤 花子")
    expect(typing).to_be_hidden()  # a message from the agent ends its typing indicator

    # Ordered by seq: visitor message, the join notice, then the reply.
    seqs = page.locator('[data-testid="message"], [data-testid="chat-event"]').evaluate_all(
        "nodes => nodes.map(n => Number(n.dataset.seq))"
    )
    assert seqs == sorted(seqs)


def test_hostile_text_is_shown_literally(page: Page, backend: BackendProcess, agent: Agent) -> None:
    hostile = (
        '<img src=x onerror="window.__pwned = 1"><script>window.__pwned = 2</script>\n'
        "<b>not bold</b> &amp; &lt; javascript:alert(1) "
        "مرحبا بالعالم שלום 🍵👍🏽 日本語のテキスト\n\n  indented  "
    )
    chat_id = start_chat(page, agent, backend)
    send(page, hostile)
    event = agent.wait_message(hostile)
    assert event["text"] == hostile
    agent.say(chat_id, hostile)

    for author in ("visitor", "agent"):
        text = bubbles(page, author).filter(has_text="not bold").get_by_test_id("message-text")
        expect(text).to_have_count(1)
        assert text.evaluate("n => n.textContent") == hostile
        assert text.get_attribute("dir") == "auto"
    counts = shadow(
        page, "return ['img', 'script', 'b', 'a', 'iframe'].map(t => root.querySelectorAll(t).length)"
    )
    assert counts == [0, 0, 0, 0, 0]
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    white_space = (
        bubbles(page, "visitor")
        .last.get_by_test_id("message-text")
        .evaluate("n => getComputedStyle(n).whiteSpace + ' ' + getComputedStyle(n).overflowWrap")
    )
    assert white_space == "pre-wrap anywhere"

    # 20 000 characters (the protocol maximum; 60 KB of UTF-8) go through and show in full.
    long_text = ("長文テスト" * 4000)[:20000]
    box = page.get_by_test_id("message-input")
    box.fill(long_text + "overflow")
    assert len(box.input_value()) == 20000  # capped by maxlength
    page.get_by_test_id("send").click()
    assert agent.wait_message(long_text)["text"] == long_text
    last = bubbles(page, "visitor").last
    expect(last).to_have_attribute("data-status", "sent")
    assert last.get_by_test_id("message-text").evaluate("n => n.textContent") == long_text


def test_same_visitor_and_chat_after_reload(page: Page, backend: BackendProcess, agent: Agent) -> None:
    chat_id = start_chat(page, agent, backend, text="before reload")
    agent.say(chat_id, "reply before reload")
    expect(bubbles(page, "agent")).to_have_count(1)
    token = page.evaluate("localStorage.getItem('livechat:' + 'demo-shop' + ':token')")
    assert token

    page.goto(backend.url + "/demo/product-matcha.html")  # another page of the same site
    expect(page.get_by_test_id("chat-window")).to_be_visible()  # stays open across pages
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")
    expect(bubbles(page)).to_have_count(2)
    expect(bubbles(page, "visitor").get_by_test_id("message-text")).to_have_text(["before reload"])
    expect(bubbles(page, "agent").get_by_test_id("message-text")).to_have_text(["reply before reload"])
    expect(page.get_by_test_id("chat-event").filter(has_text="joined the chat")).to_have_count(1)
    assert page.evaluate("localStorage.getItem('livechat:demo-shop:token')") == token
    expect(page.get_by_test_id("name-input")).to_be_hidden()

    page.reload()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")
    expect(bubbles(page)).to_have_count(2)
    send(page, "after reload")
    assert agent.wait_message("after reload")["chat_id"] == chat_id
    agent.say(chat_id, "reply after reload")
    expect(bubbles(page)).to_have_count(4)
    time.sleep(0.3)
    expect(bubbles(page)).to_have_count(4)
    assert [m["text"] for m in agent.messages(chat_id)] == [
        "before reload",
        "reply before reload",
        "after reload",
        "reply after reload",
    ]


def test_host_page_css_does_not_change_the_widget(
    browser: Browser, backend: BackendProcess, agent: Agent
) -> None:
    """cart.html carries hostile global CSS (button { background: red !important }, * { font-size }...)."""
    probe = """() => {
      const host = document.querySelector('livechat-widget');
      const root = host.shadowRoot;
      const pick = (sel, props) => {
        const s = getComputedStyle(root.querySelector(sel));
        return Object.fromEntries(props.map(p => [p, s.getPropertyValue(p)]));
      };
      const box = n => { const r = root.querySelector(n).getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
      return {
        host: getComputedStyle(host).display,
        launcher: pick('[data-testid=launcher]', ['background-image', 'background-color', 'color', 'border-top-width',
                       'border-radius', 'width', 'height', 'padding-top', 'box-sizing']),
        send: pick('[data-testid=send]', ['background-color', 'color', 'border-top-style', 'border-radius', 'width',
                   'height', 'padding-top']),
        input: pick('[data-testid=message-input]', ['font-size', 'font-family', 'color', 'background-color',
                    'border-top-width', 'width', 'text-transform', 'letter-spacing', 'direction', 'text-align']),
        title: pick('.title', ['font-size', 'font-family', 'color', 'line-height', 'text-transform']),
        boxes: [box('[data-testid=launcher]'), box('[data-testid=chat-window]'), box('[data-testid=send]')],
      };
    }"""
    seen = []
    for url in (backend.demo_url, backend.url + "/demo/cart.html"):
        page, errors = new_page(browser)
        page.emulate_media(reduced_motion="reduce")  # no transitions half-way through
        open_widget(page, url)
        page.get_by_test_id("message-input").fill("x")  # enables the send button
        page.mouse.move(0, 0)  # no hover
        seen.append(page.evaluate(probe))
        expect(page.get_by_test_id("launcher")).to_be_visible()
        if url.endswith("cart.html"):
            # The hostile rules really apply to the page's own elements...
            assert page.evaluate("getComputedStyle(document.body).color") == "rgb(255, 0, 255)"
            assert page.evaluate("getComputedStyle(document.body).fontSize") == "20px"
        page.context.close()
        assert errors == []
    plain, hostile = seen
    assert hostile == plain
    # ...and not to the widget.
    assert plain["host"] == "block"
    assert plain["launcher"]["background-color"] != "rgb(255, 0, 0)"
    assert plain["send"]["background-color"] != "rgb(255, 0, 0)"
    assert plain["input"]["font-size"] == "14px"


def test_sneak_peek_is_throttled_and_ends_empty(page: Page, backend: BackendProcess, agent: Agent) -> None:
    start_chat(page, agent, backend)
    box = page.get_by_test_id("message-input")
    box.click()
    text = "I would like to ask about delivery"
    page.keyboard.type(text, delay=15)  # ~35 keystrokes in ~0.5 s
    peeks = []
    deadline = time.monotonic() + 5
    while not peeks or peeks[-1] != text:
        assert time.monotonic() < deadline, peeks
        peeks.append(agent.next_push("sneak_peek")["payload"]["text"])
    assert len(peeks) < len(text) / 2, peeks  # throttled, yet the last state arrived
    page.keyboard.press("Enter")
    # Sent, then "stopped typing": both arrive (in either order).
    seen_message = seen_empty_peek = False
    while not (seen_message and seen_empty_peek):
        push = agent.next_push(None)
        if push["action"] == "sneak_peek":
            assert push["payload"]["text"] == "", push
            seen_empty_peek = True
        elif push["action"] == "event" and push["payload"]["event"]["kind"] == "message":
            assert push["payload"]["event"]["text"] == text
            seen_message = True


def test_unacknowledged_send_is_resent_once_after_reconnect(
    page: Page, backend: BackendProcess, agent: Agent
) -> None:
    """The first connection swallows the send (it never reaches the server) and dies; after the
    reconnect the widget re-sends from its outbox with the same client_id: stored exactly once."""
    connections: list[WebSocketRoute] = []
    sent_frames: list[dict[str, Any]] = []

    def route(ws: WebSocketRoute) -> None:
        connections.append(ws)
        server = ws.connect_to_server()
        index = len(connections)

        def from_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame["action"] == "send_message":
                sent_frames.append(frame)
                if index == 1:
                    return  # lost on the way
            server.send(message)

        ws.on_message(from_page)

    page.route_web_socket(re.compile(r".*/ws/visitor$"), route)
    open_widget(page, backend.demo_url)
    send(page, "lost on the first socket")
    mine = bubbles(page, "visitor")
    expect(mine).to_have_count(1)
    expect(mine.first).to_have_attribute("data-status", "sending")
    wait_until(lambda: len(sent_frames) == 1)
    outbox = page.evaluate("JSON.parse(localStorage.getItem('livechat:demo-shop:outbox'))")
    assert [item["text"] for item in outbox] == ["lost on the first socket"]

    connections[0].close(code=4008, reason="test")
    expect(mine.first).to_have_attribute("data-status", "sent", timeout=15000)
    event = agent.wait_message("lost on the first socket")
    assert len(sent_frames) == 2
    assert (
        sent_frames[0]["payload"]["client_id"] == sent_frames[1]["payload"]["client_id"] == event["client_id"]
    )
    assert len(agent.messages(event["chat_id"])) == 1
    expect(mine).to_have_count(1)
    assert page.evaluate("localStorage.getItem('livechat:demo-shop:outbox')") is None


def test_a_draining_node_is_left_after_a_short_random_delay_not_the_backoff(
    browser: Browser, tmp_path: Path
) -> None:
    """SIGTERM: the node closes the widget's socket with 1001 and the widget reconnects after a random
    0-2 s; with the draw pinned near its top, about 2 s (the backoff's first step is at most 0.5 s). A
    peer that never answers its close frame keeps the node draining meanwhile."""
    proc = BackendProcess(
        database_url=sqlite_database(tmp_path),
        workdir=tmp_path,
        env={"CHAT_SOCKET_CLOSE_TIMEOUT": "4", "CHAT_DRAIN_TIMEOUT": "20"},
    )
    proc.start()
    page, errors = new_page(browser)
    stuck = socket.create_connection(("127.0.0.1", proc.port))
    try:
        page.add_init_script(
            """(() => {
              window.__lcSockets = [];
              const Native = window.WebSocket;
              window.WebSocket = function (url, protocols) {
                const sock = protocols === undefined ? new Native(url) : new Native(url, protocols);
                const entry = { opened: performance.now(), closed: null, code: null };
                window.__lcSockets.push(entry);
                sock.addEventListener("close", (e) => { entry.closed = performance.now(); entry.code = e.code; });
                return sock;
              };
              window.WebSocket.prototype = Native.prototype;
            })()"""
        )
        open_widget(page, proc.demo_url)
        stuck.sendall(
            f"GET /ws/visitor HTTP/1.1\r\nHost: 127.0.0.1:{proc.port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        assert stuck.recv(4096).startswith(b"HTTP/1.1 101")  # then never reads again
        page.evaluate("Math.random = () => 0.999")
        assert proc.proc is not None
        proc.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while len(sockets := page.evaluate("window.__lcSockets")) < 2:
            assert time.monotonic() < deadline, sockets
            page.wait_for_timeout(50)
        assert sockets[0]["code"] == 1001
        assert 1800 < sockets[1]["opened"] - sockets[0]["closed"] < 2600
    finally:
        stuck.close()
        page.context.close()
        proc.stop()
    assert errors == []


def test_lost_acknowledgement_does_not_duplicate(page: Page, backend: BackendProcess, agent: Agent) -> None:
    """The message is committed but the answer and the push never arrive; the socket dies. After the
    reconnect the transcript carries the message (matched by client_id): one bubble, one stored message."""
    connections: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        connections.append(ws)
        server = ws.connect_to_server()
        first = len(connections) == 1
        swallow = {"on": False}

        def from_page(message: str | bytes) -> None:
            if first and json.loads(message)["action"] == "send_message":
                swallow["on"] = True
            server.send(message)

        def from_server(message: str | bytes) -> None:
            if not swallow["on"]:
                ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    page.route_web_socket(re.compile(r".*/ws/visitor$"), route)
    open_widget(page, backend.demo_url)
    send(page, "ack goes missing")
    event = agent.wait_message("ack goes missing")
    mine = bubbles(page, "visitor")
    expect(mine.first).to_have_attribute("data-status", "sending")

    connections[0].close(code=4008, reason="test")
    expect(mine.first).to_have_attribute("data-status", "sent", timeout=15000)
    expect(mine).to_have_count(1)
    expect(mine.first).to_have_attribute("data-event-id", str(event["event_id"]))
    assert len(agent.messages(event["chat_id"])) == 1


def test_message_written_while_the_server_is_down_is_delivered_after_restart(
    page: Page, backend: BackendProcess, agent: Agent
) -> None:
    chat_id = start_chat(page, agent, backend, text="before the crash")
    backend.kill()
    state = page.get_by_test_id("connection-state")
    expect(state).to_have_attribute("data-state", "reconnecting")
    expect(state).to_have_text("Reconnecting…")
    send(page, "written while the server is down")
    expect(bubbles(page, "visitor").last).to_have_attribute("data-status", "sending")

    backend.start()
    expect(state).to_have_attribute("data-state", "connected", timeout=40000)
    expect(bubbles(page, "visitor").last).to_have_attribute("data-status", "sent")
    restarted = Agent(backend)
    try:
        texts = [m["text"] for m in restarted.messages(chat_id)]
        assert texts == ["before the crash", "written while the server is down"]
    finally:
        restarted.stop()
    expect(bubbles(page)).to_have_count(2)
    expect(page.get_by_test_id("chat-event").filter(has_text="joined the chat")).to_have_count(1)


def test_end_chat_then_a_new_message_starts_a_new_chat(
    page: Page, backend: BackendProcess, agent: Agent
) -> None:
    chat_id = start_chat(page, agent, backend, text="first chat")
    page.get_by_test_id("end-chat").click()
    expect(page.get_by_test_id("end-chat-confirm")).to_be_visible()
    page.get_by_test_id("end-chat-yes").click()
    expect(page.get_by_test_id("chat-event").filter(has_text="The chat has ended")).to_have_count(1)
    expect(page.get_by_test_id("end-chat")).to_be_hidden()
    closed = agent.next_event(kind="chat_state", state="closed", chat_id=chat_id)
    assert closed["author"]["kind"] == "visitor"

    send(page, "second chat")
    second = agent.wait_message("second chat")
    assert second["chat_id"] != chat_id
    expect(bubbles(page, "visitor")).to_have_count(2)
    expect(page.get_by_test_id("end-chat")).to_be_visible()


def test_agent_closing_the_chat_is_shown(page: Page, backend: BackendProcess, agent: Agent) -> None:
    chat_id = start_chat(page, agent, backend)
    agent.close_chat(chat_id)
    expect(page.get_by_test_id("chat-event").filter(has_text="The chat has ended")).to_be_visible()
    expect(page.get_by_test_id("message-input")).to_have_attribute("placeholder", re.compile("new chat"))


def test_stale_token_is_dropped_and_a_new_visitor_logs_in(page: Page, backend: BackendProcess) -> None:
    page.add_init_script("localStorage.setItem('livechat:demo-shop:token', 'not-a-real-token')")
    page.goto(backend.demo_url)
    connected(page)
    token = page.evaluate("localStorage.getItem('livechat:demo-shop:token')")
    assert token
    assert token != "not-a-real-token"


def test_japanese_ui(browser: Browser, backend: BackendProcess, agent: Agent) -> None:
    page, errors = new_page(browser, locale="ja-JP")
    open_widget(page, backend.demo_url)
    expect(page.get_by_test_id("connection-state")).to_have_text("オンライン")
    expect(page.get_by_test_id("launcher")).to_have_attribute("aria-label", "チャットを閉じる")
    expect(page.get_by_test_id("message-input")).to_have_attribute("placeholder", "メッセージを入力…")
    expect(page.get_by_test_id("send")).to_have_attribute("aria-label", "送信")
    page.context.close()
    assert errors == []

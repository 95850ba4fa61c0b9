"""Shared by the widget's browser tests (test_widget.py, test_widget_workflow.py).

The visitor is Debian's headless Chromium on the demo shop (Playwright); the agent is a protocol-level
client on /ws/agent (tests.support.wire), driven from the synchronous tests through an asyncio loop
in a thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.support.backend import BackendProcess
from tests.support.wire import WireClient, connect_agent, new_id

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
T = TypeVar("T")


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser: Browser, locale: str = "en-US") -> tuple[Page, list[str]]:
    """A page in a fresh context (empty storage) and the list its page errors and dialogs go to."""
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: (errors.append("dialog: " + dialog.message), dialog.dismiss()))
    return page, errors


class Agent:
    """An agent on /ws/agent (by default the demo agent "佐藤 花子"), accepting chats.

    Its asyncio loop runs in a thread; every method blocks until the backend answered."""

    def __init__(
        self, backend: BackendProcess, email: str | None = None, password: str | None = None
    ) -> None:
        self.backend = backend
        self.email = email
        self.password = password
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client: WireClient = self._run(self._connect())
        self.token: str = self.client.token  # type: ignore[attr-defined]

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float = 20) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _connect(self) -> WireClient:
        client = await connect_agent(self.backend, self.email, self.password)
        await client.ok("set_status", {"status": "accepting"})
        return client

    def next_event(self, within: float = 10, **match: Any) -> dict[str, Any]:
        return self._run(self.client.next_event(within=within, **match), timeout=within + 5)

    def next_push(self, action: str | None, within: float = 10) -> dict[str, Any]:
        return self._run(self.client.next_push(action, within=within), timeout=within + 5)

    def drain_pushes(self) -> list[dict[str, Any]]:
        """Every push received so far and not yet consumed."""
        queue = self.client.pushes
        return self._run(_drain(queue))

    def wait_message(self, text: str, within: float = 10) -> dict[str, Any]:
        """The next visitor message event with this text."""
        return self.next_event(within=within, kind="message", text=text)

    def request(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The `res` or `err` frame answering this request."""
        return self._run(self.client.request(action, payload))

    def ok(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._run(self.client.ok(action, payload))

    def send(self, action: str, payload: dict[str, Any]) -> None:
        """A request the server does not answer (typing, mark_read)."""
        self._run(self.client.send(action, payload))

    def take(self, chat_id: str) -> dict[str, Any]:
        return self.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})

    def say(self, chat_id: str, text: str) -> dict[str, Any]:
        return self.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": text})

    def typing(self, chat_id: str, typing: bool) -> None:
        self.send("typing", {"chat_id": chat_id, "typing": typing})

    def close_chat(self, chat_id: str) -> dict[str, Any]:
        return self.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})

    def set_status(self, status: str) -> dict[str, Any]:
        return self.ok("set_status", {"status": status})

    def get(self, path: str) -> Any:
        """GET /api/v1/... as this agent."""
        response = httpx.get(
            f"{self.backend.url}/api/v1{path}", headers={"Authorization": f"Bearer {self.token}"}, timeout=10
        )
        response.raise_for_status()
        return response.json()

    def chat_events(self, chat_id: str) -> list[dict[str, Any]]:
        """What the backend stored for this chat (REST, as the agent)."""
        events: list[dict[str, Any]] = self.get(f"/chats/{chat_id}/events")["events"]
        return events

    def messages(self, chat_id: str) -> list[dict[str, Any]]:
        return [e for e in self.chat_events(chat_id) if e["kind"] == "message"]

    def stop(self) -> None:
        try:
            self._run(self.client.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


async def _drain(queue: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


def open_widget(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_test_id("launcher").click()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")


def send(page: Page, text: str, name: str | None = None) -> None:
    if name is not None:
        page.get_by_test_id("name-input").fill(name)
    page.get_by_test_id("message-input").fill(text)
    page.get_by_test_id("send").click()


def shadow(page: Page, script: str) -> Any:
    """Evaluate `script` (a function body) with `root` bound to the widget's shadow root."""
    return page.evaluate(
        f"() => {{ const root = document.querySelector('livechat-widget').shadowRoot; {script} }}"
    )


def bubbles(page: Page, author: str | None = None) -> Locator:
    selector = '[data-testid="message"]' + (f'[data-author="{author}"]' if author else "")
    return page.locator(selector)


def wait_until(condition: Callable[[], bool], within: float = 10) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def start_chat(page: Page, agent: Agent, backend: BackendProcess, text: str = "Hello") -> str:
    """Visitor writes, agent takes the chat from the queue (auto-assignment off); returns the chat id."""
    open_widget(page, backend.demo_url)
    send(page, text)
    chat_id: str = agent.wait_message(text)["chat_id"]
    expect(page.get_by_test_id("chat-waiting")).to_be_visible()  # queued
    agent.take(chat_id)
    expect(page.get_by_test_id("chat-event").filter(has_text="joined the chat")).to_be_visible()
    expect(page.get_by_test_id("chat-waiting")).to_be_hidden()
    return chat_id


# --- tracking, invitations, page push (test_widget_tracking/_invitations/_page_push.py) -----------


def record_sent_frames(page: Page) -> None:
    """Call before the first `goto`: every frame the page's WebSockets send is kept in the page."""
    page.add_init_script(
        """(() => {
          window.__lcSent = [];
          const send = WebSocket.prototype.send;
          WebSocket.prototype.send = function (data) {
            try { window.__lcSent.push(JSON.parse(data)); } catch (e) {}
            return send.call(this, data);
          };
        })()"""
    )


def frames_sent(page: Page, action: str) -> list[dict[str, Any]]:
    """The payloads of the frames of this action that the widget has sent on this page, oldest first."""
    found: list[dict[str, Any]] = page.evaluate(
        "action => (window.__lcSent || []).filter(f => f.action === action).map(f => f.payload)", action
    )
    return found


def record_received_frames(page: Page) -> list[dict[str, Any]]:
    """Every frame the page's WebSockets receive (parsed), appended as they come, across navigations."""
    import contextlib
    import json

    frames: list[dict[str, Any]] = []

    def on_frame(payload: str | bytes) -> None:
        with contextlib.suppress(ValueError):
            frames.append(json.loads(payload))

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    return frames


def login_result(frames: list[dict[str, Any]]) -> dict[str, Any]:
    """The payload of the latest `login` answer among received frames."""
    for frame in reversed(frames):
        if frame.get("type") == "res" and frame.get("action") == "login":
            result: dict[str, Any] = frame["payload"]
            return result
    raise AssertionError("no login answer received")


def wait_for_sent(page: Page, action: str, count: int = 1, within: float = 10) -> list[dict[str, Any]]:
    """Wait until the widget has sent at least `count` frames of this action; their payloads."""
    wait_until(lambda: len(frames_sent(page, action)) >= count, within)
    return frames_sent(page, action)


def connected(page: Page) -> None:
    """The widget (window open or not, chat UI loaded or not) is logged in and ready."""
    wait_until(lambda: page.evaluate("window.LiveChatWidget && window.LiveChatWidget.state()") == "connected")


# --- video calls (test_widget_calls.py) ------------------------------------------------------------

# Chromium's fake camera (an animated test pattern) and microphone (a beep), granted without a prompt.
FAKE_MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@contextmanager
def launch_chromium_with_fake_media() -> Iterator[Browser]:
    """Like `launch_chromium`, with a fake camera and microphone that pages get without asking."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_MEDIA_ARGS)
        yield browser
        browser.close()


def record_media_tracks(page: Page) -> None:
    """Call before the first `goto`: every track `getUserMedia` hands the page is kept in the page."""
    page.add_init_script(
        """(() => {
          window.__lcTracks = [];
          const media = navigator.mediaDevices;
          if (!media || !media.getUserMedia) return;
          const original = media.getUserMedia.bind(media);
          media.getUserMedia = (constraints) => original(constraints).then((stream) => {
            stream.getTracks().forEach((track) => window.__lcTracks.push(track));
            return stream;
          });
        })()"""
    )


def media_tracks(page: Page) -> list[dict[str, Any]]:
    """The page's camera and microphone tracks so far: `{kind, state, enabled}` each."""
    found: list[dict[str, Any]] = page.evaluate(
        "() => (window.__lcTracks || []).map(t => ({kind: t.kind, state: t.readyState, enabled: t.enabled}))"
    )
    return found


def paste_screenshot(page: Page, width: int, height: int) -> None:
    """A screenshot pasted into the widget's message box: a PNG drawn on a canvas in the page, in the
    clipboard event as Chromium gives it (named "image.png")."""
    page.evaluate(
        """async ([width, height]) => {
          const canvas = document.createElement('canvas');
          canvas.width = width; canvas.height = height;
          const g = canvas.getContext('2d');
          g.fillStyle = '#c33'; g.fillRect(0, 0, width, height);
          g.fillStyle = '#39c'; g.fillRect(8, 8, 30, 20);
          const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
          const data = new DataTransfer();
          data.items.add(new File([blob], 'image.png', {type: 'image/png'}));
          const input = document.querySelector('livechat-widget').shadowRoot
            .querySelector('[data-testid=message-input]');
          input.dispatchEvent(new ClipboardEvent('paste',
            {clipboardData: data, bubbles: true, cancelable: true, composed: true}));
        }""",
        [width, height],
    )

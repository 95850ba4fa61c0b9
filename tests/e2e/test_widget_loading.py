"""How the widget loads in Chromium: the loader, the chunks it imports, and calls made before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.widget_helpers import (
    connected,
    frames_sent,
    launch_chromium,
    new_page,
    record_sent_frames,
    wait_until,
)
from tests.support.backend import BackendProcess


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page, errors = new_page(browser)
    yield page
    page.context.close()
    assert errors == []


def test_the_loader_queues_calls_until_the_widget_is_there_and_calls_load_nothing_yet(
    page: Page, shared_backend: BackendProcess
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    held: list[Route] = []
    page.route("**/widget/chunks/main-*", lambda route: held.append(route))
    record_sent_frames(page)
    page.goto(shared_backend.demo_url)
    # Route handlers run while Playwright is busy with the page: wait on the page, not in Python.
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    # The stand-in: calls are kept while the entry chunk is on its way.
    assert page.evaluate("window.LiveChatWidget.state()") == "loading"
    page.evaluate("window.LiveChatWidget.open(); window.LiveChatWidget.setCustomData({plan: 'gold'})")
    held[0].continue_()
    expect(page.get_by_test_id("chat-window")).to_be_visible()
    assert page.evaluate("window.LiveChatWidget.loaded") is True
    assert page.evaluate("typeof window.LiveChatWidget.internals.isWebUrl") == "function"
    wait_until(lambda: frames_sent(page, "custom_data") == [{"data": {"plan": "gold"}}])
    widget = sorted(url.split("/")[-1].split("-")[0] for url in requested if "/widget" in url)
    assert "call_media" not in widget, "the WebRTC chunk waits for a call"
    assert {"chat_ui", "main", "widget.js"} <= set(widget)


def test_the_chat_ui_is_imported_when_the_launcher_is_first_opened(
    page: Page, shared_backend: BackendProcess
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url.split("/")[-1].split("-")[0]))
    record_sent_frames(page)
    page.goto(shared_backend.demo_url)
    connected(page)  # logged in with the page: agents see the visitor
    assert frames_sent(page, "login")[0]["page"]["url"].startswith(shared_backend.demo_url)
    expect(page.get_by_test_id("launcher")).to_be_visible()
    assert "chat_ui" not in requested
    assert page.get_by_test_id("chat-window").count() == 0
    page.get_by_test_id("launcher").click()
    expect(page.get_by_test_id("chat-window")).to_be_visible()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")
    assert requested.count("chat_ui") == 1
    assert page.get_by_test_id("launcher").count() == 1

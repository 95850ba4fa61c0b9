"""Files in the widget, in headless Chromium on the demo shop against the real backend: the visitor
pastes a screenshot and drops a PDF into a chat an agent holds (the agent gets both as message
events), sees the thumbnail and the full image in an overlay (Escape closes it), downloads a PDF the
agent sent; a file over the admin's limit is refused before any upload; a cancelled upload never
reaches the agent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.widget_helpers import (
    Agent,
    bubbles,
    launch_chromium,
    new_page,
    open_widget,
    paste_screenshot,
    send,
    shadow,
    wait_until,
)
from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.wire import new_id

UPLOADS = "**/api/v1/visitor/chats/*/attachments"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf_of_size(size: int) -> bytes:
    head, tail = PDF[: -len(b"%%EOF\n")], b"%%EOF\n"
    return head + b"%" + b"x" * (size - len(head) - len(tail) - 2) + b"\n" + tail


@pytest.fixture(scope="module")
def backend(shared_backend: BackendProcess) -> BackendProcess:
    """One backend for the module: each test opens its own page (a new visitor) and chat."""
    shared_backend.cli("routing", "--auto-assign", "off")
    return shared_backend


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def agent(backend: BackendProcess) -> Iterator[Agent]:
    agent = Agent(backend)
    yield agent
    agent.stop()


@pytest.fixture
def page(browser: Browser, backend: BackendProcess) -> Iterator[Page]:
    page, errors = new_page(browser)
    yield page
    page.context.close()
    assert errors == []


def start_chat(page: Page, agent: Agent, backend: BackendProcess) -> str:
    """The visitor opens the widget (no attach button without a chat), writes; the agent takes it."""
    open_widget(page, backend.demo_url)
    expect(page.get_by_test_id("message-input")).to_be_visible()
    expect(page.get_by_test_id("attach")).to_be_hidden()  # a file cannot open a chat
    text = "Files please " + new_id()[:8]
    send(page, text)
    chat_id: str = agent.wait_message(text)["chat_id"]
    agent.take(chat_id)
    expect(page.get_by_test_id("chat-event").filter(has_text="joined the chat")).to_be_visible()
    expect(page.get_by_test_id("attach")).to_be_visible()
    return chat_id


def next_file_event(agent: Agent, chat_id: str) -> dict[str, Any]:
    event = agent.next_event(kind="message", chat_id=chat_id, text="")
    assert event["attachment"] is not None
    return event


def drop_file(page: Page, name: str, data: bytes, content_type: str) -> None:
    """Drag a file over the chat window (the drop hint shows) and drop it there."""
    page.evaluate(
        """([bytes, name, type]) => {
          window.__lcDrag = new DataTransfer();
          window.__lcDrag.items.add(new File([new Uint8Array(bytes)], name, {type}));
          const win = document.querySelector('livechat-widget').shadowRoot
            .querySelector('[data-testid=chat-window]');
          win.dispatchEvent(new DragEvent('dragenter',
            {dataTransfer: window.__lcDrag, bubbles: true, cancelable: true, composed: true}));
        }""",
        [list(data), name, content_type],
    )
    expect(page.get_by_test_id("drop-hint")).to_be_visible()
    shadow(
        page,
        """root.querySelector('[data-testid=chat-window]').dispatchEvent(new DragEvent('drop',
          {dataTransfer: window.__lcDrag, bubbles: true, cancelable: true, composed: true}));""",
    )
    expect(page.get_by_test_id("drop-hint")).to_be_hidden()


def test_a_pasted_screenshot_and_a_dropped_pdf_reach_the_agent_and_show_in_the_widget(
    page: Page, agent: Agent, backend: BackendProcess
) -> None:
    chat_id = start_chat(page, agent, backend)
    expect(page.get_by_test_id("attach")).to_have_attribute("aria-label", "Attach a file")
    # A screenshot from the clipboard (Chromium names it "image.png"), drawn in the page.
    paste_screenshot(page, 64, 48)
    image = next_file_event(agent, chat_id)
    assert image["author"]["kind"] == "visitor"
    assert image["attachment"]["category"] == "images"
    assert re.fullmatch(r"screenshot-\d{8}-\d{6}\.png", image["attachment"]["name"])
    assert (image["attachment"]["width"], image["attachment"]["height"]) == (64, 48)

    # The upload's row became the message: one bubble, a thumbnail fetched into a blob.
    row = bubbles(page, "visitor").filter(has=page.get_by_test_id("attachment-image"))
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-event-id", str(image["event_id"]))
    expect(page.locator("[data-upload]")).to_have_count(0)
    thumb = page.get_by_test_id("attachment-thumbnail")
    expect(thumb).to_have_attribute("src", re.compile(r"^blob:"))
    wait_until(lambda: thumb.evaluate("img => img.complete && img.naturalWidth") == 64)
    assert thumb.get_attribute("alt") == image["attachment"]["name"]

    # The full image in an overlay; Escape closes it and gives the focus back; the window stays.
    page.get_by_test_id("attachment-image").click()
    overlay = page.get_by_test_id("image-overlay")
    expect(overlay).to_be_visible()
    expect(page.get_by_test_id("image-close")).to_be_focused()
    full = page.get_by_test_id("image-full")
    expect(full).to_have_attribute("src", re.compile(r"^blob:"))
    wait_until(lambda: full.evaluate("img => img.complete && img.naturalWidth") == 64)
    page.keyboard.press("Escape")
    expect(overlay).to_have_count(0)
    expect(page.get_by_test_id("attachment-image")).to_be_focused()
    expect(page.get_by_test_id("chat-window")).to_be_visible()
    # ... and so does its close button.
    page.get_by_test_id("attachment-image").click()
    page.get_by_test_id("image-close").click()
    expect(overlay).to_have_count(0)

    drop_file(page, "invoice.pdf", pdf_of_size(3000), "application/pdf")
    pdf = next_file_event(agent, chat_id)
    assert pdf["attachment"]["name"] == "invoice.pdf"
    assert pdf["attachment"]["category"] == "pdf"
    link = page.get_by_test_id("attachment-file")
    expect(link).to_have_text(re.compile(r"invoice\.pdf\s*· 3 KB"))
    expect(bubbles(page, "visitor").filter(has=link)).to_have_attribute("data-status", "sent")

    # After a reload both come back from the transcript, the thumbnail fetched again.
    page.reload()
    expect(page.get_by_test_id("attachment-file")).to_have_text(re.compile(r"invoice\.pdf\s*· 3 KB"))
    thumb = page.get_by_test_id("attachment-thumbnail")
    expect(thumb).to_have_attribute("src", re.compile(r"^blob:"))
    wait_until(lambda: thumb.evaluate("img => img.complete && img.naturalWidth") == 64)
    expect(bubbles(page, "visitor").filter(has=page.get_by_test_id("attachment-image"))).to_have_count(1)


def test_a_pdf_from_the_agent_is_a_named_link_that_downloads_it(
    page: Page, agent: Agent, backend: BackendProcess
) -> None:
    chat_id = start_chat(page, agent, backend)
    data = pdf_of_size(150 * 1024)
    response = httpx.post(
        f"{backend.url}/api/v1/chats/{chat_id}/attachments",
        content=data,
        headers={
            "Authorization": f"Bearer {agent.token}",
            "X-File-Name": quote("見積書 2026.pdf"),
            "X-Client-Id": new_id(),
            "Content-Type": "application/octet-stream",
        },
        timeout=20,
    )
    assert response.status_code == 201, response.text
    link = bubbles(page, "agent").get_by_test_id("attachment-file")
    expect(link).to_have_text(re.compile(r"見積書 2026\.pdf\s*· 150 KB"))
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "見積書 2026.pdf"
    assert Path(download.path()).read_bytes() == data


def test_a_file_over_the_limit_is_refused_in_the_widget_without_an_upload(
    page: Page, agent: Agent, backend: BackendProcess
) -> None:
    admin = admin_of(backend)
    before = admin.call("GET", "/settings/attachments")
    admin.call("PUT", "/settings/attachments", {**before, "max_bytes": 1024})
    try:
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        start_chat(page, agent, backend)  # logs in with the 1 KB limit
        drop_file(page, "big.pdf", pdf_of_size(5000), "application/pdf")
        expect(page.get_by_test_id("attach-error")).to_have_text(
            "This file is too large to send (at most 1 KB)."
        )
        # Cells copied from a spreadsheet come with a picture of themselves: that paste is text.
        page.evaluate(
            """async () => {
              const canvas = document.createElement('canvas');
              canvas.width = 8; canvas.height = 8;
              const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
              const data = new DataTransfer();
              data.setData('text/plain', 'A1\\tB1');
              data.items.add(new File([blob], 'image.png', {type: 'image/png'}));
              document.querySelector('livechat-widget').shadowRoot.querySelector('[data-testid=message-input]')
                .dispatchEvent(new ClipboardEvent('paste',
                  {clipboardData: data, bubbles: true, cancelable: true, composed: true}));
            }"""
        )
        drop_file(page, "tool.exe", b"MZ" + b"\0" * 100, "application/octet-stream")
        expect(page.get_by_test_id("attach-error")).to_have_text("Files of this kind cannot be sent here.")
        expect(page.locator("[data-upload]")).to_have_count(0)
        page.wait_for_timeout(300)
        assert not [url for url in requests if url.endswith("/attachments")]
    finally:
        admin.call("PUT", "/settings/attachments", before)


def test_a_lost_upload_is_sent_again_under_the_same_client_id_and_stored_once(
    page: Page, agent: Agent, backend: BackendProcess
) -> None:
    seen: list[str] = []

    def flaky(route: Route) -> None:
        seen.append(route.request.headers["x-client-id"])
        if len(seen) == 1:
            route.abort("connectionreset")  # the line drops mid-upload
        else:
            route.continue_()

    page.route(UPLOADS, flaky)
    chat_id = start_chat(page, agent, backend)
    drop_file(page, "notes.txt", "注文番号 1234\n".encode(), "text/plain")
    # Route handlers run while Playwright is busy with the page: wait there for the retry (about 1 s).
    for _ in range(100):
        if len(seen) == 2:
            break
        page.wait_for_timeout(50)
    event = next_file_event(agent, chat_id)
    assert event["attachment"]["name"] == "notes.txt"
    assert len(seen) == 2
    assert seen[0] == seen[1] == event["client_id"]
    expect(page.get_by_test_id("attachment-file")).to_have_text(re.compile(r"notes\.txt\s*· 18 B"))
    expect(bubbles(page, "visitor").filter(has=page.get_by_test_id("attachment-file"))).to_have_count(1)
    files = [m for m in agent.messages(chat_id) if m.get("attachment")]
    assert len(files) == 1


def test_a_cancelled_upload_goes_and_never_reaches_the_agent(
    page: Page, agent: Agent, backend: BackendProcess
) -> None:
    held: list[Route] = []
    page.route(UPLOADS, lambda route: held.append(route))  # the upload hangs, as on a slow line
    chat_id = start_chat(page, agent, backend)
    agent.drain_pushes()
    drop_file(page, "slow.pdf", pdf_of_size(4000), "application/pdf")
    row = page.locator("[data-upload]")
    expect(row).to_have_count(1)
    expect(row.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    expect(row).to_contain_text("slow.pdf")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held[0].request.headers["x-file-name"] == "slow.pdf"
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,64}", held[0].request.headers["x-client-id"])
    row.get_by_test_id("upload-cancel").click()
    expect(row).to_have_count(0)
    expect(page.get_by_test_id("message-input")).to_be_focused()
    page.wait_for_timeout(1000)
    assert not [
        push
        for push in agent.drain_pushes()
        if push["action"] == "event" and push["payload"]["event"].get("text") == ""
    ]
    assert all(message.get("attachment") is None for message in agent.messages(chat_id))

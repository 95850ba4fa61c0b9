"""The whole product: a visitor in headless Chromium on the demo shop, the real operator app offscreen.

The visitor writes, the chat appears in the app's queue, the operator takes it, sees the sneak peek
and replies; the backend is killed and restarted mid-chat and nothing is lost or duplicated.
"""

from __future__ import annotations

import asyncio

from playwright.sync_api import Page
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QListView, QPlainTextEdit, QPushButton, QTextEdit

from operator_app.app import AppController
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.browser import BrowserThread
from tests.support.waiting import until
from tests.widgets.fixtures import run


def _bubbles(page: Page) -> list[tuple[str, str]]:
    """(author, text) of each message bubble in the widget."""
    return [
        (item.get_attribute("data-author") or "", item.get_by_test_id("message-text").inner_text())
        for item in page.get_by_test_id("message").all()
    ]


def _transcript_text(window: MainWindow) -> str:
    view = window.findChild(QListView, "transcriptView") or window.findChild(QTextEdit, "transcriptView")
    assert view is not None
    if isinstance(view, QTextEdit):
        return view.toPlainText()
    model = view.model()
    return "\n".join(str(model.index(row, 0).data()) for row in range(model.rowCount()))


async def _open_app(backend: BackendProcess) -> tuple[AppController, MainWindow]:
    backend.cli("routing", "--auto-assign", "off")  # these tests take chats from the queue by hand
    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    state = window.findChild(QLabel, "connectionState")
    assert state is not None
    await until(lambda: state.property("state") == "connected", what="connected")
    switch = window.findChild(QPushButton, "statusSwitch")
    assert switch is not None
    QTest.mouseClick(switch, Qt.MouseButton.LeftButton)
    await until(
        lambda: controller.session and controller.session.store.status == "accepting", what="accepting"
    )
    return controller, window


async def _visitor_writes(
    chromium: BrowserThread, backend: BackendProcess, text: str, name: str = ""
) -> Page:
    def open_and_send() -> Page:
        page = chromium.new_page(backend.demo_url)
        page.get_by_test_id("launcher").click()
        if name:
            page.get_by_test_id("name-input").fill(name)
        page.get_by_test_id("message-input").fill(text)
        page.get_by_test_id("send").click()
        return page

    return await chromium.call(open_and_send)


def test_visitor_and_operator_chat_end_to_end(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess, chromium: BrowserThread
) -> None:
    async def scenario() -> None:
        controller, window = await _open_app(backend)
        try:
            page = await _visitor_writes(chromium, backend, "<b>在庫</b>はありますか？", name="山田 太郎")
            queue = window.findChild(QListView, "queueList")
            assert queue is not None
            await until(lambda: queue.model().rowCount() == 1, what="the chat in the queue")
            assert "山田 太郎" in str(queue.model().index(0, 0).data())

            take = window.findChild(QPushButton, "takeButton")
            assert take is not None
            QTest.mouseClick(take, Qt.MouseButton.LeftButton)
            chats = window.findChild(QListView, "chatList")
            assert chats is not None
            await until(lambda: chats.model().rowCount() == 1, what="the chat in my chats")
            await until(lambda: queue.model().rowCount() == 0, what="an empty queue")
            await until(
                lambda: "<b>在庫</b>はありますか？" in _transcript_text(window), what="the transcript"
            )

            # Sneak peek: what the visitor types shows before it is sent.
            await chromium.call(lambda: page.get_by_test_id("message-input").fill("配送は何日"))
            peek = window.findChild(QLabel, "sneakPeekLabel")
            assert peek is not None
            await until(lambda: "配送は何日" in peek.text(), what="the sneak peek")

            composer = window.findChild(QPlainTextEdit, "composer") or window.findChild(QTextEdit, "composer")
            assert composer is not None
            composer.setFocus()
            QTest.keyClicks(composer, "Hello! Yes, it is in stock.")
            QTest.keyClick(composer, Qt.Key.Key_Return)
            await until(
                lambda: ("agent", "Hello! Yes, it is in stock.") in chromium.run(_bubbles, page),
                what="the reply in the widget",
            )
            assert composer.toPlainText() == ""
        finally:
            await controller.shutdown()

    run(qloop, scenario(), timeout=180)


def test_backend_restart_mid_chat_loses_and_duplicates_nothing(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess, chromium: BrowserThread
) -> None:
    async def scenario() -> None:
        controller, window = await _open_app(backend)
        try:
            page = await _visitor_writes(chromium, backend, "first question")
            queue = window.findChild(QListView, "queueList")
            assert queue is not None
            await until(lambda: queue.model().rowCount() == 1, what="the chat in the queue")
            take = window.findChild(QPushButton, "takeButton")
            assert take is not None
            QTest.mouseClick(take, Qt.MouseButton.LeftButton)
            await until(lambda: "first question" in _transcript_text(window), what="the transcript")

            backend.kill()
            state = window.findChild(QLabel, "connectionState")
            assert state is not None
            await until(lambda: state.property("state") in ("reconnecting", "offline"), what="reconnecting")

            # Both sides write while the backend is down.
            def visitor_sends_offline() -> None:
                page.get_by_test_id("message-input").fill("sent during the outage")
                page.get_by_test_id("send").click()

            await chromium.call(visitor_sends_offline)
            composer = window.findChild(QPlainTextEdit, "composer") or window.findChild(QTextEdit, "composer")
            assert composer is not None
            composer.setFocus()
            QTest.keyClicks(composer, "reply during the outage")
            QTest.keyClick(composer, Qt.Key.Key_Return)

            backend.start()
            await until(lambda: state.property("state") == "connected", within=40, what="connected again")
            await until(
                lambda: "sent during the outage" in _transcript_text(window),
                within=40,
                what="visitor's message",
            )
            await until(
                lambda: ("agent", "reply during the outage") in chromium.run(_bubbles, page),
                within=40,
                what="the agent's reply in the widget",
            )
            text = _transcript_text(window)
            assert text.count("sent during the outage") == 1
            assert text.count("reply during the outage") == 1
            assert text.index("first question") < text.index("sent during the outage")
            bubbles = chromium.run(_bubbles, page)
            assert [b for b in bubbles if b[1] == "sent during the outage"] == [
                ("visitor", "sent during the outage")
            ]
            assert len([b for b in bubbles if b[1] == "reply during the outage"]) == 1
        finally:
            await controller.shutdown()

    run(qloop, scenario(), timeout=180)

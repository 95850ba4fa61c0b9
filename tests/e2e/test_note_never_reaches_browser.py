"""An internal note written in the real app never reaches the visitor's browser, not even on the wire."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from operator_app.app import AppController
from tests.support.backend import BackendProcess
from tests.support.browser import BrowserThread
from tests.support.waiting import until
from tests.widgets.fixtures import run

NOTE = "NOTE-7f3a: VIP customer, offer free shipping"


def test_note_from_the_app_never_reaches_the_visitors_browser(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess, chromium: BrowserThread
) -> None:
    frames: list[str] = []

    async def scenario() -> None:
        controller = AppController()
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        try:
            state = window.findChild(QLabel, "connectionState")
            assert state is not None
            await until(lambda: state.property("state") == "connected", what="connected")
            switch = window.findChild(QPushButton, "statusSwitch")
            assert switch is not None
            QTest.mouseClick(switch, Qt.MouseButton.LeftButton)

            def visitor_writes() -> None:
                page = chromium.new_page(backend.demo_url, record_frames=frames)
                page.get_by_test_id("launcher").click()
                page.get_by_test_id("message-input").fill("Is the matcha set in stock?")
                page.get_by_test_id("send").click()

            await chromium.call(visitor_writes)
            await until(lambda: window.my_chats.rowCount() == 1, what="the chat routed to me")
            window.chat_list.setCurrentIndex(window.my_chats.index(0, 0))

            composer = window.findChild(QPlainTextEdit, "composer")
            note_button = window.findChild(QPushButton, "noteModeButton")
            assert composer is not None
            assert note_button is not None
            QTest.mouseClick(note_button, Qt.MouseButton.LeftButton)
            composer.setFocus()
            QTest.keyClicks(composer, NOTE)
            QTest.keyClick(composer, Qt.Key.Key_Return)
            await until(lambda: NOTE in _transcript(window), what="the note in the agent's transcript")
            QTest.mouseClick(note_button, Qt.MouseButton.LeftButton)
            QTest.keyClicks(composer, "Yes, it is in stock.")
            QTest.keyClick(composer, Qt.Key.Key_Return)

            page = chromium.page
            assert page is not None

            def reply_shown() -> bool:
                return "Yes, it is in stock." in page.get_by_test_id("message-list").inner_text()

            await until(lambda: chromium.run(reply_shown), what="the reply in the widget")
            await asyncio.sleep(0.5)
            shown = chromium.run(lambda: page.get_by_test_id("message-list").inner_text())
            assert "NOTE-7f3a" not in shown
            assert frames, "the page's socket frames were not recorded"
            assert not [f for f in frames if "NOTE-7f3a" in f]
            # The note is in the agent's transcript, marked internal.
            entries = controller.session.store.chats[window.current_chat_id() or ""].entries  # type: ignore[union-attr]
            notes = [e for e in entries if e.kind == "note"]
            assert [n.text for n in notes] == [NOTE]
            assert notes[0].audience == "agents"
        finally:
            await controller.shutdown()

    run(qloop, scenario(), timeout=120)


def _transcript(window: object) -> str:
    model = window.transcript  # type: ignore[attr-defined]
    return "\n".join(str(model.index(row, 0).data()) for row in range(model.rowCount()))

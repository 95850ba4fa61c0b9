"""Issue 5 end to end: a visitor in headless Chromium chats with an agent (a protocol client); the
supervisor in the real app (offscreen) watches the chat live and sees the visitor's sneak peek, whispers
to the agent (the agent gets it, the browser never does, not even on the wire), then takes the chat over
and the chat continues with the supervisor."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit

from operator_app.app import AppController
from tests.integration.test_supervision_view import SUP_EMAIL, SUP_PASSWORD, _open, _panel, _rows, _team
from tests.support.backend import BackendProcess
from tests.support.browser import BrowserThread
from tests.support.waiting import until
from tests.support.wire import connect_agent, new_id
from tests.widgets.fixtures import run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

WHISPER = "WHISPER-51c2: offer the sencha sampler"


def test_supervisor_watches_whispers_and_takes_over_a_browser_chat(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess, chromium: BrowserThread
) -> None:
    frames: list[str] = []

    async def scenario() -> None:
        await _team(backend)
        holder = await connect_agent(backend)
        controller = AppController()
        try:

            def visitor_writes() -> None:
                page = chromium.new_page(backend.demo_url, record_frames=frames)
                page.get_by_test_id("launcher").click()
                page.get_by_test_id("message-input").fill("Which tea is good for a gift?")
                page.get_by_test_id("send").click()

            await holder.ok("set_status", {"status": "accepting"})  # the widget offers a chat
            await chromium.call(visitor_writes)
            queued = await holder.next_event(kind="chat_state", within=20)
            chat_id = str(queued["chat_id"])
            await holder.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
            await holder.ok("set_status", {"status": "not_accepting"})

            window = await controller.login(backend.url, SUP_EMAIL, SUP_PASSWORD)
            session = controller.session
            assert session is not None
            view = window.workspaces.supervision
            assert view is not None
            window.workspaces.show_supervision()
            await until(lambda: chat_id in _rows(view.table), what="the chat in the supervised pane")
            await until(lambda: session.realtime.is_connected, what="the socket")
            _open(view, chat_id)
            await until(lambda: chat_id in session.watched, what="the watch")
            panel = _panel(view, chat_id)
            peek = panel.findChild(QLabel, "watchSneakPeek")
            assert peek is not None

            page = chromium.page
            assert page is not None
            await chromium.call(lambda: page.get_by_test_id("message-input").fill("maybe the matcha set"))
            await until(lambda: "maybe the matcha set" in peek.text(), what="the sneak peek from the browser")

            whisper = panel.findChild(QLineEdit, "whisperInput")
            assert whisper is not None
            whisper.setText(WHISPER)
            QTest.keyClick(whisper, Qt.Key.Key_Return)
            note = await holder.next_event(kind="note", text=WHISPER, within=15)
            assert note["audience"] == "agents"

            box = panel.ask_take_over()
            box.action_button.click()
            await until(lambda: window.chat_panel.chat_id == chat_id, what="the chat open among mine")
            await holder.next_event(kind="chat_state", state="taken", within=15)
            composer = window.findChild(QPlainTextEdit, "composer")
            assert composer is not None
            composer.setFocus()
            QTest.keyClicks(composer, "The matcha set is a lovely gift.")
            QTest.keyClick(composer, Qt.Key.Key_Return)

            def reply_shown() -> bool:
                return "The matcha set is a lovely gift." in page.get_by_test_id("message-list").inner_text()

            await until(lambda: chromium.run(reply_shown), what="the supervisor's reply in the widget")
            await asyncio.sleep(0.5)
            shown = chromium.run(lambda: page.get_by_test_id("message-list").inner_text())
            assert "WHISPER-51c2" not in shown
            assert frames, "the page's socket frames were not recorded"
            assert not [f for f in frames if "WHISPER-51c2" in f]
        finally:
            await holder.close()
            await controller.shutdown()

    run(qloop, scenario(), timeout=150)

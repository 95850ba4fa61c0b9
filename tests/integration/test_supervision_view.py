"""The supervised-chats workspace against the real backend: a supervisor (the app) sees a teammate's chat,
watches it (the visitor's sneak peek and the agent's typing), whispers to the agent (the visitor never
gets it), and takes the chat over (it becomes one of the app's chats)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QListView, QPushButton, QTableView, QWidget

from operator_app.app import AppController
from operator_app.store.supervision_model import SupervisedRole
from operator_app.ui.main_window import MainWindow
from operator_app.ui.supervision_view import SupervisionView, WatchPanel
from tests.support.backend import BackendProcess
from tests.support.fault_proxy import FaultProxy
from tests.support.waiting import until
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id
from tests.widgets.app_harness import controller, proxy, run

__all__ = ["controller", "proxy"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SUP_EMAIL, SUP_PASSWORD = "sup@example.com", "password-sup"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "password-admin"


async def _team(backend: BackendProcess) -> None:
    """The demo agent and the supervisor in one group (set up over REST by an admin)."""
    await asyncio.to_thread(backend.cli, "routing", "--auto-assign", "off")
    await asyncio.to_thread(backend.create_agent, SUP_EMAIL, "Sue Supervisor", SUP_PASSWORD, "supervisor")
    await asyncio.to_thread(backend.create_agent, ADMIN_EMAIL, "Ada Admin", ADMIN_PASSWORD, "admin")
    ids = []
    for email, password in ((backend.agent_email, backend.agent_password), (SUP_EMAIL, SUP_PASSWORD)):
        token = (await asyncio.to_thread(backend.login_tokens, email, password))["access_token"]
        ids.append((await http_get(backend, "/api/v1/me", token))["agent_id"])
    admin = (await asyncio.to_thread(backend.login_tokens, ADMIN_EMAIL, ADMIN_PASSWORD))["access_token"]
    async with httpx.AsyncClient(base_url=backend.url) as http:
        response = await http.post(
            "/api/v1/groups",
            json={"name": "Tea", "agent_ids": ids},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert response.is_success, response.text


async def _held_chat(backend: BackendProcess, holder: WireClient, text: str) -> tuple[WireClient, str]:
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": text})
    chat_id: str = sent["event"]["chat_id"]
    await holder.ok("set_status", {"status": "accepting"})
    await holder.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await holder.ok("set_status", {"status": "not_accepting"})
    return visitor, chat_id


def _rows(table: QTableView) -> list[str]:
    model = table.model()
    return [str(model.index(row, 0).data(SupervisedRole.CHAT_ID)) for row in range(model.rowCount())]


def _panel(view: SupervisionView, chat_id: str) -> WatchPanel:
    panel = view.panels.get(chat_id)
    assert panel is not None
    return panel


def _lines(panel: WatchPanel) -> list[str]:
    list_view = panel.findChild(QListView, "transcriptView")
    assert list_view is not None
    model = list_view.model()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def _open(view: SupervisionView, chat_id: str) -> None:
    """Select the row and press Enter, as the supervisor would."""
    table = view.table
    row = _rows(table).index(chat_id)
    table.setFocus()
    table.setCurrentIndex(table.model().index(row, 0))
    QTest.keyClick(table, Qt.Key.Key_Return)


async def _watch_two_and_take_over(backend: BackendProcess, controller: AppController) -> None:
    await _team(backend)
    holder = await connect_agent(backend)
    visitor, chat_id = await _held_chat(backend, holder, "Which green tea do you recommend?")
    visitor2, chat_id2 = await _held_chat(backend, holder, "Is shipping free?")
    try:
        window: MainWindow = await controller.login(backend.url, SUP_EMAIL, SUP_PASSWORD)
        view = window.workspaces.supervision
        assert view is not None
        action = window.workspaces.supervision_action
        assert action.shortcut().toString() == "Ctrl+Shift+S"
        action.trigger()
        assert window.workspaces.stack.currentWidget() is view
        table = window.findChild(QTableView, "supervisedChats")
        assert table is view.table
        await until(lambda: set(_rows(table)) == {chat_id, chat_id2}, what="both chats in the pane")
        empty = window.findChild(QLabel, "supervisedEmpty")
        assert empty is not None
        assert empty.isHidden()
        row = _rows(table).index(chat_id)
        holder_name = (await http_get(backend, "/api/v1/me", holder.token))["name"]  # type: ignore[attr-defined]
        assert table.model().index(row, 0).data() == holder_name
        assert table.model().index(row, 1).data() == "Visitor #1"
        assert table.model().index(row, 2).data(SupervisedRole.CIRCLE) in ("normal", "warning", "alarm")

        # Watch both, side by side.
        _open(view, chat_id)
        await until(lambda: chat_id in controller.session.watched, what="the watch")  # type: ignore[union-attr]
        _open(view, chat_id2)
        await until(lambda: chat_id2 in controller.session.watched, what="the second watch")  # type: ignore[union-attr]
        panels = view.watch_splitter.findChildren(QWidget, "watchPanel")
        assert len(panels) == 2
        panel = _panel(view, chat_id)
        await until(lambda: "Which green tea do you recommend?" in _lines(panel), what="the transcript")
        if shot := os.environ.get("SUPERVISION_SCREENSHOT"):  # a picture of two watched chats, to look at
            window.resize(1400, 800)
            await asyncio.sleep(0.2)
            window.grab().save(shot)
        assert "Is shipping free?" not in _lines(panel)

        # The visitor's sneak peek and the agent's typing reach the watcher.
        await visitor.send("sneak_peek", {"text": "and what about <b>matcha</b>"})
        peek = panel.findChild(QLabel, "watchSneakPeek")
        assert peek is not None
        await until(lambda: "matcha" in peek.text(), what="the sneak peek")
        await holder.send("typing", {"chat_id": chat_id, "typing": True})
        typing = panel.findChild(QLabel, "watchTyping")
        assert typing is not None
        await until(lambda: not typing.isHidden(), what="the agent's typing")

        # A new message of the visitor appears live.
        await visitor.ok("send_message", {"client_id": new_id(), "text": "Hello again"})
        await until(lambda: "Hello again" in _lines(panel), what="the live message")
        session = controller.session
        assert session is not None
        assert session.store.get(chat_id) is None  # a teammate's chat: never in my lists or queue
        assert window.queue.row_of(chat_id) < 0

        # Whisper: the agent receives the note, the visitor never does.
        whisper = panel.findChild(QLineEdit, "whisperInput")
        assert whisper is not None
        whisper.setText("Offer the sencha sampler")
        QTest.keyClick(whisper, Qt.Key.Key_Return)
        note = await holder.next_event(kind="note", text="Offer the sencha sampler", within=15)
        assert note["audience"] == "agents"
        await until(lambda: "Offer the sencha sampler" in _lines(panel), what="the whisper in the panel")
        await until(lambda: whisper.text() == "", what="the whisper box cleared")

        # Join the second chat: the box then writes to that visitor.
        panel2 = _panel(view, chat_id2)
        join = panel2.findChild(QPushButton, "joinButton")
        box2 = panel2.findChild(QLineEdit, "whisperInput")
        assert join is not None
        assert box2 is not None
        QTest.mouseClick(join, Qt.MouseButton.LeftButton)
        await until(lambda: panel2.joined, what="joined")
        assert not join.isEnabled()
        box2.setText("Yes, shipping is free over 30 euros.")
        QTest.keyClick(box2, Qt.Key.Key_Return)
        said = await visitor2.next_event(
            kind="message", text="Yes, shipping is free over 30 euros.", within=15
        )
        assert said["author"]["name"] == "Sue Supervisor"
        await until(
            lambda: "Yes, shipping is free over 30 euros." in _lines(panel2), what="my line in the panel"
        )

        # Close the second panel: the watch ends.
        close = _panel(view, chat_id2).findChild(QPushButton, "watchCloseButton")
        assert close is not None
        QTest.mouseClick(close, Qt.MouseButton.LeftButton)
        assert chat_id2 not in view.panels
        assert chat_id2 not in controller.session.watched  # type: ignore[union-attr]

        # Take over: asks first; No keeps watching, Yes makes the chat mine.
        button = panel.findChild(QPushButton, "takeOverButton")
        assert button is not None
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        box = panel.confirm_box
        assert box is not None
        assert box.objectName() == "takeOverConfirm"
        box.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
        await asyncio.sleep(0.3)
        chat = session.store.get(chat_id)
        assert chat is None or not session.store.is_mine(chat)
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        box = panel.confirm_box
        assert box is not None
        box.action_button.click()
        await until(
            lambda: (c := session.store.get(chat_id)) is not None and session.store.is_mine(c), what="mine"
        )
        notice = await holder.next_event(kind="chat_state", state="taken", within=15)
        assert notice["chat_id"] == chat_id
        await until(lambda: window.my_chats.row_of(chat_id) >= 0, what="the chat in My chats")
        await until(lambda: window.workspaces.stack.currentWidget() is window.splitter, what="back to chats")
        await until(lambda: window.chat_panel.chat_id == chat_id, what="the chat opened")
        assert chat_id not in view.panels

        # The chat continues with the supervisor; the visitor never saw the whisper.
        session.send_message(chat_id, "I can help you with that.")
        await visitor.next_event(kind="message", text="I can help you with that.", within=15)
        transcript = await visitor.ok("transcript", {"after_seq": 0})
        texts = [str(e.get("text", "")) for e in transcript["events"]]
        assert "Offer the sencha sampler" not in texts
        assert all(e["kind"] != "note" for e in transcript["events"])
        received = [visitor.pushes.get_nowait() for _ in range(visitor.pushes.qsize())]
        assert "Offer the sencha sampler" not in repr(received)
    finally:
        for client in (holder, visitor, visitor2):
            await client.close()


def test_supervisor_watches_whispers_and_takes_over(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, backend: BackendProcess, controller: AppController
) -> None:
    run(qloop, _watch_two_and_take_over(backend, controller), timeout=120)


def test_plain_agent_has_no_supervised_chats(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        assert window.workspaces.supervision is None
        assert window.findChild(QTableView, "supervisedChats") is None

    run(qloop, scenario(), timeout=60)


def test_watches_are_sent_again_after_a_reconnect(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    proxy: FaultProxy,
    controller: AppController,
) -> None:
    async def scenario() -> None:
        await _team(backend)
        holder = await connect_agent(backend)
        visitor, chat_id = await _held_chat(backend, holder, "Hello?")
        try:
            window = await controller.login(proxy.url, SUP_EMAIL, SUP_PASSWORD)
            view = window.workspaces.supervision
            assert view is not None
            window.workspaces.show_supervision()
            await until(lambda: chat_id in _rows(view.table), what="the chat in the pane")
            session = controller.session
            assert session is not None
            await until(lambda: session.realtime.is_connected, what="the socket")
            _open(view, chat_id)
            await until(lambda: chat_id in session.watched, what="the watch")
            assert len(proxy.frames("watch_chat")) == 1
            panel = _panel(view, chat_id)
            peek = panel.findChild(QLabel, "watchSneakPeek")
            assert peek is not None
            await visitor.send("sneak_peek", {"text": "before"})
            await until(lambda: "before" in peek.text(), what="the first sneak peek")

            await proxy.close_all(1011)
            await until(lambda: len(proxy.frames("watch_chat")) == 2, within=20, what="the watch again")
            assert proxy.frames("watch_chat")[1]["payload"] == {"chat_id": chat_id, "watch": True}
            # The visitor keeps typing (the re-watch may reach the server a moment after the frame).
            for attempt in range(40):
                await visitor.send("sneak_peek", {"text": f"after the reconnect {attempt}"})
                await asyncio.sleep(0.25)
                if "after the reconnect" in peek.text():
                    break
            assert "after the reconnect" in peek.text()
        finally:
            await holder.close()
            await visitor.close()

    run(qloop, scenario(), timeout=90)

"""The tickets workspace against the real backend: a visitor leaves an offline message (nobody accepts
chats), the agent opens View > Tickets (Ctrl+Shift+K) and finds it as an open ticket with the visitor's
text shown as plain text; replies (the e-mail stays "sending": no mail server is configured), writes an
internal note, assigns it to itself, solves it; a second offline message arrives while the view is open
and appears through the `ticket` push without a reload (with the new-chat sound), and is merged into
the first. A ticket is also made from a chat of the agent's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu

from chat_protocol.tickets import TicketState
from operator_app.app import AppController
from operator_app.store.ticket_model import TicketRole
from operator_app.ui.tickets_view import STATES, TicketsView
from tests.support.backend import BackendProcess
from tests.support.waiting import until
from tests.support.wire import connect_agent, connect_visitor, new_id
from tests.widgets.app_harness import controller, run

__all__ = ["controller"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

QUESTION = "<b>抹茶</b>のギフトセットはまだありますか？"


def _numbers(view: TicketsView) -> list[int]:
    return [int(view.model.index(r, 0).data(TicketRole.NUMBER)) for r in range(view.model.rowCount())]


def _entries(view: TicketsView) -> list[tuple[str, str]]:
    return [(e.kind, e.text) for e in view.pane.model.entries]


async def _offline(backend: BackendProcess, name: str, text: str) -> Any:
    visitor, login = await connect_visitor(backend)
    assert login["agents_available"] is False
    body = {"client_id": new_id(), "name": name, "email": "hanako@example.com", "text": text}
    await visitor.ok("offline_message", body)
    return visitor


async def _scenario(backend: BackendProcess, controller: AppController) -> None:
    visitors = [await _offline(backend, "<i>山田 花子</i>", QUESTION)]
    try:
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        window.show()
        entry = window.workspaces.tickets
        action = window.findChild(QAction, "ticketsAction")
        assert action is entry.action
        assert action.shortcut().toString() == "Ctrl+Shift+K"
        view_menu = window.menuBar().findChild(QMenu, "viewMenu")
        assert view_menu is not None
        assert action in view_menu.actions()
        shortcuts = [
            a.shortcut().toString() for a in set(window.findChildren(QAction)) if not a.shortcut().isEmpty()
        ]
        assert sorted(s for s in shortcuts if shortcuts.count(s) > 1) == []
        await until(lambda: entry.open_count is not None and entry.open_count >= 1, what="the open count")
        assert "open" in action.text()

        action.trigger()
        view = entry.view
        assert window.workspaces.stack.currentWidget() is view
        await until(lambda: view.model.rowCount() >= 1, what="the offline message as a ticket")
        first = view.model.ticket(0)
        assert first is not None
        assert first.state == TicketState.OPEN
        assert "Open (" in view.tabs.tabText(0)
        await view.open_ticket(first.ticket_id)
        await until(lambda: ("visitor", QUESTION) in _entries(view), what="the thread")
        shown = [label.text() for label in view.pane.thread_box.findChildren(QLabel)]
        assert QUESTION in shown  # verbatim, as plain text
        assert all(
            label.textFormat().name == "PlainText" for label in view.pane.thread_box.findChildren(QLabel)
        )

        # A reply (e-mailed: "sending", no mail server here), then an internal note.
        composer = view.pane.composer
        composer.text.insertPlainText("はい、ございます。")
        composer.send_button.click()
        await until(lambda: ("reply", "はい、ございます。") in _entries(view), what="the reply")
        reply = next(e for e in view.pane.model.entries if e.kind == "reply")
        assert reply.mail_state == "queued"
        mail = view.pane.thread_box.findChild(QLabel, "ticketMailState")
        assert mail is not None
        assert "Sending" in mail.text()
        assert composer.text.toPlainText() == ""
        composer.note_mode.setChecked(True)
        composer.text.insertPlainText("在庫を確認済み")
        composer.send_button.click()
        await until(lambda: ("note", "在庫を確認済み") in _entries(view), what="the note")

        # Assign to me (the combo's "Me"), then solve by the state combo.
        pane = view.pane
        pane.assign.setCurrentIndex(pane.assign.findData(pane.service.my_id))
        pane.assign.activated.emit(pane.assign.currentIndex())
        await until(lambda: pane.detail is not None and pane.detail.ticket.assignee_id == pane.service.my_id)
        pane.state.setCurrentIndex(pane.state.findData("solved"))
        pane.state.activated.emit(pane.state.currentIndex())
        await until(lambda: pane.detail is not None and pane.detail.ticket.state == TicketState.SOLVED)
        assert any(kind == "state" for kind, _ in _entries(view))
        await until(lambda: first.ticket_id not in [t.ticket_id for t in _tickets(view)], what="left Open")

        # A new offline message while the view is open: the push lists it, with the new-chat sound.
        played: list[str] = []
        window.notifier.played.connect(played.append)
        visitors.append(await _offline(backend, "山田 花子", "追加で質問です。"))
        await until(lambda: len(_numbers(view)) == 1 and _numbers(view)[0] != first.number, what="the push")
        await until(lambda: "new_chat" in played, what="the alert")
        second = view.model.ticket(0)
        assert second is not None

        # Merge the new one into the first (by its number, confirmed).
        await view.open_ticket(second.ticket_id)
        merging = asyncio.ensure_future(pane.merge())
        dialog = await _dialog(window, "mergeTicketDialog")
        dialog.number.insert(str(first.number))
        dialog.action_button.click()
        confirm_dialog = await _dialog(window, "ticketMergeConfirm")
        confirm_dialog.action_button.click()
        await merging
        assert pane.detail is not None
        assert pane.detail.ticket.ticket_id == first.ticket_id
        assert any(kind == "merge" for kind, _ in _entries(view))
        assert ("visitor", "追加で質問です。") in _entries(view)
        view.tabs.setCurrentIndex(STATES.index(TicketState.SOLVED))
        await until(lambda: first.number in _numbers(view) and second.number in _numbers(view), what="solved")

        # Back to my chats.
        window.workspaces.chats_action.trigger()
        assert window.workspaces.stack.currentWidget() is window.splitter
        assert not action.isChecked()
    finally:
        for visitor in visitors:
            await visitor.close()


def _tickets(view: TicketsView) -> list[Any]:
    return [view.model.ticket(r) for r in range(view.model.rowCount())]


async def _dialog(window: Any, name: str) -> Any:
    from PySide6.QtWidgets import QDialog

    found: list[Any] = []

    def visible() -> bool:
        found[:] = [d for d in window.findChildren(QDialog, name) if d.isVisible()]
        return bool(found)

    await until(visible, what=name)
    return found[0]


def test_an_offline_message_is_answered_as_a_ticket(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, tidy_backend: BackendProcess, controller: AppController
) -> None:
    run(qloop, _scenario(tidy_backend, controller), timeout=120)


async def _from_chat(backend: BackendProcess, controller: AppController) -> None:
    agent = await connect_agent(backend)
    visitor, _ = await connect_visitor(backend)
    try:
        await agent.ok("set_status", {"status": "accepting"})
        sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "送料はいくらですか？"})
        chat_id = sent["event"]["chat_id"]
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        window.show()
        await until(lambda: window.session.store.get(chat_id) is not None, what="the chat")
        await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
        await until(lambda: window.session.store.is_mine(window.session.store.get(chat_id)), what="mine")
        window.select_chat(chat_id)
        entry = window.workspaces.tickets
        assert entry.chat_action.isEnabled()
        asking = asyncio.ensure_future(entry.ticket_from_chat(chat_id))
        dialog = await _dialog(window, "chatTicketDialog")
        dialog.subject.insert("送料の問い合わせ")
        dialog.email.insert("ken@example.com")
        dialog.action_button.click()
        offer = await _dialog(window, "openTicketConfirm")
        offer.action_button.click()
        await asking
        view = entry.view
        assert window.workspaces.stack.currentWidget() is view
        await until(lambda: view.pane.detail is not None, what="the ticket opened")
        assert view.pane.detail is not None
        assert view.pane.detail.ticket.chat_id == chat_id
        assert any(kind == "transcript" for kind, _ in _entries(view))
    finally:
        await agent.close()
        await visitor.close()


def test_a_ticket_is_made_from_a_chat_and_opened(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, tidy_backend: BackendProcess, controller: AppController
) -> None:
    run(qloop, _from_chat(tidy_backend, controller), timeout=120)

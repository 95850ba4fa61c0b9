"""The archives workspace against the real backend: chats are made and closed over the real protocol,
the agent (the app) opens View > Archives, sees the latest closed chats, searches a two-character
Japanese word, sees the one chat that has it with the match highlighted, and opens its transcript
(messages, the internal note, the rating) read-only beside the list. A search that finds nothing says
so; a chat still open is not in the archives."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QListView, QMenu, QWidget

from operator_app.app import AppController
from operator_app.store.archive_model import ArchiveRole
from operator_app.store.chat_list_model import ChatRole
from operator_app.store.transcript_model import EntryRole
from operator_app.ui.archives_view import ArchivesView
from tests.support.backend import BackendProcess
from tests.support.waiting import until
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id
from tests.widgets.app_harness import controller, run

__all__ = ["controller"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

MATCHA = "抹茶のギフトセットはまだありますか？"


async def _chat(
    agent: WireClient, visitor: WireClient, first: str, *, reply: str, note: str = "", close: bool = True
) -> str:
    """The visitor writes, the agent takes the chat, replies (and notes); then closes it."""
    chat_id: str = (await visitor.ok("send_message", {"client_id": new_id(), "text": first}))["event"][
        "chat_id"
    ]
    await agent.ok("set_status", {"status": "accepting"})
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await agent.ok("set_status", {"status": "not_accepting"})
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": reply})
    if note:
        await agent.ok("send_note", {"chat_id": chat_id, "client_id": new_id(), "text": note})
    if close:
        await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    return chat_id


def ime_commit(widget: QWidget, text: str) -> None:
    """What a Japanese input method does when the operator confirms a word."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _rows(view: ArchivesView) -> list[str]:
    return [str(view.model.index(r, 0).data(ArchiveRole.CHAT_ID)) for r in range(view.model.rowCount())]


async def _scenario(backend: BackendProcess, controller: AppController) -> None:
    await asyncio.to_thread(backend.cli, "routing", "--auto-assign", "off")
    agent = await connect_agent(backend)
    visitors = [(await connect_visitor(backend))[0] for _ in range(3)]
    try:
        matcha = await _chat(agent, visitors[0], MATCHA, reply="はい、ございます。", note="ギフト包装を希望")
        await asyncio.sleep(1.1)  # closed a second later: newest first is unambiguous
        shipping = await _chat(agent, visitors[1], "送料はいくらですか？", reply="全国一律500円です。")
        still_open = await _chat(
            agent, visitors[2], "抹茶ラテの作り方は？", reply="少々お待ちください。", close=False
        )

        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        window.show()
        action = window.findChild(QAction, "archivesAction")
        assert action is window.workspaces.archives_action
        assert action.shortcut().toString() == "Ctrl+Shift+R"
        view_menu = window.menuBar().findChild(QMenu, "viewMenu")
        assert view_menu is not None
        assert action in view_menu.actions()
        shortcuts = [
            a.shortcut().toString() for a in set(window.findChildren(QAction)) if not a.shortcut().isEmpty()
        ]
        assert sorted(s for s in shortcuts if shortcuts.count(s) > 1) == []

        action.trigger()
        view = window.workspaces.archives
        assert window.workspaces.stack.currentWidget() is view
        assert view.findChild(QListView, "archiveResults") is view.results

        # Before any search: the latest closed chats, newest first, nothing highlighted; not the open chat.
        await until(lambda: _rows(view) == [shipping, matcha], what="the latest closed chats")
        assert still_open not in _rows(view)
        assert view.model.index(0, 0).data(ArchiveRole.HIGHLIGHTS) == []

        # The agent types a two-character Japanese word (committed by the input method) and presses Enter.
        assert view.field.hasFocus() or QApplication.focusWidget() in (None, view.field)
        ime_commit(view.field, "抹茶")
        QTest.keyClick(view.field, Qt.Key.Key_Return)
        await until(lambda: view.searching is None and _rows(view) == [matcha], what="the matcha chat")
        index = view.model.index(0, 0)
        snippet = str(index.data(ArchiveRole.SNIPPET))
        [(start, length)] = index.data(ArchiveRole.HIGHLIGHTS)
        assert snippet[start : start + length] == "抹茶"
        summary = view.findChild(QLabel, "archiveSummary")
        assert summary is not None
        assert "抹茶" in summary.text()

        # Down goes to the results; the selected chat opens read-only beside the list.
        QTest.keyClick(view.field, Qt.Key.Key_Down)
        assert view.selected_chat() == matcha
        pane = view.pane
        await until(lambda: pane.model.chat_id == matcha and pane.model.rowCount() > 0, what="the transcript")
        texts = [str(pane.model.index(r, 0).data()) for r in range(pane.model.rowCount())]
        kinds = [pane.model.index(r, 0).data(EntryRole.KIND) for r in range(pane.model.rowCount())]
        assert MATCHA in texts
        assert "はい、ございます。" in texts
        assert kinds[texts.index("ギフト包装を希望")] == "note"
        assert kinds[-1] == "chat_state"  # closed
        await until(lambda: pane.transcript.currentIndex().data() == MATCHA, what="the match selected")
        mine = [window.my_chats.index(r, 0).data(ChatRole.CHAT_ID) for r in range(window.my_chats.rowCount())]
        assert mine == [still_open]  # the archive's chats stay out of my chats

        # Nothing found: the view says so.
        view.field.clear()
        ime_commit(view.field, "存在しない言葉")
        QTest.keyClick(view.field, Qt.Key.Key_Return)
        empty = view.findChild(QLabel, "archiveEmpty")
        assert empty is not None
        await until(lambda: view.searching is None and not empty.isHidden(), what="the empty state")
        assert "No chats found" in empty.text()
        assert view.model.rowCount() == 0

        # Back to my chats.
        window.workspaces.chats_action.trigger()
        assert window.workspaces.stack.currentWidget() is window.splitter
        assert not action.isChecked()
    finally:
        await agent.close()
        for visitor in visitors:
            await visitor.close()


def test_agent_finds_a_closed_chat_by_a_japanese_word_and_reads_it(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, backend: BackendProcess, controller: AppController
) -> None:
    run(qloop, _scenario(backend, controller), timeout=120)

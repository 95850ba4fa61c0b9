"""Chat tags and exports in the app against the real backend: an admin defines tags and requires one
before a chat is closed; the agent's close of an untagged chat is refused, the app says "Tag this chat
before closing it." and opens the tag menu, the agent ticks a tag with the keyboard and the server has
it, then the close goes through. In the archives the tag filter narrows the results to that chat, its
row shows the tag, and the exports (the results as CSV, the chat as text) write the server's files."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit

from operator_app.app import AppController
from operator_app.store.archive_model import ArchiveRole
from operator_app.ui.archives_view import ArchivesView
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.waiting import until
from tests.support.wire import connect_agent, connect_visitor, new_id
from tests.widgets.app_harness import People, controller, people, run

__all__ = ["controller", "people"]

# A popup menu on the offscreen platform cannot raise its window or grab the keyboard (no matter here).
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


async def _closed_untagged_chat(backend: BackendProcess, text: str) -> str:
    """A chat the demo agent takes, answers and closes over the protocol, before the rule is on."""
    agent = await connect_agent(backend)
    visitor, _ = await connect_visitor(backend)
    try:
        chat_id: str = (await visitor.ok("send_message", {"client_id": new_id(), "text": text}))["event"][
            "chat_id"
        ]
        await agent.ok("set_status", {"status": "accepting"})
        await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
        await agent.ok("set_status", {"status": "not_accepting"})
        await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    finally:
        await agent.close()
        await visitor.close()
    return chat_id


async def _save_in_dialog(view: ArchivesView, path: Path) -> None:
    await until(
        lambda: view.exporter.dialog is not None and view.exporter.dialog.isVisible(), what="save dialog"
    )
    dialog = view.exporter.dialog
    assert dialog is not None
    dialog.setDirectory(str(path.parent))
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name is not None
    name.setText(path.name)
    dialog.accept()


async def _tag_then_close(window: MainWindow, admin: Any, chat_id: str, returns: str) -> None:
    panel = window.chat_panel
    assert window.select_chat(chat_id)
    bar = panel.tags_bar
    await until(
        lambda: bar.isVisible() and bar.service is not None and bar.service.loaded, what="tags loaded"
    )
    assert panel.tags_action.shortcut().toString() == "Ctrl+Shift+G"

    # Closing an untagged chat is refused: the app says why and offers the tags.
    panel.close_button.click()
    error = window.findChild(QLabel, "errorMessage")
    assert error is not None
    await until(lambda: error.text() == "Tag this chat before closing it.", what="the refusal")
    menu = bar.menu
    await until(menu.isVisible, what="the tag menu")
    assert [a.text() for a in menu.actions()] == ["VIP", "返品"]

    # Down, Space: 返品 is ticked and on the server at once; the menu stays open until Esc.
    QTest.keyClick(menu, Qt.Key.Key_Down)
    QTest.keyClick(menu, Qt.Key.Key_Space)
    await until(lambda: bar.pending == 0 and bar.chips.chips == [("返品", "#c62828")], what="the chip")
    on_server = await asyncio.to_thread(admin.call, "GET", f"/chats/{chat_id}/tags")
    assert on_server == {"tag_ids": [returns]}
    assert menu.isVisible()
    QTest.keyClick(menu, Qt.Key.Key_Escape)
    assert not menu.isVisible()

    # The keyboard opens it again (Ctrl+Shift+G); then the close goes through.
    window.activateWindow()
    QTest.keyClick(
        window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    await until(menu.isVisible, what="the menu by its shortcut")
    menu.close()
    panel.close_button.click()
    await until(lambda: window.statusBar().currentMessage() == "Chat closed.", what="the close confirmed")
    page = await asyncio.to_thread(admin.call, "GET", f"/chats/{chat_id}/events")
    assert page["chat"]["state"] == "closed"


async def _archives(window: MainWindow, tagged: str, untagged: str, returns: str, folder: Path) -> None:
    window.workspaces.archives_action.trigger()
    view = window.workspaces.archives

    def rows() -> list[str]:
        return [str(view.model.index(r, 0).data(ArchiveRole.CHAT_ID)) for r in range(view.model.rowCount())]

    await until(
        lambda: set(rows()) == {tagged, untagged} and view.searching is None, what="both closed chats"
    )
    row = rows().index(tagged)
    await until(
        lambda: view.model.index(row, 0).data(ArchiveRole.TAGS) == [("返品", "#c62828")], what="the chip"
    )

    # The tag filter narrows the results to the tagged chat.
    filters = view.filters
    await until(lambda: len(filters.tag_menu.actions()) == 2, what="the tags to filter by")
    menu = filters.open_tag_menu()
    action = next(a for a in menu.actions() if a.data() == returns)
    menu.setActiveAction(action)
    QTest.keyClick(menu, Qt.Key.Key_Return)
    QTest.keyClick(menu, Qt.Key.Key_Escape)
    await until(lambda: view.searching is None and rows() == [tagged], what="the filtered result")

    # The results as CSV: the server's file, written where the agent chose.
    target = folder / "tagged.csv"
    view.export_button.click()
    await _save_in_dialog(view, target)
    await until(lambda: target.exists() and not view.exporter.busy, what="the CSV")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][0] == "Chat"
    assert [line[0] for line in table[1:]] == [tagged]
    assert table[1][table[0].index("Tags")] == "返品"

    # The opened chat as text.
    assert await view.open_row(0)  # type: ignore[misc]
    chat_file = folder / "chat.txt"
    exporting = asyncio.ensure_future(view.pane.export("text"))
    await _save_in_dialog(view, chat_file)
    assert await exporting == chat_file
    text = chat_file.read_text(encoding="utf-8")
    assert "返品したいのですが" in text


async def _scenario(backend: BackendProcess, controller: AppController, people: People, folder: Path) -> None:
    admin = await asyncio.to_thread(admin_of, backend)
    vip = (await asyncio.to_thread(admin.call, "POST", "/tags", {"name": "VIP", "colour": "#fbc02d"}))[
        "tag_id"
    ]
    returns = (await asyncio.to_thread(admin.call, "POST", "/tags", {"name": "返品", "colour": "#c62828"}))[
        "tag_id"
    ]
    assert vip != returns
    untagged = await _closed_untagged_chat(backend, "送料はいくらですか？")
    await asyncio.to_thread(admin.call, "PUT", "/settings/tags", {"require_tag_to_close": True})

    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    window.show()
    chat_id = await people.visitor_opens_chat("返品したいのですが")
    await people.take_for_me(chat_id)
    await until(lambda: window.session.store.get(chat_id) is not None, what="the chat in the app")
    await _tag_then_close(window, admin, chat_id, returns)
    await _archives(window, chat_id, untagged, returns, folder)


def test_agent_tags_a_chat_to_close_it_and_finds_and_exports_it_by_tag(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    people: People,
    tmp_path: Path,
) -> None:
    run(qloop, _scenario(backend, controller, people, tmp_path), timeout=150)

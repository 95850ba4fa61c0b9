"""The chat header fits the room it has: at 1,600 px with the live preview and the visitor panel open,
each of the chat's actions is a whole button inside the header or an entry of its "More" menu (the
same action, enabled, with its shortcut); at 2,400 px every action is a button again. Real app, real
backend."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton, QScrollArea

from operator_app.app import AppController
from operator_app.ui.chat_header import ChatHeader
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.waiting import until
from tests.widgets.app_harness import People, controller, people, run

__all__ = ["controller", "people"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

BUTTONS = ("videoCallButton", "watchPageButton", "pushPageButton", "transferButton", "closeChatButton")


async def _settled(window: MainWindow, width: int) -> None:
    window.resize(width, 1000)
    await asyncio.sleep(0.3)  # the layouts settle (the loop runs Qt's events)
    await until(lambda: window.width() == width, what=f"the window at {width} px")


def _placement(header: ChatHeader) -> dict[str, str]:
    """Each action of the chat: "button" (whole and inside the header) or "menu"; anything else fails."""
    placed: dict[str, str] = {}
    menu = header.more_menu.actions()
    inside = QRect(0, 0, header.width(), header.height())
    for name in BUTTONS:
        slot = next(s for s in header._slots if s.button.objectName() == name)
        button = slot.button
        if button.isVisible():
            geometry = button.geometry()
            assert inside.contains(geometry), (name, geometry, inside)
            assert geometry.width() >= button.sizeHint().width(), (name, geometry, button.sizeHint())
            assert slot.action not in menu, name
            placed[name] = "button"
        else:
            assert slot.action in menu, name
            assert header.more_button.isVisible()
            assert slot.action.isEnabled() == button.isEnabled(), name
            placed[name] = "menu"
    for widget in (header.tags_bar.button, header.more_button):
        if widget.isVisible():
            top_left = widget.mapTo(header, widget.rect().topLeft())
            assert inside.contains(QRect(top_left, widget.size())), (widget.objectName(), top_left, inside)
            assert widget.width() >= widget.sizeHint().width(), widget.objectName()
    title = header.title
    assert title.width() > 0
    assert title.geometry().right() < min(
        (s.button.geometry().left() for s in header._slots if s.button.isVisible()), default=header.width()
    )
    return placed


def test_the_header_fits_beside_the_preview_and_spills_into_more(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    people: People,
) -> None:
    async def scenario() -> None:
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        long_name = "山田 花子 (Hanako Yamada, a name much longer than the header has room for)"
        chat_id = await people.visitor_opens_chat("この急須の色を見せてください", name=long_name)
        await people.take_for_me(chat_id)
        session = controller.session
        assert session is not None
        await until(lambda: (chat := session.store.get(chat_id)) is not None and session.store.is_mine(chat))
        window.show()
        window.select_chat(chat_id)
        await until(lambda: window.chat_panel.chat_id == chat_id)
        sidebar = window.findChild(QScrollArea, "visitorPanel")
        assert sidebar is not None
        pane = window.preview_pane
        await _settled(window, 1600)
        pane.widget.wanted.emit(True)  # the pane opens (waiting for the visitor): it takes its width
        await _settled(window, 1600)
        assert pane.dock.isVisible()
        assert sidebar.isVisible()
        assert pane.dock.width() >= 360
        header = window.chat_panel.header
        placed = _placement(header)
        spilled = [name for name, where in placed.items() if where == "menu"]
        assert spilled, (placed, header.width())  # there is not room for all of them
        assert "closeChatButton" not in spilled  # the least important go first
        assert header.title.text() == long_name  # elided when painted, whole in text()
        assert header.title.elided()
        more = header.findChild(QPushButton, "chatMoreButton")
        assert more is header.more_button
        assert more.isVisible()
        assert more.focusPolicy() & more.focusPolicy().TabFocus  # reachable with Tab
        # The menu holds the window's own actions: their shortcuts are those of the Chat menu.
        panel = window.chat_panel
        assert panel.transfer_action.shortcut().toString() == "Ctrl+Shift+T"
        for action in header.more_menu.actions():
            assert action.isEnabled(), action.objectName()

        await _settled(window, 2400)
        placed = _placement(header)
        assert set(placed.values()) == {"button"}, placed
        assert not header.more_button.isVisible()
        assert header.more_menu.actions() == []

        # Back to the narrow window: the same spill again (no button left hidden for good).
        await _settled(window, 1600)
        assert [name for name, where in _placement(header).items() if where == "menu"] == spilled

    run(qloop, scenario())

"""A chat's tags and the menu that sets them (``<prefix>TagsBar``): the chat window's header for the
chat I hold, and the archive's transcript for a closed chat, one widget for both.

The "Tags" button (``<prefix>TagsButton``) opens ``<prefix>TagsMenu``: every tag, checkable, with its
colour; arrows move, Space, Enter or a click ticks and the menu stays open, Esc closes it. Each tick
is sent at once (`PUT /chats/{id}/tags` replaces the chat's tags; writes go in order) and the chips
(``<prefix>TagChips``) follow what the operator chose; a refusal is reported through ``error(text)``
and the chips go back to what the server has. Tags load when a chat is shown; the list of tags again
each time the menu opens.

Signals: ``error(str)``, a translated sentence for the window's error line.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QPoint, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from operator_app.store.tags_service import TagsService
from operator_app.tasks import BackgroundTasks
from operator_app.ui.async_tools import reports_errors
from operator_app.ui.error_text import describe_error
from operator_app.ui.tag_chips import StayOpenMenu, TagChips, colour_icon, menu_text


class ChatTagsBar(QWidget):
    """`show_chat(chat_id)` shows a chat's tags (None: nothing); `open_menu()` pops the menu up."""

    error = Signal(str)

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{prefix}TagsBar")
        self.service: TagsService | None = None
        self.tasks = BackgroundTasks()
        self.chat_id: str | None = None
        self.chosen: list[str] = []  # what the chips show: the operator's last choice
        self.pending = 0  # writes under way for the shown chat
        self.loading: asyncio.Task[Any] | None = None
        self._listed: list[tuple[str, str, str]] = []  # the tags the menu lists
        self.button = QToolButton(self)
        self.button.setObjectName(f"{prefix}TagsButton")
        self.button.setText(self.tr("Tags"))
        self.button.setAccessibleName(self.tr("Tags of this chat"))
        self.button.clicked.connect(self.open_menu)
        self.menu = StayOpenMenu(self)
        self.menu.setObjectName(f"{prefix}TagsMenu")
        self.chips = TagChips(self)
        self.chips.setObjectName(f"{prefix}TagChips")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.button)
        layout.addWidget(self.chips, 1)

    def attach(self, service: TagsService) -> None:
        self.service = service
        service.tags_changed.connect(self._tags_changed)
        service.chat_tags_changed.connect(self._chat_tags_changed)

    # --- the chat shown ---------------------------------------------------------------------------

    def show_chat(self, chat_id: str | None) -> None:
        """Show `chat_id`'s tags (loaded from the server) or, for None, nothing."""
        if chat_id == self.chat_id:
            return
        self.chat_id = chat_id
        self.pending = 0
        self.menu.close()
        known = self.service.of_chat.get(chat_id) if self.service is not None and chat_id else None
        self._show_chosen(list(known or []))
        if self.loading is not None and not self.loading.done():
            self.loading.cancel()
        self.loading = None
        if chat_id is not None and self.service is not None:
            self.loading = self.tasks.spawn(self._load(chat_id), name=f"chat-tags-{chat_id}")

    @reports_errors(on_error="show_load_failure")
    async def _load(self, chat_id: str) -> None:
        service = self.service
        assert service is not None
        if not service.loaded:
            await service.load_tags()
        await service.chat_tags(chat_id)

    def _chat_tags_changed(self, chat_id: str) -> None:
        if chat_id == self.chat_id and self.pending == 0 and self.service is not None:
            self._show_chosen(self.service.of_chat.get(chat_id, []))

    def _tags_changed(self) -> None:
        self._show_chosen(self.chosen)
        if self.menu.isVisible():
            self._fill_menu()

    def _show_chosen(self, tag_ids: list[str]) -> None:
        self.chosen = list(tag_ids)
        tags = self.service.known(self.chosen) if self.service is not None else []
        self.chips.set_chips([(tag.name, tag.colour) for tag in tags])
        count = len(tags)
        self.button.setText(self.tr("Tags (%1)").replace("%1", str(count)) if count else self.tr("Tags"))
        for action in self.menu.actions():
            if action.isCheckable():
                action.setChecked(action.data() in self.chosen)

    # --- the menu ---------------------------------------------------------------------------------

    def open_menu(self) -> StayOpenMenu | None:
        """The menu under the button, the first tag active (keyboard users start there)."""
        if self.chat_id is None or self.service is None or not self.isEnabled():
            return None
        self._fill_menu()
        self.menu.popup(self.button.mapToGlobal(QPoint(0, self.button.height())))
        first = next((a for a in self.menu.actions() if a.isEnabled()), None)
        if first is not None:
            self.menu.setActiveAction(first)
        self.tasks.spawn(self._refresh_tags(), name="tags-list")
        return self.menu

    @reports_errors(on_error="show_load_failure")
    async def _refresh_tags(self) -> None:
        if self.service is not None:
            await self.service.load_tags()

    def _fill_menu(self) -> None:
        """One checkable entry a tag. Rebuilt only when the tags changed, so that a list loaded again
        while the menu is open does not move the keyboard's place in it."""
        tags = self.service.tags if self.service is not None else []
        listed = [(tag.tag_id, tag.name, tag.colour) for tag in tags]
        if listed and listed == self._listed:
            return
        active = self.menu.activeAction()
        active_id = active.data() if active is not None else None
        self._listed = listed
        self.menu.clear()
        if not tags:
            empty = self.menu.addAction(self.tr("No tags yet. An administrator defines them."))
            empty.setEnabled(False)
            return
        for tag in tags:
            action = QAction(colour_icon(tag.colour), menu_text(tag.name), self.menu)
            action.setCheckable(True)
            action.setChecked(tag.tag_id in self.chosen)
            action.setData(tag.tag_id)
            action.toggled.connect(lambda on, tag_id=tag.tag_id: self.toggle(tag_id, on))
            self.menu.addAction(action)
        again = next((a for a in self.menu.actions() if a.data() == active_id), None)
        if again is not None and self.menu.isVisible():
            self.menu.setActiveAction(again)

    def toggle(self, tag_id: str, on: bool) -> asyncio.Task[Any] | None:
        """Add or remove one tag and send the chat's tags at once."""
        if self.chat_id is None or self.service is None or (tag_id in self.chosen) == on:
            return None
        chosen = [t for t in self.chosen if t != tag_id] + ([tag_id] if on else [])
        self._show_chosen(chosen)
        self.pending += 1
        return self.tasks.spawn(self._send(self.chat_id, chosen), name=f"set-chat-tags-{self.chat_id}")

    async def _send(self, chat_id: str, tag_ids: list[str]) -> None:
        try:
            saved = await self._save(chat_id, tag_ids)
        finally:
            if chat_id == self.chat_id:
                self.pending = max(0, self.pending - 1)
        if chat_id == self.chat_id and self.pending == 0 and self.service is not None:
            # The last write's answer, or what the server has after a refusal.
            self._show_chosen(saved if saved is not None else self.service.of_chat.get(chat_id, []))
            if saved is None:
                self.tasks.spawn(self._load(chat_id), name=f"chat-tags-{chat_id}")

    @reports_errors
    async def _save(self, chat_id: str, tag_ids: list[str]) -> list[str]:
        assert self.service is not None
        return await self.service.set_chat_tags(chat_id, tag_ids)

    def show_error(self, text: str) -> None:
        self.error.emit(self.tr("The tags could not be changed: %1").replace("%1", text))

    def show_load_failure(self, error: BaseException) -> None:
        self.error.emit(self.tr("The tags could not be loaded: %1").replace("%1", describe_error(error)))

    async def stop(self) -> None:
        await self.tasks.cancel_all()

"""List models over the store's chats: my chats (``chatList``) and the queue (``queueList``).

Rows are kept in a private list of chat ids, updated by single-row inserts, removals and
``dataChanged``; only a snapshot resets the model. The queue's wait time ticks every second with
``dataChanged`` limited to the wait roles.
"""

from __future__ import annotations

import bisect
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)

from chat_protocol import AuthorKind
from operator_app.store.chat_state import ChatRecord, ChatStore
from operator_app.store.display_text import (
    escaped_tooltip,
    format_wait,
    one_line,
    seconds_since,
    visitor_name,
)
from operator_app.store.store_signals import StoreSignals

Index = QModelIndex | QPersistentModelIndex


class ChatRole(IntEnum):
    CHAT_ID = Qt.ItemDataRole.UserRole + 1
    PREVIEW = Qt.ItemDataRole.UserRole + 2
    WAIT_SECONDS = Qt.ItemDataRole.UserRole + 3
    WAIT_TEXT = Qt.ItemDataRole.UserRole + 4
    UNREAD = Qt.ItemDataRole.UserRole + 5
    STATE = Qt.ItemDataRole.UserRole + 6
    LAST_TIME = Qt.ItemDataRole.UserRole + 7


class ChatListModel(QAbstractListModel):
    """Chats passing `accepts()`, ordered by `sort_key()`. Subclasses choose both."""

    def __init__(self, store: ChatStore, signals: StoreSignals, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._rows: list[str] = []
        self._keys: list[tuple[datetime, str]] = []
        signals.store_reset.connect(self._reset)
        signals.chat_changed.connect(self._chat_changed)
        self._fill()

    # --- policy -----------------------------------------------------------------------------

    def accepts(self, chat: ChatRecord) -> bool:
        raise NotImplementedError

    def sort_key(self, chat: ChatRecord) -> tuple[datetime, str]:
        return (chat.created_at, chat.chat_id)

    # --- Qt API -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(role): QByteArray(role.name.lower().encode()) for role in ChatRole})
        return names

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractListModel.CheckIndexOption.IndexIsValid):
            return None
        chat = self._store.get(self._rows[index.row()])
        if chat is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return visitor_name(chat.visitor)
        if role == Qt.ItemDataRole.ToolTipRole:
            return escaped_tooltip(f"{visitor_name(chat.visitor)}\n{chat.last_text}".strip())
        if role == ChatRole.CHAT_ID:
            return chat.chat_id
        if role == ChatRole.PREVIEW:
            return self._preview(chat)
        if role == ChatRole.WAIT_SECONDS:
            return seconds_since(chat.queued_at or chat.created_at)
        if role == ChatRole.WAIT_TEXT:
            return format_wait(seconds_since(chat.queued_at or chat.created_at))
        if role == ChatRole.UNREAD:
            return chat.unread
        if role == ChatRole.STATE:
            return chat.state.value
        if role == ChatRole.LAST_TIME:
            moment = chat.last_at or chat.created_at
            return moment.astimezone().strftime("%H:%M")
        return None

    def _preview(self, chat: ChatRecord) -> str:
        text = one_line(chat.last_text)
        if text and chat.last_author == AuthorKind.AGENT:
            return QCoreApplication.translate("ChatListModel", "You: %1").replace("%1", text)
        return text

    # --- helpers for views ------------------------------------------------------------------

    def chat_id_at(self, row: int) -> str | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, chat_id: str) -> int:
        try:
            return self._rows.index(chat_id)
        except ValueError:
            return -1

    # --- updates ----------------------------------------------------------------------------

    def _fill(self) -> None:
        chats = sorted((c for c in self._store.chats.values() if self.accepts(c)), key=self.sort_key)
        self._rows = [c.chat_id for c in chats]
        self._keys = [self.sort_key(c) for c in chats]

    def _reset(self) -> None:
        self.beginResetModel()
        self._fill()
        self.endResetModel()

    def _chat_changed(self, chat_id: str) -> None:
        chat = self._store.get(chat_id)
        row = self.row_of(chat_id)
        wanted = chat is not None and self.accepts(chat)
        if row >= 0 and (not wanted or (chat is not None and self._keys[row] != self.sort_key(chat))):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            del self._keys[row]
            self.endRemoveRows()
            row = -1
        if chat is None or not wanted:
            return
        if row < 0:
            key = self.sort_key(chat)
            at = bisect.bisect_right(self._keys, key)
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, chat_id)
            self._keys.insert(at, key)
            self.endInsertRows()
        else:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [])


class MyChatsModel(ChatListModel):
    """Chats taken by me and not closed, oldest first."""

    def accepts(self, chat: ChatRecord) -> bool:
        return self._store.is_mine(chat)


class QueueModel(ChatListModel):
    """Chats waiting for an agent, longest wait first; the wait roles tick every second."""

    def __init__(
        self,
        store: ChatStore,
        signals: StoreSignals,
        parent: QObject | None = None,
        *,
        tick_ms: int = 1000,
    ) -> None:
        super().__init__(store, signals, parent)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    def accepts(self, chat: ChatRecord) -> bool:
        return self._store.is_queued(chat)

    def sort_key(self, chat: ChatRecord) -> tuple[datetime, str]:
        return (chat.queued_at or chat.created_at, chat.chat_id)

    def tick(self) -> None:
        """Tell views the waits changed: one ``dataChanged`` over all rows, wait roles only."""
        if self._rows:
            first = self.index(0, 0)
            last = self.index(len(self._rows) - 1, 0)
            self.dataChanged.emit(first, last, [ChatRole.WAIT_SECONDS, ChatRole.WAIT_TEXT])

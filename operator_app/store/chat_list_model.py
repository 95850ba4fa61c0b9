"""List models over the store's chats: my chats (``chatList``) and the queue (``queueList``).

Rows are kept in a private list of chat ids, updated by single-row inserts, removals and
``dataChanged``; only a snapshot resets the model. The queue's wait time ticks every second with
``dataChanged`` limited to the wait roles. My chats keep their order while I work (new ones append)
and carry a status circle: normal, warning, alarm (the visitor waits for a reply) or away (grey).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
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
    CIRCLE = Qt.ItemDataRole.UserRole + 8
    VISITOR_TYPING = Qt.ItemDataRole.UserRole + 9
    PRESENCE = Qt.ItemDataRole.UserRole + 10


class Circle(StrEnum):
    """The status circle of one of my chats."""

    NORMAL = "normal"  # green
    WARNING = "warning"  # orange: waiting longer than wait_warning
    ALARM = "alarm"  # red: waiting longer than wait_alarm
    AWAY = "away"  # grey: the visitor is inactive or has left


class ChatListModel(QAbstractListModel):
    """Chats passing `accepts()`, ordered by `sort_key()`. Subclasses choose both."""

    def __init__(self, store: ChatStore, signals: StoreSignals, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._rows: list[str] = []
        self._keys: list[tuple[Any, ...]] = []
        signals.store_reset.connect(self._reset)
        signals.chat_changed.connect(self._chat_changed)
        signals.sneak_peek_changed.connect(self._sneak_peek_changed)
        self._fill()

    # --- policy -----------------------------------------------------------------------------

    def accepts(self, chat: ChatRecord) -> bool:
        """Whether this list shows the chat. Every subclass overrides it (Qt's metaclass rules out ABC)."""
        raise NotImplementedError

    def sort_key(self, chat: ChatRecord) -> tuple[Any, ...]:
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
        if role == ChatRole.VISITOR_TYPING:
            return bool(chat.sneak_peek)
        if role == ChatRole.PRESENCE:
            return chat.visitor_presence
        return None

    def _preview(self, chat: ChatRecord) -> str:
        text = one_line(chat.last_text)
        if text and chat.last_by_me:
            return QCoreApplication.translate("ChatListModel", "You: %1").replace("%1", text)
        if text and chat.last_author == AuthorKind.AGENT and chat.last_author_name:
            # A colleague's message (the chat was transferred to me): name them, never "You".
            return f"{chat.last_author_name}: {text}"
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

    def _sneak_peek_changed(self, chat_id: str, text: str) -> None:
        row = self.row_of(chat_id)
        if row >= 0:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [ChatRole.VISITOR_TYPING, ChatRole.PREVIEW])

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
    """Chats taken by me and not closed: the snapshot's oldest first, then in the order they came.

    The circle is computed from the store, `routing` thresholds and `clock`; every `tick_ms` only
    the rows whose circle changed get a ``dataChanged`` (role ``CIRCLE``).
    """

    def __init__(
        self,
        store: ChatStore,
        signals: StoreSignals,
        parent: QObject | None = None,
        *,
        tick_ms: int = 1000,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._arrival: dict[str, int] = {}
        self._counter = itertools.count()
        self._circles: dict[str, Circle] = {}
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.wait_warning: int | None = None  # seconds; None: the server's routing settings
        self.wait_alarm: int | None = None
        super().__init__(store, signals, parent)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    def accepts(self, chat: ChatRecord) -> bool:
        return self._store.is_mine(chat)

    def sort_key(self, chat: ChatRecord) -> tuple[Any, ...]:
        arrival = self._arrival.get(chat.chat_id)
        if arrival is None:
            arrival = self._arrival[chat.chat_id] = next(self._counter)
        return (arrival,)

    def _fill(self) -> None:
        # A snapshot: chats already shown keep their place, the others follow oldest first.
        mine = sorted((c for c in self._store.chats.values() if self.accepts(c)), key=super().sort_key)
        known = sorted((c for c in mine if c.chat_id in self._arrival), key=self.sort_key)
        fresh = [c for c in mine if c.chat_id not in self._arrival]
        chats = known + fresh
        self._arrival = {c.chat_id: self._arrival[c.chat_id] for c in known}
        self._rows = [c.chat_id for c in chats]
        self._keys = [self.sort_key(c) for c in chats]
        self._circles = {c.chat_id: self.circle(c) for c in chats}

    def circle(self, chat: ChatRecord) -> Circle:
        if chat.visitor_presence != "active":
            return Circle.AWAY
        since = self._store.awaiting_reply_since(chat)
        if since is None:
            return Circle.NORMAL
        waited = (self.clock() - since).total_seconds()
        routing = self._store.routing
        alarm = self.wait_alarm if self.wait_alarm is not None else routing.wait_alarm
        warning = self.wait_warning if self.wait_warning is not None else routing.wait_warning
        if waited >= alarm:
            return Circle.ALARM
        if waited >= warning:
            return Circle.WARNING
        return Circle.NORMAL

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == ChatRole.CIRCLE and self.checkIndex(
            index, QAbstractListModel.CheckIndexOption.IndexIsValid
        ):
            chat = self._store.get(self._rows[index.row()])
            return self.circle(chat).value if chat is not None else None
        return super().data(index, role)

    def _chat_changed(self, chat_id: str) -> None:
        super()._chat_changed(chat_id)
        chat = self._store.get(chat_id)
        if chat is not None and self.row_of(chat_id) >= 0:
            self._circles[chat_id] = self.circle(chat)
        else:
            self._circles.pop(chat_id, None)
            self._arrival.pop(chat_id, None)  # if it comes back, it comes back at the end

    def tick(self) -> None:
        """Repaint only the rows whose circle colour changed since the last look."""
        for row, chat_id in enumerate(self._rows):
            chat = self._store.get(chat_id)
            if chat is None:
                continue
            circle = self.circle(chat)
            if self._circles.get(chat_id) != circle:
                self._circles[chat_id] = circle
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [ChatRole.CIRCLE])


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

    def sort_key(self, chat: ChatRecord) -> tuple[Any, ...]:
        return (chat.queued_at or chat.created_at, chat.chat_id)

    def tick(self) -> None:
        """Tell views the waits changed: one ``dataChanged`` over all rows, wait roles only."""
        if self._rows:
            first = self.index(0, 0)
            last = self.index(len(self._rows) - 1, 0)
            self.dataChanged.emit(first, last, [ChatRole.WAIT_SECONDS, ChatRole.WAIT_TEXT])

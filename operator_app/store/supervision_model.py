"""Supervised chats (supervisors and admins): the teammates' open chats in my scope, and the signals of
the chats I watch.

`SupervisedChatsModel` is the table of ``GET /api/v1/supervision/chats`` (agent, visitor, waiting time,
status circle). `WatchSignals` (in `store_signals`, as the session makes it at start while this model is
built only for the supervision view) carries what is not durable about a watched chat: the agent's typing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from chat_protocol.rest import RoutingSettings
from chat_protocol.supervision import SupervisedChat
from operator_app.store.chat_list_model import Circle
from operator_app.store.display_text import visitor_name
from operator_app.store.store_signals import WatchSignals as WatchSignals  # where it was first

Index = QModelIndex | QPersistentModelIndex


class SupervisedRole(IntEnum):
    CHAT_ID = Qt.ItemDataRole.UserRole + 1
    CIRCLE = Qt.ItemDataRole.UserRole + 2
    WAITING_SECONDS = Qt.ItemDataRole.UserRole + 3


def waiting_text(seconds: int) -> str:
    if seconds <= 0:
        return "–"
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}"


class SupervisedChatsModel(QAbstractTableModel):
    """Columns: agent, visitor, waiting time. The waiting time counts on between refreshes."""

    AGENT, VISITOR, WAITING = range(3)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.routing = RoutingSettings()
        self._rows: list[SupervisedChat] = []
        self._loaded_at = clock()

    def set_chats(self, chats: list[SupervisedChat]) -> None:
        """Replace the rows, keeping ones that stay in place (a refresh, not a new list)."""
        self._loaded_at = self.clock()
        old = [row.chat.chat_id for row in self._rows]
        new = [row.chat.chat_id for row in chats]
        if old == new:
            self._rows = list(chats)
            if chats:
                self.dataChanged.emit(self.index(0, 0), self.index(len(chats) - 1, self.WAITING))
            return
        self.beginResetModel()
        self._rows = list(chats)
        self.endResetModel()

    def tick(self) -> None:
        """Let the waiting times and circles move on between refreshes."""
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, self.WAITING))

    def chat(self, row: int) -> SupervisedChat | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def find(self, chat_id: str) -> SupervisedChat | None:
        return next((row for row in self._rows if row.chat.chat_id == chat_id), None)

    def chat_ids(self) -> list[str]:
        return [row.chat.chat_id for row in self._rows]

    def waiting_seconds(self, row: SupervisedChat) -> int:
        if row.waiting_seconds <= 0:
            return 0
        return row.waiting_seconds + max(0, int((self.clock() - self._loaded_at) / timedelta(seconds=1)))

    def circle(self, row: SupervisedChat) -> Circle:
        if row.chat.visitor_presence != "active":
            return Circle.AWAY
        waited = self.waiting_seconds(row)
        if waited >= self.routing.wait_alarm:
            return Circle.ALARM
        if waited >= self.routing.wait_warning:
            return Circle.WARNING
        return Circle.NORMAL

    # --- Qt API -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else 3

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (self.tr("Agent"), self.tr("Visitor"), self.tr("Waiting"))[section] if section < 3 else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.chat(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == SupervisedRole.CHAT_ID:
            return row.chat.chat_id
        if role == SupervisedRole.CIRCLE:
            return self.circle(row).value
        if role == SupervisedRole.WAITING_SECONDS:
            return self.waiting_seconds(row)
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == self.AGENT:
                agent = row.chat.agent
                return agent.name if agent is not None and agent.name else self.tr("(queued)")
            if column == self.VISITOR:
                return visitor_name(row.chat.visitor)
            return waiting_text(self.waiting_seconds(row))
        return None

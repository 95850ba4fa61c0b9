"""The team's shared canned replies (``owner_id`` None) for the admin page, sorted by shortcut.

Updated by row ranges by ``canned_id`` (removed, changed, inserted in order), never reset, so the
page keeps its selection across reloads and saves.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from chat_protocol.canned import CannedReply
from operator_app.store.display_text import escaped_tooltip, one_line

Index = QModelIndex | QPersistentModelIndex

CANNED_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _key(reply: CannedReply) -> tuple[str, str]:
    return (reply.shortcut.casefold(), reply.canned_id)


class TeamRepliesModel(QAbstractListModel):
    """One row per team reply: ``#shortcut — title``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[CannedReply] = []

    def set_replies(self, replies: list[CannedReply]) -> None:
        """Keep only team replies; move to them by removals, changes and insertions."""
        new = sorted((r for r in replies if r.owner_id is None), key=_key)
        wanted = {reply.canned_id: _key(reply) for reply in new}
        for row in range(len(self._rows) - 1, -1, -1):
            old = self._rows[row]
            if wanted.get(old.canned_id) != _key(old):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        for row, reply in enumerate(new):
            current = self._rows[row] if row < len(self._rows) else None
            if current is not None and current.canned_id == reply.canned_id:
                if current != reply:
                    self._rows[row] = reply
                    self.dataChanged.emit(self.index(row, 0), self.index(row, 0))
                continue
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, reply)
            self.endInsertRows()

    def reply(self, row: int) -> CannedReply | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, canned_id: str) -> int:
        return next((row for row, r in enumerate(self._rows) if r.canned_id == canned_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        reply = self.reply(index.row()) if index.isValid() else None
        if reply is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"#{reply.shortcut}  \u2014  {one_line(reply.title, 80)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return escaped_tooltip(reply.text)
        if role == CANNED_ID_ROLE:
            return reply.canned_id
        return None

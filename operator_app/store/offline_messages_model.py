"""Messages visitors left while nobody accepted chats, as a table: received, name, e-mail, message."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from chat_protocol.rest import OfflineMessage
from operator_app.store.display_text import escaped_tooltip, one_line

Index = QModelIndex | QPersistentModelIndex
COLUMNS = (
    QT_TRANSLATE_NOOP("OfflineMessagesModel", "Received"),
    QT_TRANSLATE_NOOP("OfflineMessagesModel", "Name"),
    QT_TRANSLATE_NOOP("OfflineMessagesModel", "E-mail"),
    QT_TRANSLATE_NOOP("OfflineMessagesModel", "Message"),
)


class OfflineMessagesModel(QAbstractTableModel):
    """Newest first, as the server lists them; every visitor string is plain text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[OfflineMessage] = []

    def set_messages(self, messages: list[OfflineMessage]) -> None:
        """A fresh load from the server (a reset: the whole list was asked for again)."""
        self.beginResetModel()
        self._rows = sorted(messages, key=lambda m: m.created_at, reverse=True)
        self.endResetModel()

    def message_at(self, row: int) -> OfflineMessage | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(COLUMNS):
                return QCoreApplication.translate("OfflineMessagesModel", str(COLUMNS[section]))
            return None
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractTableModel.CheckIndexOption.IndexIsValid):
            return None
        message = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return message.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
            if column == 1:
                return one_line(message.name, 60) or QCoreApplication.translate(
                    "OfflineMessagesModel", "(no name)"
                )
            if column == 2:
                return message.email
            return one_line(message.text, 120)
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return escaped_tooltip(message.text)
        return None

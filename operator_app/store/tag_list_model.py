"""The tags as a list (the admin's tags page): each row a tag's name with its colour as the swatch
(``DecorationRole``), by name. Names come from admins and are plain one-line text (the default
delegate never renders markup)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from chat_protocol.tags import Tag
from operator_app.store.tags_service import by_name

Index = QModelIndex | QPersistentModelIndex


class TagListModel(QAbstractListModel):
    """`set_tags` replaces the rows (a reset: once per load or save of the page, never per event)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tags: list[Tag] = []

    def set_tags(self, tags: list[Tag]) -> None:
        self.beginResetModel()
        self.tags = by_name(tags)
        self.endResetModel()

    def tag_at(self, row: int) -> Tag | None:
        return self.tags[row] if 0 <= row < len(self.tags) else None

    def row_of(self, tag_id: str) -> int:
        return next((row for row, tag in enumerate(self.tags) if tag.tag_id == tag_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self.tags)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractListModel.CheckIndexOption.IndexIsValid):
            return None
        tag = self.tags[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return " ".join(tag.name.split())
        if role == Qt.ItemDataRole.DecorationRole:
            return QColor(tag.colour)
        if role == Qt.ItemDataRole.UserRole:
            return tag.tag_id
        return None

"""The `#` completion list (``cannedPopup``): canned replies matching what follows `#` in the composer.

It never takes the keyboard focus: the composer forwards Up, Down, Tab, Enter and Escape to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from operator_app.store.canned_model import CannedMatchesModel, CannedRole
from operator_app.store.display_text import one_line

if TYPE_CHECKING:
    from chat_protocol.canned import CannedReply

Index = QModelIndex | QPersistentModelIndex
ROW_PAD = 6
MAX_ROWS = 6
POPUP_WIDTH = 460


class CannedItemDelegate(QStyledItemDelegate):
    """Two lines: ``#shortcut  Title`` with a team/personal badge, then the start of the text."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(max(120, option.rect.width()), 2 * metrics.height() + 2 * ROW_PAD + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(rect, QColor("#dbe8fd") if selected else QColor("#ffffff"))
        metrics = QFontMetrics(option.font)
        bold = QFont(option.font)
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        x, y = rect.left() + 10, rect.top() + ROW_PAD
        team = index.data(CannedRole.SCOPE) == "team"
        badge = str(index.data(CannedRole.SCOPE_TEXT) or "")
        small = QFont(option.font)
        if small.pointSizeF() > 0:
            small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.85))
        small_metrics = QFontMetrics(small)
        badge_w = small_metrics.horizontalAdvance(badge) + 12
        badge_rect = QRect(rect.right() - 10 - badge_w, y + 1, badge_w, metrics.height() - 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e0e7ff") if team else QColor("#dcfce7"))
        painter.drawRoundedRect(badge_rect, 7, 7)
        painter.setFont(small)
        painter.setPen(QColor("#3730a3") if team else QColor("#166534"))
        painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)

        shortcut = "#" + str(index.data(CannedRole.SHORTCUT) or "")
        painter.setFont(bold)
        painter.setPen(QColor("#1d4ed8"))
        room = badge_rect.left() - 8 - x
        shortcut = bold_metrics.elidedText(shortcut, Qt.TextElideMode.ElideRight, room)
        painter.drawText(QRect(x, y, room, metrics.height()), Qt.AlignmentFlag.AlignVCenter, shortcut)
        used = bold_metrics.horizontalAdvance(shortcut) + 10
        painter.setFont(option.font)
        painter.setPen(QColor("#111827"))
        title = metrics.elidedText(
            one_line(str(index.data(CannedRole.TITLE) or "")), Qt.TextElideMode.ElideRight, room - used
        )
        painter.drawText(
            QRect(x + used, y, max(0, room - used), metrics.height()), Qt.AlignmentFlag.AlignVCenter, title
        )
        y += metrics.height() + 2
        painter.setPen(QColor("#6b7280"))
        text = metrics.elidedText(
            one_line(str(index.data(CannedRole.TEXT) or "")), Qt.TextElideMode.ElideRight, rect.width() - 20
        )
        painter.drawText(
            QRect(x, y, rect.width() - 20, metrics.height()), Qt.AlignmentFlag.AlignVCenter, text
        )
        painter.restore()


class CannedPopup(QFrame):
    """A frame over the window (not a separate window), shown just above the composer."""

    def __init__(self, model: CannedMatchesModel, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("cannedPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "QFrame#cannedPopup { background: #ffffff; border: 1px solid #c7ccd4; border-radius: 6px; }"
            "QLabel#cannedPopupHint { color: #6b7280; padding: 4px 10px; }"
        )
        self.model = model
        self.list = QListView(self)
        self.list.setObjectName("cannedPopupList")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setModel(model)
        self.list.setItemDelegate(CannedItemDelegate(self.list))
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        self.hint = QLabel(self)
        self.hint.setObjectName("cannedPopupHint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        model.modelReset.connect(self._rows_changed)
        self._rows_changed()
        self.hide()

    def current_reply(self) -> CannedReply | None:
        index = self.list.currentIndex()
        return self.model.reply_at(index.row()) if index.isValid() else None

    def move_selection(self, step: int) -> None:
        rows = self.model.rowCount()
        if rows == 0:
            return
        row = self.list.currentIndex().row()
        row = 0 if row < 0 else (row + step) % rows
        self.list.setCurrentIndex(self.model.index(row, 0))

    def _rows_changed(self) -> None:
        rows = self.model.rowCount()
        if rows:
            self.list.setCurrentIndex(self.model.index(0, 0))
            self.hint.setText(self.tr("\u2191\u2193 choose \u00b7 Tab or Enter inserts \u00b7 Esc closes"))
        else:
            self.hint.setText(self.tr("No canned reply matches. Esc closes."))
        self.list.setVisible(rows > 0)

    def show_above(self, anchor: QWidget, cursor: QRect) -> None:
        """Show just above the text cursor of `anchor` (or below when there is no room)."""
        parent = self.parentWidget()
        assert parent is not None
        rows = min(self.model.rowCount(), MAX_ROWS)
        row_h = self.list.sizeHintForRow(0) if rows else 0
        hint_h = self.hint.sizeHint().height()
        height = rows * row_h + hint_h + 4 + (4 if rows else 0)
        width = min(POPUP_WIDTH, max(240, parent.width() - 16))
        top_left = anchor.mapTo(parent, cursor.topLeft())
        x = max(8, min(top_left.x() - 12, parent.width() - width - 8))
        y = top_left.y() - height - 4
        if y < 8:
            y = anchor.mapTo(parent, cursor.bottomLeft()).y() + 4
        self.setGeometry(QRect(QPoint(x, y), QSize(width, height)))
        self.raise_()
        self.show()

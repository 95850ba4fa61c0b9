"""The left-hand lists (``chatList``, ``queueList``): two-line rows and a clear empty state.

My chats carry a status circle (green, orange, red: how long the visitor has waited for a reply;
grey: the visitor is inactive or gone) and "typing…" while the visitor types.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from operator_app.store.chat_list_model import ChatRole

Index = QModelIndex | QPersistentModelIndex
PAD_X = 12
PAD_Y = 7
CIRCLE_COLOURS = {"normal": "#22c55e", "warning": "#f97316", "alarm": "#dc2626", "away": "#9ca3af"}


class ChatRowDelegate(QStyledItemDelegate):
    """Name and wait (queue) or time (my chats) on top; the last message and unread count below."""

    def __init__(self, parent: QWidget | None = None, *, show_wait: bool = False) -> None:
        super().__init__(parent)
        self.show_wait = show_wait

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        height = option.fontMetrics.height()
        return QSize(200, 2 * height + 2 * PAD_Y + 3)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        rect: QRect = option.rect
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected:
            painter.fillRect(rect, QColor("#dbe7fb"))
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), QColor("#2f6fdf"))
        elif hovered:
            painter.fillRect(rect, QColor("#eef2f8"))
        painter.setPen(QColor("#e3e6ea"))
        painter.drawLine(rect.left() + PAD_X, rect.bottom(), rect.right() - PAD_X, rect.bottom())

        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        preview = str(index.data(ChatRole.PREVIEW) or "")
        unread = 0 if self.show_wait else int(index.data(ChatRole.UNREAD) or 0)
        corner = str(index.data(ChatRole.WAIT_TEXT if self.show_wait else ChatRole.LAST_TIME) or "")

        base = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        line = option.fontMetrics.height()
        inner = rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        top = QRect(inner.left(), inner.top(), inner.width(), line)
        bottom = QRect(inner.left(), inner.top() + line + 3, inner.width(), line)

        painter.setFont(base)
        corner_width = painter.fontMetrics().horizontalAdvance(corner) + 6
        painter.setPen(QColor("#b45309") if self.show_wait else QColor("#6b7280"))
        painter.drawText(top, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, corner)

        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name_rect = top.adjusted(0, 0, -corner_width, 0)
        circle = index.data(ChatRole.CIRCLE)
        if circle in CIRCLE_COLOURS:
            diameter = max(8, line // 2 + 2)
            dot = QRect(top.left(), top.center().y() - diameter // 2 + 1, diameter, diameter)
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(CIRCLE_COLOURS[circle]))
            painter.drawEllipse(dot)
            painter.restore()
            name_rect.setLeft(dot.right() + 8)
            bottom.setLeft(dot.right() + 8)
        elided = painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width())
        # Not clipped to the line: a fallback font (Japanese) reaches lower than the base font's metrics.
        unclipped = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextDontClip
        painter.drawText(name_rect, unclipped, elided)

        painter.setFont(base)
        badge_width = 0
        if unread:
            label = str(unread) if unread < 100 else "99+"
            badge_width = max(line + 2, painter.fontMetrics().horizontalAdvance(label) + 10)
            badge = QRect(bottom.right() - badge_width + 1, bottom.top(), badge_width, line)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#2f6fdf"))
            painter.drawRoundedRect(badge, line / 2, line / 2)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
            badge_width += 6
        painter.setPen(QColor("#4b5563") if unread else QColor("#6b7280"))
        text_rect = bottom.adjusted(0, 0, -badge_width, 0)
        if index.data(ChatRole.VISITOR_TYPING):
            preview = self.tr("Visitor is typing\u2026")
            italic = QFont(base)
            italic.setItalic(True)
            painter.setFont(italic)
            painter.setPen(QColor("#15803d"))
        elif not preview:
            preview = self.tr("No messages yet")
        elided = painter.fontMetrics().elidedText(preview, Qt.TextElideMode.ElideRight, text_rect.width())
        painter.drawText(text_rect, unclipped, elided)
        painter.restore()


class ChatListView(QListView):
    """A list of chats that says so when it is empty. ``activated_by_key(index)`` on Enter."""

    activated_by_key = Signal(QModelIndex)

    def __init__(self, object_name: str, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.empty_text = empty_text
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformItemSizes(True)
        self.setMouseTracking(True)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            event.accept()
            self.activated_by_key.emit(self.currentIndex())
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0 and self.empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(QColor("#8a9099"))
            area = self.viewport().rect().adjusted(16, 18, -16, -16)
            painter.drawText(area, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, self.empty_text)
            painter.end()

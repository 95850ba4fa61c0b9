"""How one archive result is painted: visitor and closed time, agent, badges and the chat's tags as
coloured chips, then the snippet with the matching spans highlighted.

Every text is laid out as plain text (`QTextLayout`, `QFontMetrics.elidedText`): a visitor's
``<b>`` stays the four characters it is. The highlight is a `QTextLayout.FormatRange` over the
offsets the model gives (``ArchiveRole.HIGHLIGHTS``, UTF-16 units as Qt counts).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QTextCharFormat,
    QTextLayout,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from operator_app.store.archive_model import ArchiveRole
from operator_app.ui.tag_chips import CHIP_GAP, chips_width, paint_chips
from operator_app.ui.transcript_view import plain_layout

Index = QModelIndex | QPersistentModelIndex

PAD_X = 12
PAD_Y = 8
GAP = 3
SNIPPET_LINES = 2
LEAD = 12  # characters kept before a match that would fall past the snippet's last line
ELLIPSIS = "\u2026"
HIGHLIGHT = QColor("#fde68a")


def _small(font: QFont) -> QFont:
    small = QFont(font)
    size = font.pointSizeF()
    if size > 0:
        small.setPointSizeF(max(7.0, size * 0.88))
    return small


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


def snippet_layout(
    text: str, spans: list[tuple[int, int]], font: QFont, width: int, lines: int = SNIPPET_LINES
) -> tuple[QTextLayout, int]:
    """The snippet laid out in at most `lines` lines of `width`, highlights as formats; returns the
    layout and how many of its lines to draw. A first match that would not be seen is brought into
    view (the text then starts with an ellipsis)."""
    layout = _layout(text, spans, font, width)
    if spans and layout.lineCount() > lines:
        first = spans[0][0]
        line = layout.lineForTextPosition(first)
        if line.isValid() and line.lineNumber() >= lines:
            cut = max(0, first - LEAD)
            if cut < len(text) and "\udc00" <= text[cut] <= "\udfff":
                cut -= 1  # never between the halves of a surrogate pair
            shift = 1 - cut
            text = ELLIPSIS + text[cut:]
            spans = [(start + shift, length) for start, length in spans if start + length > cut]
            layout = _layout(text, spans, font, width)
    return layout, min(lines, layout.lineCount())


def _layout(text: str, spans: list[tuple[int, int]], font: QFont, width: int) -> QTextLayout:
    formats = []
    for start, length in spans:
        span = QTextLayout.FormatRange()
        span.start = max(0, start)
        span.length = length
        char_format = QTextCharFormat()
        char_format.setBackground(HIGHLIGHT)
        char_format.setFontWeight(QFont.Weight.Bold)
        span.format = char_format
        formats.append(span)
    return plain_layout(text, font, width, formats)


class ArchiveHitDelegate(QStyledItemDelegate):
    """Rows of the archive's results list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._line_heights: dict[str, int] = {}

    def _line_height(self, font: QFont) -> int:
        """A snippet line's height: Japanese glyphs come from a fallback font, often taller."""
        key = font.key()
        height = self._line_heights.get(key)
        if height is None:
            layout = _layout("Ag\u62b9\u8336\u3042", [(2, 2)], font, 1000)
            height = max(QFontMetrics(font).lineSpacing(), int(layout.lineAt(0).height() + 0.999))
            self._line_heights[key] = height
        return height

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        font = option.font
        height = 2 * PAD_Y + QFontMetrics(_bold(font)).height() + GAP + QFontMetrics(_small(font)).height()
        if str(index.data(ArchiveRole.SNIPPET) or "").strip():
            height += GAP + SNIPPET_LINES * self._line_height(font)
        return QSize(320, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect
        state = option.state
        if state & QStyle.StateFlag.State_Selected:
            active = bool(state & QStyle.StateFlag.State_HasFocus) or bool(
                state & QStyle.StateFlag.State_Active
            )
            painter.fillRect(rect, QColor("#dbeafe") if active else QColor("#e8edf3"))
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QColor("#f5f7fa"))
        painter.setPen(QColor("#e5e7eb"))
        painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())

        font = option.font
        bold, small = _bold(font), _small(font)
        bold_m, small_m = QFontMetrics(bold), QFontMetrics(small)
        left, width = rect.left() + PAD_X, rect.width() - 2 * PAD_X
        y = rect.top() + PAD_Y

        # Visitor on the left, closed time on the right.
        closed = str(index.data(ArchiveRole.CLOSED_TEXT) or "")
        painter.setFont(small)
        painter.setPen(QColor("#6b7280"))
        closed_w = small_m.horizontalAdvance(closed)
        head = QRect(left, y, width, bold_m.height())
        painter.drawText(head, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, closed)
        painter.setFont(bold)
        painter.setPen(QColor("#111827"))
        visitor = bold_m.elidedText(
            str(index.data(ArchiveRole.VISITOR) or ""),
            Qt.TextElideMode.ElideRight,
            max(0, width - closed_w - 12),
        )
        painter.drawText(head, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, visitor)
        y += bold_m.height() + GAP

        # The agent, then badges: rating, video call, transferred, where the match was; then the tags.
        badges = self._badges(index)
        badges_w = sum(small_m.horizontalAdvance(text) + 12 + 6 for text, _, _ in badges)
        tags = list(index.data(ArchiveRole.TAGS) or [])
        tags_w = min(chips_width(tags, small), width // 2) + CHIP_GAP if tags else 0
        painter.setFont(small)
        painter.setPen(QColor("#4b5563"))
        agent = small_m.elidedText(
            str(index.data(ArchiveRole.AGENT) or ""),
            Qt.TextElideMode.ElideRight,
            max(40, width - badges_w - tags_w - 8),
        )
        line = QRect(left, y, width, small_m.height())
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, agent)
        x = left + small_m.horizontalAdvance(agent) + 10
        for text, fill, ink in badges:
            badge_w = small_m.horizontalAdvance(text) + 12
            if x + badge_w > left + width:
                break
            pill = QRectF(x, y, badge_w, small_m.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
            painter.setPen(ink)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
            x += badge_w + 6
        if tags and left + width - x > 24:
            paint_chips(painter, QRectF(x, y, left + width - x, small_m.height()), tags, small)
        y += small_m.height() + GAP

        # The snippet, plain text, with the matches highlighted.
        snippet = str(index.data(ArchiveRole.SNIPPET) or "")
        if snippet.strip():
            spans = list(index.data(ArchiveRole.HIGHLIGHTS) or [])
            layout, shown = snippet_layout(snippet, spans, font, width)
            painter.setFont(font)
            painter.setPen(QColor("#1f2937"))
            self._draw_lines(painter, layout, shown, QPointF(left, y), font, width)
        painter.restore()

    @staticmethod
    def _draw_lines(
        painter: QPainter, layout: QTextLayout, shown: int, origin: QPointF, font: QFont, width: int
    ) -> None:
        """The first `shown` lines; when text is left over, the last one ends with an ellipsis."""
        for number in range(shown - 1):
            layout.lineAt(number).draw(painter, origin)
        last = layout.lineAt(shown - 1)
        if shown == layout.lineCount():
            last.draw(painter, origin)
            return
        room = width - QFontMetrics(font).horizontalAdvance(ELLIPSIS) - 2
        painter.save()
        painter.setClipRect(QRectF(origin.x(), origin.y() + last.y(), room, last.height()))
        last.draw(painter, origin)
        painter.restore()
        end_x = origin.x() + min(last.naturalTextWidth(), room) + 1
        painter.drawText(QPointF(end_x, origin.y() + last.y() + last.ascent()), ELLIPSIS)

    def _badges(self, index: Index) -> list[tuple[str, QColor, QColor]]:
        found: list[tuple[str, QColor, QColor]] = []
        rating = index.data(ArchiveRole.RATING)
        if rating == "good":
            found.append((self.tr("Rated good"), QColor("#dcfce7"), QColor("#166534")))
        elif rating == "bad":
            found.append((self.tr("Rated bad"), QColor("#fee2e2"), QColor("#991b1b")))
        if index.data(ArchiveRole.HAD_CALL):
            found.append((self.tr("Video call"), QColor("#e0e7ff"), QColor("#3730a3")))
        if index.data(ArchiveRole.TRANSFERRED):
            found.append((self.tr("Transferred"), QColor("#f3e8ff"), QColor("#6b21a8")))
        match = index.data(ArchiveRole.MATCH)
        if match == "file":
            found.append((self.tr("In a file name"), QColor("#e0f2fe"), QColor("#075985")))
        elif match == "note":
            found.append((self.tr("In an internal note"), QColor("#fef3c7"), QColor("#92400e")))
        elif match == "visitor":
            found.append((self.tr("In the visitor's details"), QColor("#f1f5f9"), QColor("#334155")))
        return found

"""The transcript (``transcriptView``): a list view whose delegate draws message bubbles.

Visitor text is laid out with `QTextLayout` as plain text: it never becomes markup, loads nothing
and has no links to open.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPen,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from chat_protocol.attachments import AttachmentInfo
from operator_app.store.attachments_service import AttachmentsService
from operator_app.store.transcript_model import EntryRole
from operator_app.ui.attachment_paint import content_size, is_image, paint_attachment

Index = QModelIndex | QPersistentModelIndex

MARGIN_X = 18
PAD_X = 12
PAD_Y = 8
GAP = 4
GROUP_GAP = 10
MAX_BUBBLE = 620
BUBBLES = ("message", "note")


def _small(font: QFont) -> QFont:
    small = QFont(font)
    size = font.pointSizeF()
    if size > 0:
        small.setPointSizeF(max(7.0, size * 0.85))
    return small


def _plain(text: str) -> str:
    # QTextLayout breaks lines only at U+2028; the text stays plain either way.
    return text.replace("\r\n", "\n").replace("\n", "\u2028")


def plain_layout(
    text: str, font: QFont, width: int, formats: Sequence[QTextLayout.FormatRange] = ()
) -> QTextLayout:
    """`text` as plain text wrapped to `width` (at words, or anywhere in a long word or in Japanese),
    with `formats` (such as highlights) over parts of it."""
    layout = QTextLayout(_plain(text), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    if formats:
        layout.setFormats(list(formats))
    layout.beginLayout()
    y = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
        y += line.height()
    layout.endLayout()
    return layout


class MessageDelegate(QStyledItemDelegate):
    """Bubbles: visitor and teammates on the left, mine on the right, state changes centred."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view
        self._cache: dict[tuple[str, int, int], tuple[int, int]] = {}
        self.files: AttachmentsService | None = None  # thumbnails of images (set by `TranscriptFiles`)
        self.file_rects: dict[int, QRect] = {}  # row -> where its file was last drawn (viewport)

    # --- geometry ---------------------------------------------------------------------------

    def _bubble_text_width(self) -> int:
        width = self._view.viewport().width() - 2 * MARGIN_X
        return max(80, min(MAX_BUBBLE, int(width * 0.72)) - 2 * PAD_X)

    def _measure(self, text: str, font: QFont, width: int) -> tuple[int, int]:
        key = (text, width, font.pointSize())
        cached = self._cache.get(key)
        if cached is None:
            layout = self._layout(text, font, width)
            rect = layout.boundingRect()
            natural = max(
                (layout.lineAt(i).naturalTextWidth() for i in range(layout.lineCount())), default=0.0
            )
            cached = (int(rect.height() + 0.999), int(natural + 0.999))
            if len(self._cache) > 4000:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def _content(self, index: Index, font: QFont, width: int) -> tuple[int, int]:
        """(height, width) of what the bubble holds: the text, or a file (`attachment_paint`)."""
        info = index.data(EntryRole.ATTACHMENT)
        if isinstance(info, AttachmentInfo):
            size = content_size(info, width)
            return size.height(), size.width()
        return self._measure(str(index.data() or ""), font, width)

    @staticmethod
    def _layout(text: str, font: QFont, width: int) -> QTextLayout:
        return plain_layout(text, font, width)

    def _starts_group(self, index: Index) -> bool:
        if index.row() == 0:
            return True
        previous = index.model().index(index.row() - 1, 0)
        if previous.data(EntryRole.KIND) != index.data(EntryRole.KIND):
            return True
        return bool(
            previous.data(EntryRole.AUTHOR_KIND) != index.data(EntryRole.AUTHOR_KIND)
            or previous.data(EntryRole.AUTHOR_NAME) != index.data(EntryRole.AUTHOR_NAME)
            or previous.data(EntryRole.IS_MINE) != index.data(EntryRole.IS_MINE)
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        font = option.font
        small = QFontMetrics(_small(font)).height()
        width = self._view.viewport().width()
        if index.data(EntryRole.KIND) == "rating":
            text_height, _ = self._measure(str(index.data() or ""), font, self._bubble_text_width())
            return QSize(width, text_height + 2 * PAD_Y + 2 * GROUP_GAP)
        if index.data(EntryRole.KIND) not in BUBBLES:
            return QSize(width, small + 2 * GROUP_GAP)
        text_height, _ = self._content(index, font, self._bubble_text_width())
        height = GAP + text_height + 2 * PAD_Y + 2 + small + GAP
        if self._starts_group(index):
            height += small + 2 + GROUP_GAP
        return QSize(width, height)

    # --- painting ---------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, QColor("#eef3fb"))
        small_font = _small(option.font)
        small = QFontMetrics(small_font)
        if index.data(EntryRole.KIND) == "rating":
            self._paint_rating(painter, option, index)
            painter.restore()
            return
        if index.data(EntryRole.KIND) not in BUBBLES:
            self._paint_state(painter, rect, index, small_font)
            painter.restore()
            return
        text = str(index.data() or "")
        mine = bool(index.data(EntryRole.IS_MINE))
        author_kind = str(index.data(EntryRole.AUTHOR_KIND))
        text_width = self._bubble_text_width()
        text_height, natural = self._content(index, option.font, text_width)
        bubble_w = min(text_width, natural) + 2 * PAD_X
        bubble_h = text_height + 2 * PAD_Y
        y = rect.top() + GAP
        if self._starts_group(index):
            y += GROUP_GAP
            name = self._author_label(index, mine)
            painter.setFont(small_font)
            painter.setPen(QColor("#6b7280"))
            name_rect = QRect(rect.left() + MARGIN_X, y, rect.width() - 2 * MARGIN_X, small.height())
            align = Qt.AlignmentFlag.AlignRight if mine else Qt.AlignmentFlag.AlignLeft
            elided = small.elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width())
            painter.drawText(name_rect, align | Qt.AlignmentFlag.AlignVCenter, elided)
            y += small.height() + 2
        x = rect.right() - MARGIN_X - bubble_w if mine else rect.left() + MARGIN_X
        bubble = QRectF(x, y, bubble_w, bubble_h)
        if index.data(EntryRole.KIND) == "note":
            fill = QColor("#fff4c2")
        elif mine:
            fill = QColor("#fde8e8") if index.data(EntryRole.DELIVERY) == "failed" else QColor("#dcebff")
        elif author_kind == "agent":
            fill = QColor("#e7f5ec")
        else:
            fill = QColor("#f0f2f5")
        if index.data(EntryRole.KIND) == "note":
            pen = QPen(QColor("#d4a72c"))
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(bubble, 10, 10)
        painter.setPen(option.palette.color(option.palette.ColorRole.Text))
        info = index.data(EntryRole.ATTACHMENT)
        if isinstance(info, AttachmentInfo):
            area = QRect(int(x) + PAD_X, y + PAD_Y, bubble_w - 2 * PAD_X, text_height)
            self.file_rects[index.row()] = area
            image = self.files.thumbnail(info) if self.files is not None and is_image(info) else None
            broken = self.files is not None and info.attachment_id in self.files.broken
            paint_attachment(
                painter, area, info, image, broken=broken, font=option.font, palette=option.palette
            )
        else:
            self._layout(text, option.font, text_width).draw(painter, QPointF(x + PAD_X, y + PAD_Y))
        y += bubble_h + 2
        footer = self._footer(index, mine)
        painter.setFont(small_font)
        failed = index.data(EntryRole.DELIVERY) == "failed"
        painter.setPen(QColor("#b91c1c") if failed else QColor("#8a9099"))
        foot_rect = QRect(rect.left() + MARGIN_X, y, rect.width() - 2 * MARGIN_X, small.height())
        align = Qt.AlignmentFlag.AlignRight if mine else Qt.AlignmentFlag.AlignLeft
        painter.drawText(foot_rect, align | Qt.AlignmentFlag.AlignVCenter, footer)
        painter.restore()

    def _author_label(self, index: Index, mine: bool) -> str:
        if index.data(EntryRole.KIND) == "note":
            who = self.tr("You") if mine else str(index.data(EntryRole.AUTHOR_NAME) or self.tr("Operator"))
            return self.tr("Internal note by %1 (not shown to the visitor)").replace("%1", who)
        if mine:
            return self.tr("You")
        name = str(index.data(EntryRole.AUTHOR_NAME) or "")
        if index.data(EntryRole.AUTHOR_KIND) == "visitor":
            return name or self.tr("Visitor")
        return name or self.tr("Operator")

    def _footer(self, index: Index, mine: bool) -> str:
        time_text = str(index.data(EntryRole.TIME_TEXT) or "")
        if not mine:
            return time_text
        delivery = index.data(EntryRole.DELIVERY)
        if delivery == "sending":
            return time_text + " \u00b7 " + self.tr("Sending\u2026")
        if delivery == "failed":
            return time_text + " \u00b7 " + self.tr("Not delivered")
        if delivery == "seen":
            return time_text + " \u00b7 " + self.tr("Seen")
        return time_text + " \u00b7 " + self.tr("Sent")

    def _paint_rating(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """The visitor's rating: a centred card, green for good and red for bad, comment as plain text."""
        rect: QRect = option.rect
        good = index.data(EntryRole.RATING) == "good"
        text = str(index.data() or "")
        text_width = self._bubble_text_width()
        text_height, natural = self._measure(text, option.font, text_width)
        card_w = min(text_width, natural) + 2 * PAD_X + 8
        card = QRectF(rect.center().x() - card_w / 2, rect.top() + GROUP_GAP, card_w, text_height + 2 * PAD_Y)
        painter.setPen(QPen(QColor("#16a34a") if good else QColor("#dc2626"), 1.2))
        painter.setBrush(QColor("#ecfdf3") if good else QColor("#fef2f2"))
        painter.drawRoundedRect(card, 8, 8)
        painter.setPen(QColor("#14532d") if good else QColor("#7f1d1d"))
        layout = self._layout(text, option.font, text_width)
        layout.draw(painter, QPointF(card.left() + PAD_X + 4, card.top() + PAD_Y))

    def _paint_state(self, painter: QPainter, rect: QRect, index: Index, font: QFont) -> None:
        painter.setFont(font)
        metrics = QFontMetrics(font)
        text = f"{index.data() or ''}  \u00b7  {index.data(EntryRole.TIME_TEXT) or ''}"
        area = rect.adjusted(MARGIN_X, GROUP_GAP, -MARGIN_X, -GROUP_GAP)
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, area.width() - 80)
        text_w = metrics.horizontalAdvance(elided)
        middle = area.center().y()
        painter.setPen(QColor("#d5d9de"))
        left_end = area.center().x() - text_w // 2 - 12
        right_start = area.center().x() + text_w // 2 + 12
        if left_end > area.left():
            painter.drawLine(area.left(), middle, left_end, middle)
            painter.drawLine(right_start, middle, area.right(), middle)
        painter.setPen(QColor("#7b818a"))
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, elided)


class TranscriptView(QListView):
    """Follows new messages while scrolled to the bottom; Ctrl+C copies the selected messages."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptView")
        self.setAccessibleName(self.tr("Transcript"))
        self.setItemDelegate(MessageDelegate(self))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setWordWrap(True)
        self.empty_text = ""
        self._follow = True
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        # A child timer (not QTimer.singleShot with a bound method): it dies with the view.
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setSingleShot(True)
        self._scroll_timer.setInterval(0)
        self._scroll_timer.timeout.connect(self.scrollToBottom)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            model.rowsAboutToBeInserted.connect(self._before_insert)
            model.rowsInserted.connect(self._after_insert)
            model.modelReset.connect(self._after_reset)
            model.dataChanged.connect(self._after_change)

    def _scrolled(self, value: int) -> None:
        self._follow = value >= self.verticalScrollBar().maximum() - 4

    def _before_insert(self) -> None:
        bar = self.verticalScrollBar()
        self._follow = bar.value() >= bar.maximum() - 4

    def _after_insert(self, parent: QModelIndex, first: int, last: int) -> None:
        mine = bool(self.model().index(last, 0).data(EntryRole.IS_MINE))
        if self._follow or mine:
            self._scroll_timer.start()

    def _after_change(self) -> None:
        # A line may grow (a file sent becomes its thumbnail): stay at the bottom when following.
        if self._follow:
            self._scroll_timer.start()

    def _after_reset(self) -> None:
        self._follow = True
        self._scroll_timer.start()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            rows = sorted(index.row() for index in self.selectedIndexes())
            lines = []
            for row in rows:
                index = self.model().index(row, 0)
                name = str(index.data(EntryRole.AUTHOR_NAME) or "")
                time_text = str(index.data(EntryRole.TIME_TEXT) or "")
                lines.append(f"[{time_text}] {name}: {index.data() or ''}".replace("] : ", "] "))
            if lines:
                QGuiApplication.clipboard().setText("\n".join(lines))
            event.accept()
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0 and self.empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(QColor("#8a9099"))
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()

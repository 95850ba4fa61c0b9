"""Tags drawn as coloured chips (name on the tag's colour, plain text), the checkable menu of tags
that stays open while the operator ticks several, and a tag's colour as a menu icon.

`paint_chips` is shared by `TagChips` (a widget: the chat's header, the archive's transcript) and the
archive's result rows. A name is never markup: it is drawn with `QPainter.drawText`, and a menu
entry's ``&`` is doubled so that it is not taken for a mnemonic.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

Chip = tuple[str, str]  # (name, colour "#rrggbb")

CHIP_PAD = 7
CHIP_GAP = 4
MORE = "+%1"


def ink_on(colour: QColor) -> QColor:
    """Black or white text, whichever reads better on `colour` (WCAG relative luminance)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())
    )
    return QColor("#111827") if luminance > 0.4 else QColor("#ffffff")


def chip_font(font: QFont) -> QFont:
    small = QFont(font)
    size = font.pointSizeF()
    if size > 0:
        small.setPointSizeF(max(7.0, size * 0.88))
    return small


def chip_width(metrics: QFontMetrics, name: str) -> int:
    return metrics.horizontalAdvance(name) + 2 * CHIP_PAD


def fitting_chips(chips: list[Chip], metrics: QFontMetrics, room: float) -> tuple[list[Chip], int]:
    """The chips shown in `room` (the last one elided if need be) and how many are left for "+N"."""
    widths = [chip_width(metrics, name) for name, _ in chips]
    if sum(widths) + CHIP_GAP * (len(chips) - 1) <= room:
        return list(chips), 0
    for count in range(len(chips) - 1, -1, -1):
        left = len(chips) - count
        more = chip_width(metrics, MORE.replace("%1", str(left))) + CHIP_GAP
        used = sum(widths[:count]) + CHIP_GAP * count
        if used + more <= room:
            shown = list(chips[:count])
            spare = room - used - more
            if count < len(chips) and spare >= 2 * CHIP_PAD + metrics.horizontalAdvance("\u2026") * 4:
                name, colour = chips[count]
                elided = metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(spare - 2 * CHIP_PAD))
                shown.append((elided, colour))
                left -= 1
            return shown, left
    return [], len(chips)


def paint_chips(painter: QPainter, rect: QRectF, chips: list[Chip], font: QFont) -> float:
    """Chips from the left of `rect`, as many as fit (then "+N"); returns the width used."""
    if not chips:
        return 0.0
    metrics = QFontMetrics(font)
    height = min(rect.height(), metrics.height() + 4)
    top = rect.top() + (rect.height() - height) / 2
    shown, left = fitting_chips(chips, metrics, rect.width())
    entries = [(name, QColor(colour)) for name, colour in shown]
    if left:
        entries.append((MORE.replace("%1", str(left)), QColor("#e5e7eb")))
    x = rect.left()
    painter.save()
    painter.setFont(font)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setClipRect(rect)
    for name, fill in entries:
        width = chip_width(metrics, name)
        _chip(painter, QRectF(x, top, width, height), name, fill, metrics)
        x += width + CHIP_GAP
    painter.restore()
    return x - CHIP_GAP - rect.left()


def _chip(painter: QPainter, rect: QRectF, text: str, fill: QColor, metrics: QFontMetrics) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    painter.setPen(ink_on(fill))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextSingleLine, text)


def chips_width(chips: list[Chip], font: QFont) -> int:
    """The width all of `chips` take side by side."""
    metrics = QFontMetrics(font)
    return sum(chip_width(metrics, name) + CHIP_GAP for name, _ in chips) - (CHIP_GAP if chips else 0)


def colour_icon(colour: str, size: int = 14) -> QIcon:
    """The tag's colour for a checkable menu entry: a ring when off, a filled circle with a tick when
    on (the icon's On state: a style draws a checked entry with it, so the tick is seen in any style)."""
    icon = QIcon()
    for state in (QIcon.State.Off, QIcon.State.On):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(colour)
        box = QRectF(1, 1, size - 2, size - 2)
        if state == QIcon.State.On:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawEllipse(box)
            pen = QPen(ink_on(fill), max(1.5, size / 8))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawPolyline(
                [
                    QPointF(size * 0.3, size * 0.52),
                    QPointF(size * 0.45, size * 0.68),
                    QPointF(size * 0.72, size * 0.36),
                ]
            )
        else:
            painter.setPen(QPen(fill, max(1.5, size / 7)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(box.adjusted(1, 1, -1, -1))
        painter.end()
        icon.addPixmap(pixmap, QIcon.Mode.Normal, state)
        icon.addPixmap(pixmap, QIcon.Mode.Active, state)
        icon.addPixmap(pixmap, QIcon.Mode.Selected, state)
    return icon


def menu_text(name: str) -> str:
    """A tag's name as a menu entry's text: one line, ``&`` shown as itself."""
    return " ".join(name.split()).replace("&", "&&")


class TagChips(QWidget):
    """The chips of a chat's tags; their names are the accessible description and the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chips: list[Chip] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_chips(self, chips: list[Chip]) -> None:
        self.chips = list(chips)
        names = ", ".join(name for name, _ in self.chips)
        self.setAccessibleDescription(names)
        self.setToolTip(html.escape(names))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        font = chip_font(self.font())
        return QSize(chips_width(self.chips, font), QFontMetrics(font).height() + 6)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_chips(painter, QRectF(self.rect()), self.chips, chip_font(self.font()))
        painter.end()


class StayOpenMenu(QMenu):
    """A menu whose checkable entries toggle without closing it (click, Space or Enter); Esc closes."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self.activeAction()
        toggles = event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if toggles and action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        action = self.actionAt(event.position().toPoint())
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().mouseReleaseEvent(event)

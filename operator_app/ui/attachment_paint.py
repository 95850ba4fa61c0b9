"""How a file sent in a chat is drawn inside its bubble: an image as its thumbnail (a grey placeholder
while it is fetched), any other file as a row with its icon, name (plain text, elided in the middle so
the extension stays visible) and size."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle

from chat_protocol.attachments import AttachmentInfo
from operator_app.store.attachment_kinds import human_size

THUMB_EDGE = 240
PLACEHOLDER = QSize(220, 150)
FILE_ROW_W = 300
FILE_ROW_H = 44
ICON = 32

# Badge colours per kind (the row's icon carries a short label as well as the system's file icon).
BADGES = {"pdf": ("PDF", "#b91c1c"), "office": ("DOC", "#1d4ed8"), "text": ("TXT", "#4b5563")}


def is_image(info: AttachmentInfo) -> bool:
    return info.category == "images" and bool(info.attachment_id) and info.thumbnail


def content_size(info: AttachmentInfo, max_width: int) -> QSize:
    """The size the file takes inside the bubble (before the bubble's padding)."""
    if is_image(info):
        if info.width and info.height:
            size = QSize(info.width, info.height)
            edge = min(THUMB_EDGE, max_width)
            if size.width() > edge or size.height() > edge:
                size = size.scaled(edge, edge, Qt.AspectRatioMode.KeepAspectRatio)
            return QSize(max(48, size.width()), max(32, size.height()))
        return QSize(min(PLACEHOLDER.width(), max_width), PLACEHOLDER.height())
    return QSize(min(FILE_ROW_W, max_width), FILE_ROW_H)


def paint_attachment(
    painter: QPainter,
    area: QRect,
    info: AttachmentInfo,
    image: QImage | None,
    *,
    broken: bool,
    font: QFont,
    palette: QPalette,
) -> None:
    """Draw the file into `area` (from `content_size`)."""
    painter.save()
    if is_image(info):
        if image is not None and not image.isNull():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            fitted = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(area.topLeft(), fitted)
            target.moveCenter(area.center())
            painter.drawImage(target, image)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e5e7eb"))
            painter.drawRoundedRect(QRectF(area), 6, 6)
            painter.setPen(QColor("#6b7280"))
            painter.setFont(font)
            text = (
                QApplication.translate("AttachmentPaint", "Image unavailable")
                if broken
                else QApplication.translate("AttachmentPaint", "Loading image\u2026")
            )
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
        return
    icon_rect = QRect(area.left(), area.top() + (area.height() - ICON) // 2, ICON, ICON)
    style = QApplication.style()
    icon = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
    icon.paint(painter, icon_rect)
    badge = BADGES.get(info.category)
    if badge is not None:
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.6))
        small.setBold(True)
        label = QRect(icon_rect.left() - 2, icon_rect.bottom() - 11, ICON + 4, 12)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(badge[1]))
        painter.drawRoundedRect(QRectF(label), 3, 3)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(small)
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, badge[0])
    text_left = icon_rect.right() + 10
    text_w = max(10, area.right() - text_left)
    metrics = QFontMetrics(font)
    name_rect = QRect(text_left, area.top() + 2, text_w, metrics.height())
    painter.setFont(font)
    painter.setPen(palette.color(QPalette.ColorRole.Text))
    # Elided in the middle: the end of the name (its extension) stays readable.
    name = metrics.elidedText(" ".join(info.name.split()), Qt.TextElideMode.ElideMiddle, text_w)
    flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextDontClip
    painter.drawText(name_rect, flags, name)  # not clipped: a fallback font's underscore sits low
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    painter.setFont(small)
    painter.setPen(QColor("#6b7280"))
    size_rect = QRect(text_left, name_rect.bottom() + 2, text_w, QFontMetrics(small).height())
    painter.drawText(
        size_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, human_size(info.size)
    )
    painter.restore()

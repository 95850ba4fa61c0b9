"""An image sent in a chat, in a window of its own (``imageViewer``): fitted to the window at first,
zoomed in and out with the buttons (or Ctrl++ / Ctrl+- / Ctrl+0), saved with "Save as…".

Objects: ``imageViewerImage`` (the label drawing it), ``imageViewerStatus``, ``imageZoomIn``,
``imageZoomOut``, ``imageFit``, ``imageSave``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

ZOOM_STEP = 1.25
ZOOM_MIN = 0.05
ZOOM_MAX = 8.0


class ImageViewer(QDialog):
    """`show_image(name, image)`; "Save as…" runs `save` (given by the opener)."""

    def __init__(self, save: Callable[[], Awaitable[object]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self.save = save
        self.image = QImage()
        self.zoom = 1.0
        self.fit = True
        self.saving: asyncio.Future[object] | None = None
        self.picture = QLabel(self)
        self.picture.setObjectName("imageViewerImage")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroller = QScrollArea(self)
        self.scroller.setWidget(self.picture)
        self.scroller.setWidgetResizable(True)
        self.scroller.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = QLabel(self)
        self.status.setObjectName("imageViewerStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QHBoxLayout()
        self.zoom_out = self._button("imageZoomOut", self.tr("Zoom out"), "Ctrl+-", self._zoom_out)
        self.zoom_in = self._button("imageZoomIn", self.tr("Zoom in"), "Ctrl++", self._zoom_in)
        self.fit_button = self._button("imageFit", self.tr("Fit to window"), "Ctrl+0", self._fit)
        self.save_button = self._button("imageSave", self.tr("Save as\u2026"), "Ctrl+S", self._save)
        close = QPushButton(self.tr("Close"), self)
        close.setObjectName("imageClose")
        close.clicked.connect(self.close)
        for widget in (self.zoom_out, self.zoom_in, self.fit_button):
            buttons.addWidget(widget)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(buttons)
        self.resize(820, 620)

    def _button(self, name: str, text: str, keys: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.setShortcut(QKeySequence(keys))
        button.setToolTip(f"{text} ({QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)})")
        button.clicked.connect(slot)
        return button

    def show_image(self, name: str, image: QImage) -> None:
        self.setWindowTitle(self.tr("Image: %1").replace("%1", " ".join(name.split())))
        self.image = image
        self.fit = True
        self._render()

    def _fitted_zoom(self) -> float:
        if self.image.isNull():
            return 1.0
        room = self.scroller.viewport().size()
        return float(min(1.0, room.width() / self.image.width(), room.height() / self.image.height()))

    def _render(self) -> None:
        if self.image.isNull():
            self.picture.clear()
            return
        if self.fit:
            self.zoom = self._fitted_zoom()
        size = self.image.size() * self.zoom
        pixmap = QPixmap.fromImage(
            self.image.scaled(
                size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
        self.picture.setPixmap(pixmap)
        self.status.setText(
            f"{self.image.width()} \u00d7 {self.image.height()} \u00b7 {round(self.zoom * 100)}%"
        )

    def _zoom_in(self) -> None:
        self.fit = False
        self.zoom = min(ZOOM_MAX, self.zoom * ZOOM_STEP)
        self._render()

    def _zoom_out(self) -> None:
        self.fit = False
        self.zoom = max(ZOOM_MIN, self.zoom / ZOOM_STEP)
        self._render()

    def _fit(self) -> None:
        self.fit = True
        self._render()

    def _save(self) -> None:
        self.saving = asyncio.ensure_future(self.save())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fit:
            self._render()

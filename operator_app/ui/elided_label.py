"""A one-line plain-text label that elides to its width: long visitor values never widen a layout."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from operator_app.store.display_text import escaped_tooltip, one_line

TEXT_LIMIT = 2100


class ElidedLabel(QLabel):
    """Shows `full_text` flattened to one line and elided; the whole value is in the (escaped) tooltip."""

    def __init__(
        self,
        object_name: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
    ) -> None:
        super().__init__(parent)
        if object_name:
            self.setObjectName(object_name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._mode = mode
        self.full_text = ""

    def set_value(self, text: str) -> None:
        self.full_text = one_line(text, TEXT_LIMIT)
        self.setToolTip(escaped_tooltip(text[:TEXT_LIMIT]) if len(self.full_text) > 40 else "")
        self._elide()

    def minimumSizeHint(self) -> QSize:
        return QSize(10, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(60, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(10, self.width() - 2)
        self.setText(self.fontMetrics().elidedText(self.full_text, self._mode, width))

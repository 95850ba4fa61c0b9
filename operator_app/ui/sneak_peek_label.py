"""One line showing what the visitor is typing right now (``sneakPeekLabel``), always plain text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class SneakPeekLabel(QLabel):
    """Shows "<prefix> <text>" on one line, eliding the start of the text so the newest part shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sneakPeekLabel")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self.fontMetrics().height() + 6)
        self._peek = ""

    @property
    def peek_text(self) -> str:
        """The full text the visitor is typing (the label may show it elided)."""
        return self._peek

    def set_peek(self, text: str) -> None:
        self._peek = " ".join(text.split())
        self._render()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render()

    def _render(self) -> None:
        if not self._peek:
            self.setText("")
            self.setToolTip("")
            return
        prefix = self.tr("Visitor is typing:") + " "
        metrics = self.fontMetrics()
        room = max(0, self.contentsRect().width() - metrics.horizontalAdvance(prefix) - 4)
        self.setText(prefix + metrics.elidedText(self._peek, Qt.TextElideMode.ElideLeft, room))

"""The reply box (``composer``): Enter sends, Shift+Enter starts a new line."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from chat_protocol.models import MAX_MESSAGE_CHARS


class Composer(QPlainTextEdit):
    """Signals: ``submitted(text)`` on Enter with text; ``typing(active)`` as the text changes."""

    submitted = Signal(str)
    typing = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setTabChangesFocus(True)
        self.setPlaceholderText(self.tr("Type a reply. Enter sends, Shift+Enter starts a new line."))
        self.setAccessibleName(self.tr("Reply"))
        self.textChanged.connect(self._text_changed)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if enter and modifiers == Qt.KeyboardModifier.NoModifier:
            event.accept()
            self.submit()
            return
        if enter and modifiers == Qt.KeyboardModifier.ShiftModifier:
            event.accept()
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)

    def submit(self) -> None:
        """Emit the text (trimmed) and clear the box; does nothing when empty or too long."""
        text = self.toPlainText().strip()
        if not text or len(text) > MAX_MESSAGE_CHARS:
            return
        self.submitted.emit(text)
        self.clear()

    def _text_changed(self) -> None:
        self.typing.emit(bool(self.toPlainText().strip()))

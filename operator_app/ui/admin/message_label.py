"""The line under an admin form that says what became of the last action: saved, refused inline, or
the server's refusal (plain text: a server message may quote what the user typed)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class MessageLabel(QLabel):
    """`notice()` in green, `error()` in red, `clear_message()` hides it."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.is_error = False
        self.hide()

    def notice(self, text: str) -> None:
        self._show(text, error=False)

    def error(self, text: str) -> None:
        self._show(text, error=True)

    def clear_message(self) -> None:
        self.is_error = False
        self.clear()
        self.hide()

    def _show(self, text: str, *, error: bool) -> None:
        self.is_error = error
        self.setStyleSheet("color: #b91c1c;" if error else "color: #166534;")
        self.setText(text)
        self.show()

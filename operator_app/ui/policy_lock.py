"""How an option the administrator enforces looks: disabled, with a tooltip and a small visible note.

Widgets learn what is locked from `SettingsFile.locked` (the settings object), never from files.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QLineEdit, QWidget

NOTE_QSS = "color: #6b7280; font-size: 9pt;"


def locked_text() -> str:
    return QCoreApplication.translate("PolicyLock", "Set by your administrator")


def mark_locked(widget: QWidget, locked: bool) -> QLabel | None:
    """Disable a locked `widget` and explain why; returns the note to show beside it (None if not locked).

    The note is named ``<objectName>LockNote``.
    """
    if not locked:
        return None
    widget.setEnabled(False)
    if isinstance(widget, QLineEdit):
        widget.setCursorPosition(0)  # show the start of a long address
    widget.setToolTip(locked_text())
    widget.setAccessibleDescription(locked_text())
    note = QLabel(locked_text(), widget.parentWidget())
    note.setObjectName(f"{widget.objectName()}LockNote")
    note.setTextFormat(Qt.TextFormat.PlainText)
    note.setStyleSheet(NOTE_QSS)
    note.setToolTip(locked_text())
    return note


def with_note(widget: QWidget, note: QLabel | None) -> QWidget | QLayout:
    """`widget` alone, or a row of the widget and its lock note (for a form's field)."""
    if note is None:
        return widget
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(8)
    row.addWidget(widget, 1)
    row.addWidget(note)
    return row

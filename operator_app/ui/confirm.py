"""Asking before a consequential step: ``if await confirm(parent, title, text, ok_label): ...``.

The question is a modal `ConfirmDialog` opened with ``show()`` and awaited through `finished_future`
(never ``exec()`` or a static `QMessageBox` helper). Objects inside it: ``confirmText``,
``actionButton`` (says `ok_label`), ``actionError`` and a Cancel button; Esc cancels. Its base,
`ActionDialog`, is any dialog whose button runs a server call and keeps a refusal on screen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from operator_app.ui.async_tools import async_slot, disabled, finished_future, reports_errors
from operator_app.ui.refusal import refusal_text


def _plain_label(text: str, parent: QWidget, name: str) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class ActionDialog(QDialog):
    """The action button runs `action` (set by the caller; without one it just accepts); on success the
    dialog is accepted with the result in `outcome`, on a refusal the reason stays in ``actionError``
    and the dialog stays open. Subclasses add fields to `self.body` and may refuse input in `check()`
    before anything is sent."""

    def __init__(self, title: str, action_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)  # window-modal for its page's dialog, opened with show()
        self.action: Callable[[], Awaitable[Any]] | None = None
        self.outcome: Any = None
        self.body = QVBoxLayout()
        self.error = _plain_label("", self, "actionError")
        self.error.setStyleSheet("color: #b91c1c;")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.action_button = QPushButton(action_text, self)
        self.action_button.setObjectName("actionButton")
        self.action_button.setDefault(True)
        self.buttons.addButton(self.action_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.action_button.clicked.connect(self.perform)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def check(self) -> bool:
        """Refuse bad input before sending (call `show_error`); True to go on."""
        return True

    def show_refusal(self, error: BaseException) -> None:
        self.show_error(refusal_text(error))

    @async_slot()
    @reports_errors(on_error="show_refusal")
    async def perform(self) -> None:
        """Run the action (if any); accept on success, keep the refusal on screen otherwise."""
        if not self.check():
            return
        self.error.hide()
        if self.action is not None:
            with disabled(self.action_button):
                self.outcome = await self.action()
        self.accept()


class ConfirmDialog(ActionDialog):
    """A question with the consequences spelled out. With an `action`, OK runs it and a refusal stays
    in the dialog (``actionError``); without one, OK just accepts."""

    def __init__(self, title: str, text: str, action_text: str, parent: QWidget | None = None) -> None:
        super().__init__(title, action_text, parent)
        self.text = _plain_label(text, self, "confirmText")
        self.body.addWidget(self.text)
        self.resize(440, 160)

    def make_cancel_default(self) -> None:
        """Enter answers Cancel (for a question whose safe answer is no)."""
        self.action_button.setDefault(False)
        self.action_button.setAutoDefault(False)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(True)
        cancel.setDefault(True)
        cancel.setFocus()


async def confirm(
    parent: QWidget,
    title: str,
    text: str,
    ok_label: str,
    *,
    name: str = "",
    action: Callable[[], Awaitable[object]] | None = None,
    default_to_cancel: bool = False,
) -> bool:
    """True when the user confirmed (and `action`, if given, succeeded); False when cancelled.

    `name` is the dialog's objectName; `action` runs inside the dialog so that a refusal is shown where
    the question was asked; `default_to_cancel` makes Enter answer Cancel.
    """
    dialog = ConfirmDialog(title, text, ok_label, parent)
    if name:
        dialog.setObjectName(name)
    dialog.action = action
    if default_to_cancel:
        dialog.make_cancel_default()
    done = finished_future(dialog)
    dialog.show()
    result = await done
    dialog.deleteLater()
    return result == ConfirmDialog.DialogCode.Accepted.value

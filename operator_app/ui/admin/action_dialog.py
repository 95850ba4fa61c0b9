"""Small dialogs of the admin pages: one that runs a server call and keeps a refusal on screen (the
base of the agent form and of `operator_app.ui.confirm`), and the one-time display of a temporary
password.

Objects inside each: ``actionButton``, ``actionError``; ``temporaryPassword``, ``copyPasswordButton``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from operator_app.ui.admin.refusal import refusal_text
from operator_app.ui.async_tools import async_slot, disabled, reports_errors


def plain_label(text: str, parent: QWidget, name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
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
        self.error = plain_label("", self, "actionError")
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


class TemporaryPasswordDialog(QDialog):
    """``temporaryPasswordDialog``: shows a temporary password once, with a Copy button."""

    def __init__(self, name: str, password: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("temporaryPasswordDialog")
        self.setWindowTitle(self.tr("Temporary password"))
        intro = plain_label(
            self.tr(
                "The temporary password of %1 is shown only now. Pass it on securely (in person or by "
                "phone, not in the same e-mail as the address). They must choose their own password "
                "when they sign in."
            ).replace("%1", name),
            self,
            "temporaryPasswordText",
        )
        self.password = QLineEdit(password, self)
        self.password.setObjectName("temporaryPassword")
        self.password.setReadOnly(True)
        self.password.selectAll()
        self.copy_button = QPushButton(self.tr("&Copy"), self)
        self.copy_button.setObjectName("copyPasswordButton")
        self.copy_button.clicked.connect(self.copy)
        self.copied = plain_label("", self, "temporaryPasswordCopied")
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.copy_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.copied)
        layout.addWidget(buttons)
        self.resize(460, 180)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.password.text())
        self.copied.setText(self.tr("Copied to the clipboard."))

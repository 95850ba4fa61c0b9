"""The sign-in dialog: server, e-mail, password and "remember me" (only with a real OS keyring).

It never runs a nested event loop: the app shows it and awaits `finished`; signing in is an async
slot that calls the injected `sign_in` service and shows any failure as one translated sentence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from operator_app.ui.async_tools import async_slot, disabled, reports_errors

SignIn = Callable[[str, str, str, bool], Awaitable[None]]


class LoginDialog(QDialog):
    """Accepted once `sign_in(server, email, password, remember)` succeeded; rejected on Quit.

    Signals: ``attempt_finished(succeeded)`` after each sign-in attempt.
    """

    attempt_finished = Signal(bool)

    def __init__(
        self,
        sign_in: SignIn,
        *,
        server: str = "",
        email: str = "",
        remember: bool = False,
        remember_available: bool = True,
        server_locked: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("Sign in \u2013 Live Chat Operator"))
        self._sign_in_service = sign_in
        self.setMinimumWidth(480)

        title = QLabel(self.tr("Sign in to your chat server"), self)
        title.setObjectName("loginTitle")
        title.setStyleSheet("font-size: 13pt; font-weight: bold;")

        self.server_edit = QLineEdit(server, self)
        self.server_edit.setObjectName("serverEdit")
        self.server_edit.setPlaceholderText("https://chat.example.com")
        self.server_edit.setReadOnly(server_locked)
        self.email_edit = QLineEdit(email, self)
        self.email_edit.setObjectName("emailEdit")
        self.email_edit.setPlaceholderText(self.tr("name@company.com"))
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)

        self.remember_check = QCheckBox(self.tr("Remember me on this computer"), self)
        self.remember_check.setObjectName("rememberCheck")
        self.remember_note = QLabel(self)
        self.remember_note.setObjectName("rememberNote")
        self.remember_note.setTextFormat(Qt.TextFormat.PlainText)
        self.remember_note.setWordWrap(True)
        self.remember_note.setStyleSheet("color: #6b7280;")
        self.set_remember_available(remember_available)
        self.remember_check.setChecked(remember and remember_available)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("loginError")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(10)
        form.addRow(self.tr("Server:"), self.server_edit)
        form.addRow(self.tr("E-mail:"), self.email_edit)
        form.addRow(self.tr("Password:"), self.password_edit)
        form.addRow("", self.remember_check)
        form.addRow("", self.remember_note)

        self.sign_in_button = QPushButton(self.tr("Sign in"), self)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self._sign_in)
        self.quit_button = QPushButton(self.tr("Quit"), self)
        self.quit_button.setObjectName("quitButton")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.sign_in_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(14)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        for edit in (self.server_edit, self.email_edit, self.password_edit):
            if not edit.text() and not edit.isReadOnly():
                edit.setFocus()
                break

    def set_remember_available(self, available: bool) -> None:
        """Without an OS keyring the option is off and says why (no plaintext fallback)."""
        self.remember_check.setEnabled(available)
        if not available:
            self.remember_check.setChecked(False)
            self.remember_note.setText(
                self.tr(
                    "Unavailable: no password keyring (such as GNOME Keyring or KWallet) was found on this computer, so you will be asked to sign in each time."
                )
            )
        self.remember_note.setVisible(not available)
        self.adjustSize()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        self.adjustSize()

    @async_slot()
    async def _sign_in(self) -> None:
        succeeded = False
        try:
            succeeded = bool(await self._attempt())
        finally:
            self.attempt_finished.emit(succeeded)

    @reports_errors
    async def _attempt(self) -> bool:
        server = self.server_edit.text().strip()
        email = self.email_edit.text().strip()
        password = self.password_edit.text()
        if not server or not email or not password:
            self.show_error(self.tr("Enter the server address, your e-mail address and your password."))
            return False
        self.show_error("")
        remember = self.remember_check.isChecked()
        remember_enabled = self.remember_check.isEnabled()
        self.remember_check.setEnabled(False)
        with disabled(self.sign_in_button, self.server_edit, self.email_edit, self.password_edit):
            self.sign_in_button.setText(self.tr("Signing in\u2026"))
            try:
                await self._sign_in_service(server, email, password, remember)
            finally:
                self.sign_in_button.setText(self.tr("Sign in"))
                self.remember_check.setEnabled(remember_enabled)
        self.password_edit.clear()
        self.accept()
        return True

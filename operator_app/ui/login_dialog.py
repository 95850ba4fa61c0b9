"""The sign-in dialog: server, e-mail, password and "remember me" (only with a real OS keyring).

Before sign-in it asks the server about this app's version (``loginUpdate``: an update available, or
a version below the server's minimum, which disables signing in). It never runs a nested event loop:
the app shows it and awaits `finished`; signing in is an async slot that calls the injected `sign_in`
service and shows any failure as one translated sentence.
"""

from __future__ import annotations

import logging
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

from operator_app.errors import ApiError, ApiErrorKind
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.policy_lock import locked_text, mark_locked, with_note
from operator_app.ui.update_banner import update_available_html, update_required_html
from operator_app.updates import UpdateStatus

log = logging.getLogger(__name__)

SignIn = Callable[[str, str, str, bool], Awaitable[None]]
# What the server says about this app's version (`GET /info`), asked before any password is typed.
CheckServer = Callable[[str], Awaitable[UpdateStatus]]


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
        remember_allowed: bool = True,
        check_server: CheckServer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`server_locked`, `remember_allowed`: from the settings' admin policy (shown as set by the
        administrator; a session is never remembered when not allowed)."""
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
        self.server_locked = server_locked
        self.server_lock_note = mark_locked(self.server_edit, server_locked)
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
        self.remember_allowed = remember_allowed
        self.set_remember_available(remember_available)
        self.remember_check.setChecked(remember and remember_available and remember_allowed)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("loginError")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.hide()
        # The app's version against the server's: an update available, or too old to sign in.
        self._check_server = check_server
        self._checked_server: str | None = None
        self.outdated = False
        self.update_label = QLabel(self)
        self.update_label.setObjectName("loginUpdate")
        self.update_label.setTextFormat(Qt.TextFormat.RichText)
        self.update_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.update_label.setOpenExternalLinks(True)
        self.update_label.setWordWrap(True)
        self.update_label.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(10)
        form.addRow(self.tr("Server:"), with_note(self.server_edit, self.server_lock_note))
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
        layout.addWidget(self.update_label)
        layout.addLayout(buttons)
        self.server_edit.textEdited.connect(self._server_edited)
        self.server_edit.editingFinished.connect(self._server_entered)

        for edit in (self.server_edit, self.email_edit, self.password_edit):
            if not edit.text() and not edit.isReadOnly():
                edit.setFocus()
                break
        self.adjustSize()

    def set_remember_available(self, available: bool) -> None:
        """Without an OS keyring, or when the administrator does not allow it, the option is off and
        says why (no plaintext fallback)."""
        usable = available and self.remember_allowed
        self.remember_check.setEnabled(usable)
        self.remember_check.setToolTip("" if self.remember_allowed else locked_text())
        if not usable:
            self.remember_check.setChecked(False)
        if not self.remember_allowed:
            self.remember_note.setText(
                self.tr("Set by your administrator: you are asked to sign in each time.")
            )
        elif not available:
            self.remember_note.setText(
                self.tr(
                    "Unavailable: no password keyring (such as GNOME Keyring or KWallet) was found on this computer, so you will be asked to sign in each time."
                )
            )
        self.remember_note.setVisible(not usable)
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
        remember = self.remember_check.isChecked() and self.remember_allowed
        remember_enabled = self.remember_check.isEnabled()
        self.remember_check.setEnabled(False)
        edits = [self.email_edit, self.password_edit]
        if not self.server_locked:  # a locked field stays disabled
            edits.append(self.server_edit)
        outdated: ApiError | None = None
        with disabled(self.sign_in_button, *edits):
            self.sign_in_button.setText(self.tr("Signing in\u2026"))
            try:
                await self._sign_in_service(server, email, password, remember)
            except ApiError as exc:
                if exc.kind is not ApiErrorKind.OUTDATED:
                    raise
                outdated = exc
            finally:
                self.sign_in_button.setText(self.tr("Sign in"))
                self.remember_check.setEnabled(remember_enabled)
        if outdated is not None:
            log.warning("sign-in refused: %s", outdated.message)
            details = outdated.details
            self.show_update(
                UpdateStatus(
                    current=details.get("current", ""),
                    min_version=details.get("min_version", ""),
                    download_url=details.get("download_url", ""),
                )
            )
            return False
        self.password_edit.clear()
        self.accept()
        return True

    # --- the app's version against the server's ------------------------------------------------

    def show_update(self, status: UpdateStatus) -> None:
        """Below the server's minimum: say so with the link and disable signing in (until another
        server is entered). A newer release: a link, and signing in goes on."""
        was_outdated, self.outdated = self.outdated, status.required
        if self.outdated:
            self.sign_in_button.setEnabled(False)
        elif was_outdated:  # never enables the button in the middle of a sign-in
            self.sign_in_button.setEnabled(True)
        if status.required:
            self.update_label.setStyleSheet("color: #b91c1c;")
            self.update_label.setText(update_required_html(status))
        elif status.available:
            self.update_label.setStyleSheet("color: #1d4ed8;")
            self.update_label.setText(update_available_html(status))
        self.update_label.setVisible(status.required or status.available)
        self.adjustSize()

    def _server_edited(self) -> None:
        """Another server may accept this version: forget what the last one said."""
        self._checked_server = None
        if self.outdated or self.update_label.isVisible():
            self.outdated = False
            self.sign_in_button.setEnabled(True)
            self.update_label.hide()

    @async_slot()
    async def _server_entered(self) -> None:
        await self.check_server()

    async def check_server(self) -> None:
        """Ask the server (`GET /info`, no password) about this app's version; failures are only
        logged here (signing in reports them)."""
        server = self.server_edit.text().strip()
        if self._check_server is None or not server or server == self._checked_server:
            return
        self._checked_server = server
        try:
            status = await self._check_server(server)
        except ApiError as exc:
            log.info("version check with %s failed: %s", server, exc)
            return
        if self.server_edit.text().strip() == server:
            self.show_update(status)

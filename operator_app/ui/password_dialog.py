"""Change my own password (``passwordDialog``), also right after signing in with a temporary one.

Objects: ``passwordIntro`` (why the dialog opened by itself, hidden otherwise), ``currentPassword``,
``newPassword``, ``repeatPassword``, ``passwordError`` (refusals, inline), ``changePasswordButton``.
A mismatch or a too short password is refused before anything is sent.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chat_protocol import ErrorCode
from chat_protocol.admin import MIN_PASSWORD_CHARS, PasswordChange
from operator_app.errors import ApiError
from operator_app.store.admin_service import AdminService
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.refusal import refusal_text

MAX_PASSWORD_CHARS = 1024


def is_wrong_current_password(error: BaseException) -> bool:
    return isinstance(error, ApiError) and error.code == ErrorCode.INVALID_CREDENTIALS.value


class PasswordDialog(QDialog):
    """`temporary`: opened by itself after a sign-in with a temporary password (says so)."""

    def __init__(
        self, service: AdminService, *, temporary: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.setWindowTitle(self.tr("Change password"))
        self.service = service
        self.password_changed = False

        self.intro = QLabel(
            self.tr("You signed in with a temporary password. Choose your own password now."), self
        )
        self.intro.setObjectName("passwordIntro")
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        self.intro.setVisible(temporary)
        self.current = self._password_field("currentPassword")
        self.new = self._password_field("newPassword")
        self.new.setPlaceholderText(self.tr("At least %1 characters").replace("%1", str(MIN_PASSWORD_CHARS)))
        self.repeat = self._password_field("repeatPassword")
        self.error = QLabel(self)
        self.error.setObjectName("passwordError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b91c1c;")
        self.error.hide()
        form = QFormLayout()
        form.addRow(
            self.tr("&Temporary password") if temporary else self.tr("&Current password"), self.current
        )
        form.addRow(self.tr("&New password"), self.new)
        form.addRow(self.tr("&Repeat the new password"), self.repeat)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.change_button = QPushButton(self.tr("Change password"), self)
        self.change_button.setObjectName("changePasswordButton")
        self.change_button.setDefault(True)
        self.buttons.addButton(self.change_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.change_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(460, 220)
        self.current.setFocus()

    def _password_field(self, name: str) -> QLineEdit:
        field = QLineEdit(self)
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(MAX_PASSWORD_CHARS)
        field.textEdited.connect(lambda text: self.error.hide())
        return field

    def show_error(self, text: str, field: QLineEdit | None = None) -> None:
        self.error.setText(text)
        self.error.show()
        if field is not None:
            field.setFocus()
            field.selectAll()

    def check(self) -> PasswordChange | None:
        """The body to send, or None after saying what is wrong."""
        current, new, repeat = self.current.text(), self.new.text(), self.repeat.text()
        if not current:
            self.show_error(self.tr("Enter your current password."), self.current)
            return None
        if len(new) < MIN_PASSWORD_CHARS:
            self.show_error(
                self.tr("The new password is too short: use at least %1 characters.").replace(
                    "%1", str(MIN_PASSWORD_CHARS)
                ),
                self.new,
            )
            return None
        if new != repeat:
            self.show_error(self.tr("The two new passwords are not the same."), self.repeat)
            return None
        if new == current:
            self.show_error(self.tr("Choose a new password that differs from the current one."), self.new)
            return None
        return PasswordChange(current_password=current, new_password=new)

    def show_refusal(self, error: BaseException) -> None:
        """The server's refusal, inline; a wrong current password selects that field."""
        if is_wrong_current_password(error):
            self.show_error(self.tr("The current password is wrong."), self.current)
        else:
            self.show_error(refusal_text(error))

    @async_slot()
    @reports_errors(on_error="show_refusal")
    async def submit(self) -> None:
        body = self.check()
        if body is None:
            return
        self.error.hide()
        with disabled(self.change_button, self.current, self.new, self.repeat):
            await self.service.change_password(body)
        self.password_changed = True
        for field in (self.current, self.new, self.repeat):
            field.clear()
        self.accept()

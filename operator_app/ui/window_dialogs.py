"""The main window's own dialogs: settings, change password and administration (admins).

One of each at a time, not modal; each is imported and built the first time it is opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow

from operator_app.settings import SettingsFile
from operator_app.store.chat_session import ChatSession
from operator_app.ui.notifications import Notifier
from operator_app.ui.on_demand import Lazy

if TYPE_CHECKING:
    from operator_app.ui.admin.dialog import AdminDialog
    from operator_app.ui.admin.page import AdminPage
    from operator_app.ui.admin.replies_page import RepliesPage
    from operator_app.ui.password_dialog import PasswordDialog
    from operator_app.ui.settings_dialog import SettingsDialog

SETTINGS_DIALOG: Lazy[type[SettingsDialog]] = Lazy("operator_app.ui.settings_dialog:SettingsDialog")
PASSWORD_DIALOG: Lazy[type[PasswordDialog]] = Lazy("operator_app.ui.password_dialog:PasswordDialog")
ADMIN_DIALOG: Lazy[type[AdminDialog]] = Lazy("operator_app.ui.admin.dialog:AdminDialog")
ADMIN_PAGES: Lazy[list[type[AdminPage]]] = Lazy("operator_app.ui.admin:PAGES")
REPLIES_PAGE: Lazy[type[RepliesPage]] = Lazy("operator_app.ui.admin.replies_page:RepliesPage")


class WindowDialogs(QObject):
    """Signals: ``notice(text)`` a passing message for the status bar."""

    notice = Signal(str)

    def __init__(
        self, window: QMainWindow, session: ChatSession, settings: SettingsFile, notifier: Notifier
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.settings = settings
        self.notifier = notifier
        self.settings_dialog: SettingsDialog | None = None
        self.password_dialog: PasswordDialog | None = None
        self.admin_dialog: AdminDialog | None = None

    def open_settings(self) -> SettingsDialog:
        """Show the settings dialog (one at a time, not modal)."""
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()  # already open: bring it to the front
            self.settings_dialog.activateWindow()
            return self.settings_dialog
        dialog = SETTINGS_DIALOG.get()(self.settings, self.notifier, self.window)
        dialog.finished.connect(lambda result: self._settings_closed(dialog))
        self.settings_dialog = dialog
        dialog.show()
        return dialog

    def _settings_closed(self, dialog: SettingsDialog) -> None:
        if self.settings_dialog is dialog:
            self.settings_dialog = None
        dialog.deleteLater()

    def open_admin(self) -> AdminDialog:
        """The administration dialog (admins): one, not modal, kept while the window lives."""
        if self.admin_dialog is None:
            self.admin_dialog = ADMIN_DIALOG.get()(self.session.admin, ADMIN_PAGES.get(), self.window)
            replies_page = REPLIES_PAGE.get()
            replies = self.admin_dialog.page(replies_page)
            if isinstance(replies, replies_page):  # team replies edited here refresh my #shortcuts
                replies.set_library(self.session.canned)
        if self.admin_dialog.isVisible():
            self.admin_dialog.raise_()  # already open: bring it to the front
            self.admin_dialog.activateWindow()
        self.admin_dialog.show()
        return self.admin_dialog

    def open_password_dialog(self, *, temporary: bool = False) -> PasswordDialog:
        """Change my password; `temporary`: opened by itself after a sign-in with a temporary one."""
        if self.password_dialog is not None:
            self.password_dialog.raise_()
            self.password_dialog.activateWindow()
            return self.password_dialog
        dialog = PASSWORD_DIALOG.get()(self.session.admin, temporary=temporary, parent=self.window)
        dialog.finished.connect(lambda result: self._password_dialog_closed(dialog))
        self.password_dialog = dialog
        dialog.show()
        return dialog

    def _password_dialog_closed(self, dialog: PasswordDialog) -> None:
        if self.password_dialog is dialog:
            self.password_dialog = None
        if dialog.password_changed:
            self.notice.emit(self.tr("Your password was changed."))
        dialog.deleteLater()

    async def dispose(self) -> None:
        if self.admin_dialog is not None:
            await self.admin_dialog.dispose()

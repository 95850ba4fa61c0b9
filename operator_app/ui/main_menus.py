"""The main window's Operator and Chat menus: their actions, keyboard shortcuts and the language choice.

The menus only build and hold the actions; the window connects them to what they do.

Objects: ``signOutAction``, ``settingsAction``, ``changePasswordAction``, ``adminAction`` (admins
only), ``languageMenu``, ``takeAction``, ``nextUnreadAction``, ``switchChatMenu``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from operator_app.settings import SettingsFile
from operator_app.ui.policy_lock import locked_text


class MainMenus(QObject):
    """Signals: ``notice(text)`` a passing message for the status bar."""

    notice = Signal(str)

    def __init__(
        self, window: QMainWindow, settings: SettingsFile, *, admin: bool, chat_actions: list[QAction]
    ) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self._build_operator_menu(admin)
        self._build_chat_menu(chat_actions)

    def _action(
        self, text: str, name: str = "", shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
    ) -> QAction:
        action = QAction(text, self.window)
        if name:
            action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_operator_menu(self, admin: bool) -> None:
        menu = self.window.menuBar().addMenu(self.tr("&Operator"))
        self.operator_menu = menu  # training mode adds its action at the top (`TrainingMode`)
        self.sign_out_action = self._action(self.tr("Sign &out"), "signOutAction")
        self.quit_action = self._action(self.tr("&Quit"), shortcut=QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.window.close)
        menu.addAction(self.sign_out_action)
        self.settings_action = self._action(self.tr("&Settings\u2026"), "settingsAction", "Ctrl+,")
        menu.addAction(self.settings_action)
        self.change_password_action = self._action(self.tr("Change &password\u2026"), "changePasswordAction")
        menu.addAction(self.change_password_action)
        self.admin_action: QAction | None = None
        if admin:  # the server checks every admin call anyway
            self.admin_action = self._action(self.tr("&Administration\u2026"), "adminAction")
            menu.addAction(self.admin_action)
        menu.addMenu(self._language_menu())
        menu.addSeparator()
        menu.addAction(self.quit_action)

    def _build_chat_menu(self, chat_actions: list[QAction]) -> None:
        menu = self.window.menuBar().addMenu(self.tr("&Chat"))
        self.take_action = self._action(self.tr("&Take next chat"), "takeAction", "Ctrl+T")
        self.take_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.focus_mine_action = self._action(self.tr("Go to &my chats"), shortcut="Alt+1")
        self.focus_queue_action = self._action(self.tr("Go to the &queue"), shortcut="Alt+2")
        self.focus_composer_action = self._action(self.tr("Go to the &reply box"), shortcut="Alt+3")
        for action in (
            self.take_action,
            self.focus_mine_action,
            self.focus_queue_action,
            self.focus_composer_action,
        ):
            menu.addAction(action)
        menu.insertSeparator(self.focus_mine_action)
        menu.addSeparator()
        menu.addActions(chat_actions)
        self._build_switch_menu(menu)

    def _build_switch_menu(self, chat_menu: QMenu) -> None:
        """Alt+Down: the next chat with unread messages; Ctrl+1..9: the n-th of my chats."""
        chat_menu.addSeparator()
        self.next_unread_action = self._action(
            self.tr("Next chat with &unread messages"), "nextUnreadAction", "Alt+Down"
        )
        chat_menu.addAction(self.next_unread_action)
        switch = chat_menu.addMenu(self.tr("&Switch to chat"))
        switch.setObjectName("switchChatMenu")
        self.switch_actions: list[QAction] = []
        for n in range(1, 10):
            action = self._action(self.tr("Chat %1").replace("%1", str(n)), shortcut=f"Ctrl+{n}")
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            switch.addAction(action)
            self.switch_actions.append(action)

    # --- language ---------------------------------------------------------------------------

    def _language_menu(self) -> QMenu:
        menu = QMenu(self.tr("&Language"), self.window)
        menu.setObjectName("languageMenu")
        group = QActionGroup(menu)
        choices = (("system", self.tr("System default")), ("ja", "日本語"), ("en", "English"))
        for code, label in choices:
            action = QAction(label, menu)
            action.setCheckable(True)
            action.setChecked(self.settings.values.language == code)
            action.setData(code)
            action.triggered.connect(lambda checked=False, code=code: self._set_language(code))
            group.addAction(action)
            menu.addAction(action)
        if "language" in self.settings.locked:  # enforced by an admin policy
            group.setEnabled(False)
            menu.addSeparator()
            note = menu.addAction(locked_text())
            note.setObjectName("languageLockNote")
            note.setEnabled(False)
        # The settings dialog changes the language too: show the saved choice whenever the menu opens.
        menu.aboutToShow.connect(lambda: self._check_language(menu))
        return menu

    def _check_language(self, menu: QMenu) -> None:
        for action in menu.actions():
            action.setChecked(action.data() == self.settings.values.language)

    def _set_language(self, code: str) -> None:
        if code != self.settings.values.language:
            self.settings.set("language", code)
            self.notice.emit(self.tr("The new language is used from the next start of the app."))

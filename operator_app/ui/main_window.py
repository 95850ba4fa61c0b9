"""The operator's main window: my chats and the queue on the left, the chosen chat in the centre.

Objects: ``chatList``, ``queueList``, ``takeButton``, ``transcriptView``, ``sneakPeekLabel``,
``composer``, ``closeChatButton``, ``statusSwitch``, ``connectionState``, ``awayNotice``,
``settingsAction``, ``changePasswordAction``, ``adminAction`` (admins only), ``nextUnreadAction``,
``videoDock`` (the call pane ``videoWidget``, shown during a call); the traffic view and
``visitorPanel`` come from `Workspaces`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QEvent, QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QWidget,
)

from chat_protocol import RoutingStatus
from operator_app.paths import app_dirs
from operator_app.settings import SettingsFile
from operator_app.store.chat_list_model import MyChatsModel, QueueModel
from operator_app.store.chat_session import ChatSession
from operator_app.store.display_text import visitor_name
from operator_app.store.transcript_model import TranscriptModel
from operator_app.tasks import BackgroundTasks
from operator_app.ui.admin import PAGES
from operator_app.ui.admin.dialog import AdminDialog
from operator_app.ui.admin.replies_page import RepliesPage
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.chat_panel import ChatPanel
from operator_app.ui.error_text import describe_action_error
from operator_app.ui.idle_away import AwayWhenIdle
from operator_app.ui.notifications import ChatAlerts, Notifier
from operator_app.ui.password_dialog import PasswordDialog
from operator_app.ui.settings_dialog import SettingsDialog
from operator_app.ui.side_pane import SidePane
from operator_app.ui.sound_player import SoundPlayer
from operator_app.ui.status_widgets import ConnectionIndicator, StatusSwitch
from operator_app.ui.style import MAIN_WINDOW_QSS
from operator_app.ui.tray_icon import TrayIcon
from operator_app.ui.video.video_widget import VideoWidget
from operator_app.ui.workspaces import Workspaces

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Signals: ``first_shown()`` once the window is on screen; ``sign_out_requested()``;
    ``closed()`` when the user closes the window."""

    first_shown = Signal()
    sign_out_requested = Signal()
    closed = Signal()

    def __init__(self, session: ChatSession, settings: SettingsFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.session = session
        self.settings = settings
        self._tasks = BackgroundTasks()
        self._shown_once = False
        self._select_when_mine: str | None = None
        self._model_update = 0
        self._syncing = False
        store, signals = session.store, session.signals
        # Selections that move because rows moved are not the operator's choice: bracket every
        # store change (slots run in connection order) and re-sync the lists to the shown chat.
        signals.chat_changed.connect(self._begin_model_update)
        signals.store_reset.connect(self._begin_model_update)
        self.my_chats = MyChatsModel(store, signals, self)
        self.queue = QueueModel(store, signals, self)
        self.transcript = TranscriptModel(store, signals, self)

        self.setStyleSheet(MAIN_WINDOW_QSS)
        self._build_top_bar()
        self._build_body()
        self._build_menus()
        self._error_label = QLabel(self)
        self._error_label.setObjectName("errorMessage")
        self._error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self._error_label, 1)
        self._error_timer = QTimer(self)
        self._error_timer.setSingleShot(True)
        self._error_timer.timeout.connect(self._error_label.clear)

        signals.status_changed.connect(self.status_switch.set_status)
        signals.connection_state_changed.connect(self.connection_state.set_state)
        signals.connection_state_changed.connect(self._connection_changed)
        signals.action_done.connect(self._action_done)
        signals.action_failed.connect(self._action_failed)
        signals.store_reset.connect(self._update_counts)
        for model in (self.my_chats, self.queue):
            model.rowsInserted.connect(self._update_counts)
            model.rowsRemoved.connect(self._update_counts)
            model.modelReset.connect(self._update_counts)
        self.my_chats.rowsInserted.connect(self._my_chat_inserted)
        signals.chat_changed.connect(self._end_model_update)
        signals.store_reset.connect(self._end_model_update)
        self.status_switch.set_status(store.status.value)
        self.connection_state.set_state(session.connection_state.value)
        self._update_counts()
        self._build_attention()
        self._restore_layout()
        self.workspaces = Workspaces(self)  # the traffic view, the visitor panel, invitations

    # --- construction -----------------------------------------------------------------------

    def _build_top_bar(self) -> None:
        bar = QToolBar(self.tr("Status"), self)
        bar.setObjectName("topBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setEnabled(False)
        product = QLabel(self.tr("Live Chat Operator"), bar)
        product.setObjectName("productLabel")
        me = self.session.store.me
        agent = QLabel(me.name if me else "", bar)
        agent.setObjectName("agentLabel")
        agent.setTextFormat(Qt.TextFormat.PlainText)
        spacer = QWidget(bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.connection_state = ConnectionIndicator(bar)
        self.status_switch = StatusSwitch(bar)
        self.status_switch.toggle_requested.connect(self._set_status)
        bar.addWidget(product)
        bar.addWidget(agent)
        bar.addWidget(spacer)
        bar.addWidget(self.connection_state)
        bar.addWidget(self.status_switch)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _build_body(self) -> None:
        store = self.session.store
        side = SidePane(self.my_chats, self.queue, self)
        self.side_pane = side
        self.chat_list, self.queue_list, self.take_button = side.chat_list, side.queue_list, side.take_button
        self.my_chats_header, self.queue_header = side.my_chats_header, side.queue_header
        self.take_button.clicked.connect(self.take_next)

        self.chat_panel = ChatPanel(store, self.session.signals, self.transcript, self)
        self.chat_panel.send_requested.connect(self._send)
        self.chat_panel.close_requested.connect(self._close_chat)
        self.chat_panel.take_requested.connect(self._take)
        self.chat_panel.typing.connect(self.session.set_typing)
        self.chat_panel.call_requested.connect(self.start_call)
        self.chat_panel.attach_session(self.session)
        self._build_video_dock()

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(side)
        self.splitter.addWidget(self.chat_panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 900])
        side.setMinimumWidth(220)
        self.chat_panel.setMinimumWidth(380)
        self.setCentralWidget(self.splitter)
        self.resize(1240, 780)
        self.setMinimumSize(720, 480)

        self.chat_list.selectionModel().selectionChanged.connect(self._chat_selected)
        self.queue_list.selectionModel().selectionChanged.connect(self._queue_selected)
        self.queue_list.activated_by_key.connect(self._queue_enter)
        self.chat_list.activated_by_key.connect(lambda index: self.chat_panel.composer.setFocus())
        self.queue_list.doubleClicked.connect(self._queue_enter)

    def _build_video_dock(self) -> None:
        """The call pane, docked on the right and shown only around a call."""
        self.video_widget = VideoWidget(self.session.calls, self.settings, self)
        self.video_dock = QDockWidget(self.tr("Video call"), self)
        self.video_dock.setObjectName("videoDock")
        self.video_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.video_dock.setWidget(self.video_widget)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.video_dock)
        self.video_dock.hide()
        self.video_widget.wanted.connect(self.video_dock.setVisible)
        self.video_widget.error.connect(self.show_error)
        self.video_widget.engine_alive.connect(self._call_engine_alive)
        self._resume_idle = QTimer(self)
        self._resume_idle.setSingleShot(True)
        self._resume_idle.setInterval(3000)
        self._resume_idle.timeout.connect(lambda: self.idle_monitor.resume())

    def _call_engine_alive(self, alive: bool) -> None:
        """No idle watching while a call's web engine lives (and a moment after, while it winds down)."""
        if alive:
            self._resume_idle.stop()
            self.idle_monitor.pause()
        else:
            self._resume_idle.start()

    @async_slot(str)
    @reports_errors
    async def start_call(self, chat_id: str) -> None:
        """Ring the visitor of one of my chats (the pane shows the call, or why it could not start)."""
        chat = self.session.store.get(chat_id)
        name = visitor_name(chat.visitor) if chat is not None else ""
        initials = "".join(word[0] for word in name.split()[:2]).upper()
        with disabled(self.chat_panel.video_call_button):
            await self.video_widget.start_call(chat_id, initials)
        self.chat_panel.refresh()

    def _build_menus(self) -> None:
        operator_menu = self.menuBar().addMenu(self.tr("&Operator"))
        sign_out = QAction(self.tr("Sign &out"), self)
        sign_out.setObjectName("signOutAction")
        sign_out.triggered.connect(self.sign_out_requested)
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        operator_menu.addAction(sign_out)
        self.settings_action = QAction(self.tr("&Settings\u2026"), self)
        self.settings_action.setObjectName("settingsAction")
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        operator_menu.addAction(self.settings_action)
        self.change_password_action = QAction(self.tr("Change &password\u2026"), self)
        self.change_password_action.setObjectName("changePasswordAction")
        self.change_password_action.triggered.connect(lambda: self.open_password_dialog())
        operator_menu.addAction(self.change_password_action)
        self.admin_action: QAction | None = None
        self.admin_dialog: AdminDialog | None = None
        self.password_dialog: PasswordDialog | None = None
        me = self.session.store.me
        if me is not None and me.role == "admin":  # the server checks every admin call anyway
            self.admin_action = QAction(self.tr("&Administration\u2026"), self)
            self.admin_action.setObjectName("adminAction")
            self.admin_action.triggered.connect(self.open_admin)
            operator_menu.addAction(self.admin_action)
        operator_menu.addMenu(self._language_menu())
        operator_menu.addSeparator()
        operator_menu.addAction(quit_action)

        chat_menu = self.menuBar().addMenu(self.tr("&Chat"))
        self.take_action = QAction(self.tr("&Take next chat"), self)
        self.take_action.setObjectName("takeAction")
        self.take_action.setShortcut(QKeySequence("Ctrl+T"))
        self.take_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.take_action.triggered.connect(self.take_next)
        focus_mine = QAction(self.tr("Go to &my chats"), self)
        focus_mine.setShortcut(QKeySequence("Alt+1"))
        focus_mine.triggered.connect(lambda: self.chat_list.setFocus())
        focus_queue = QAction(self.tr("Go to the &queue"), self)
        focus_queue.setShortcut(QKeySequence("Alt+2"))
        focus_queue.triggered.connect(lambda: self.queue_list.setFocus())
        focus_composer = QAction(self.tr("Go to the &reply box"), self)
        focus_composer.setShortcut(QKeySequence("Alt+3"))
        focus_composer.triggered.connect(lambda: self.chat_panel.composer.setFocus())
        for action in (self.take_action, focus_mine, focus_queue, focus_composer):
            chat_menu.addAction(action)
        chat_menu.insertSeparator(focus_mine)
        chat_menu.addSeparator()
        chat_menu.addActions(self.chat_panel.workflow_actions())
        self._build_switch_menu(chat_menu)

    def _build_switch_menu(self, chat_menu: QMenu) -> None:
        """Alt+Down: the next chat with unread messages; Ctrl+1..9: the n-th of my chats."""
        chat_menu.addSeparator()
        self.next_unread_action = QAction(self.tr("Next chat with &unread messages"), self)
        self.next_unread_action.setObjectName("nextUnreadAction")
        self.next_unread_action.setShortcut(QKeySequence("Alt+Down"))
        self.next_unread_action.triggered.connect(self.select_next_unread)
        chat_menu.addAction(self.next_unread_action)
        switch = chat_menu.addMenu(self.tr("&Switch to chat"))
        switch.setObjectName("switchChatMenu")
        self.switch_actions: list[QAction] = []
        for n in range(1, 10):
            action = QAction(self.tr("Chat %1").replace("%1", str(n)), self)
            action.setShortcut(QKeySequence(f"Ctrl+{n}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda checked=False, row=n - 1: self.select_my_chat(row))
            switch.addAction(action)
            self.switch_actions.append(action)

    def _language_menu(self) -> QMenu:
        menu = QMenu(self.tr("&Language"), self)
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
        # The settings dialog changes the language too: show the saved choice whenever the menu opens.
        menu.aboutToShow.connect(lambda: self._check_language(menu))
        return menu

    def _check_language(self, menu: QMenu) -> None:
        for action in menu.actions():
            action.setChecked(action.data() == self.settings.values.language)

    def _set_language(self, code: str) -> None:
        if code != self.settings.values.language:
            self.settings.set("language", code)
            self.show_notice(self.tr("The new language is used from the next start of the app."))

    # --- window life ------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.values.window_geometry
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
        state = self.settings.values.splitter_state
        if state:
            self.splitter.restoreState(QByteArray.fromBase64(state.encode()))

    def save_layout(self) -> None:
        self.settings.set("window_geometry", bytes(self.saveGeometry().toBase64().data()).decode())
        self.settings.set("splitter_state", bytes(self.splitter.saveState().toBase64().data()).decode())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.first_shown.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        super().closeEvent(event)
        self.closed.emit()

    async def dispose(self) -> None:
        await self.video_widget.dispose()
        self._resume_idle.stop()
        if self.admin_dialog is not None:
            await self.admin_dialog.dispose()
        self.idle_away.stop()
        await self.workspaces.stop()
        self.tray.hide()
        await self._tasks.cancel_all()

    def show_error(self, text: str) -> None:
        """A translated error sentence in the status bar, for a while."""
        self._error_label.setText(text)
        self._error_timer.start(12_000)

    def show_notice(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    # --- selection --------------------------------------------------------------------------

    def current_chat_id(self) -> str | None:
        return self.chat_panel.chat_id

    def select_chat(self, chat_id: str) -> bool:
        """Select one of my chats, or a queued chat; False if it is in neither list."""
        row = self.my_chats.row_of(chat_id)
        if row >= 0:
            self.chat_list.setCurrentIndex(self.my_chats.index(row, 0))
            return True
        row = self.queue.row_of(chat_id)
        if row >= 0:
            self.queue_list.setCurrentIndex(self.queue.index(row, 0))
            return True
        return False

    def _begin_model_update(self, *args: object) -> None:
        self._model_update += 1

    def _end_model_update(self, *args: object) -> None:
        self._model_update -= 1
        if self._model_update == 0:
            self._sync_selection()

    def _sync_selection(self) -> None:
        """Highlight the shown chat in whichever list holds it, and nothing else."""
        chat_id = self.chat_panel.chat_id
        self._syncing = True
        try:
            for view, model in ((self.chat_list, self.my_chats), (self.queue_list, self.queue)):
                row = model.row_of(chat_id) if chat_id else -1
                if row < 0:
                    view.clearSelection()
                elif not view.selectionModel().isSelected(model.index(row, 0)):
                    view.setCurrentIndex(model.index(row, 0))
        finally:
            self._syncing = False

    def _chat_selected(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes or self._model_update or self._syncing:
            return
        self.queue_list.clearSelection()
        self._show(self.my_chats.chat_id_at(indexes[0].row()))

    def _queue_selected(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes or self._model_update or self._syncing:
            return
        self.chat_list.clearSelection()
        self._show(self.queue.chat_id_at(indexes[0].row()))

    def _show(self, chat_id: str | None) -> None:
        if chat_id is None or chat_id == self.chat_panel.chat_id:
            return
        other = self.queue_list if self.my_chats.row_of(chat_id) >= 0 else self.chat_list
        other.clearSelection()
        # The panel first: marking the chat read changes it, and the lists re-sync to the panel.
        self.chat_panel.show_chat(chat_id)
        self.session.set_active_chat(chat_id)
        self.mark_shown_chat_read()
        chat = self.session.store.get(chat_id)
        if chat is not None and not chat.history_loaded:
            self._tasks.spawn(self._load_history(chat_id), name="load-history")

    def _connection_changed(self, state: str) -> None:
        """Back online: load the shown chat's history if it failed to load while offline."""
        chat_id = self.chat_panel.chat_id
        chat = self.session.store.get(chat_id) if chat_id else None
        if state == "connected" and chat is not None and not chat.history_loaded:
            self._tasks.spawn(self._load_history(chat.chat_id), name="load-history")
        if state == "connected":
            self.mark_shown_chat_read()

    @reports_errors
    async def _load_history(self, chat_id: str) -> None:
        await self.session.load_history(chat_id)

    def _update_counts(self) -> None:
        self.side_pane.update_counts()
        self.take_action.setEnabled(self.queue.rowCount() > 0)
        me = self.session.store.me
        name = me.name if me else ""
        self.setWindowTitle(self.tr("%1 \u2013 Live Chat Operator").replace("%1", name) if name else "")

    # --- actions ----------------------------------------------------------------------------

    def take_next(self) -> None:
        """Take the selected queued chat, or the one waiting longest."""
        index = self.queue_list.currentIndex()
        row = index.row() if index.isValid() and self.queue_list.selectionModel().isSelected(index) else 0
        chat_id = self.queue.chat_id_at(row)
        if chat_id is not None:
            self._take(chat_id)

    def _queue_enter(self, index: QModelIndex) -> None:
        chat_id = self.queue.chat_id_at(index.row())
        if chat_id is not None:
            self._take(chat_id)

    def _take(self, chat_id: str) -> None:
        self._select_when_mine = chat_id
        self.session.take_chat(chat_id)
        self.show_notice(self.tr("Taking the chat\u2026"))

    def _my_chat_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        for row in range(first, last + 1):
            chat_id = self.my_chats.chat_id_at(row)
            if chat_id is not None and chat_id == self._select_when_mine:
                self._select_when_mine = None
                self._show(chat_id)
                self.chat_list.setCurrentIndex(self.my_chats.index(row, 0))
                self.chat_panel.composer.setFocus()

    def _send(self, chat_id: str, text: str) -> None:
        self.session.send_message(chat_id, text)

    def _close_chat(self, chat_id: str) -> None:
        self.session.close_chat(chat_id)

    def _action_done(self, action: str, chat_id: str) -> None:
        if action == "close_chat":
            self.show_notice(self.tr("Chat closed."))
        elif action == "take_chat":
            self.statusBar().clearMessage()

    def _action_failed(self, action: str, chat_id: str, code: str) -> None:
        if action == "take_chat" and chat_id == self._select_when_mine:
            self._select_when_mine = None
        self.statusBar().clearMessage()
        self.show_error(describe_action_error(code))

    @async_slot(str)
    @reports_errors
    async def _set_status(self, status: str) -> None:
        with disabled(self.status_switch):
            await self.session.set_status(RoutingStatus(status))

    # --- attention: sounds, tray, idle away, read receipts ----------------------------------

    def _build_attention(self) -> None:
        session = self.session
        self.notifier = Notifier(self.settings, SoundPlayer(app_dirs().data / "sounds"), self)
        self.alerts = ChatAlerts(session.store, session.signals, self.notifier, self)
        self.tray = TrayIcon(session.store, session.signals, self.notifier, self)
        self.settings_dialog: SettingsDialog | None = None
        self.idle_away = AwayWhenIdle(session.store, self.statusBar(), self._change_status_later, self)
        self.idle_monitor, self.away_notice = self.idle_away.monitor, self.idle_away.notice
        session.signals.store_reset.connect(self.idle_away.routing_changed)
        session.signals.chat_changed.connect(self._chat_changed_for_read)

    def open_settings(self) -> SettingsDialog:
        """Show the settings dialog (one at a time, not modal)."""
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()  # already open: bring it to the front
            self.settings_dialog.activateWindow()
            return self.settings_dialog
        dialog = SettingsDialog(self.settings, self.notifier, self)
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
            self.admin_dialog = AdminDialog(self.session.admin, PAGES, self)
            replies = self.admin_dialog.page(RepliesPage)
            if isinstance(replies, RepliesPage):  # team replies edited here refresh my #shortcuts
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
        dialog = PasswordDialog(self.session.admin, temporary=temporary, parent=self)
        dialog.finished.connect(lambda result: self._password_dialog_closed(dialog))
        self.password_dialog = dialog
        dialog.show()
        return dialog

    def _password_dialog_closed(self, dialog: PasswordDialog) -> None:
        if self.password_dialog is dialog:
            self.password_dialog = None
        if dialog.password_changed:
            self.show_notice(self.tr("Your password was changed."))
        dialog.deleteLater()

    def select_my_chat(self, row: int) -> bool:
        """Show the n-th (from 0) of my chats, as Ctrl+1..9 do."""
        if not 0 <= row < self.my_chats.rowCount():
            return False
        self.chat_list.setCurrentIndex(self.my_chats.index(row, 0))
        return True

    def select_next_unread(self) -> bool:
        """Show the next of my chats (after the shown one, wrapping) with unread messages."""
        count = self.my_chats.rowCount()
        current = self.my_chats.row_of(self.chat_panel.chat_id) if self.chat_panel.chat_id else -1
        for step in range(1, count + 1):
            row = (current + step) % count
            chat_id = self.my_chats.chat_id_at(row)
            chat = self.session.store.get(chat_id) if chat_id else None
            if chat is not None and chat.unread:
                return self.select_my_chat(row)
        self.show_notice(self.tr("No unread messages."))
        return False

    def mark_shown_chat_read(self) -> None:
        """Read receipts: the operator sees the shown chat while the window is active."""
        chat_id = self.chat_panel.chat_id
        if chat_id is not None and self.isActiveWindow():
            self.session.mark_read(chat_id)

    def _chat_changed_for_read(self, chat_id: str) -> None:
        if chat_id == self.chat_panel.chat_id:
            self.mark_shown_chat_read()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.mark_shown_chat_read()

    def _change_status_later(self, status: RoutingStatus) -> None:
        self._tasks.spawn(self._change_status(status), name=f"status-{status.value}")

    @reports_errors
    async def _change_status(self, status: RoutingStatus) -> None:
        await self.session.set_status(status)

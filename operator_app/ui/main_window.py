"""The operator's main window: my chats and the queue on the left, the chosen chat in the centre.

Objects: ``chatList``, ``queueList``, ``takeButton``, ``transcriptView``, ``sneakPeekLabel``,
``composer``, ``closeChatButton``, ``statusSwitch``, ``connectionState``, ``awayNotice``,
``errorMessage``, ``trainingAction`` and ``trainingBanner`` (`TrainingMode`); the menus and their actions come from `MainMenus`, the settings, password and
administration dialogs from `WindowDialogs`, ``videoDock`` from `CallPane`, the traffic view and
``visitorPanel`` from `Workspaces`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QSplitter,
    QWidget,
)

from chat_protocol import ErrorCode, RoutingStatus
from operator_app.settings import SettingsFile
from operator_app.store.chat_list_model import MyChatsModel, QueueModel
from operator_app.store.chat_session import ChatSession
from operator_app.store.display_text import visitor_name
from operator_app.store.training_service import TrainingService
from operator_app.store.transcript_model import TranscriptModel
from operator_app.tasks import BackgroundTasks
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.call_pane import CallPane
from operator_app.ui.chat_panel import ChatPanel
from operator_app.ui.chat_selection import ChatSelection
from operator_app.ui.error_text import describe_action_error
from operator_app.ui.idle_away import AwayWhenIdle
from operator_app.ui.main_menus import MainMenus
from operator_app.ui.notifications import ChatAlerts, Notifier
from operator_app.ui.preview_pane import PreviewPane
from operator_app.ui.side_pane import SidePane
from operator_app.ui.sound_player import SoundPlayer
from operator_app.ui.status_widgets import TopBar
from operator_app.ui.style import MAIN_WINDOW_QSS
from operator_app.ui.training_mode import TrainingMode
from operator_app.ui.tray_icon import TrayIcon
from operator_app.ui.window_dialogs import WindowDialogs
from operator_app.ui.workspaces import Workspaces

if TYPE_CHECKING:
    from operator_app.ui.admin.dialog import AdminDialog
    from operator_app.ui.password_dialog import PasswordDialog
    from operator_app.ui.settings_dialog import SettingsDialog
    from operator_app.ui.video.video_widget import VideoWidget

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Signals: ``first_shown()`` once the window is on screen; ``first_painted()`` after its first
    frame is drawn; ``sign_out_requested()``; ``closed()`` when the user closes the window."""

    first_shown = Signal()
    first_painted = Signal()
    sign_out_requested = Signal()
    closed = Signal()
    selection: ChatSelection
    splitter: QSplitter
    chat_panel: ChatPanel

    def __init__(self, session: ChatSession, settings: SettingsFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.session = session
        self.settings = settings
        self._tasks = BackgroundTasks()
        self._shown_once = False
        self._painted_once = False
        store, signals = session.store, session.signals
        # Bracket every store change (slots run in connection order): see `ChatSelection`.
        signals.chat_changed.connect(self._begin_model_update)
        signals.store_reset.connect(self._begin_model_update)
        self.my_chats = MyChatsModel(store, signals, self)
        self.queue = QueueModel(store, signals, self)
        self.transcript = TranscriptModel(store, signals, self)

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
        self.my_chats.rowsInserted.connect(self.selection.my_chat_inserted)
        signals.chat_changed.connect(self.selection.end_model_update)
        signals.store_reset.connect(self.selection.end_model_update)
        self.status_switch.set_status(store.status.value)
        self.connection_state.set_state(session.connection_state.value)
        self._update_counts()
        self._build_attention()
        self._restore_layout()
        # The traffic view, the visitor panel, invitations; supervisors' views.
        self.workspaces = Workspaces(
            self,
            session,
            self.splitter,
            self.chat_panel,
            select_chat=self.select_chat,
            notify=self.show_notice,
        )
        # Last, once every widget is in place: set first, each widget would be styled as it is made
        # and again each time it moves into the splitters and the workspaces' stack (~14 ms).
        self.setStyleSheet(MAIN_WINDOW_QSS)

    # --- construction -----------------------------------------------------------------------

    def _build_top_bar(self) -> None:
        me = self.session.store.me
        bar = TopBar(me.name if me else "", self)
        self.top_bar = bar
        self.connection_state, self.status_switch = bar.connection_state, bar.status_switch
        self.status_switch.toggle_requested.connect(self._set_status)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _build_body(self) -> None:
        store = self.session.store
        side = SidePane(self.my_chats, self.queue, self)
        self.side_pane = side
        self.chat_list, self.queue_list, self.take_button = side.chat_list, side.queue_list, side.take_button
        self.my_chats_header, self.queue_header = side.my_chats_header, side.queue_header
        self.take_button.clicked.connect(self.take_next)

        self.chat_panel = ChatPanel(store, self.session.signals, self.transcript, self)
        self.chat_panel.send_requested.connect(self.session.send_message)
        self.chat_panel.close_requested.connect(self.session.close_chat)
        self.chat_panel.take_requested.connect(self._take)
        self.chat_panel.typing.connect(self.session.set_typing)
        self.chat_panel.call_requested.connect(self.start_call)
        self.chat_panel.attach_session(self.session)
        self.chat_panel.tags_bar.error.connect(self.show_error)

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

        self.selection = ChatSelection(
            store, self.my_chats, self.queue, self.chat_list, self.queue_list, self.chat_panel, self
        )
        self.selection.chat_opened.connect(self._chat_opened)
        self.selection.notice.connect(self.show_notice)
        self.queue_list.activated_by_key.connect(self._queue_enter)
        self.chat_list.activated_by_key.connect(lambda index: self.chat_panel.composer.setFocus())
        self.queue_list.doubleClicked.connect(self._queue_enter)

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

    @property
    def video_widget(self) -> VideoWidget:
        """The call pane (``videoWidget``), built for the first call."""
        return self.call_pane.widget

    @property
    def video_dock(self) -> QDockWidget:
        return self.call_pane.dock

    def _build_menus(self) -> None:
        me = self.session.store.me
        menus = MainMenus(
            self,
            self.settings,
            admin=me is not None and me.role == "admin",
            chat_actions=self.chat_panel.workflow_actions(),
        )
        self.menus = menus
        menus.notice.connect(self.show_notice)
        menus.sign_out_action.triggered.connect(self.sign_out_requested)
        menus.settings_action.triggered.connect(self.open_settings)
        menus.change_password_action.triggered.connect(lambda: self.open_password_dialog())
        if menus.admin_action is not None:
            menus.admin_action.triggered.connect(self.open_admin)
        menus.take_action.triggered.connect(self.take_next)
        menus.focus_mine_action.triggered.connect(lambda: self.chat_list.setFocus())
        menus.focus_queue_action.triggered.connect(lambda: self.queue_list.setFocus())
        menus.focus_composer_action.triggered.connect(lambda: self.chat_panel.composer.setFocus())
        menus.next_unread_action.triggered.connect(self.select_next_unread)
        for row, action in enumerate(menus.switch_actions):
            action.triggered.connect(lambda checked=False, row=row: self.select_my_chat(row))
        self.take_action, self.next_unread_action = menus.take_action, menus.next_unread_action
        self.training_service = TrainingService(self.session, self)
        self.training_mode = TrainingMode(self, menus.operator_menu, self.training_service, self.show_error)

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

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted_once:
            self._painted_once = True
            # After this frame: the window's own paint comes first, its children's within the same pass.
            QTimer.singleShot(0, self, self.first_painted.emit)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        super().closeEvent(event)
        self.closed.emit()

    async def dispose(self) -> None:
        await self.call_pane.dispose()
        await self.preview_pane.dispose()
        await self.chat_panel.tags_bar.stop()
        await self.dialogs.dispose()
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

    # --- selection (see `ChatSelection`) -------------------------------------------------------

    def current_chat_id(self) -> str | None:
        return self.chat_panel.chat_id

    def select_chat(self, chat_id: str) -> bool:
        return self.selection.select_chat(chat_id)

    def select_my_chat(self, row: int) -> bool:
        return self.selection.select_my_chat(row)

    def select_next_unread(self) -> bool:
        return self.selection.select_next_unread()

    def _begin_model_update(self, *args: object) -> None:
        self.selection.begin_model_update()

    def _chat_opened(self, chat_id: str) -> None:
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
        self.selection.select_when_mine = chat_id
        self.session.take_chat(chat_id)
        self.show_notice(self.tr("Taking the chat\u2026"))

    def _action_done(self, action: str, chat_id: str) -> None:
        if action == "close_chat":
            self.show_notice(self.tr("Chat closed."))
        elif action == "take_chat":
            self.statusBar().clearMessage()

    def _action_failed(self, action: str, chat_id: str, code: str) -> None:
        if action == "take_chat" and chat_id == self.selection.select_when_mine:
            self.selection.select_when_mine = None
        self.statusBar().clearMessage()
        self.show_error(describe_action_error(code))
        if action == "close_chat" and code == ErrorCode.TAG_REQUIRED and chat_id == self.chat_panel.chat_id:
            self.chat_panel.open_tags_menu()  # the chat needs a tag first: offer them

    @async_slot(str)
    @reports_errors
    async def _set_status(self, status: str) -> None:
        with disabled(self.status_switch):
            await self.session.set_status(RoutingStatus(status))

    # --- attention: sounds, tray, idle away, read receipts ----------------------------------

    def _build_attention(self) -> None:
        session = self.session
        self.notifier = Notifier(self.settings, SoundPlayer(self.settings), self)
        self.alerts = ChatAlerts(session.store, session.signals, self.notifier, self)
        self.tray = TrayIcon(session.store, session.signals, self.notifier, self)
        self.idle_away = AwayWhenIdle(
            session.store,
            self.statusBar(),
            self._change_status_later,
            self,
            settings=self.settings,
            watch_from=self.first_painted,  # input is watched from the first frame on
        )
        self.idle_monitor, self.away_notice = self.idle_away.monitor, self.idle_away.notice
        session.signals.store_reset.connect(self.idle_away.routing_changed)
        session.signals.chat_changed.connect(self._chat_changed_for_read)
        self.dialogs = WindowDialogs(self, session, self.settings, self.notifier)
        self.dialogs.notice.connect(self.show_notice)
        self.call_pane = CallPane(self, session.calls, self.settings, self.idle_monitor)
        self.call_pane.error.connect(self.show_error)
        self.preview_pane = PreviewPane(self, self.chat_panel, session.previews, self.idle_monitor)
        self.preview_pane.error.connect(self.show_error)

    # --- dialogs -----------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        return self.dialogs.open_settings()

    def open_admin(self) -> AdminDialog:
        return self.dialogs.open_admin()

    def open_password_dialog(self, *, temporary: bool = False) -> PasswordDialog:
        return self.dialogs.open_password_dialog(temporary=temporary)

    @property
    def settings_dialog(self) -> SettingsDialog | None:
        return self.dialogs.settings_dialog

    @property
    def password_dialog(self) -> PasswordDialog | None:
        return self.dialogs.password_dialog

    # --- read receipts and idle status ------------------------------------------------------

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

"""The supervised-chats workspace (supervisors and admins): teammates' open chats, and watched chats side
by side.

Objects: ``supervisedChats`` (the list), ``supervisedEmpty``, ``watchSplitter``; per watched chat a
``watchPanel`` with ``whisperInput``, ``joinButton``, ``takeOverButton``, ``watchCloseButton``,
``watchTyping`` and a ``transcriptView``; ``takeOverConfirm`` asks before a take-over.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.models import MAX_MESSAGE_CHARS
from operator_app.errors import ApiError
from operator_app.store.chat_session import ChatSession
from operator_app.store.display_text import visitor_name
from operator_app.store.supervision_model import SupervisedChatsModel, SupervisedRole
from operator_app.store.transcript_model import TranscriptModel
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.confirm import ConfirmDialog
from operator_app.ui.sneak_peek_label import SneakPeekLabel
from operator_app.ui.transcript_view import TranscriptView

log = logging.getLogger(__name__)

REFRESH_MS = 5000
_CIRCLE_COLORS = {"normal": "#2e9d4f", "warning": "#e08a00", "alarm": "#d0312d", "away": "#9a9a9a"}


class _CircleDelegate(QStyledItemDelegate):
    """A status circle before the agent's name, like in the chat list."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        if index.column() != 0:
            return
        color = _CIRCLE_COLORS.get(str(index.data(SupervisedRole.CIRCLE)), "#9a9a9a")
        rect: QRect = option.rect
        size = 10
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(color))
        painter.drawEllipse(rect.right() - size - 6, rect.center().y() - size // 2, size, size)
        painter.restore()


class SupervisedTable(QTableView):
    """Enter opens the selected chat (double-click too)."""

    open_requested = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            if index.isValid():
                self.open_requested.emit(str(index.data(SupervisedRole.CHAT_ID)))
                return
        super().keyPressEvent(event)


class WatchPanel(QWidget):
    """One watched chat, read-only: the live transcript, the visitor's sneak peek, the agent's typing,
    a whisper box, join and take over."""

    closed = Signal(str)
    taken_over = Signal(str)

    def __init__(self, session: ChatSession, chat_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("watchPanel")
        self.session = session
        self.chat_id = chat_id
        self.joined = False
        self.confirm_box: ConfirmDialog | None = None
        store = session.watch_store

        self.title = QLabel(self)
        self.title.setObjectName("watchTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.close_button = QPushButton(self.tr("Stop watching"), self)
        self.close_button.setObjectName("watchCloseButton")
        self.close_button.clicked.connect(self.close_panel)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.close_button)

        self.model = TranscriptModel(store, session.watch_signals, self)
        self.model.set_chat(chat_id)
        self.transcript = TranscriptView(self)
        self.transcript.setModel(self.model)
        self.peek = SneakPeekLabel(self)
        self.peek.setObjectName("watchSneakPeek")
        self.typing = QLabel(self)
        self.typing.setObjectName("watchTyping")
        self.typing.setTextFormat(Qt.TextFormat.PlainText)
        self.typing.hide()

        self.input = QLineEdit(self)
        self.input.setObjectName("whisperInput")
        self.input.setMaxLength(MAX_MESSAGE_CHARS)
        self.input.returnPressed.connect(self.send)
        self.join_button = QPushButton(self.tr("Join"), self)
        self.join_button.setObjectName("joinButton")
        self.join_button.setToolTip(self.tr("Join the chat to write to the visitor too"))
        self.join_button.clicked.connect(self.join)
        self.take_over_button = QPushButton(self.tr("Take over"), self)
        self.take_over_button.setObjectName("takeOverButton")
        self.take_over_button.clicked.connect(self.ask_take_over)
        self.error = QLabel(self)
        self.error.setObjectName("watchError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.join_button)
        buttons.addWidget(self.take_over_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.peek)
        layout.addWidget(self.typing)
        layout.addWidget(self.input)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self._set_placeholder()
        self._refresh_title()

        session.watch_signals.chat_changed.connect(self._chat_changed)
        session.watch_signals.sneak_peek_changed.connect(self._peek_changed)
        session.watch_events.typing_changed.connect(self._typing_changed)

    def _set_placeholder(self) -> None:
        if self.joined:
            self.input.setPlaceholderText(self.tr("Write to the visitor (Enter sends)"))
        else:
            self.input.setPlaceholderText(self.tr("Whisper to the agent (the visitor does not see it)"))

    def _refresh_title(self) -> None:
        chat = self.session.watch_store.get(self.chat_id)
        if chat is None:
            self.title.setText(self.tr("Loading…"))
            return
        agent = chat.agent.name if chat.agent is not None and chat.agent.name else self.tr("nobody")
        self.title.setText(
            self.tr("%1 with %2").replace("%1", visitor_name(chat.visitor)).replace("%2", agent)
        )

    def _chat_changed(self, chat_id: str) -> None:
        if chat_id == self.chat_id:
            self._refresh_title()

    def _peek_changed(self, chat_id: str, text: str) -> None:
        if chat_id == self.chat_id:
            self.peek.set_peek(text)

    def _typing_changed(self, chat_id: str, typing: bool) -> None:
        if chat_id != self.chat_id:
            return
        self.typing.setText(self.tr("The agent is typing…"))
        self.typing.setVisible(typing)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    # --- actions ----------------------------------------------------------------------------

    @async_slot()
    @reports_errors
    async def send(self) -> None:
        text = self.input.text().strip()
        if not text:
            return
        self.error.hide()
        with disabled(self.input):
            if self.joined:
                await self.session.watching.send_as_supervisor(self.chat_id, text)
            else:
                await self.session.watching.whisper(self.chat_id, text)
        self.input.clear()
        self.input.setFocus()

    @async_slot()
    @reports_errors
    async def join(self) -> None:
        self.error.hide()
        with disabled(self.join_button):
            await self.session.watching.join_chat(self.chat_id)
        self.joined = True
        self.join_button.setEnabled(False)
        self._set_placeholder()

    def ask_take_over(self) -> ConfirmDialog:
        """Ask first (not modal: the transcript stays readable); the dialog's button takes the chat over
        and a refusal stays in it."""
        if self.confirm_box is not None:
            return self.confirm_box
        box = ConfirmDialog(
            self.tr("Take over"),
            self.tr("Take this chat over? It becomes yours and the agent is told."),
            self.tr("Take over"),
            self,
        )
        box.setObjectName("takeOverConfirm")
        box.setModal(False)
        box.make_cancel_default()
        box.action = self._take_over
        box.finished.connect(self._confirm_closed)
        self.confirm_box = box
        box.show()
        return box

    def _confirm_closed(self) -> None:
        box, self.confirm_box = self.confirm_box, None
        if box is not None:
            box.deleteLater()

    async def _take_over(self) -> None:
        self.error.hide()
        with disabled(self.take_over_button, self.join_button, self.input):
            await self.session.take_over(self.chat_id)
        self.taken_over.emit(self.chat_id)

    def close_panel(self) -> None:
        self.closed.emit(self.chat_id)


class SupervisionView(QSplitter):
    """The list of supervised chats on the left, watched chats side by side on the right."""

    chat_taken_over = Signal(str)

    def __init__(self, session: ChatSession, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("supervisionPage")
        self.setChildrenCollapsible(False)
        self.session = session
        self.model = SupervisedChatsModel(self)
        self.panels: dict[str, WatchPanel] = {}
        self._refreshing = False

        left = QWidget(self)
        self.table = SupervisedTable(left)
        self.table.setObjectName("supervisedChats")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(0, _CircleDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(
            lambda index: self.open_chat(str(index.data(SupervisedRole.CHAT_ID)))
        )
        self.table.open_requested.connect(self.open_chat)
        self.empty = QLabel(self.tr("No teammate has an open chat right now."), left)
        self.empty.setObjectName("supervisedEmpty")
        self.empty.setWordWrap(True)
        self.error = QLabel(left)
        self.error.setObjectName("supervisedError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.empty)
        left_layout.addWidget(self.error)
        self.addWidget(left)

        self.watch_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.watch_splitter.setObjectName("watchSplitter")
        self.watch_splitter.setChildrenCollapsible(False)
        self.addWidget(self.watch_splitter)
        self.setStretchFactor(1, 1)
        self.setSizes([360, 1000])  # room for agent, visitor and waiting time side by side
        self._update_empty()

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh_list)
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self.model.tick)
        self._state_refresh = QTimer(self)
        self._state_refresh.setSingleShot(True)
        self._state_refresh.setInterval(300)
        self._state_refresh.timeout.connect(self.refresh_list)
        session.signals.live_event.connect(self._live_event)
        # A bound method, not a lambda: Qt drops the connection when the view is destroyed, while the
        # session (the sender) lives on.
        session.signals.chat_changed.connect(self._chat_changed)

    def start(self) -> None:
        """Begin refreshing (the page is only built for supervisors and admins)."""
        self.model.routing = self.session.store.routing
        self.timer.start()
        self.tick.start()
        self.refresh_list()

    def _chat_changed(self, _chat_id: str) -> None:
        self._state_refresh.start()

    def _live_event(self, event: object) -> None:
        if getattr(event, "kind", None) == "chat_state":
            self._state_refresh.start()

    def _update_empty(self) -> None:
        self.empty.setVisible(self.model.rowCount() == 0)

    def refresh_list(self) -> None:
        """Reload the list in the background."""
        self.session.tasks.spawn(self.reload(), name="supervised-chats")

    async def reload(self) -> None:
        if self._refreshing:
            return
        self._refreshing = True
        try:
            chats = await self.session.watching.supervised_chats()
        except ApiError as exc:
            log.warning("could not load the supervised chats: %s", exc)
            self.error.setText(self.tr("The supervised chats could not be loaded."))
            self.error.show()
            return
        finally:
            self._refreshing = False
        self.error.hide()
        self.model.set_chats(chats)
        self._update_empty()

    # --- watching ---------------------------------------------------------------------------

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    @async_slot(str)
    @reports_errors
    async def open_chat(self, chat_id: str) -> None:
        """Watch a chat in a new panel beside the others (or focus its panel)."""
        if not chat_id:
            return
        panel = self.panels.get(chat_id)
        if panel is not None:
            panel.input.setFocus()
            return
        panel = WatchPanel(self.session, chat_id, self.watch_splitter)
        self.panels[chat_id] = panel
        self.watch_splitter.addWidget(panel)
        panel.closed.connect(self.close_chat)
        panel.taken_over.connect(self._taken_over)
        try:
            await self.session.watching.watch_chat(chat_id, True)
        except BaseException:
            self._drop(chat_id)
            raise
        panel._refresh_title()
        panel.input.setFocus()

    def close_chat(self, chat_id: str) -> None:
        """Stop watching and remove the panel."""
        if chat_id not in self.panels:
            return
        self._drop(chat_id)
        self.session.watching.stop_watching(chat_id)

    def _drop(self, chat_id: str) -> None:
        panel = self.panels.pop(chat_id, None)
        if panel is not None:
            panel.hide()
            panel.setParent(None)
            panel.deleteLater()

    def _taken_over(self, chat_id: str) -> None:
        self._drop(chat_id)
        self.chat_taken_over.emit(chat_id)
        self.refresh_list()

    async def stop(self) -> None:
        self.timer.stop()
        self.tick.stop()
        self._state_refresh.stop()

"""The centre of the main window: the chosen chat's header, transcript, sneak peek and composer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from chat_protocol import ChatState
from operator_app.store.canned_model import CannedMatchesModel
from operator_app.store.chat_session import ChatSession
from operator_app.store.chat_state import ChatStore
from operator_app.store.display_text import visitor_name
from operator_app.store.store_signals import StoreSignals
from operator_app.store.transcript_model import TranscriptModel
from operator_app.ui.chat_header import ChatHeader
from operator_app.ui.composer import Composer
from operator_app.ui.on_demand import Lazy, bring_forward
from operator_app.ui.sneak_peek_label import SneakPeekLabel
from operator_app.ui.transcript_view import TranscriptView
from operator_app.ui.upload_strip import ComposerFiles
from operator_app.ui.video.engine import unavailable_text, webengine_installed

if TYPE_CHECKING:
    from operator_app.ui.canned_dialog import CannedDialog
    from operator_app.ui.offline_messages_dialog import OfflineMessagesDialog
    from operator_app.ui.page_push_dialog import PagePushDialog
    from operator_app.ui.transfer_dialog import TransferDialog

# Opened from the chat's buttons and menu: imported on first use.
CANNED_DIALOG: Lazy[type[CannedDialog]] = Lazy("operator_app.ui.canned_dialog:CannedDialog")
TRANSFER_DIALOG: Lazy[type[TransferDialog]] = Lazy("operator_app.ui.transfer_dialog:TransferDialog")
PAGE_PUSH_DIALOG: Lazy[type[PagePushDialog]] = Lazy("operator_app.ui.page_push_dialog:PagePushDialog")
OFFLINE_MESSAGES_DIALOG: Lazy[type[OfflineMessagesDialog]] = Lazy(
    "operator_app.ui.offline_messages_dialog:OfflineMessagesDialog"
)


class ChatPanel(QWidget):
    """Signals: ``send_requested(chat_id, text)``, ``close_requested(chat_id)``,
    ``take_requested(chat_id)``, ``typing(chat_id, active)``, ``call_requested(chat_id)``."""

    send_requested = Signal(str, str)
    close_requested = Signal(str)
    take_requested = Signal(str)
    typing = Signal(str, bool)
    chat_shown = Signal(str)  # the chat now shown ("" for none): the visitor panel follows it
    call_requested = Signal(str)  # the operator asks for a video call with the shown chat's visitor

    def __init__(
        self, store: ChatStore, signals: StoreSignals, model: TranscriptModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chatPanel")
        self._store = store
        self._model = model
        self.chat_id: str | None = None
        self._drafts: dict[str, str] = {}
        self.session: ChatSession | None = None
        self.canned_dialog: CannedDialog | None = None
        self.transfer_dialog: TransferDialog | None = None
        self.page_push_dialog: PagePushDialog | None = None
        self.offline_dialog: OfflineMessagesDialog | None = None
        self._build_actions()

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._build_empty_page())
        self.stack.addWidget(self._build_chat_page())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        signals.chat_changed.connect(self._chat_changed)
        signals.store_reset.connect(self._refresh)
        signals.sneak_peek_changed.connect(self._sneak_peek_changed)
        self.show_chat(None)

    # --- construction -----------------------------------------------------------------------

    def _build_empty_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("emptyState")
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        title = QLabel(self.tr("No chat selected"), page)
        title.setObjectName("emptyTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(
            self.tr("Choose one of your chats on the left, or take a visitor from the queue (Ctrl+T)."), page
        )
        hint.setObjectName("emptyHint")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        layout.addWidget(title)
        layout.addSpacing(6)
        layout.addWidget(hint)
        layout.addStretch(3)
        return page

    def _build_chat_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        self.header = header = ChatHeader(page)
        self.title, self.subtitle, self.tags_bar = header.title, header.subtitle, header.tags_bar
        self.tags_bar.button.setToolTip(self.tr("Tag this chat (%1).").replace("%1", "Ctrl+Shift+G"))
        self.take_here = header.add_button(
            self.tr("Take chat"), "takeHereButton", self.take_action, priority=9
        )
        self.video_call_button = header.add_button(
            self.tr("Video call"), "videoCallButton", self.video_call_action, priority=7
        )
        self.push_page_button = header.add_button(
            self.tr("Send page\u2026"), "pushPageButton", self.push_page_action, priority=5
        )
        self.push_page_button.setToolTip(
            self.tr("Show the visitor a page of your site; they are asked first (%1).").replace(
                "%1", self.push_page_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            )
        )
        self.transfer_button = header.add_button(
            self.tr("Transfer\u2026"), "transferButton", self.transfer_action, priority=4
        )
        self.transfer_button.setToolTip(
            self.tr("Hand this chat to a colleague or a group (%1).").replace(
                "%1", self.transfer_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            )
        )
        self.close_button = header.add_button(
            self.tr("Close chat"), "closeChatButton", self.close_action, priority=8
        )
        self.close_button.setToolTip(self.tr("End this conversation for you and the visitor."))
        layout.addWidget(header)

        self.transcript = TranscriptView(page)
        self.transcript.setModel(self._model)
        layout.addWidget(self.transcript, 1)

        self.sneak_peek = SneakPeekLabel(page)
        self.sneak_peek.setContentsMargins(18, 2, 18, 2)
        layout.addWidget(self.sneak_peek)

        bottom = QWidget(page)
        bottom.setObjectName("composerArea")
        row = QHBoxLayout(bottom)
        row.setContentsMargins(14, 8, 14, 12)
        row.setSpacing(8)
        self.composer = Composer(bottom)
        self.composer.setFixedHeight(76)
        self.composer.submitted.connect(self._submitted)
        self.composer.typing.connect(self._typing)
        self.send_button = QPushButton(self.tr("Send"), bottom)
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(False)
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(self.composer.submit)
        self.note_button = QPushButton(self.tr("Note"), bottom)
        self.note_button.setObjectName("noteModeButton")
        self.note_button.setCheckable(True)
        self.note_button.setStyleSheet(
            "QPushButton#noteModeButton:checked { background: #fde68a; border: 1px solid #d4a72c;"
            " border-radius: 3px; padding: 3px 8px; font-weight: bold; }"
        )
        self.note_button.setAutoDefault(False)
        self.note_button.setToolTip(
            self.tr("Write an internal note that only operators see (%1).").replace(
                "%1", self.note_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            )
        )
        self.note_button.toggled.connect(self.composer.set_note_mode)
        self.composer.note_mode_changed.connect(self._note_mode_changed)
        self.canned_button = QPushButton(self.tr("Canned\u2026"), bottom)
        self.canned_button.setObjectName("cannedButton")
        self.canned_button.setAutoDefault(False)
        self.canned_button.setToolTip(self.tr("Manage canned replies. Type # in the reply box to use one."))
        self.canned_button.clicked.connect(self.open_canned_dialog)
        tools = QVBoxLayout()
        tools.setSpacing(4)
        tools.addWidget(self.note_button)
        tools.addWidget(self.canned_button)
        self.files = ComposerFiles(self, self.composer, self.transcript, tools)  # attach, drop, paste
        row.addLayout(tools)
        row.addWidget(self.composer, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addWidget(bottom)
        layout.addWidget(self.files.strip)
        return page

    # --- state ------------------------------------------------------------------------------

    def show_chat(self, chat_id: str | None) -> None:
        """Show a chat (or the empty state). The composer keeps its draft per chat."""
        if chat_id != self.chat_id:
            if self.chat_id is not None:
                self._drafts[self.chat_id] = self.composer.toPlainText()
                self.typing.emit(self.chat_id, False)
            self.note_button.setChecked(False)
            self.composer.close_popup()
            self.composer.blockSignals(True)
            self.composer.setPlainText(self._drafts.pop(chat_id, "") if chat_id else "")
            self.composer.moveCursor(self.composer.textCursor().MoveOperation.End)
            self.composer.blockSignals(False)
        self.chat_id = chat_id
        self._model.set_chat(chat_id)
        self._refresh()
        self.chat_shown.emit(chat_id or "")

    def refresh(self) -> None:
        """Show the chat's current state again (after a call started or ended)."""
        self._refresh()

    def _refresh(self) -> None:
        chat = self._store.get(self.chat_id) if self.chat_id else None
        if chat is None:
            self.stack.setCurrentIndex(0)
            self.tags_bar.show_chat(None)
            self.tags_action.setEnabled(False)
            self.files.show_chat(None, False)
            return
        self.stack.setCurrentIndex(1)
        self.title.setText(visitor_name(chat.visitor))
        mine = self._store.is_mine(chat)
        if chat.state == ChatState.QUEUED:
            subtitle = self.tr("Waiting in the queue. Take the chat to reply.")
        elif mine:
            subtitle = self.tr("You are chatting with this visitor.")
        elif chat.state == ChatState.TAKEN:
            name = chat.agent.name if chat.agent and chat.agent.name else self.tr("another operator")
            subtitle = self.tr("Taken by %1").replace("%1", name)
        elif chat.state == ChatState.CLOSED:
            subtitle = self.tr("This chat is closed.")
        else:
            subtitle = self.tr("The visitor has not sent a message yet.")
        self.subtitle.setText(subtitle)
        self.take_action.setEnabled(chat.state == ChatState.QUEUED)
        self.header.set_wanted(self.take_here, chat.state == ChatState.QUEUED)
        self.tags_bar.setVisible(mine)
        self.tags_bar.show_chat(chat.chat_id if mine else None)
        for action, button in (
            (self.close_action, self.close_button),
            (self.tags_action, None),
            (self.transfer_action, self.transfer_button),
            (self.push_page_action, self.push_page_button),
        ):
            action.setEnabled(mine)
            if button is not None:
                self.header.set_wanted(button, mine)
        self._refresh_call_button(chat.chat_id, mine, chat.visitor_presence, chat.state)
        self.note_button.setEnabled(mine)
        self.note_action.setEnabled(mine)
        if not mine:
            self.note_button.setChecked(False)
        self.composer.setEnabled(mine)
        self.send_button.setEnabled(mine)
        self.files.show_chat(chat.chat_id, mine)
        if mine:
            self.composer.set_reply_placeholder(
                self.tr("Type a reply. Enter sends, Shift+Enter starts a new line. # inserts a canned reply.")
            )
        elif chat.state == ChatState.QUEUED:
            self.composer.set_reply_placeholder(self.tr("Take this chat to reply."))
        else:
            self.composer.set_reply_placeholder(self.tr("You cannot reply in this chat."))
        self.transcript.empty_text = self.tr("No messages yet")
        self.sneak_peek.set_peek(chat.sneak_peek if chat.state != ChatState.CLOSED else "")

    def _refresh_call_button(self, chat_id: str, mine: bool, presence: str, state: ChatState) -> None:
        """Enabled only for a chat I hold whose visitor is online; the tooltip says why not."""
        calls = self.session.calls if self.session is not None else None
        self.header.set_wanted(self.video_call_button, mine or state == ChatState.TAKEN)
        if not webengine_installed():
            why = unavailable_text()
        elif not mine:
            why = self.tr("Only the operator holding this chat can call the visitor.")
        elif presence == "left":
            why = self.tr("The visitor has left the website, so they cannot be called.")
        elif calls is not None and calls.active:
            if calls.chat_id == chat_id:
                why = self.tr("A video call with this visitor is running.")
            else:
                why = self.tr("You are already in a video call. Hang up first.")
        else:
            why = ""
        self.video_call_button.setEnabled(not why)
        self.video_call_action.setEnabled(not why)
        shortcut = self.video_call_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        tip = why or self.tr("Call the visitor with video. They are asked first (%1).").replace(
            "%1", shortcut
        )
        self.video_call_button.setToolTip(tip)
        self.video_call_action.setToolTip(tip)  # in the "More" menu when the button does not fit

    def _video_call_clicked(self) -> None:
        if self.chat_id is not None and self.video_call_button.isEnabled():
            self.call_requested.emit(self.chat_id)

    def _chat_changed(self, chat_id: str) -> None:
        if chat_id == self.chat_id:
            self._refresh()

    def _sneak_peek_changed(self, chat_id: str, text: str) -> None:
        if chat_id == self.chat_id:
            self.sneak_peek.set_peek(text)

    # --- intents ----------------------------------------------------------------------------

    def _submitted(self, text: str) -> None:
        if self.chat_id is None:
            return
        if self.composer.note_mode and self.session is not None:
            self.session.send_note(self.chat_id, text)
        else:
            self.send_requested.emit(self.chat_id, text)

    def _typing(self, active: bool) -> None:
        chat = self._store.get(self.chat_id) if self.chat_id else None
        if chat is not None and self._store.is_mine(chat):
            self.typing.emit(chat.chat_id, active)

    def _close_clicked(self) -> None:
        if self.chat_id is not None:
            self.close_requested.emit(self.chat_id)

    def _take_clicked(self) -> None:
        if self.chat_id is not None:
            self.take_requested.emit(self.chat_id)

    # --- the operator's workflow: canned replies, notes, transfer, offline messages ------------

    def _build_actions(self) -> None:
        self.take_action = self._action(self.tr("Ta&ke this chat"), "takeHereAction")
        self.take_action.triggered.connect(self._take_clicked)
        self.close_action = self._action(self.tr("&Close this chat"), "closeChatAction")
        self.close_action.triggered.connect(self._close_clicked)
        self.canned_action = self._action(self.tr("Canned &replies\u2026"), "cannedRepliesAction")
        self.canned_action.triggered.connect(self.open_canned_dialog)
        self.note_action = self._action(self.tr("Internal &note mode"), "noteModeAction", "Ctrl+Shift+N")
        self.note_action.triggered.connect(self._toggle_note_mode)
        self.transfer_action = self._action(self.tr("Trans&fer chat\u2026"), "transferAction", "Ctrl+Shift+T")
        self.transfer_action.triggered.connect(self.open_transfer_dialog)
        self.push_page_action = self._action(
            self.tr("Send a &page to the visitor\u2026"), "pushPageAction", "Ctrl+Shift+P"
        )
        self.push_page_action.triggered.connect(self.open_page_push_dialog)
        self.video_call_action = self._action(
            self.tr("&Video call with the visitor"), "videoCallAction", "Ctrl+Shift+V"
        )
        self.video_call_action.triggered.connect(self._video_call_clicked)
        self.tags_action = self._action(self.tr("T&ag this chat\u2026"), "chatTagsAction", "Ctrl+Shift+G")
        self.tags_action.triggered.connect(self.open_tags_menu)
        self.offline_action = self._action(self.tr("&Offline messages\u2026"), "offlineMessagesAction")
        self.offline_action.triggered.connect(self.open_offline_messages)
        chat_actions = (self.note_action, self.transfer_action, self.push_page_action, self.video_call_action)
        for action in (*chat_actions, self.tags_action, self.take_action, self.close_action):
            action.setEnabled(False)
            self.addAction(action)

    def _action(self, text: str, name: str, keys: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        return action

    def workflow_actions(self) -> list[QAction]:
        """For the main window's menu: canned replies, note mode, transfer, offline messages."""
        return [
            self.canned_action,
            self.note_action,
            self.transfer_action,
            self.push_page_action,
            self.video_call_action,
            self.tags_action,
            self.files.action,
            self.offline_action,
        ]

    def attach_session(self, session: ChatSession) -> None:
        """Give the panel the services of the signed-in session (notes, canned replies, transfer)."""
        self.session = session
        self.tags_bar.attach(session.tags)
        self.files.attach(session.attachments)
        # A bound method, not a lambda: Qt drops the connection when the panel is destroyed, while the
        # session (the sender) lives on.
        session.calls.state_changed.connect(self._call_state_changed)
        if session.canned is not None:
            self.composer.set_canned(CannedMatchesModel(session.canned, self), self._placeholder_values)

    def open_tags_menu(self) -> None:
        """The tag menu of the chat I hold (Ctrl+Shift+G; also after a close refused for want of a tag)."""
        if self.tags_action.isEnabled():
            self.tags_bar.open_menu()

    def _call_state_changed(self, _state: object) -> None:
        self._refresh()

    def _placeholder_values(self) -> dict[str, str | None]:
        """Values for `{visitor.name}` and friends from what the store knows; missing ones fall back."""
        chat = self._store.get(self.chat_id) if self.chat_id else None
        me = self._store.me
        return {
            "visitor.name": " ".join(chat.visitor.name.split()) if chat is not None else None,
            "visitor.email": None,
            "agent.name": me.name if me is not None else None,
            "page.url": None,
        }

    def _toggle_note_mode(self) -> None:
        if self.note_button.isEnabled():
            self.note_button.toggle()
            self.composer.setFocus()

    def _note_mode_changed(self, on: bool) -> None:
        self.note_button.setChecked(on)
        self.send_button.setText(self.tr("Add note") if on else self.tr("Send"))
        if on and self.chat_id is not None:
            self.typing.emit(self.chat_id, False)

    def open_canned_dialog(self) -> CannedDialog | None:
        if self.session is None or self.session.canned is None:
            return None
        if self.canned_dialog is None:
            me = self._store.me
            may_share = me is not None and me.role in ("supervisor", "admin")
            self.canned_dialog = CANNED_DIALOG.get()(
                self.session.canned, may_share=may_share, parent=self.window()
            )
        bring_forward(self.canned_dialog)
        return self.canned_dialog

    def open_transfer_dialog(self) -> TransferDialog | None:
        chat = self._store.get(self.chat_id) if self.chat_id else None
        if self.session is None or chat is None or not self._store.is_mine(chat):
            return None
        if self.transfer_dialog is not None:
            self.transfer_dialog.close()
        dialog = TRANSFER_DIALOG.get()(self.session, chat.chat_id, visitor_name(chat.visitor), self.window())
        dialog.finished.connect(lambda result: self._transfer_finished(dialog))
        self.transfer_dialog = dialog
        dialog.open_and_load()
        return dialog

    def open_page_push_dialog(self) -> PagePushDialog | None:
        chat = self._store.get(self.chat_id) if self.chat_id else None
        if self.session is None or chat is None or not self._store.is_mine(chat):
            return None
        if self.page_push_dialog is not None:
            self.page_push_dialog.close()
        dialog = PAGE_PUSH_DIALOG.get()(
            self.session, chat.chat_id, visitor_name(chat.visitor), parent=self.window()
        )
        dialog.finished.connect(lambda result: self._page_push_finished(dialog))
        self.page_push_dialog = dialog
        dialog.open()
        return dialog

    def _page_push_finished(self, dialog: PagePushDialog) -> None:
        if self.page_push_dialog is dialog:
            self.page_push_dialog = None
        dialog.deleteLater()

    def _transfer_finished(self, dialog: TransferDialog) -> None:
        if self.transfer_dialog is dialog:
            self.transfer_dialog = None
        dialog.deleteLater()

    def open_offline_messages(self) -> OfflineMessagesDialog | None:
        if self.session is None:
            return None
        if self.offline_dialog is None:
            self.offline_dialog = OFFLINE_MESSAGES_DIALOG.get()(self.session, self.window())
        self.offline_dialog.open_and_load()
        return self.offline_dialog

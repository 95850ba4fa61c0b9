"""The tickets pane's composer (``ticketComposer``): a reply, e-mailed to the requester, or an
internal note that only agents read. Ctrl+Enter sends; "Send and mark pending" and "Send and mark
solved" set the state with the reply.

Objects: ``ticketComposerText``, ``ticketReplyMode``, ``ticketNoteMode``, ``ticketSend``,
``ticketSendPending``, ``ticketSendSolved``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.enums import TicketState
from chat_protocol.tickets import MAX_TICKET_TEXT_CHARS


class TicketComposer(QWidget):
    """``send(text, note, state)``: the operator sent (state: None, or the state to set with it)."""

    send = Signal(str, bool, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketComposer")
        self.reply_mode = QRadioButton(self.tr("&Reply (e-mailed)"), self)
        self.reply_mode.setObjectName("ticketReplyMode")
        self.reply_mode.setChecked(True)
        self.note_mode = QRadioButton(self.tr("Internal n&ote"), self)
        self.note_mode.setObjectName("ticketNoteMode")
        modes = QButtonGroup(self)
        modes.addButton(self.reply_mode)
        modes.addButton(self.note_mode)
        self.note_mode.toggled.connect(self._mode_changed)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("ticketComposerText")
        self.text.setAccessibleName(self.tr("Reply text"))
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(96)
        self.text.textChanged.connect(self._update_buttons)
        self.send_button = QPushButton(self.tr("&Send"), self)
        self.send_button.setObjectName("ticketSend")
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(lambda: self._send(None))
        self.pending_button = QPushButton(self.tr("Send and mark &pending"), self)
        self.pending_button.setObjectName("ticketSendPending")
        self.pending_button.clicked.connect(lambda: self._send(TicketState.PENDING))
        self.solved_button = QPushButton(self.tr("Send and mark sol&ved"), self)
        self.solved_button.setObjectName("ticketSendSolved")
        self.solved_button.clicked.connect(lambda: self._send(TicketState.SOLVED))
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.text)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda: self._send(None))
        top = QHBoxLayout()
        top.addWidget(self.reply_mode)
        top.addWidget(self.note_mode)
        top.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.pending_button)
        buttons.addWidget(self.solved_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.busy = False
        self._mode_changed(False)

    def is_note(self) -> bool:
        return self.note_mode.isChecked()

    def _mode_changed(self, note: bool) -> None:
        self.text.setPlaceholderText(
            self.tr("An internal note: agents read it, the visitor never does")
            if note
            else self.tr("Your answer, e-mailed to the requester (Ctrl+Enter sends)")
        )
        self.text.setStyleSheet("QPlainTextEdit { background: #fffbeb; }" if note else "")
        self._update_buttons()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        text = self.text.toPlainText().strip()
        ok = bool(text) and len(text) <= MAX_TICKET_TEXT_CHARS and not self.busy and self.isEnabled()
        self.send_button.setEnabled(ok)
        for button in (self.pending_button, self.solved_button):
            button.setEnabled(ok)
            button.setVisible(not self.is_note())

    def _send(self, state: TicketState | None) -> None:
        text = self.text.toPlainText().strip()
        if not text or self.busy or len(text) > MAX_TICKET_TEXT_CHARS:
            return
        self.send.emit(text, self.is_note(), None if self.is_note() else state)

    def clear(self) -> None:
        self.text.clear()

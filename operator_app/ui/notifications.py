"""Sounds, desktop notifications and taskbar alerts for what needs the operator's attention.

`Notifier` is the one way to make a sound (tests watch its ``played`` signal); `ChatAlerts` decides
when: a new chat in the queue, a visitor's message, a new ticket (the `ticket` push says so), a chat transferred or routed to me, and a
reminder every `queue_reminder_every` seconds while a chat waits in the queue.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from chat_protocol import AuthorKind, ChatState, ChatStateEvent, MessageEvent, RoutingStatus
from operator_app.settings import SettingsFile
from operator_app.store.chat_state import ChatStore
from operator_app.store.display_text import one_line, visitor_name
from operator_app.store.store_signals import StoreSignals

if TYPE_CHECKING:
    from chat_protocol.tickets import TicketPush

log = logging.getLogger(__name__)

SOUND_SETTINGS = {
    "new_chat": "sound_new_chat",
    "new_message": "sound_new_message",
    "transfer": "sound_transfer",
    "assigned": "sound_transfer",
    "queue_reminder": "sound_queue_reminder",
}


class Player(Protocol):
    def play(self, kind: str, volume: int) -> None: ...


class Notifier(QObject):
    """Signals: ``played(kind)`` for every sound the settings allow; ``notified(title, text)`` for
    every desktop notification the settings allow (the tray icon shows it)."""

    played = Signal(str)
    notified = Signal(str, str)

    def __init__(self, settings: SettingsFile, player: Player | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self.player = player

    def play(self, kind: str) -> bool:
        values = self.settings.values
        if values.sound_muted or not getattr(values, SOUND_SETTINGS[kind]):
            return False
        self.played.emit(kind)
        if self.player is not None:
            self.player.play(kind, values.sound_volume)
        return True

    def notify(self, title: str, text: str) -> None:
        if self.settings.values.desktop_notifications:
            self.notified.emit(title, text)


class ChatAlerts(QObject):
    """Turns live events into sounds, notifications and taskbar alerts for `window`.

    `reminder_ms` overrides the server's `queue_reminder_every` (tests use a short one).
    """

    def __init__(
        self,
        store: ChatStore,
        signals: StoreSignals,
        notifier: Notifier,
        window: QWidget,
        *,
        reminder_ms: int | None = None,
    ) -> None:
        super().__init__(window)
        self.store = store
        self.notifier = notifier
        self.window = window
        self.reminder_ms = reminder_ms
        self.reminder = QTimer(self)
        self.reminder.timeout.connect(self._remind)
        signals.live_event.connect(self._event)
        signals.ticket_pushed.connect(self._ticket)
        signals.chat_changed.connect(self.update_reminder)
        signals.store_reset.connect(self.update_reminder)
        self.update_reminder()

    def viewing(self, chat_id: str) -> bool:
        """The operator is looking at this chat right now."""
        return self.window.isActiveWindow() and self.store.active_chat_id == chat_id

    def _attention(self, kind: str, title: str, text: str) -> None:
        """The sound; and when the window is not in front, a desktop notification and a taskbar alert."""
        self.notifier.play(kind)
        if not self.window.isActiveWindow():
            self.notifier.notify(title, text)
            QApplication.alert(self.window)

    def _event(self, event: object) -> None:
        chat = self.store.get(getattr(event, "chat_id", ""))
        if chat is None:
            return
        name = visitor_name(chat.visitor)
        if isinstance(event, ChatStateEvent):
            mine = event.agent is not None and event.agent.id == self.store.agent_id
            if event.state == ChatState.QUEUED and self.store.is_queued(chat):
                self._attention("new_chat", self.tr("New chat in the queue"), name)
            elif event.state == ChatState.TAKEN and mine and event.transferred_from is not None:
                by = event.transferred_from.name or self.tr("another operator")
                text = self.tr("%1 from %2").replace("%1", name).replace("%2", by)
                self._attention("transfer", self.tr("Chat transferred to you"), text)
            elif event.state == ChatState.TAKEN and mine and event.assigned:
                self._attention("assigned", self.tr("New chat assigned to you"), name)
        elif isinstance(event, MessageEvent):
            if event.author.kind != AuthorKind.VISITOR or not self.store.is_mine(chat):
                return
            if self.viewing(chat.chat_id):
                return
            self._attention("new_message", name, one_line(event.text, 120))

    def _ticket(self, push: TicketPush) -> None:
        """A new ticket, or the visitor wrote again: alert like a new chat (when the server says so)."""
        if push.notify:
            title = self.tr("New ticket") if push.reason == "created" else self.tr("The visitor wrote again")
            self._attention("new_chat", title, f"#{push.number} {one_line(push.subject, 120)}")

    # --- queue reminders --------------------------------------------------------------------

    def waiting_chats(self) -> list[str]:
        """Queued chats whose visitor is still there."""
        return [
            chat.chat_id
            for chat in self.store.chats.values()
            if self.store.is_queued(chat) and chat.visitor_presence != "left"
        ]

    def update_reminder(self, *args: object) -> None:
        every = self.reminder_ms or self.store.routing.queue_reminder_every * 1000
        if not self.waiting_chats():
            self.reminder.stop()
        elif not self.reminder.isActive() or self.reminder.interval() != every:
            self.reminder.start(every)

    def _remind(self) -> None:
        waiting = len(self.waiting_chats())
        if not waiting:
            self.reminder.stop()
            return
        if self.store.status == RoutingStatus.AWAY:
            return  # nobody at the desk: the reminder resumes when they are back
        self._attention(
            "queue_reminder",
            self.tr("Visitors are waiting"),
            self.tr("Chats in the queue: %1").replace("%1", str(waiting)),
        )

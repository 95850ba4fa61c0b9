"""The Qt face of `ChatStore`: one precise signal per kind of change; `WatchSignals` for supervisors."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from chat_protocol import RoutingStatus


class StoreSignals(QObject):
    """Signals:

    - ``store_reset()``: a snapshot replaced the chat list (models rebuild once)
    - ``chat_changed(chat_id)``: state, visitor, preview or unread count of one chat
    - ``entries_inserted/changed/removed(chat_id, first, last)``: transcript rows
    - ``sneak_peek_changed(chat_id, text)``, ``status_changed(status)``
    - ``chat_details_missing(chat_id)``: an event named a chat we have no summary of
    - ``connection_state_changed(state)``: connecting / connected / reconnecting / offline
    - ``action_done(action, chat_id)`` and ``action_failed(action, chat_id, code)``: queued mutations
    - ``session_ended(reason)``: session_expired or incompatible; the app returns to the login dialog
    - ``live_event(event)``: a durable event new to the store came through the socket (notifications)
    - ``ticket_pushed(push)``: a `chat_protocol.tickets.TicketPush` (a ticket is new or changed)
    """

    store_reset = Signal()
    chat_changed = Signal(str)
    entries_inserted = Signal(str, int, int)
    entries_changed = Signal(str, int, int)
    entries_removed = Signal(str, int, int)
    sneak_peek_changed = Signal(str, str)
    status_changed = Signal(str)
    chat_details_missing = Signal(str)
    connection_state_changed = Signal(str)
    action_done = Signal(str, str)
    action_failed = Signal(str, str, str)
    session_ended = Signal(str)
    live_event = Signal(object)
    ticket_pushed = Signal(object)


class WatchSignals(QObject):
    """What is not durable about the chats a supervisor watches. Signals:

    - ``typing_changed(chat_id, typing)``: the agent of a watched chat is (not) typing
    - ``watching_changed(chat_id, watching)``: a watch started or ended
    """

    typing_changed = Signal(str, bool)
    watching_changed = Signal(str, bool)


class SignalForwarder:
    """A `StoreListener` that re-emits every change on a `StoreSignals` object."""

    def __init__(self, signals: StoreSignals) -> None:
        self.signals = signals

    def store_reset(self) -> None:
        self.signals.store_reset.emit()

    def chat_changed(self, chat_id: str) -> None:
        self.signals.chat_changed.emit(chat_id)

    def entries_inserted(self, chat_id: str, first: int, last: int) -> None:
        self.signals.entries_inserted.emit(chat_id, first, last)

    def entries_changed(self, chat_id: str, first: int, last: int) -> None:
        self.signals.entries_changed.emit(chat_id, first, last)

    def entries_removed(self, chat_id: str, first: int, last: int) -> None:
        self.signals.entries_removed.emit(chat_id, first, last)

    def sneak_peek_changed(self, chat_id: str, text: str) -> None:
        self.signals.sneak_peek_changed.emit(chat_id, text)

    def status_changed(self, status: RoutingStatus) -> None:
        self.signals.status_changed.emit(status.value)

    def chat_details_missing(self, chat_id: str) -> None:
        self.signals.chat_details_missing.emit(chat_id)

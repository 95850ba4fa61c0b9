"""How the main window reaches tickets: View > Tickets (Ctrl+Shift+K, ``ticketsAction``, its text says
how many tickets are open), the chat's "Create ticket from this chat…" (``chatTicketAction``), and the
`ticket` pushes (a new ticket alerts like a new chat; the open view reloads).

The tickets view and its dialogs are imported and built the first time they are opened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStackedWidget
from shiboken6 import isValid

from operator_app.store.chat_session import ChatSession
from operator_app.store.tickets_service import TicketsService
from operator_app.ui.async_tools import async_slot, reports_errors
from operator_app.ui.confirm import confirm
from operator_app.ui.on_demand import Lazy

if TYPE_CHECKING:
    from chat_protocol.tickets import TicketCounts, TicketPush
    from operator_app.ui.ticket_dialogs import ChatTicketDialog
    from operator_app.ui.tickets_view import TicketsView

TICKETS_VIEW: Lazy[type[TicketsView]] = Lazy("operator_app.ui.tickets_view:TicketsView")
CHAT_TICKET_DIALOG: Lazy[type[ChatTicketDialog]] = Lazy("operator_app.ui.ticket_dialogs:ChatTicketDialog")


class TicketsEntry(QObject):
    """`show(on)` switches to the tickets (or back); `view` is built on first use."""

    def __init__(
        self,
        window: QMainWindow,
        session: ChatSession,
        stack: QStackedWidget,
        *,
        leave_others: Callable[[], None],
        notify: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.stack = stack
        self.service = TicketsService(session)
        self._leave_others = leave_others
        self._notify = notify
        self._view: TicketsView | None = None
        self.open_count: int | None = None
        self.action = QAction(window)
        self.action.setObjectName("ticketsAction")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.setToolTip(self.tr("Answer offline messages and e-mails (Ctrl+Shift+K)"))
        self.action.triggered.connect(self.show)
        self.chat_action = QAction(self.tr("Create tic&ket from this chat\u2026"), window)
        self.chat_action.setObjectName("chatTicketAction")
        self.chat_action.setEnabled(False)
        self.chat_action.triggered.connect(lambda: self.ticket_from_chat())
        self.chat_id = ""
        self._set_text()
        stack.currentChanged.connect(
            lambda _i: self.action.setChecked(self._view is not None and stack.currentWidget() is self._view)
        )
        session.signals.ticket_pushed.connect(self._pushed)
        # Counted each time the socket (re)connects: after the window's first frame at start, and again
        # after a break, whose pushes were missed.
        session.signals.connection_state_changed.connect(self._connection_changed)
        if session.connection_state.value == "connected":
            self.refresh_count()

    def _connection_changed(self, state: str) -> None:
        if state == "connected":
            self.refresh_count()

    def _set_text(self) -> None:
        if not isValid(self.action):  # a count that arrives while the window closes
            return
        if self.open_count:
            self.action.setText(self.tr("Tic&kets (%1 open)").replace("%1", str(self.open_count)))
        else:
            self.action.setText(self.tr("Tic&kets"))

    @property
    def view(self) -> TicketsView:
        if self._view is None:
            view = TICKETS_VIEW.get()(self.session, self.stack)
            self.stack.addWidget(view)
            view.counts_changed.connect(self._counts_shown)
            self._view = view
        return self._view

    def showing(self) -> bool:
        return self._view is not None and self.stack.currentWidget() is self._view

    def show(self, on: bool = True) -> None:
        if on:
            self._leave_others()
            view = self.view
            self.stack.setCurrentWidget(view)
            self.action.setChecked(True)
            view.focus_list()
        elif self.showing():
            self.action.setChecked(False)
            self.stack.setCurrentIndex(0)

    def open_ticket(self, ticket_id: str) -> None:
        self.show()
        self.view.open_ticket(ticket_id)

    # --- counts and pushes ------------------------------------------------------------------

    def _counts_shown(self, counts: TicketCounts) -> None:
        view = self._view
        shown = view.shown if view is not None else None
        if shown is not None and shown.whose == "all" and not shown.text and shown.group_id is None:
            self._set_count(counts.open)

    def _set_count(self, count: int) -> None:
        self.open_count = count
        self._set_text()

    def refresh_count(self) -> None:
        self.session.tasks.spawn(self._refresh_count(), name="ticket-count")

    async def _refresh_count(self) -> None:
        counts = await self._fetch_counts()
        if counts is not None:
            self._set_count(counts.open)

    @reports_errors(on_error="count_failed")
    async def _fetch_counts(self) -> TicketCounts:
        return await self.service.counts()

    def count_failed(self, error: BaseException) -> None:
        """The count stays as it was (the menu is no place for an error)."""

    def _pushed(self, push: TicketPush) -> None:
        if self._view is not None:
            self._view.ticket_pushed(push)
        self.refresh_count()

    # --- from a chat ------------------------------------------------------------------------

    def chat_shown(self, chat_id: str) -> None:
        self.chat_id = chat_id
        self.chat_action.setEnabled(bool(chat_id))

    @async_slot()
    async def ticket_from_chat(self, chat_id: str = "") -> None:
        """Ask for a subject, make the ticket, and offer to open it."""
        chat_id = chat_id or self.chat_id
        if not chat_id:
            return
        dialog = CHAT_TICKET_DIALOG.get()(self.service, chat_id, self.window)
        detail = await dialog.ask()
        if detail is None:
            return
        number = str(detail.ticket.number)
        self._notify(self.tr("Ticket #%1 created.").replace("%1", number))
        if await confirm(
            self.window,
            self.tr("Ticket created"),
            self.tr("Ticket #%1 was made from this chat. Open it now?").replace("%1", number),
            self.tr("&Open ticket"),
            name="openTicketConfirm",
        ):
            self.open_ticket(detail.ticket.ticket_id)

    def show_error(self, text: str) -> None:
        self._notify(text)

    async def stop(self) -> None:
        if self._view is not None:
            await self._view.stop()

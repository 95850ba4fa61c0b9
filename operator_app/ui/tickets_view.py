"""The tickets workspace (every agent, Ctrl+Shift+K): the tickets I may see, by state, beside the
thread of the chosen one.

Tabs say how many tickets are in each state (Open / Pending / Solved / Spam) under the filters:
whose (all, mine, unassigned), group, and a search text (words of the subject or the requester, or
``#number``). Newest change first; older tickets load with "Load more". The chosen ticket's thread,
its actions and the composer are the `TicketThreadPane`. A `ticket` push reloads what is shown.

Objects: ``ticketsView``, ``ticketStateTabs``, ``ticketWhose``, ``ticketGroup``, ``ticketSearch``,
``ticketNew``, ``ticketList``, ``ticketLoadMore``, ``ticketEmpty``, ``ticketError``, ``ticketPane``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.enums import TicketState
from chat_protocol.tickets import TicketCounts, TicketDetail, TicketList, TicketPush
from operator_app.store.chat_session import ChatSession
from operator_app.store.ticket_model import TicketListModel, TicketRole, state_text
from operator_app.store.tickets_service import TicketFilter, TicketsService, Whose
from operator_app.ui.async_tools import async_slot, reports_errors
from operator_app.ui.error_text import describe_error
from operator_app.ui.ticket_dialogs import NewTicketDialog
from operator_app.ui.ticket_thread import TicketThreadPane

STATES = [TicketState.OPEN, TicketState.PENDING, TicketState.SOLVED, TicketState.SPAM]
TYPING_PAUSE_MS = 350


class TicketsView(QWidget):
    """`reload()` fetches the list again; `open_ticket(id)` shows a ticket's thread."""

    counts_changed = Signal(object)  # TicketCounts under the filters shown

    def __init__(self, session: ChatSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketsView")
        self.session = session
        self.service = TicketsService(session)
        self.model = TicketListModel(self)
        self.shown: TicketFilter | None = None
        self.counts = TicketCounts()
        self.loading: asyncio.Task[Any] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._choices_loaded = False

        self.typing_timer = QTimer(self)
        self.typing_timer.setSingleShot(True)
        self.typing_timer.setInterval(TYPING_PAUSE_MS)
        self.typing_timer.timeout.connect(self.reload)
        self.tabs = QTabBar(self)
        self.tabs.setObjectName("ticketStateTabs")
        self.tabs.setAccessibleName(self.tr("Ticket states"))
        for _state in STATES:
            self.tabs.addTab("")
        self.tabs.currentChanged.connect(lambda _i: self.reload())
        self.whose = QComboBox(self)
        self.whose.setObjectName("ticketWhose")
        self.whose.setAccessibleName(self.tr("Whose tickets"))
        for text, value in (
            (self.tr("All tickets"), "all"),
            (self.tr("Assigned to me"), "me"),
            (self.tr("Unassigned"), "none"),
        ):
            self.whose.addItem(text, value)
        self.whose.currentIndexChanged.connect(lambda _i: self.reload())
        self.group = QComboBox(self)
        self.group.setObjectName("ticketGroup")
        self.group.setAccessibleName(self.tr("Group"))
        self.group.addItem(self.tr("Every group"), None)
        self.group.currentIndexChanged.connect(lambda _i: self.reload())
        self.search = QLineEdit(self)
        self.search.setObjectName("ticketSearch")
        self.search.setPlaceholderText(self.tr("Subject, requester or #number"))
        self.search.setAccessibleName(self.tr("Search tickets"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(200)
        self.search.returnPressed.connect(self.reload)
        self.search.textEdited.connect(lambda _t: self.typing_timer.start())
        self.new_button = QPushButton(self.tr("&New ticket\u2026"), self)
        self.new_button.setObjectName("ticketNew")
        self.new_button.clicked.connect(self.new_ticket)
        filters = QHBoxLayout()
        filters.addWidget(self.whose)
        filters.addWidget(self.group)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.new_button)

        self.list = QListView(self)
        self.list.setObjectName("ticketList")
        self.list.setAccessibleName(self.tr("Tickets"))
        self.list.setModel(self.model)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setSpacing(3)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty = self._note("ticketEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #6b7280; padding: 24px;")
        self.error = self._note("ticketError")
        self.error.setStyleSheet("color: #b91c1c;")
        self.more_button = QPushButton(self.tr("&Load more"), self)
        self.more_button.setObjectName("ticketLoadMore")
        self.more_button.clicked.connect(self.load_more)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.empty, 1)
        left_layout.addWidget(self.error)
        left_layout.addWidget(self.more_button)

        self.pane = TicketThreadPane(self.service, self)
        self.pane.setObjectName("ticketPane")
        self.pane.changed.connect(self._ticket_changed)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.pane)
        left.setMinimumWidth(300)
        self.pane.setMinimumWidth(380)
        self.splitter.setSizes([420, 780])

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        self._update_tabs()
        self._update_states()

    def _note(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.hide()
        return label

    # --- showing ----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.shown is None and self.loading is None:
            self.reload()
        if not self._choices_loaded:
            self._choices_loaded = True
            self._spawn(self._load_choices(), "ticket-choices")

    def focus_list(self) -> None:
        if self.model.rowCount():
            self.list.setFocus()
        else:
            self.search.setFocus()

    def current_filter(self) -> TicketFilter:
        whose: Whose = self.whose.currentData() or "all"
        return TicketFilter(
            state=STATES[max(0, self.tabs.currentIndex())],
            whose=whose,
            group_id=self.group.currentData(),
            text=self.search.text().strip(),
        )

    def reload(self) -> asyncio.Task[Any]:
        """The list for the filters shown, from the start (a load under way is abandoned)."""
        self.typing_timer.stop()
        if self.loading is not None and not self.loading.done():
            self.loading.cancel()
        self.loading = self._spawn(self._load(self.current_filter(), None), "tickets-load")
        return self.loading

    def load_more(self) -> asyncio.Task[Any] | None:
        if self.loading is not None or self.shown is None or not self.model.next_cursor:
            return None
        self.loading = self._spawn(self._load(self.shown, self.model.next_cursor), "tickets-more")
        return self.loading

    async def _load(self, search: TicketFilter, cursor: str | None) -> None:
        page = await self._fetch(search, cursor)
        self.loading = None
        if page is None:
            return
        self.error.hide()
        if cursor is None:
            selected = self.pane.ticket_id
            self.shown = search
            self.model.show_page(page)
            row = self.model.row_of(selected) if selected else -1
            if row >= 0:
                self.list.setCurrentIndex(self.model.index(row, 0))
        elif search == self.shown:
            self.model.append_page(page)
        self.counts = page.counts
        self.counts_changed.emit(page.counts)
        self._update_tabs()
        self._update_states()

    @reports_errors(on_error="show_failure")
    async def _fetch(self, search: TicketFilter, cursor: str | None) -> TicketList:
        return await self.service.tickets(search, cursor=cursor)

    def show_failure(self, error: BaseException) -> None:
        self.loading = None
        self.error.setText(
            self.tr("The tickets could not be loaded: %1").replace("%1", describe_error(error))
        )
        self.error.show()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _update_tabs(self) -> None:
        for index, state in enumerate(STATES):
            count = getattr(self.counts, state.value)
            self.tabs.setTabText(index, f"{state_text(state)} ({count})")

    def _update_states(self) -> None:
        nothing = self.shown is not None and self.model.rowCount() == 0
        self.list.setVisible(not nothing)
        self.empty.setVisible(nothing)
        if nothing:
            filtered = self.shown is not None and (
                self.shown.text or self.shown.whose != "all" or self.shown.group_id
            )
            self.empty.setText(
                self.tr("No tickets.")
                + "\n"
                + (
                    self.tr("Try other words or fewer filters.")
                    if filtered
                    else self.tr("Nothing in this state.")
                )
            )
        self.more_button.setVisible(bool(self.model.next_cursor))

    # --- the chosen ticket ------------------------------------------------------------------

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        rows = self.list.selectionModel().selectedRows()
        if rows:
            ticket_id = str(rows[0].data(TicketRole.TICKET_ID))
            if ticket_id != self.pane.ticket_id:
                self.pane.open(ticket_id)

    def open_ticket(self, ticket_id: str) -> asyncio.Task[Any]:
        """Show the ticket's thread (selected in the list when it is listed)."""
        row = self.model.row_of(ticket_id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row, 0))
        return self.pane.open(ticket_id)

    def _ticket_changed(self, detail: TicketDetail) -> None:
        """The pane changed the ticket: the list and the counts follow."""
        self.model.update_ticket(detail.ticket)
        self.reload()

    def ticket_pushed(self, push: TicketPush) -> None:
        """Something changed on the server: reload the list, and the thread when it is the one shown."""
        self.reload()
        if push.ticket_id == self.pane.ticket_id and not self.pane.sending:
            self.pane.open(push.ticket_id)

    @async_slot()
    async def new_ticket(self) -> None:
        dialog = NewTicketDialog(self.service, self)
        detail = await dialog.ask()
        if detail is not None:
            self.tabs.setCurrentIndex(STATES.index(detail.ticket.state))
            await self.reload()
            self.open_ticket(detail.ticket.ticket_id)

    # --- filter lists -----------------------------------------------------------------------

    async def _load_choices(self) -> None:
        loaded = await self._fetch_choices()
        if loaded is None:
            self._choices_loaded = False
            return
        agents, groups = loaded
        for group_id, name in groups:
            self.group.addItem(name, group_id)
        self.pane.set_choices(agents, groups)

    @reports_errors
    async def _fetch_choices(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        agents, groups = await asyncio.gather(self.service.agents(), self.service.groups())
        return (
            sorted(((a.agent_id, " ".join(a.name.split())) for a in agents), key=lambda p: p[1].casefold()),
            sorted(((g.group_id, " ".join(g.name.split())) for g in groups), key=lambda p: p[1].casefold()),
        )

    # --- tasks ------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = self.session.tasks.spawn(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stop(self) -> None:
        self.typing_timer.stop()
        tasks = list(self._tasks) + list(self.pane.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

"""The tickets workspace's item models: `TicketListModel` (``ticketList``: the tickets of a filter,
newest change first, paged by cursor) and `TicketThreadModel` (one ticket's entries, oldest first).

Every text is visitor- or agent-supplied plain text: views show it as such, tooltips are escaped.
A new filter replaces the rows (a reset); "load more" appends the next page by a row range; a push
about a listed ticket reloads the list (the server decides where it goes now).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from chat_protocol.enums import TicketState
from chat_protocol.tickets import TicketEntry, TicketList, TicketSummary
from operator_app.store.display_text import escaped_tooltip, one_line

Index = QModelIndex | QPersistentModelIndex


def state_text(state: TicketState) -> str:
    return {
        TicketState.OPEN: QCoreApplication.translate("TicketModel", "Open"),
        TicketState.PENDING: QCoreApplication.translate("TicketModel", "Pending"),
        TicketState.SOLVED: QCoreApplication.translate("TicketModel", "Solved"),
        TicketState.SPAM: QCoreApplication.translate("TicketModel", "Spam"),
    }[state]


def when_text(ticket: TicketSummary) -> str:
    return ticket.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")


def requester_text(ticket: TicketSummary) -> str:
    name = " ".join(ticket.requester_name.split())
    return name or ticket.requester_email or QCoreApplication.translate("TicketModel", "Unknown visitor")


class TicketRole(IntEnum):
    TICKET_ID = Qt.ItemDataRole.UserRole + 1
    NUMBER = Qt.ItemDataRole.UserRole + 2
    SUBJECT = Qt.ItemDataRole.UserRole + 3
    REQUESTER = Qt.ItemDataRole.UserRole + 4
    ASSIGNEE = Qt.ItemDataRole.UserRole + 5
    WHEN = Qt.ItemDataRole.UserRole + 6
    UNANSWERED = Qt.ItemDataRole.UserRole + 7
    STATE = Qt.ItemDataRole.UserRole + 8


class TicketListModel(QAbstractListModel):
    """One row per ticket; `next_cursor` asks the server for the rows after the last one."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tickets: list[TicketSummary] = []
        self.next_cursor: str | None = None

    def show_page(self, page: TicketList) -> None:
        self.beginResetModel()
        self._tickets = []
        self._take(page.tickets)
        self.next_cursor = page.next_cursor
        self.endResetModel()

    def append_page(self, page: TicketList) -> None:
        known = {t.ticket_id for t in self._tickets}
        fresh = [t for t in page.tickets if t.ticket_id not in known]
        if fresh:
            first = len(self._tickets)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._take(fresh)
            self.endInsertRows()
        self.next_cursor = page.next_cursor

    def update_ticket(self, ticket: TicketSummary) -> None:
        """A listed ticket changed (its row shows the new subject, assignee, time)."""
        row = self.row_of(ticket.ticket_id)
        if row >= 0:
            self._tickets[row] = ticket
            self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def _take(self, tickets: list[TicketSummary]) -> None:
        seen = {t.ticket_id for t in self._tickets}
        for ticket in tickets:
            if ticket.ticket_id not in seen:
                seen.add(ticket.ticket_id)
                self._tickets.append(ticket)

    def ticket(self, row: int) -> TicketSummary | None:
        return self._tickets[row] if 0 <= row < len(self._tickets) else None

    def row_of(self, ticket_id: str) -> int:
        return next((r for r, t in enumerate(self._tickets) if t.ticket_id == ticket_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._tickets)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractListModel.CheckIndexOption.IndexIsValid):
            return None
        ticket = self._tickets[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            first = f"#{ticket.number} {one_line(ticket.subject, 120)}"
            if ticket.unanswered and ticket.state in (TicketState.OPEN, TicketState.PENDING):
                first = QCoreApplication.translate("TicketModel", "%1 (awaiting reply)").replace("%1", first)
            parts = [
                requester_text(ticket),
                ticket.assignee_name or QCoreApplication.translate("TicketModel", "Unassigned"),
                when_text(ticket),
            ]
            return first + "\n" + " \u00b7 ".join(parts)
        if role == Qt.ItemDataRole.ToolTipRole:
            return escaped_tooltip(ticket.subject)
        values = {
            TicketRole.TICKET_ID: ticket.ticket_id,
            TicketRole.NUMBER: ticket.number,
            TicketRole.SUBJECT: one_line(ticket.subject, 200),
            TicketRole.REQUESTER: requester_text(ticket),
            TicketRole.ASSIGNEE: ticket.assignee_name,
            TicketRole.WHEN: when_text(ticket),
            TicketRole.UNANSWERED: ticket.unanswered,
            TicketRole.STATE: ticket.state.value,
        }
        return values.get(role)  # type: ignore[call-overload]


class EntryRole(IntEnum):
    KIND = Qt.ItemDataRole.UserRole + 1
    AUTHOR = Qt.ItemDataRole.UserRole + 2
    TEXT = Qt.ItemDataRole.UserRole + 3
    WHEN = Qt.ItemDataRole.UserRole + 4
    MAIL_STATE = Qt.ItemDataRole.UserRole + 5
    MAIL_ERROR = Qt.ItemDataRole.UserRole + 6
    ENTRY = Qt.ItemDataRole.UserRole + 7
    """The `TicketEntry` itself (attachments and all)."""


def change_text(entry: TicketEntry, group_names: dict[str, str]) -> str:
    """A change of the thread as one short line ("Ken set the state to Solved")."""
    who = entry.author_name or QCoreApplication.translate("TicketModel", "Someone")
    if entry.kind == "state" and entry.state is not None:
        return (
            QCoreApplication.translate("TicketModel", "%1 set the state to %2")
            .replace("%2", state_text(entry.state))
            .replace("%1", who)
        )
    if entry.kind == "assignee":
        if entry.assignee_name:
            return (
                QCoreApplication.translate("TicketModel", "%1 assigned the ticket to %2")
                .replace("%2", entry.assignee_name)
                .replace("%1", who)
            )
        return QCoreApplication.translate("TicketModel", "%1 unassigned the ticket").replace("%1", who)
    if entry.kind == "group":
        if entry.group_id:
            name = group_names.get(entry.group_id, QCoreApplication.translate("TicketModel", "another group"))
            return (
                QCoreApplication.translate("TicketModel", "%1 moved the ticket to %2")
                .replace("%2", name)
                .replace("%1", who)
            )
        return QCoreApplication.translate("TicketModel", "%1 removed the ticket's group").replace("%1", who)
    if entry.kind == "merge":
        number = f"#{entry.merged_ticket}" if entry.merged_ticket is not None else "?"
        return (
            QCoreApplication.translate("TicketModel", "%1 merged ticket %2")
            .replace("%2", number)
            .replace("%1", who)
        )
    return one_line(entry.text, 200)


class TicketThreadModel(QAbstractListModel):
    """One ticket's entries, oldest first; `show(detail)` replaces them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: list[TicketEntry] = []
        self.ticket: TicketSummary | None = None
        self.group_names: dict[str, str] = {}

    def show(self, ticket: TicketSummary | None, entries: list[TicketEntry]) -> None:
        self.beginResetModel()
        self.ticket = ticket
        self.entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self.entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractListModel.CheckIndexOption.IndexIsValid):
            return None
        entry = self.entries[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if entry.kind in ("state", "assignee", "group", "merge"):
                return change_text(entry, self.group_names)
            return entry.text
        values = {
            EntryRole.KIND: entry.kind,
            EntryRole.AUTHOR: entry.author_name,
            EntryRole.TEXT: entry.text,
            EntryRole.WHEN: entry.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            EntryRole.MAIL_STATE: entry.mail_state or "",
            EntryRole.MAIL_ERROR: entry.mail_error,
            EntryRole.ENTRY: entry,
        }
        return values.get(role)  # type: ignore[call-overload]

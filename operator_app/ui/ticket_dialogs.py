"""The tickets workspace's dialogs: a ticket written by hand (``newTicketDialog``), the number of the
ticket to merge into (``mergeTicketDialog``), and a ticket made from a chat (``chatTicketDialog``).
Each is an `ActionDialog`: the server's refusal stays in it, next to what was typed.

Objects: ``newTicketSite``, ``newTicketEmail``, ``newTicketName``, ``newTicketSubject``,
``newTicketText``; ``mergeTicketNumber``; ``chatTicketSubject``, ``chatTicketEmail``.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from chat_protocol.tickets import MAX_SUBJECT_CHARS, MAX_TICKET_TEXT_CHARS, TicketDetail
from operator_app.store.tickets_service import TicketsService
from operator_app.ui.async_tools import finished_future, reports_errors
from operator_app.ui.confirm import ActionDialog

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


async def _run(dialog: ActionDialog) -> bool:
    done = finished_future(dialog)
    dialog.show()
    result = await done
    dialog.deleteLater()
    return result == ActionDialog.DialogCode.Accepted.value


class NewTicketDialog(ActionDialog):
    """`ask()`: the ticket made, or None when cancelled."""

    def __init__(self, service: TicketsService, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New ticket"), self.tr("&Create ticket"), parent)
        self.setObjectName("newTicketDialog")
        self.service = service
        form = QFormLayout()
        self.site = QComboBox(self)
        self.site.setObjectName("newTicketSite")
        self.email = self._line("newTicketEmail", 254)
        self.name = self._line("newTicketName", 100)
        self.subject = self._line("newTicketSubject", MAX_SUBJECT_CHARS)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("newTicketText")
        self.text.setTabChangesFocus(True)
        form.addRow(self.tr("&Site:"), self.site)
        form.addRow(self.tr("Requester &e-mail:"), self.email)
        form.addRow(self.tr("Requester &name:"), self.name)
        form.addRow(self.tr("S&ubject:"), self.subject)
        form.addRow(self.tr("&Text:"), self.text)
        self.body.addLayout(form)
        self.action = self._create
        self.resize(520, 420)

    def _line(self, name: str, limit: int) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName(name)
        line.setMaxLength(limit)
        return line

    async def ask(self) -> TicketDetail | None:
        self._load_sites_task = self.service.spawn(self._load_sites(), "ticket-sites")
        accepted = await _run(self)
        return self.outcome if accepted else None

    async def _load_sites(self) -> None:
        sites = await self._fetch_sites()
        for site_id, name in sites or []:
            self.site.addItem(" ".join(name.split()), site_id)

    @reports_errors
    async def _fetch_sites(self) -> list[tuple[str, str]]:
        return await self.service.sites()

    def check(self) -> bool:
        text = self.text.toPlainText().strip()
        if self.site.currentData() is None:
            self.show_error(self.tr("Choose the site the ticket is about."))
        elif not _EMAIL.match(self.email.text().strip()):
            self.show_error(self.tr("Enter the requester's e-mail address."))
        elif not self.subject.text().strip():
            self.show_error(self.tr("Enter a subject."))
        elif not text or len(text) > MAX_TICKET_TEXT_CHARS:
            self.show_error(self.tr("Enter what the requester asked."))
        else:
            return True
        return False

    async def _create(self) -> TicketDetail:
        return await self.service.create(
            site_id=str(self.site.currentData()),
            subject=self.subject.text().strip(),
            email=self.email.text().strip(),
            name=self.name.text().strip(),
            text=self.text.toPlainText().strip(),
        )


class MergeNumberDialog(ActionDialog):
    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Merge ticket #%1").replace("%1", str(number)), self.tr("&Next"), parent)
        self.setObjectName("mergeTicketDialog")
        self.own = number
        self.number = QLineEdit(self)
        self.number.setObjectName("mergeTicketNumber")
        self.number.setPlaceholderText(self.tr("#number"))
        self.number.setMaxLength(12)
        form = QFormLayout()
        form.addRow(self.tr("Merge &into ticket:"), self.number)
        self.body.addLayout(form)

    def value(self) -> int | None:
        text = self.number.text().strip().lstrip("#")
        return int(text) if text.isdigit() and int(text) != self.own else None

    def check(self) -> bool:
        if self.value() is None:
            self.show_error(self.tr("Enter the number of another ticket."))
            return False
        return True


async def ask_merge_number(parent: QWidget, number: int) -> int | None:
    """The number of the ticket to merge ticket `number` into; None when cancelled."""
    dialog = MergeNumberDialog(number, parent)
    value = dialog.value
    return value() if await _run(dialog) else None


class ChatTicketDialog(ActionDialog):
    """A ticket from a chat: its subject and the visitor's e-mail (the chat's own when left empty)."""

    def __init__(self, service: TicketsService, chat_id: str, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Create a ticket from this chat"), self.tr("&Create ticket"), parent)
        self.setObjectName("chatTicketDialog")
        self.service = service
        self.chat_id = chat_id
        self.subject = QLineEdit(self)
        self.subject.setObjectName("chatTicketSubject")
        self.subject.setMaxLength(MAX_SUBJECT_CHARS)
        self.email = QLineEdit(self)
        self.email.setObjectName("chatTicketEmail")
        self.email.setMaxLength(254)
        self.email.setPlaceholderText(self.tr("The e-mail address the chat knows"))
        form = QFormLayout()
        form.addRow(self.tr("S&ubject:"), self.subject)
        form.addRow(self.tr("Visitor's &e-mail:"), self.email)
        self.body.addLayout(form)
        self.action = self._create
        self.resize(460, 180)

    def check(self) -> bool:
        email = self.email.text().strip()
        if email and not _EMAIL.match(email):
            self.show_error(self.tr("Enter the visitor's e-mail address, or leave it empty."))
            return False
        return True

    async def _create(self) -> TicketDetail:
        return await self.service.from_chat(
            self.chat_id, subject=self.subject.text().strip(), email=self.email.text().strip()
        )

    async def ask(self) -> TicketDetail | None:
        return self.outcome if await _run(self) else None

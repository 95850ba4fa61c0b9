"""Tickets: what a visitor asked while nobody was online (an offline message), what an agent took out
of a chat, what arrived by e-mail or was written by hand, answered by e-mail from the product.

A ticket has a state (`open`, `pending`: waiting for the visitor, `solved`, `spam`), an assignee and a
group. Who sees and acts on which ticket is the rule of `docs/roles.md` ("Tickets"): the same group
rule as chats. Its thread is a list of entries: the visitor's messages and e-mails, agents' replies
(sent by e-mail), internal notes (never sent), and the changes of state, assignee and group.

Routes: `GET /api/v1/tickets` (list + counts), `POST /api/v1/tickets` (by hand),
`POST /api/v1/chats/{chat_id}/ticket` (from a chat, with its transcript), `GET /api/v1/tickets/{id}`,
`POST /api/v1/tickets/{id}/replies`, `/notes`, `PATCH /api/v1/tickets/{id}` (state, assignee, group),
`POST /api/v1/tickets/{id}/merge`, `GET /api/v1/tickets/{id}/attachments/{attachment_id}`.
Agents hear of new tickets and of visitors' new replies by the `ticket` push on their socket.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from chat_protocol.base import ProtocolModel
from chat_protocol.enums import TicketState as TicketState

MAX_TICKET_TEXT_CHARS = 20_000
MAX_SUBJECT_CHARS = 200
TICKET_PAGE_MAX = 100
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"


TicketSource = Literal["offline", "chat", "manual", "email"]
EntryKind = Literal["visitor", "reply", "note", "state", "assignee", "group", "merge", "transcript"]
MailState = Literal["queued", "sent", "failed"]


class TicketSummary(ProtocolModel):
    ticket_id: str
    number: int = Field(description="Shown to people as `#number`.")
    subject: str
    state: TicketState
    source: TicketSource
    site_id: str
    group_id: str | None = None
    assignee_id: str | None = None
    assignee_name: str = ""
    requester_name: str = ""
    requester_email: str = ""
    visitor_id: str | None = None
    chat_id: str | None = None
    created_at: datetime
    updated_at: datetime
    last_visitor_at: datetime | None = Field(default=None, description="The visitor's latest message.")
    unanswered: bool = Field(description="The visitor wrote last (no agent reply since).")
    merged_into: str | None = None


class TicketCounts(ProtocolModel):
    open: int = 0
    pending: int = 0
    solved: int = 0
    spam: int = 0


class TicketList(ProtocolModel):
    """`GET /api/v1/tickets?state&assignee&group_id&q&cursor&limit`: newest change first; `counts` are
    per state under the same filters but the state."""

    tickets: list[TicketSummary]
    counts: TicketCounts
    next_cursor: str | None = None


class TicketAttachment(ProtocolModel):
    attachment_id: str
    filename: str
    content_type: str
    size: int


class TicketEntry(ProtocolModel):
    entry_id: str
    kind: EntryKind
    created_at: datetime
    author_name: str = Field(default="", description="The agent, or the visitor's name.")
    author_id: str | None = Field(default=None, description="The agent's id for replies, notes, changes.")
    text: str = ""
    state: TicketState | None = Field(default=None, description="`state`: the new state.")
    assignee_name: str = Field(default="", description="`assignee`: the new assignee.")
    group_id: str | None = None
    merged_ticket: int | None = Field(default=None, description="`merge`: the number of the other ticket.")
    mail_state: MailState | None = Field(default=None, description="`reply`: where its e-mail is.")
    mail_error: str = ""
    attachments: list[TicketAttachment] = Field(default_factory=list)


class TicketDetail(ProtocolModel):
    ticket: TicketSummary
    entries: list[TicketEntry]


class TicketCreate(ProtocolModel):
    """`POST /api/v1/tickets`: an agent writes a ticket by hand (a phone call, a letter)."""

    client_id: str = Field(min_length=1, max_length=64)
    site_id: str = Field(min_length=1, max_length=64)
    subject: str = Field(min_length=1, max_length=MAX_SUBJECT_CHARS)
    requester_email: str = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)
    requester_name: str = Field(default="", max_length=100)
    text: str = Field(min_length=1, max_length=MAX_TICKET_TEXT_CHARS)
    group_id: str | None = Field(default=None, max_length=36)


class ChatTicketCreate(ProtocolModel):
    """`POST /api/v1/chats/{chat_id}/ticket`: a ticket from a chat the agent may read, with its
    transcript as the first entry. The visitor's e-mail is the one the chat knows unless given here."""

    client_id: str = Field(min_length=1, max_length=64)
    subject: str = Field(default="", max_length=MAX_SUBJECT_CHARS)
    requester_email: str = Field(default="", max_length=254)


class TicketReply(ProtocolModel):
    """`POST /api/v1/tickets/{id}/replies` (e-mailed to the requester) and `/notes` (agents only).
    A reply may set the state at once (reply and mark pending, reply and solve)."""

    client_id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=MAX_TICKET_TEXT_CHARS)
    state: TicketState | None = None


class TicketChange(ProtocolModel):
    """`PATCH /api/v1/tickets/{id}`: only the fields given change. `assignee_id` "" unassigns,
    `group_id` "" leaves the ticket without a group (every agent sees it)."""

    state: TicketState | None = None
    assignee_id: str | None = Field(default=None, max_length=36)
    group_id: str | None = Field(default=None, max_length=36)


class TicketMerge(ProtocolModel):
    """`POST /api/v1/tickets/{id}/merge`: this ticket (a duplicate) goes into `into`: its entries are
    copied there, it is solved and points at the other one."""

    into: str = Field(min_length=1, max_length=36)


class TicketPush(ProtocolModel):
    """The `ticket` push to agents who may see the ticket: it is new, the visitor wrote again, or it
    changed. The app reloads what it shows; `notify` says whether to alert like a new chat."""

    ticket_id: str
    number: int
    subject: str
    state: TicketState
    reason: Literal["created", "visitor_reply", "changed"]
    notify: bool


MailSecurity = Literal["none", "starttls", "tls"]


class SmtpSettings(ProtocolModel):
    """`/api/v1/settings/email` (admins): the relay e-mail goes out through. The password is write-only:
    a GET answers `password_set` instead, and a PUT without `password` keeps the stored one."""

    enabled: bool = False
    host: str = Field(default="", max_length=253)
    port: int = Field(default=587, ge=1, le=65535)
    security: MailSecurity = "starttls"
    username: str = Field(default="", max_length=254)
    password: str | None = Field(default=None, max_length=500, description="Write-only.")
    password_set: bool = Field(default=False, description="Read-only: a password is stored.")
    # E-mail in: the support mailbox the visitors' replies reach, polled over IMAP.
    imap_enabled: bool = False
    imap_host: str = Field(default="", max_length=253)
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_security: MailSecurity = "tls"
    imap_username: str = Field(default="", max_length=254)
    imap_password: str | None = Field(default=None, max_length=500, description="Write-only.")
    imap_password_set: bool = False
    imap_mailbox: str = Field(default="INBOX", max_length=200)
    poll_seconds: int = Field(default=60, ge=5, le=3600)
    # The daily summary to supervisors and admins, at this hour of the team's time zone (None: off).
    summary_hour: int | None = Field(default=None, ge=0, le=23)
    # The sender of every e-mail about a site: site id -> address; `default_sender` for the others.
    default_sender: str = Field(default="", max_length=254)
    senders: dict[str, str] = Field(default_factory=dict, max_length=200)
    reply_to: str = Field(
        default="", max_length=254, description="The support mailbox (Reply-To); the sender if empty."
    )


class MailStatus(ProtocolModel):
    """`GET /api/v1/mail/outbox` (admins): e-mail that waits or failed, newest first."""

    mail_id: str
    kind: str
    to: str
    subject: str
    state: MailState
    attempts: int
    last_error: str = ""
    created_at: datetime
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None

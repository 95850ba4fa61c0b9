"""Payloads of the agent (`/ws/agent`) and visitor (`/ws/visitor`) socket actions."""

from typing import Literal

from pydantic import Field

from chat_protocol.attachments import AttachmentSettings
from chat_protocol.base import ProtocolModel
from chat_protocol.bounds import DbInt
from chat_protocol.models import (
    MAX_MESSAGE_CHARS,
    MAX_NAME_CHARS,
    Author,
    AuthorKind,
    ChatState,
    ChatStateEvent,
    ChatSummary,
    Event,
    MessageEvent,
    NoteEvent,
    PagePushEvent,
    RatingEvent,
    RoutingStatus,
)
from chat_protocol.traffic import DeviceInfo, InvitationPush, PageView

ClientId = str
_CLIENT_ID = Field(min_length=8, max_length=64, description="A UUID chosen by the client.")

# --- both sockets ---------------------------------------------------------------------------


class Empty(ProtocolModel):
    """No fields."""


class ResumeRequest(ProtocolModel):
    """Replay every durable event after `cursor` that this user may see now."""

    cursor: DbInt


class Resumed(ProtocolModel):
    """Answer to `resume`, sent after the replayed `event` pushes; `cursor` is the newest event id."""

    cursor: int
    replayed: int


class ResyncRequired(ProtocolModel):
    """Sent as `err` with code `resync_required`: load a snapshot over HTTP, then resume from its cursor."""

    reason: str


class EventPush(ProtocolModel):
    """A durable event (push action `event`)."""

    event: Event


class TypingPush(ProtocolModel):
    """Someone in the chat is typing (ephemeral, never replayed)."""

    chat_id: str
    author: Author
    typing: bool


# --- agent socket -----------------------------------------------------------------------------


class AgentLoginRequest(ProtocolModel):
    """First frame on `/ws/agent`: the access token from `POST /api/v1/auth/login`."""

    token: str = Field(min_length=1, max_length=512)
    protocol: DbInt = Field(default=1, description="The protocol version the client speaks.")


class AgentLoginResult(ProtocolModel):
    agent_id: str
    name: str
    role: str
    status: RoutingStatus
    server_protocol: int


class SendMessageRequest(ProtocolModel):
    chat_id: str
    client_id: ClientId = _CLIENT_ID
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class MessageResult(ProtocolModel):
    event: MessageEvent


class ChatActionRequest(ProtocolModel):
    """`take_chat` and `close_chat`."""

    chat_id: str
    client_id: ClientId = _CLIENT_ID


class ChatActionResult(ProtocolModel):
    event: ChatStateEvent
    chat: ChatSummary


class AgentTypingRequest(ProtocolModel):
    chat_id: str
    typing: bool


class SetStatusRequest(ProtocolModel):
    status: RoutingStatus


class StatusPush(ProtocolModel):
    """The agent's routing status changed (from any of their connections)."""

    status: RoutingStatus


class SneakPeekPush(ProtocolModel):
    """What the visitor is typing right now, before sending (ephemeral)."""

    chat_id: str
    text: str


class SendNoteRequest(ProtocolModel):
    """An internal note in a chat I hold; only agents ever see it."""

    chat_id: str
    client_id: ClientId = _CLIENT_ID
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class NoteResult(ProtocolModel):
    event: NoteEvent


class TransferRequest(ProtocolModel):
    """Hand a chat I hold to an online agent, or back to the queue of a group; `note` goes to the receiver."""

    chat_id: str
    client_id: ClientId = _CLIENT_ID
    to_agent_id: str | None = None
    to_group_id: str | None = None
    note: str = Field(default="", max_length=2000)


class MarkReadRequest(ProtocolModel):
    """I have seen the chat up to `seq` (agents name the chat; a visitor's is implied)."""

    chat_id: str | None = None
    seq: DbInt


class ReadPush(ProtocolModel):
    """The other side has read the chat up to `seq` (ephemeral; the summary keeps the value)."""

    chat_id: str
    reader: AuthorKind
    seq: int


class VisitorPresencePush(ProtocolModel):
    """The visitor of a chat is `active`, `inactive` (tab hidden or idle) or has `left` the site."""

    chat_id: str
    presence: Literal["active", "inactive", "left"]


# --- visitor socket ---------------------------------------------------------------------------


class VisitorLoginRequest(ProtocolModel):
    """First frame on `/ws/visitor`. Without `visitor_token` a new visitor is created."""

    site_id: str = Field(min_length=1, max_length=64)
    visitor_token: str | None = Field(default=None, max_length=512)
    protocol: DbInt = 1
    page: PageView | None = Field(default=None, description="The page this socket was opened on.")
    device: DeviceInfo | None = None
    call_id: str | None = Field(
        default=None,
        max_length=64,
        description="A video call this page still runs (a reconnect of the same page): it goes on.",
    )
    reloaded_call_id: str | None = Field(
        default=None,
        max_length=64,
        description="A video call this tab ran before its page was reloaded: it ends (`page_reloaded`).",
    )


class VisitorLoginResult(ProtocolModel):
    visitor_id: str
    visitor_token: str = Field(description="Keep it (the widget uses localStorage) to stay the same visitor.")
    name: str
    chat: ChatSummary | None = Field(default=None, description="The visitor's open chat, if any.")
    cursor: int = Field(description="Newest event id; resume from here when no chat is shown yet.")
    server_protocol: int
    agents_available: bool = True
    invitation: InvitationPush | None = Field(default=None, description="An unanswered invitation.")
    site_origins: list[str] = Field(
        default_factory=list, description="The site's origins: pages may be pushed only to these."
    )
    attachments: AttachmentSettings | None = Field(
        default=None, description="Whether files may be sent, how large and of which kinds."
    )


class VisitorSendRequest(ProtocolModel):
    """Send a message; the first one opens a chat (incoming -> queued).

    With `invitation_id` it answers that invitation: the chat starts with the inviting agent."""

    client_id: ClientId = _CLIENT_ID
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    name: str | None = Field(default=None, max_length=MAX_NAME_CHARS)
    invitation_id: str | None = Field(default=None, max_length=64)


class VisitorSneakPeekRequest(ProtocolModel):
    """The text in the visitor's input right now; empty means stopped typing. Throttled by the widget."""

    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class VisitorCloseRequest(ProtocolModel):
    client_id: ClientId = _CLIENT_ID


class VisitorRateRequest(ProtocolModel):
    """Rate a chat of mine: `chat_id`, or else my newest chat."""

    client_id: ClientId = _CLIENT_ID
    chat_id: str | None = None
    rating: Literal["good", "bad"]
    comment: str = Field(default="", max_length=2000)


class RatingResult(ProtocolModel):
    event: RatingEvent


class VisitorActivityRequest(ProtocolModel):
    """The tab became visible/active (`true`) or hidden/idle (`false`)."""

    active: bool


class OfflineMessageRequest(ProtocolModel):
    """Left when no agent accepts chats; answered by e-mail later."""

    client_id: ClientId = _CLIENT_ID
    name: str = Field(default="", max_length=MAX_NAME_CHARS)
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    group_id: str | None = Field(
        default=None,
        max_length=36,
        description="The group the visitor picked; else the site's default group.",
    )


class OfflineMessageResult(ProtocolModel):
    message_id: str


class EmailTranscriptRequest(ProtocolModel):
    """E-mail me this conversation: `chat_id` (one of mine), or else my newest chat. Allowed once an
    agent has written in it; at most one transcript per chat. The address is `email`, else the one
    the site or an earlier form gave (refused with `email_required` when there is none)."""

    client_id: ClientId = _CLIENT_ID
    chat_id: str | None = Field(default=None, max_length=36)
    email: str | None = Field(default=None, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    lang: Literal["en", "ja"] = Field(default="en", description="The language of the e-mail.")


class EmailTranscriptResult(ProtocolModel):
    queued: bool = Field(description="False: this chat's transcript was already sent (no second mail).")


class QueuePositionPush(ProtocolModel):
    """Where the visitor's chat stands in the queue, and a rough wait estimate in seconds."""

    chat_id: str
    position: int
    estimated_wait: int


class AvailabilityPush(ProtocolModel):
    """Whether any agent accepts chats now; without one the widget offers the offline form."""

    agents_available: bool


class VisitorTranscriptRequest(ProtocolModel):
    """Events of the visitor's open chat after `after_seq`, at most `limit`."""

    after_seq: DbInt = 0
    limit: int = Field(default=200, ge=1, le=500)


class PagePushResult(ProtocolModel):
    event: PagePushEvent


class VisitorTranscript(ProtocolModel):
    chat: ChatSummary | None
    events: list[Event]
    has_more: bool = Field(
        default=False,
        description="The page was cut short of `limit` to stay small: more events follow the last one.",
    )


__all__ = [
    "AgentLoginRequest",
    "AgentLoginResult",
    "AgentTypingRequest",
    "AuthorKind",
    "ChatActionRequest",
    "ChatActionResult",
    "ChatState",
    "Empty",
    "EventPush",
    "MessageResult",
    "ResumeRequest",
    "Resumed",
    "ResyncRequired",
    "SendMessageRequest",
    "SetStatusRequest",
    "SneakPeekPush",
    "StatusPush",
    "TypingPush",
    "VisitorCloseRequest",
    "VisitorLoginRequest",
    "VisitorLoginResult",
    "VisitorSendRequest",
    "VisitorSneakPeekRequest",
    "VisitorTranscript",
    "VisitorTranscriptRequest",
]

"""Models shared by both sockets and the REST API: chats, authors and durable events."""

from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from chat_protocol.attachments import AttachmentInfo
from chat_protocol.base import DEFERRED, ProtocolModel

MAX_MESSAGE_CHARS = 20_000
MAX_NAME_CHARS = 100


class ChatState(StrEnum):
    """Lifecycle of a chat: incoming -> queued -> taken -> closed."""

    INCOMING = "incoming"
    QUEUED = "queued"
    TAKEN = "taken"
    CLOSED = "closed"


class RoutingStatus(StrEnum):
    """Whether an agent is offered new chats. `away` is set by the app after idle time."""

    ACCEPTING = "accepting"
    NOT_ACCEPTING = "not_accepting"
    AWAY = "away"


class CloseReason(StrEnum):
    AGENT = "agent"
    VISITOR = "visitor"
    INACTIVE = "inactive"


class AuthorKind(StrEnum):
    VISITOR = "visitor"
    AGENT = "agent"
    SYSTEM = "system"


Audience = Literal["all", "agents"]


class Author(ProtocolModel):
    """Who wrote an event. `name` is plain text chosen by that person."""

    kind: AuthorKind
    id: str | None = None
    name: str = ""


class VisitorInfo(ProtocolModel):
    """What the agent knows of a visitor. Every string is visitor-supplied plain text."""

    visitor_id: str
    number: int = Field(description="Sequential number, for 'Visitor #n' when no name is given.")
    name: str = ""


class _EventBase(ProtocolModel):
    event_id: int = Field(description="Global, increasing; the resume cursor.")
    chat_id: str
    seq: int = Field(description="Per-chat order; clients order by it, never by time.")
    audience: Audience = "all"
    created_at: datetime
    author: Author
    client_id: str | None = Field(default=None, description="The author's idempotency key.")


class MessageEvent(_EventBase):
    """A chat message. `text` is plain text; a file sent in the chat is a message with an empty `text`
    and its `attachment` (`chat_protocol.attachments`)."""

    model_config = DEFERRED

    kind: Literal["message"] = "message"
    text: str
    attachment: AttachmentInfo | None = None


class ChatStateEvent(_EventBase):
    """The chat moved to `state`; `agent` is the assigned agent once taken.

    `assigned` marks automatic routing; `transferred_from` a transfer; `reason` why it closed."""

    model_config = DEFERRED

    kind: Literal["chat_state"] = "chat_state"
    state: ChatState
    agent: Author | None = None
    visitor: VisitorInfo | None = None
    assigned: bool = False
    transferred_from: Author | None = None
    reason: CloseReason | None = None
    group_id: str | None = Field(
        default=None, description="Queued for this group only: only its members may take the chat."
    )


class NoteEvent(_EventBase):
    """An internal note: audience `agents`, never sent to a visitor connection."""

    model_config = DEFERRED

    kind: Literal["note"] = "note"
    text: str


class RatingEvent(_EventBase):
    """The visitor rated the chat."""

    model_config = DEFERRED

    kind: Literal["rating"] = "rating"
    rating: Literal["good", "bad"]
    comment: str = ""


class PagePushEvent(_EventBase):
    """The agent offered the visitor a page (`state` `offered`), or the visitor answered the offer of
    seq `offer_seq` (`accepted` / `declined`). The URL is on one of the site's origins."""

    model_config = DEFERRED

    kind: Literal["page_push"] = "page_push"
    url: str
    state: Literal["offered", "accepted", "declined"]
    offer_seq: int | None = None


class CallEvent(_EventBase):
    """A video call of the chat (see `chat_protocol.calls`): `started` when the visitor accepted (author:
    the calling agent), `ended` when it ended, with the reason, who ended it and the connected time
    (0 when it never connected). A call that was declined or not answered has only its `ended` event."""

    model_config = DEFERRED

    kind: Literal["call"] = "call"
    call_id: str
    state: Literal["started", "ended"]
    reason: str | None = Field(default=None, description="A `CallEndReason` once ended.")
    ended_by: Literal["agent", "visitor", "system"] | None = None
    duration_s: float | None = None


AnyEvent = MessageEvent | ChatStateEvent | NoteEvent | RatingEvent | PagePushEvent | CallEvent
Event = Annotated[AnyEvent, Field(discriminator="kind")]


@cache
def _event_adapter() -> TypeAdapter[AnyEvent]:
    """Built on the first event parsed, not at import."""
    return TypeAdapter(Event)


def parse_event(data: object) -> AnyEvent:
    """Validate a durable event from its JSON form."""
    return _event_adapter().validate_python(data)


class ChatSummary(ProtocolModel):
    """A chat as listed in snapshots: enough to draw the chat list and the queue."""

    chat_id: str
    state: ChatState
    visitor: VisitorInfo
    agent: Author | None = None
    created_at: datetime
    queued_at: datetime | None = None
    last_seq: int = 0
    last_message: MessageEvent | None = None
    visitor_read_seq: int = Field(default=0, description="Highest seq the visitor has seen.")
    agent_read_seq: int = Field(default=0, description="Highest seq the agent has seen.")
    group_id: str | None = Field(default=None, description="Queued for this group only (after a transfer).")
    visitor_presence: Literal["active", "inactive", "left"] = "active"

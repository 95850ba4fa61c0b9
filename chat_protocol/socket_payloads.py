"""Payloads of the agent (`/ws/agent`) and visitor (`/ws/visitor`) socket actions."""

from __future__ import annotations

from pydantic import BaseModel, Field

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
    RoutingStatus,
)

ClientId = str
_CLIENT_ID = Field(min_length=8, max_length=64, description="A UUID chosen by the client.")

# --- both sockets ---------------------------------------------------------------------------


class Empty(BaseModel):
    """No fields."""


class ResumeRequest(BaseModel):
    """Replay every durable event after `cursor` that this user may see now."""

    cursor: int = Field(ge=0)


class Resumed(BaseModel):
    """Answer to `resume`, sent after the replayed `event` pushes; `cursor` is the newest event id."""

    cursor: int
    replayed: int


class ResyncRequired(BaseModel):
    """Sent as `err` with code `resync_required`: load a snapshot over HTTP, then resume from its cursor."""

    reason: str


class EventPush(BaseModel):
    """A durable event (push action `event`)."""

    event: Event


class TypingPush(BaseModel):
    """Someone in the chat is typing (ephemeral, never replayed)."""

    chat_id: str
    author: Author
    typing: bool


# --- agent socket -----------------------------------------------------------------------------


class AgentLoginRequest(BaseModel):
    """First frame on `/ws/agent`: the access token from `POST /api/v1/auth/login`."""

    token: str = Field(min_length=1, max_length=512)
    protocol: int = Field(default=1, description="The protocol version the client speaks.")


class AgentLoginResult(BaseModel):
    agent_id: str
    name: str
    role: str
    status: RoutingStatus
    server_protocol: int


class SendMessageRequest(BaseModel):
    chat_id: str
    client_id: ClientId = _CLIENT_ID
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class MessageResult(BaseModel):
    event: MessageEvent


class ChatActionRequest(BaseModel):
    """`take_chat` and `close_chat`."""

    chat_id: str
    client_id: ClientId = _CLIENT_ID


class ChatActionResult(BaseModel):
    event: ChatStateEvent
    chat: ChatSummary


class AgentTypingRequest(BaseModel):
    chat_id: str
    typing: bool


class SetStatusRequest(BaseModel):
    status: RoutingStatus


class StatusPush(BaseModel):
    """The agent's routing status changed (from any of their connections)."""

    status: RoutingStatus


class SneakPeekPush(BaseModel):
    """What the visitor is typing right now, before sending (ephemeral)."""

    chat_id: str
    text: str


# --- visitor socket ---------------------------------------------------------------------------


class VisitorLoginRequest(BaseModel):
    """First frame on `/ws/visitor`. Without `visitor_token` a new visitor is created."""

    site_id: str = Field(min_length=1, max_length=64)
    visitor_token: str | None = Field(default=None, max_length=512)
    protocol: int = 1


class VisitorLoginResult(BaseModel):
    visitor_id: str
    visitor_token: str = Field(description="Keep it (the widget uses localStorage) to stay the same visitor.")
    name: str
    chat: ChatSummary | None = Field(default=None, description="The visitor's open chat, if any.")
    cursor: int = Field(description="Newest event id; resume from here when no chat is shown yet.")
    server_protocol: int


class VisitorSendRequest(BaseModel):
    """Send a message; the first one opens a chat (incoming -> queued)."""

    client_id: ClientId = _CLIENT_ID
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    name: str | None = Field(default=None, max_length=MAX_NAME_CHARS)


class VisitorSneakPeekRequest(BaseModel):
    """The text in the visitor's input right now; empty means stopped typing. Throttled by the widget."""

    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class VisitorCloseRequest(BaseModel):
    client_id: ClientId = _CLIENT_ID


class VisitorTranscriptRequest(BaseModel):
    """Events of the visitor's open chat after `after_seq`, at most `limit`."""

    after_seq: int = Field(default=0, ge=0)
    limit: int = Field(default=200, ge=1, le=500)


class VisitorTranscript(BaseModel):
    chat: ChatSummary | None
    events: list[Event]


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

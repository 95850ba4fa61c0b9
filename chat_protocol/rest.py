"""Bodies of the REST API under `/api/v1` (the OpenAPI document is generated from them)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chat_protocol.models import ChatSummary, Event, RoutingStatus


class ServerInfo(BaseModel):
    """`GET /api/v1/info`: lets a client refuse a server of another protocol version."""

    product: str = "chat-backend"
    version: str
    protocol: int


class LoginRequest(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")


class Me(BaseModel):
    agent_id: str
    email: str
    name: str
    role: str
    status: RoutingStatus


class Snapshot(BaseModel):
    """My chats and the queue, with the cursor to resume the socket from."""

    cursor: int
    me: Me
    my_chats: list[ChatSummary]
    queue: list[ChatSummary]


class TranscriptPage(BaseModel):
    """Events of one chat in `seq` order; ask again with `after_seq=next_after_seq` while `has_more`."""

    chat: ChatSummary
    events: list[Event]
    has_more: bool
    next_after_seq: int

"""Supervision and team administration: the socket actions of supervisors and admins, and the REST
bodies of the supervised-chats list, agent administration and the audit log (see docs/roles.md)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chat_protocol.base import ProtocolModel
from chat_protocol.models import MAX_MESSAGE_CHARS, ChatSummary, RoutingStatus

_CLIENT_ID = Field(min_length=8, max_length=64, description="A UUID chosen by the client.")
Role = Literal["agent", "supervisor", "admin"]

# --- agent socket ----------------------------------------------------------------------------


class WatchChatRequest(ProtocolModel):
    """Start (or stop) receiving a supervised chat's sneak peek and the agent's typing. Its durable
    events already reach every supervisor in scope."""

    chat_id: str
    watch: bool = True


class WatchChatResult(ProtocolModel):
    chat: ChatSummary


class WhisperRequest(ProtocolModel):
    """A note to the agent inside the chat: a `note` event (audience `agents`) whose author is the
    supervisor. The holder, supervisors in scope and admins see it; a visitor never does."""

    chat_id: str
    client_id: str = _CLIENT_ID
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class JoinChatRequest(ProtocolModel):
    """Join a supervised chat to write to the visitor too (`send_message`); the transcript gets a
    system `message` saying who joined."""

    chat_id: str
    client_id: str = _CLIENT_ID


class TakeOverRequest(ProtocolModel):
    """Reassign a supervised chat to me. The `chat_state` event (`taken`, `transferred_from` = the
    previous agent) is the previous agent's notice and stays in the transcript."""

    chat_id: str
    client_id: str = _CLIENT_ID


# --- REST ------------------------------------------------------------------------------------


class SupervisedChat(ProtocolModel):
    """`GET /api/v1/supervision/chats`: a teammate's open chat (agent, visitor and state are in
    `chat`), and how long the visitor has been waiting for an answer (0 = answered)."""

    chat: ChatSummary
    waiting_seconds: int = Field(ge=0)


class AgentStatusInput(ProtocolModel):
    """`PUT /api/v1/agents/{agent_id}/status`: a supervisor sets a teammate's routing status."""

    status: RoutingStatus


class AgentUpdate(ProtocolModel):
    """`PATCH /api/v1/agents/{agent_id}` (admins): only the fields given change."""

    role: Role | None = None
    group_ids: list[str] | None = Field(default=None, max_length=100)
    max_chats: int | None = Field(default=None, ge=1, le=50)
    active: bool | None = None


class AgentDetail(ProtocolModel):
    agent_id: str
    email: str
    name: str
    role: Role
    active: bool
    status: RoutingStatus
    max_chats: int | None
    group_ids: list[str]
    must_change_password: bool = False


class AuditEntry(ProtocolModel):
    """`GET /api/v1/audit` (admins): one change, newest first."""

    audit_id: int
    actor_id: str
    actor_name: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime

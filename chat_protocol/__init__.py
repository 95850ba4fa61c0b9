"""The wire format shared by the chat backend, the operator app and (by documentation) the widget.

Pydantic models only: no I/O, no Qt, no server code.
"""

from chat_protocol.envelope import (
    MAX_FRAME_BYTES,
    MAX_JSON_DEPTH,
    PROTOCOL_VERSION,
    Envelope,
    ErrorCode,
    ErrorPayload,
    FrameType,
    parse_frame,
)
from chat_protocol.models import (
    Audience,
    Author,
    AuthorKind,
    ChatState,
    ChatStateEvent,
    ChatSummary,
    Event,
    MessageEvent,
    RoutingStatus,
    VisitorInfo,
    parse_event,
)

__all__ = [
    "MAX_FRAME_BYTES",
    "MAX_JSON_DEPTH",
    "PROTOCOL_VERSION",
    "Audience",
    "Author",
    "AuthorKind",
    "ChatState",
    "ChatStateEvent",
    "ChatSummary",
    "Envelope",
    "ErrorCode",
    "ErrorPayload",
    "Event",
    "FrameType",
    "MessageEvent",
    "RoutingStatus",
    "VisitorInfo",
    "parse_event",
    "parse_frame",
]

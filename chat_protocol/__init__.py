"""The wire format shared by the chat backend, the operator app and (by documentation) the widget.

Pydantic models only: no I/O, no Qt, no server code.

The names below are imported from their modules when first used (PEP 562), so that importing one
pydantic-free module (`chat_protocol.versions`) does not import pydantic and every model.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chat_protocol.enums import ErrorCode
    from chat_protocol.envelope import (
        MAX_FRAME_BYTES,
        MAX_JSON_DEPTH,
        Envelope,
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
    from chat_protocol.versions import PROTOCOL_VERSION

_HOMES = {
    "chat_protocol.envelope": (
        "MAX_FRAME_BYTES",
        "MAX_JSON_DEPTH",
        "Envelope",
        "ErrorPayload",
        "FrameType",
        "parse_frame",
    ),
    "chat_protocol.enums": ("ErrorCode",),
    "chat_protocol.models": (
        "Audience",
        "Author",
        "AuthorKind",
        "ChatState",
        "ChatStateEvent",
        "ChatSummary",
        "Event",
        "MessageEvent",
        "RoutingStatus",
        "VisitorInfo",
        "parse_event",
    ),
    "chat_protocol.versions": ("PROTOCOL_VERSION",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'chat_protocol' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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

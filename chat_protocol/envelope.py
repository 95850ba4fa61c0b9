"""The one envelope every WebSocket frame travels in, and the stable error codes."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chat_protocol.base import ProtocolModel

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 64 * 1024

FrameType = Literal["req", "res", "push", "err"]


class ErrorCode(StrEnum):
    """Stable error codes carried by `err` frames and REST error bodies."""

    BAD_FRAME = "bad_frame"
    FRAME_TOO_LARGE = "frame_too_large"
    UNKNOWN_ACTION = "unknown_action"
    INVALID_PAYLOAD = "invalid_payload"
    LOGIN_REQUIRED = "login_required"
    LOGIN_TIMEOUT = "login_timeout"
    INVALID_TOKEN = "invalid_token"
    INVALID_CREDENTIALS = "invalid_credentials"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    UNSUPPORTED_VERSION = "unsupported_version"
    RATE_LIMITED = "rate_limited"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CHAT_ALREADY_TAKEN = "chat_already_taken"
    CHAT_CLOSED = "chat_closed"
    NOT_ACCEPTING = "not_accepting"
    RESYNC_REQUIRED = "resync_required"
    CLIENT_ID_CONFLICT = "client_id_conflict"
    TARGET_UNAVAILABLE = "target_unavailable"
    ALREADY_INVITED = "already_invited"
    PAGE_NOT_ALLOWED = "page_not_allowed"
    ALREADY_EXISTS = "already_exists"
    CALL_IN_PROGRESS = "call_in_progress"
    VISITOR_OFFLINE = "visitor_offline"
    BLOCKED = "blocked"
    INTERNAL = "internal"


class ErrorPayload(ProtocolModel):
    """Payload of an `err` frame; also the body of REST errors (under `detail`)."""

    code: ErrorCode
    message: str
    retry_after: float | None = Field(default=None, description="Seconds to wait, for rate limits.")


class Envelope(ProtocolModel):
    """`{"v": 1, "type": ..., "action": ..., "req_id": ..., "payload": {...}}`."""

    model_config = ConfigDict(extra="forbid")

    v: int = PROTOCOL_VERSION
    type: FrameType
    action: str = Field(min_length=1, max_length=64)
    req_id: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict)

    def dumps(self) -> str:
        data = self.model_dump(mode="json")
        if data["req_id"] is None:
            del data["req_id"]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def request(cls, action: str, payload: BaseModel | dict[str, Any], req_id: str) -> Envelope:
        return cls(type="req", action=action, req_id=req_id, payload=_as_dict(payload))

    @classmethod
    def response(cls, action: str, payload: BaseModel | dict[str, Any], req_id: str | None) -> Envelope:
        return cls(type="res", action=action, req_id=req_id, payload=_as_dict(payload))

    @classmethod
    def push(cls, action: str, payload: BaseModel | dict[str, Any]) -> Envelope:
        return cls(type="push", action=action, payload=_as_dict(payload))

    @classmethod
    def error(
        cls,
        action: str,
        code: ErrorCode,
        message: str,
        req_id: str | None = None,
        retry_after: float | None = None,
    ) -> Envelope:
        body = ErrorPayload(code=code, message=message, retry_after=retry_after)
        return cls(type="err", action=action, req_id=req_id, payload=_as_dict(body))


def _as_dict(payload: BaseModel | dict[str, Any]) -> dict[str, Any]:
    if isinstance(payload, BaseModel):
        return payload.model_dump(mode="json")
    return payload

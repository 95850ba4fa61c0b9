"""The one envelope every WebSocket frame travels in, and the stable error codes."""

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chat_protocol.base import ProtocolModel
from chat_protocol.bounds import DbInt
from chat_protocol.enums import ErrorCode as ErrorCode
from chat_protocol.versions import PROTOCOL_VERSION as PROTOCOL_VERSION

MAX_FRAME_BYTES = 64 * 1024
# Arrays and objects in a frame nest at most this deep (the deepest payload needs 4 levels); deeper
# ones are refused before parsing, so no parser or validator ever recurses on a client's nesting.
MAX_JSON_DEPTH = 32

FrameType = Literal["req", "res", "push", "err"]


class ErrorPayload(ProtocolModel):
    """Payload of an `err` frame; also the body of REST errors (under `detail`)."""

    code: ErrorCode
    message: str
    retry_after: float | None = Field(default=None, description="Seconds to wait, for rate limits.")


class Envelope(ProtocolModel):
    """`{"v": 1, "type": ..., "action": ..., "req_id": ..., "payload": {...}}`."""

    model_config = ConfigDict(extra="forbid")

    v: DbInt = PROTOCOL_VERSION
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
    def request(cls, action: str, payload: BaseModel | dict[str, Any], req_id: str) -> "Envelope":
        return cls(type="req", action=action, req_id=req_id, payload=_as_dict(payload))

    @classmethod
    def response(cls, action: str, payload: BaseModel | dict[str, Any], req_id: str | None) -> "Envelope":
        return cls(type="res", action=action, req_id=req_id, payload=_as_dict(payload))

    @classmethod
    def push(cls, action: str, payload: BaseModel | dict[str, Any]) -> "Envelope":
        return cls(type="push", action=action, payload=_as_dict(payload))

    @classmethod
    def error(
        cls,
        action: str,
        code: ErrorCode,
        message: str,
        req_id: str | None = None,
        retry_after: float | None = None,
    ) -> "Envelope":
        body = ErrorPayload(code=code, message=message, retry_after=retry_after)
        return cls(type="err", action=action, req_id=req_id, payload=_as_dict(body))


def parse_frame(raw: str) -> Envelope:
    """The envelope of a received text frame; ValueError if it is not JSON, nests deeper than
    `MAX_JSON_DEPTH` or is not an envelope (its payload is validated later, by action)."""
    if nesting_exceeds(raw, MAX_JSON_DEPTH):
        raise ValueError("nested too deep")
    try:
        return Envelope.model_validate(json.loads(raw))
    except RecursionError as exc:  # not reached under MAX_JSON_DEPTH; never let it escape
        raise ValueError("nested too deep") from exc


_JSON_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_OPENING = frozenset(b"[{")


def nesting_exceeds(raw: str, limit: int) -> bool:
    """Whether arrays and objects in the JSON text `raw` nest deeper than `limit` (brackets inside
    strings do not count). Linear; a frame with at most `limit` brackets is not even scanned, and a
    deep one is given up on at the first bracket past the limit."""
    if raw.count("[") + raw.count("{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRINGS.sub("", raw).encode().translate(None, _NOT_BRACKETS):
        if byte in _OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _as_dict(payload: BaseModel | dict[str, Any]) -> dict[str, Any]:
    if isinstance(payload, BaseModel):
        return payload.model_dump(mode="json")
    return payload

"""What an HTTP answer means: a model, or the `ApiError` the user is told about.

Shared by the REST client (`operator_app.net.api`, over httpx) and the early sign-in
(`operator_app.net.early_signin`, over `http.client`), so that both read answers the same way.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from chat_protocol import PROTOCOL_VERSION
from chat_protocol.rest import ServerInfo
from operator_app.errors import ApiError, ApiErrorKind

log = logging.getLogger("operator_app.net.api")

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as read by the client (httpx) or by the early sign-in (`http.client`)."""

    method: str
    path: str
    status: int
    reason: str
    content: bytes
    retry_after: str | None = None  # the Retry-After header

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _error_detail(answer: Answer) -> tuple[str | None, str, float | None]:
    """(code, message, retry_after) from a REST error body, tolerating FastAPI's default shapes."""
    code: str | None = None
    message = answer.reason or f"HTTP {answer.status}"
    retry_after: float | None = None
    try:
        body: Any = json.loads(answer.content)
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        raw_code = detail.get("code")
        code = raw_code if isinstance(raw_code, str) else None
        raw_message = detail.get("message")
        if isinstance(raw_message, str):
            message = raw_message
        raw_retry = detail.get("retry_after")
        if isinstance(raw_retry, int | float):
            retry_after = float(raw_retry)
    elif isinstance(detail, str):
        message = detail
    header = answer.retry_after
    if retry_after is None and header:
        try:
            retry_after = float(header)
        except ValueError:
            retry_after = None
    return code, message, retry_after


def http_error(answer: Answer, *, login: bool = False) -> ApiError:
    """The `ApiError` of an unsuccessful answer (`login`: a 401 means a wrong password)."""
    code, message, retry_after = _error_detail(answer)
    status = answer.status
    if status == 429 or code == "rate_limited":
        kind = ApiErrorKind.RATE_LIMITED
    elif status == 401:
        kind = ApiErrorKind.INVALID_CREDENTIALS if login else ApiErrorKind.SESSION_EXPIRED
    else:
        kind = ApiErrorKind.HTTP
    log.info("HTTP %s %s -> %s %s", answer.method, answer.path, status, code)
    return ApiError(kind, message, status=status, code=code, retry_after=retry_after)


def validated(answer: Answer, model: type[ModelT]) -> ModelT:
    """A successful answer's body as `model`; `ApiError` BAD_RESPONSE when it is not one."""
    try:
        return model.model_validate_json(answer.content)
    except ValidationError as exc:
        raise ApiError(
            ApiErrorKind.BAD_RESPONSE, f"unexpected {answer.path} body: {exc}", status=answer.status
        ) from exc


def model_of(answer: Answer, model: type[ModelT], *, login: bool = False) -> ModelT:
    """`validated` for a successful answer, else its `http_error`."""
    if not answer.ok:
        raise http_error(answer, login=login)
    return validated(answer, model)


def not_our_server(exc: ApiError) -> ApiError:
    """`/info` answered with an error or a body that is not ours: INCOMPATIBLE (else `exc` itself)."""
    if exc.kind is ApiErrorKind.BAD_RESPONSE or exc.status in (404, 405):
        return ApiError(ApiErrorKind.INCOMPATIBLE, f"not a chat server ({exc.message})", status=exc.status)
    return exc


def same_protocol(info: ServerInfo) -> ServerInfo:
    """`info` of a server speaking this app's protocol; `ApiError` INCOMPATIBLE for another one."""
    if info.protocol != PROTOCOL_VERSION:
        raise ApiError(
            ApiErrorKind.INCOMPATIBLE,
            f"server speaks protocol {info.protocol}, this app speaks {PROTOCOL_VERSION}",
            server_protocol=info.protocol,
        )
    return info

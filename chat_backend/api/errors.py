"""REST error bodies: a refused request body or parameter gets the same shape as every other error;
requests with a NUL in their path or query are refused before routing; a database outage is a 503."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from chat_backend.db.outage import database_unavailable, report_failure
from chat_protocol import ErrorCode

log = logging.getLogger(__name__)


def _printable(text: str) -> str:
    """Text that encodes as UTF-8 (a lone surrogate from a JSON escape becomes U+FFFD)."""
    return text.encode("utf-8", "replace").decode("utf-8")


async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    """422 `invalid_payload` naming each refused field. The refused values are never echoed: they are
    the sender's, may be huge, and may not even encode as UTF-8."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    message = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg', '')}" for e in errors)
    detail = {
        "code": ErrorCode.INVALID_PAYLOAD.value,
        "message": _printable(message)[:500] or "Invalid request.",
    }
    return JSONResponse({"detail": detail}, status_code=422)


class RefuseNul:
    """ASGI middleware: a request whose path or query holds a NUL (`%00`) is 400 `invalid_payload`
    before any route sees it. No id, name or filter of ours contains one, and PostgreSQL refuses NUL in
    text, so such a value would otherwise fail deep in a query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and (
            "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b"")
        ):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": "invalid request"})
                return
            detail = {"code": ErrorCode.INVALID_PAYLOAD.value, "message": "NUL characters are not allowed."}
            await JSONResponse({"detail": detail}, status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def database_failure(_request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After while the database cannot be reached (logged once per outage as a warning,
    `chat_backend.db.outage`); any other database or OS error is a 500 logged with its traceback."""
    report_failure(log, "a request", exc)
    detail = {"code": ErrorCode.INTERNAL.value, "message": "Internal error."}
    if not database_unavailable(exc):
        return JSONResponse({"detail": detail}, status_code=500)
    detail["message"] = "The service is briefly unavailable; please try again."
    return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "2"})

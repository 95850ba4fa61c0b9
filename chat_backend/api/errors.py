"""REST error bodies: a refused request body or parameter gets the same shape as every other error;
requests with a NUL in their path or query are refused before routing."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from chat_protocol import ErrorCode


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

"""Security headers on every HTTP response, and the API reference page served from local files.

Pages (HTML: the demo shop, the docs page) get a Content-Security-Policy that allows only this origin's
scripts (no inline script), cannot be framed, and send no more than the origin as referrer to others.
Everything else (the API's JSON, the widget script, CSS) gets `nosniff`, a CSP that runs nothing, and no
referrer; API answers are never stored by caches (they carry tokens and chats).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources
from importlib.abc import Traversable

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Inline styles only: the widget styles its Shadow DOM with a <style> element, Swagger UI sets style
# attributes. `connect-src 'self'` covers this origin's ws:/wss: too (CSP Level 3). `blob:` images: the
# widget shows files of a chat (fetched with the visitor's token) through object URLs.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
RESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
_ALWAYS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response (a handler's own win)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope.get("path", "")).startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                page = headers.get("content-type", "").startswith("text/html")
                wanted = {
                    **_ALWAYS,
                    "Content-Security-Policy": PAGE_POLICY if page else RESOURCE_POLICY,
                    "Referrer-Policy": "strict-origin-when-cross-origin" if page else "no-referrer",
                }
                if api:
                    wanted["Cache-Control"] = "no-store"
                for name, value in wanted.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class VisitorPreflight:
    """CORS preflights of the widget's HTTP requests (`/api/v1/visitor/...`: files), answered only for
    the sites' origins (`allowed`); the requests themselves check the visitor's own site's origins."""

    PREFIX = "/api/v1/visitor/"
    HEADERS = "X-Visitor-Token, X-Site-Id, X-File-Name, X-Client-Id, Content-Type"

    def __init__(self, app: ASGIApp, allowed: Callable[[str], Awaitable[bool]]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "OPTIONS"
            or not str(scope["path"]).startswith(self.PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        origin = Headers(scope=scope).get("origin")
        if origin is None or not await self.allowed(origin):
            await Response(status_code=403, headers={"Vary": "Origin"})(scope, receive, send)
            return
        headers = {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "GET, POST",
            "Access-Control-Allow-Headers": self.HEADERS,
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        }
        await Response(status_code=204, headers=headers)(scope, receive, send)


# --- the API reference page (CHAT_API_DOCS) ---------------------------------------------------------

_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Chat backend API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/start.js"></script>
</body>
</html>
"""
# No validator badge (Swagger UI's default loads it from swagger.io), no query-string configuration.
_START = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  queryConfigEnabled: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
"""
_ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}


def _swagger_ui() -> Traversable:
    """Swagger UI's distribution as shipped by the swagger-ui-bundle-v2 package (whatever its version)."""
    vendor = resources.files("swagger_ui_bundle") / "vendor"
    return next(d for d in vendor.iterdir() if d.name.startswith("swagger-ui-"))


def add_api_docs(app: FastAPI) -> None:
    """`/docs`: Swagger UI over `/openapi.json`, every file from this server, nothing from elsewhere."""
    dist = _swagger_ui()
    loaded: dict[str, bytes] = {}

    @app.get("/docs", include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(_DOCS_PAGE)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        if name == "start.js":
            return Response(_START, media_type="text/javascript")
        if name not in _ASSETS:
            raise HTTPException(404)
        if name not in loaded:
            loaded[name] = (dist / name).read_bytes()
        return Response(loaded[name], media_type=_ASSETS[name])

"""Which address a socket counts against (limits per IP)."""

from __future__ import annotations

from starlette.websockets import WebSocket


def client_ip(ws: WebSocket) -> str:
    """The peer's IP address as the server saw it. Behind a reverse proxy this is the proxy's; the
    trusted-proxy rules that name the real client replace this one function."""
    client = ws.client
    return client.host if client else "?"

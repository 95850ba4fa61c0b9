"""Which address a socket counts against (limits per IP)."""

from __future__ import annotations

from starlette.websockets import WebSocket

from chat_backend.net import client_ip as request_client_ip
from chat_backend.net import limit_key


def client_ip(ws: WebSocket) -> str:
    """The client's address as limits count it: the real client behind a trusted proxy
    (`CHAT_TRUSTED_PROXIES`), an IPv6 client by its /64, as for login limits (`chat_backend.net`)."""
    return limit_key(request_client_ip(ws.scope))

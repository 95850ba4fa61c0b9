"""Dropping a WebSocket whose peer stopped reading.

Such a peer never takes the close frame, and a graceful close keeps the connection, with everything its
buffers hold, until the peer reads again: maybe never. ASGI has no way to abort a connection, so this
reaches the server's transport (uvicorn's, on asyncio or uvloop) and resets it."""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
from typing import Protocol, cast

from starlette.websockets import WebSocket

log = logging.getLogger(__name__)


class Transport(Protocol):
    """What is used of an asyncio or uvloop stream transport."""

    def is_closing(self) -> bool: ...
    def get_write_buffer_size(self) -> int: ...
    def get_extra_info(self, name: str, default: object = None) -> object: ...
    def abort(self) -> None: ...


def transport_of(ws: WebSocket) -> Transport | None:
    """The TCP transport under a WebSocket served by uvicorn, else None.

    Starlette keeps the server's `receive` callable as it came; uvicorn's is a method of the
    connection's protocol object, which holds the transport."""
    protocol = getattr(getattr(ws, "_receive", None), "__self__", None)
    transport = getattr(protocol, "transport", None)
    needed = ("is_closing", "get_write_buffer_size", "get_extra_info", "abort")
    if transport is None or not all(callable(getattr(transport, name, None)) for name in needed):
        return None
    return cast(Transport, transport)


def drop_if_open(transport: Transport, what: str) -> bool:
    """Reset the connection unless it is gone, or closing with nothing left to write. A reset (linger
    0), not a FIN queued behind unsent data, so the kernel frees the connection at once too."""
    unsent = transport.get_write_buffer_size()
    if transport.is_closing() and unsent == 0:
        return False
    setsockopt = getattr(transport.get_extra_info("socket"), "setsockopt", None)
    if callable(setsockopt):
        with contextlib.suppress(OSError):
            setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    log.warning("dropped %s: the peer did not take its close in time (%d bytes unsent)", what, unsent)
    return True

"""`/api/v1/info`: the server's version and protocol, before any login."""

from __future__ import annotations

from fastapi import APIRouter

from chat_backend import __version__
from chat_protocol import PROTOCOL_VERSION
from chat_protocol.rest import ServerInfo

router = APIRouter(prefix="/api/v1")


@router.get("/info")
async def info() -> ServerInfo:
    return ServerInfo(version=__version__, protocol=PROTOCOL_VERSION)

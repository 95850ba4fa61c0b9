"""`/api/v1/info`: the server's version and protocol, and the operator app's minimum and latest
versions with the download link (an admin setting), before any login."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from chat_backend import __version__
from chat_backend.api.deps import State
from chat_backend.db.outage import database_unavailable, report_failure
from chat_backend.domain.app_updates import app_update_settings
from chat_protocol import PROTOCOL_VERSION
from chat_protocol.rest import AppUpdateSettings, ServerInfo

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1")


@router.get("/info")
async def info(state: State) -> ServerInfo:
    """While the database is unavailable the versions are left out: the protocol check still answers
    (and no sign-in can pass the minimum then: the login needs the database too)."""
    try:
        async with state.db.read() as session:
            updates = await app_update_settings(session)
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        report_failure(log, "reading the app versions for /info", exc)
        updates = AppUpdateSettings()
    return ServerInfo(version=__version__, protocol=PROTOCOL_VERSION, **updates.model_dump())

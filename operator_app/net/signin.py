"""Signing in over REST: refuse a server of another protocol, get tokens, optionally the snapshot."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass

from chat_protocol.rest import Snapshot, TokenPair
from operator_app.net.api import ApiClient
from operator_app.updates import UpdateStatus, refuse_if_outdated, update_status

log = logging.getLogger(__name__)


@dataclass
class SignedIn:
    """A successful sign-in: the server's client, the tokens, and the snapshot when asked for."""

    api: ApiClient
    email: str
    tokens: TokenPair
    snapshot: Snapshot | None = None
    update: UpdateStatus | None = None


async def sign_in(
    api: ApiClient,
    email: str,
    password: str,
    *,
    with_snapshot: bool = False,
    logging_in: asyncio.Event | threading.Event | None = None,
    update_url: str = "",
) -> SignedIn:
    """Check `/info` first (no password goes to a server that is not ours, nor from an app below the
    server's minimum version: `ApiError` OUTDATED), then log in. `update_url`: the workstation's
    download link, which wins over the server's.

    `logging_in` is set as the login request goes out. Closes the client on failure; raises `ApiError`.
    """
    try:
        update = update_status(await api.server_info(), update_url=update_url)
        refuse_if_outdated(update)
        log.debug("server %s is compatible", api.server_url)
        if logging_in is not None:
            logging_in.set()
        tokens = await api.login(email, password)
        log.debug("signed in as %s", email)
        snapshot = await api.snapshot(tokens.access_token) if with_snapshot else None
    except BaseException:
        await api.aclose()
        raise
    return SignedIn(api, email, tokens, snapshot, update)

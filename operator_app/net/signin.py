"""Signing in over REST: refuse a server of another protocol, get tokens, optionally the snapshot."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from chat_protocol.rest import Snapshot, TokenPair
from operator_app.net.api import ApiClient

log = logging.getLogger(__name__)


@dataclass
class SignedIn:
    """A successful sign-in: the server's client, the tokens, and the snapshot when asked for."""

    api: ApiClient
    email: str
    tokens: TokenPair
    snapshot: Snapshot | None = None


async def sign_in(
    api: ApiClient,
    email: str,
    password: str,
    *,
    with_snapshot: bool = False,
    logging_in: asyncio.Event | None = None,
) -> SignedIn:
    """Check `/info` first (no password goes to a server that is not ours), then log in.

    `logging_in` is set as the login request goes out. Closes the client on failure; raises `ApiError`.
    """
    try:
        await api.server_info()
        log.debug("server %s is compatible", api.server_url)
        if logging_in is not None:
            logging_in.set()
        tokens = await api.login(email, password)
        log.debug("signed in as %s", email)
        snapshot = await api.snapshot(tokens.access_token) if with_snapshot else None
    except BaseException:
        await api.aclose()
        raise
    return SignedIn(api, email, tokens, snapshot)

"""An authenticated session: the token pair, refreshed before it expires and after a 401."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from chat_protocol.rest import Me, Snapshot, TokenPair, TranscriptPage
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.api import ApiClient

log = logging.getLogger(__name__)

T = TypeVar("T")


class AuthSession:
    """Owns the tokens of one signed-in agent and makes authenticated REST calls.

    `on_tokens_changed` is called with every new pair (to keep the refresh token in the keyring).
    """

    def __init__(
        self,
        api: ApiClient,
        tokens: TokenPair,
        *,
        email: str,
        on_tokens_changed: Callable[[TokenPair], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.email = email
        self._on_tokens_changed = on_tokens_changed
        self._clock = clock
        self._lock = asyncio.Lock()
        self._tokens = tokens
        self._expires_at = clock() + tokens.expires_in
        self._closed = False

    @property
    def server_url(self) -> str:
        return self.api.server_url

    @property
    def refresh_token(self) -> str:
        return self._tokens.refresh_token

    def _needs_refresh(self) -> bool:
        margin = min(30.0, self._tokens.expires_in * 0.2)
        return self._clock() >= self._expires_at - margin

    async def access_token(self, *, force_refresh: bool = False) -> str:
        """A valid access token; refreshes once (for all concurrent callers) when it is due."""
        if self._closed:
            raise ApiError(ApiErrorKind.SESSION_EXPIRED, "signed out")
        if not force_refresh and not self._needs_refresh():
            return self._tokens.access_token
        stale = self._tokens.access_token
        async with self._lock:
            if self._tokens.access_token == stale:
                await self._refresh()
        return self._tokens.access_token

    async def _refresh(self) -> None:
        log.info("refreshing the access token")
        try:
            tokens = await self.api.refresh(self._tokens.refresh_token)
        except ApiError as exc:
            if exc.kind in (ApiErrorKind.SESSION_EXPIRED, ApiErrorKind.INVALID_CREDENTIALS) or (
                exc.status is not None and 400 <= exc.status < 500 and exc.status != 429
            ):
                raise ApiError(ApiErrorKind.SESSION_EXPIRED, f"refresh refused: {exc.message}") from exc
            raise
        self._tokens = tokens
        self._expires_at = self._clock() + tokens.expires_in
        if self._on_tokens_changed is not None:
            self._on_tokens_changed(tokens)

    async def call(self, fn: Callable[[str], Awaitable[T]]) -> T:
        """Run an authenticated call; on a 401, refresh once and try again."""
        token = await self.access_token()
        try:
            return await fn(token)
        except ApiError as exc:
            if exc.kind is not ApiErrorKind.SESSION_EXPIRED:
                raise
        token = await self.access_token(force_refresh=True)
        return await fn(token)

    async def me(self) -> Me:
        return await self.call(self.api.me)

    async def snapshot(self) -> Snapshot:
        return await self.call(self.api.snapshot)

    async def transcript(self, chat_id: str, *, after_seq: int = 0, limit: int = 200) -> TranscriptPage:
        return await self.call(
            lambda token: self.api.transcript(token, chat_id, after_seq=after_seq, limit=limit)
        )

    async def logout(self) -> None:
        """Tell the server (which closes every socket of mine); local state is dropped even if it fails."""
        if self._closed:
            return
        try:
            await self.api.logout(self._tokens.access_token)
        except ApiError as exc:
            log.warning("logout request failed: %s", exc)
        finally:
            self._closed = True

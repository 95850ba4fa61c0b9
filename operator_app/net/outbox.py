"""Mutations not yet acknowledged by the server, kept in SQLite so a restart loses none.

`Outbox` is the durable queue; `OutboxDelivery` sends its head, in order, whenever the socket is
connected. A row leaves the queue on the server's `res` or on a definitive `err`; the server makes
a retry with the same `client_id` idempotent, so every mutation takes effect exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from chat_protocol import ErrorCode
from operator_app.errors import ConnectionLost, RealtimeError, RequestTimeout

log = logging.getLogger(__name__)

MUTATIONS = frozenset({"send_message", "send_note", "take_chat", "close_chat"})
# Codes after which the same request may succeed later: keep the row and try again.
TRANSIENT_CODES = frozenset(
    {ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL, ErrorCode.LOGIN_REQUIRED, ErrorCode.INVALID_TOKEN}
)
MAX_INTERNAL_ATTEMPTS = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_account ON outbox (account, id);
"""


@dataclass(frozen=True)
class OutboxItem:
    """One queued request: `payload` is the request payload, including `client_id`."""

    client_id: str
    action: str
    chat_id: str
    payload: dict[str, Any]
    created_at: float
    attempts: int


class Outbox:
    """The durable queue of one account (server URL + agent id) in a shared SQLite file."""

    def __init__(self, path: Path, account: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.account = account
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def add(self, action: str, payload: dict[str, Any]) -> OutboxItem:
        """Queue a mutation; its `client_id` and `chat_id` come from the payload."""
        if action not in MUTATIONS:
            raise ValueError(f"{action!r} is not a queued mutation")
        client_id = str(payload["client_id"])
        chat_id = str(payload["chat_id"])
        created = time.time()
        self._db.execute(
            "INSERT INTO outbox (account, client_id, action, chat_id, payload, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (self.account, client_id, action, chat_id, json.dumps(payload, ensure_ascii=False), created),
        )
        return OutboxItem(client_id, action, chat_id, payload, created, 0)

    def pending(self) -> list[OutboxItem]:
        """Every queued mutation of this account, oldest first."""
        rows = self._db.execute(
            "SELECT client_id, action, chat_id, payload, created_at, attempts FROM outbox"
            " WHERE account = ? ORDER BY id",
            (self.account,),
        ).fetchall()
        return [OutboxItem(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]

    def head(self) -> OutboxItem | None:
        items = self._db.execute(
            "SELECT client_id, action, chat_id, payload, created_at, attempts FROM outbox"
            " WHERE account = ? ORDER BY id LIMIT 1",
            (self.account,),
        ).fetchall()
        if not items:
            return None
        r = items[0]
        return OutboxItem(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5])

    def count_attempt(self, client_id: str) -> None:
        self._db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE client_id = ?", (client_id,))

    def remove(self, client_id: str) -> None:
        self._db.execute("DELETE FROM outbox WHERE client_id = ?", (client_id,))


class Requester(Protocol):
    """The part of `RealtimeConnection` the delivery needs."""

    async def wait_connected(self) -> None: ...
    async def request(
        self, action: str, payload: dict[str, Any], *, answer_within: float | None = None
    ) -> dict[str, Any]: ...


class OutboxDelivery:
    """Sends the outbox head-first while connected. `kick()` after adding a row or on resume.

    `on_result(item, res_payload)` and `on_failed(item, error)` report each row's outcome.
    """

    def __init__(
        self,
        outbox: Outbox,
        requester: Requester,
        on_result: Callable[[OutboxItem, dict[str, Any]], None],
        on_failed: Callable[[OutboxItem, RealtimeError], None],
        *,
        retry_pause: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.outbox = outbox
        self._requester = requester
        self._on_result = on_result
        self._on_failed = on_failed
        self._retry_pause = retry_pause
        self._sleep = sleep
        self._kick = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.idle = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-delivery")
            self._kick.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def kick(self) -> None:
        self.idle.clear()
        self._kick.set()

    async def _run(self) -> None:
        while True:
            await self._kick.wait()
            self._kick.clear()
            try:
                await self._drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox delivery failed; retrying")
                await self._sleep(self._retry_pause)
                self._kick.set()

    async def _drain(self) -> None:
        while (item := self.outbox.head()) is not None:
            await self._requester.wait_connected()
            try:
                result = await self._requester.request(item.action, item.payload)
            except (ConnectionLost, RequestTimeout) as exc:
                # Resume kicks us again; a timeout on a live socket retries after a pause.
                log.info("outbox: %s %s not acknowledged (%s)", item.action, item.client_id, exc)
                await self._sleep(self._retry_pause)
                continue
            except RealtimeError as exc:
                if self._is_transient(item, exc):
                    self.outbox.count_attempt(item.client_id)
                    pause = exc.retry_after if exc.retry_after is not None else self._retry_pause
                    log.info("outbox: %s %s deferred (%s)", item.action, item.client_id, exc.code)
                    await self._sleep(pause)
                    continue
                log.warning("outbox: %s %s refused: %s", item.action, item.client_id, exc)
                self.outbox.remove(item.client_id)
                self._on_failed(item, exc)
                continue
            self.outbox.remove(item.client_id)
            self._on_result(item, result)
        self.idle.set()

    @staticmethod
    def _is_transient(item: OutboxItem, exc: RealtimeError) -> bool:
        if exc.code == ErrorCode.INTERNAL:
            return item.attempts + 1 < MAX_INTERNAL_ATTEMPTS
        return exc.code in TRANSIENT_CODES

"""The engine and the one write path: serialized transactions whose commit order is event-id order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# Any constant: all nodes take the same PostgreSQL advisory lock around event-writing transactions.
_EVENT_WRITE_LOCK = 7301


def async_url(url: str) -> str:
    """Map `sqlite:///x.db` and `postgresql://...` to their asyncio drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


class Database:
    """Owns the engine. Writers go through `write()`, which serializes them so that event ids are
    committed in increasing order (a reader resuming after id N can never miss a later commit of a
    smaller id). After each commit `on_commit` wakes up delivery."""

    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs["pool_size"] = 10
            kwargs["pool_pre_ping"] = True
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock()
        self.on_commit: Callable[[], None] = lambda: None
        # Called after every commit with the session's `info` (what the transaction left for after it).
        self.after_commit: Callable[[dict[Any, Any]], None] = lambda _info: None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        session = self.sessions()
        try:
            yield session
        finally:
            await _close(session)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        async with self._write_lock:
            session = self.sessions()
            try:
                async with session.begin():
                    if not self.is_sqlite:
                        await session.execute(text(f"SELECT pg_advisory_xact_lock({_EVENT_WRITE_LOCK})"))
                    yield session
            finally:
                await _close(session)
            if session.info.pop("events_written", False):
                self.on_commit()
            self.after_commit(session.info)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _close(session: AsyncSession) -> None:
    """Return the connection to the pool even when the task is being cancelled (a socket closing in the
    middle of a query): a cancellation inside the pool's reset would leave the connection half-returned
    and logs an error. The close runs to its end in its own task; the cancellation still reaches the
    caller."""
    await asyncio.shield(session.close())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()

"""The engine and the two write paths.

`write()` is the ordered path, for every transaction that may append events: such transactions are
serialized (a node-local asyncio lock, plus `pg_advisory_xact_lock` on PostgreSQL, taken before the
transaction writes anything and held until its commit), so event ids become visible in increasing
order and a reader resuming after id N can never miss a later commit of a smaller id.

`write_quiet()` is for transactions that write no events (visitor rows, visits, page views): they do
not queue behind the ordering lock, and `append_event` refuses to run inside one. They never take the
ordering lock either, so no lock cycle can form between the two paths through it. SQLite has one
writer, so there both paths share the node-local lock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# Any constant: all nodes take the same PostgreSQL advisory lock around event-writing transactions.
_EVENT_WRITE_LOCK = 7301
# Connections each node keeps to PostgreSQL (PostgreSQL's `max_connections` must cover every node's).
POOL_SIZE = 20
# `session.info` key: set in the transactions of the ordered path, the only ones that may append events.
ORDERED = "ordered_write"
# In a session's `info`: how many events the transaction appended (set by `events.append_event`).
EVENTS_WRITTEN = "events_written"


def async_url(url: str) -> str:
    """Map `sqlite:///x.db` and `postgresql://...` to their asyncio drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


@dataclass
class LockStats:
    """How the ordered path is used on this node: transactions, and seconds spent waiting for and
    holding the ordering lock (for metrics and benchmarks)."""

    transactions: int = 0
    waited: float = 0.0
    held: float = 0.0
    longest_hold: float = 0.0

    def add(self, waited: float, held: float) -> None:
        self.transactions += 1
        self.waited += waited
        self.held += held
        self.longest_hold = max(self.longest_hold, held)


class Database:
    """Owns the engine. Writers that may append events go through `write()` (ordered), the others
    through `write_quiet()`. After each commit `on_commit` wakes up delivery when events were written,
    and `after_commit` gets the session's `info`."""

    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # A fixed pool: overflow connections are closed when given back, so under a login storm
            # each overflow checkout paid a new connection (TCP, TLS attempt, authentication).
            kwargs["pool_size"] = POOL_SIZE
            kwargs["max_overflow"] = 0
            # No ping before each checkout (a round trip per session, about 6% of a login's CPU): a
            # connection that died with the server fails its statement once, and SQLAlchemy then
            # replaces every connection of the pool made before that failure.
            kwargs["pool_recycle"] = 1800
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL readers run each statement on its own (autocommit): no BEGIN and ROLLBACK round
        # trips per session. Under READ COMMITTED every statement had its own snapshot anyway, so a
        # reader sees the same; and since event ids commit in order, `max(id)` read by any statement
        # is a cursor that no later commit can go below. (SQLite's driver starts no transaction for a
        # read anyway; switching its mode would cost a thread round trip at every checkout.)
        readers = (
            self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._read_sessions = async_sessionmaker(readers, expire_on_commit=False)
        # Ordered writers of this node wait here, not on the advisory lock: one pool connection at a
        # time waits for it. On SQLite every writer waits here (one writer at a time).
        self._write_lock = asyncio.Lock()
        self.lock_stats = LockStats()
        self.on_commit: Callable[[], None] = lambda: None
        # Called after every commit with the session's `info` (what the transaction left for after it).
        self.after_commit: Callable[[dict[Any, Any]], None] = lambda _info: None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session that only reads (it is never committed)."""
        session = self._read_sessions()
        try:
            yield session
        finally:
            await _close(session)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """The ordered path: a transaction that may append events. Event ids commit in id order."""
        asked = time.perf_counter()
        async with self._write_lock:
            got = time.perf_counter()
            session = self.sessions()
            try:
                if not self.is_sqlite:
                    await session.execute(text(f"SELECT pg_advisory_xact_lock({_EVENT_WRITE_LOCK})"))
                session.info[ORDERED] = True
                yield session
                await session.commit()
            finally:
                await _close(session)  # rolls back what was not committed (see `_close`)
                self.lock_stats.add(got - asked, time.perf_counter() - got)
            if session.info.get(EVENTS_WRITTEN):
                self.on_commit()
            self.after_commit(session.info)

    @asynccontextmanager
    async def write_quiet(self) -> AsyncIterator[AsyncSession]:
        """A transaction that writes no events (`append_event` refuses): it does not wait for the
        ordering lock on PostgreSQL. Its row locks are the only order between it and other writers,
        so keep it short and touch rows in a stable order."""
        if self.is_sqlite:
            async with self._write_lock, self._quiet() as session:
                yield session
        else:
            async with self._quiet() as session:
                yield session

    @asynccontextmanager
    async def _quiet(self) -> AsyncIterator[AsyncSession]:
        session = self.sessions()
        try:
            yield session
            await session.commit()
        finally:
            await _close(session)  # rolls back what was not committed (see `_close`)
        self.after_commit(session.info)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _close(session: AsyncSession) -> None:
    """Roll back what was not committed and return the connection to the pool, even when the task is
    being cancelled (a socket closing in the middle of a query): a cancellation inside the rollback or
    the pool's reset would leave the connection half-returned and log an error. The close runs to its
    end in its own task; the cancellation still reaches the caller.

    So the writers commit themselves and never roll back in the caller's task (as `session.begin()`'s
    context would on an exception, a cancellation included): the close does it."""
    await asyncio.shield(session.close())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()

"""Event order and the two write paths (`Database.write()` ordered, `write_quiet()` not):

- many writers on several "nodes" (Database instances, each with its own node-local lock) append
  events while a reader polls the log with a cursor: the reader never skips an event;
- an event cannot be written on the quiet path;
- a visitor login (new and returning) goes through while another transaction holds the ordering lock;
- what a login defers ("last seen") is written at shutdown.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select, update

from chat_backend.db.engine import _EVENT_WRITE_LOCK, Database
from chat_backend.db.tables import Chat, EventRow, Visitor
from chat_backend.domain import chats, sites, visitors
from chat_backend.domain.events import append_event
from chat_protocol import Author, AuthorKind
from tests.support.backend import BackendProcess
from tests.support.databases import create_postgres_database, drop_postgres_database, sqlite_database
from tests.support.wire import connect_visitor

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.asyncio
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="needs CHAT_TEST_DATABASE_URL (PostgreSQL)")

NODES = 3
WRITERS_PER_NODE = 4
EVENTS_PER_WRITER = 10


def _params() -> list[str]:
    return ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


@pytest_asyncio.fixture(params=_params())
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield sqlite_database(tmp_path)
        return
    name, url = await asyncio.to_thread(create_postgres_database, POSTGRES_URL)
    try:
        yield url
    finally:
        await asyncio.to_thread(drop_postgres_database, POSTGRES_URL, name)


async def _chats(db: Database, count: int) -> list[str]:
    """`count` open chats of as many visitors (one chat per writer: no row lock orders the writers)."""
    ids = []
    async with db.write() as session:
        site = await sites.create_site(session, "order", ["https://shop.example"])
        for index in range(count):
            visitor, _token = await visitors.visitor_login(session, site, None)
            event = await chats.visitor_send(session, visitor, f"client-{index:04d}", "hello", None)
            ids.append(event.chat_id)
    return ids


async def test_a_reader_polling_with_a_cursor_never_misses_an_event(database_url: str) -> None:
    sqlite = database_url.startswith("sqlite")
    # Several nodes on PostgreSQL (their node-local locks do not order each other); SQLite has one.
    nodes = [Database(database_url) for _ in range(1 if sqlite else NODES)]
    chat_ids = await _chats(nodes[0], len(nodes) * WRITERS_PER_NODE)
    author = Author(kind=AuthorKind.SYSTEM)
    rng = random.Random(14)
    done = asyncio.Event()

    async def writer(db: Database, chat_id: str) -> None:
        for number in range(EVENTS_PER_WRITER):
            async with db.write() as session:
                chat = await session.get(Chat, chat_id)
                assert chat is not None
                await append_event(session, chat, "message", author, text=f"{number}")
                # Commit late: without the ordering lock a smaller id would commit after a larger one.
                await asyncio.sleep(rng.uniform(0, 0.004))

    async def quiet_writer(db: Database, number: int) -> None:
        """Writes without events run beside the ordered ones."""
        while not done.is_set():
            async with db.write_quiet() as session:
                await session.execute(update(Visitor).where(Visitor.number == number).values(name="quiet"))
            await asyncio.sleep(0.01)

    seen: list[int] = []

    async def reader() -> None:
        cursor = 0
        async with nodes[0].read() as session:
            while True:
                finished = done.is_set()
                found = (
                    await session.scalars(
                        select(EventRow.id).where(EventRow.id > cursor).order_by(EventRow.id)
                    )
                ).all()
                await session.rollback()  # a new snapshot for the next poll
                seen.extend(found)
                cursor = found[-1] if found else cursor
                if finished:
                    return
                await asyncio.sleep(0.001)

    reading = asyncio.create_task(reader())
    quiet = [asyncio.create_task(quiet_writer(db, n + 1)) for n, db in enumerate(nodes)]
    writers = [
        writer(db, chat_ids[index * WRITERS_PER_NODE + n])
        for index, db in enumerate(nodes)
        for n in range(WRITERS_PER_NODE)
    ]
    await asyncio.gather(*writers)
    done.set()
    await asyncio.gather(reading, *quiet)
    async with nodes[0].read() as session:
        every = (await session.scalars(select(EventRow.id).order_by(EventRow.id))).all()
    assert sorted(seen) == list(every), "the reader's cursor skipped events committed after it"
    assert len(every) >= len(chat_ids) * (EVENTS_PER_WRITER + 1)
    for db in nodes:
        assert db.lock_stats.transactions > 0
        await db.dispose()


async def test_an_event_is_refused_on_the_quiet_path(database_url: str) -> None:
    db = Database(database_url)
    [chat_id] = await _chats(db, 1)

    async def event_on_the_quiet_path() -> None:
        async with db.write_quiet() as session:
            chat = await session.get(Chat, chat_id)
            assert chat is not None
            await append_event(session, chat, "message", Author(kind=AuthorKind.SYSTEM), text="no")

    with pytest.raises(RuntimeError, match="ordered path"):
        await event_on_the_quiet_path()
    async with db.read() as session:
        texts = (await session.scalars(select(EventRow.text).where(EventRow.chat_id == chat_id))).all()
    assert "no" not in texts
    await db.dispose()


# --- a login does not queue behind the ordering lock --------------------------------------------


@pytest.fixture(scope="module")
def postgres_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    name, url = create_postgres_database(POSTGRES_URL)
    backend = BackendProcess(database_url=url, workdir=tmp_path_factory.mktemp("order-backend"))
    try:
        backend.start()
        yield backend
    finally:
        backend.stop()
        drop_postgres_database(POSTGRES_URL, name)


@needs_postgres
async def test_visitor_logins_go_through_while_the_ordering_lock_is_held(
    postgres_backend: BackendProcess,
) -> None:
    import asyncpg  # type: ignore[import-untyped]

    backend = postgres_backend
    first, login = await connect_visitor(backend)  # known before the lock is taken
    await first.close()
    holder = await asyncpg.connect(backend.database_url.replace("postgresql+asyncpg", "postgresql"))
    transaction = holder.transaction()
    await transaction.start()
    try:
        # As a long event-writing transaction on another node would: every ordered writer waits.
        await holder.execute(f"SELECT pg_advisory_xact_lock({_EVENT_WRITE_LOCK})")
        async with asyncio.timeout(20):
            new, new_login = await connect_visitor(backend, page={"url": f"{backend.url}/a", "title": "A"})
            back, back_login = await connect_visitor(
                backend, token=login["visitor_token"], page={"url": f"{backend.url}/b", "title": "B"}
            )
        assert new_login["visitor_id"] != login["visitor_id"]
        assert back_login["visitor_id"] == login["visitor_id"]
        await new.close()
        await back.close()
    finally:
        await transaction.rollback()
        await holder.close()


# --- what a login defers is written at shutdown -----------------------------------------------


async def test_deferred_last_seen_is_written_at_shutdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A returning visitor who changes nothing writes nothing before the answer; the "last seen" time
    waits for the next batch, and a shutdown writes it (no batch would come before it here)."""
    monkeypatch.setenv("CHAT_COALESCE_WRITES_EVERY", "600")
    backend = BackendProcess(database_url=sqlite_database(tmp_path), workdir=tmp_path)
    await asyncio.to_thread(backend.start)
    page = {"url": f"{backend.url}/demo/index.html", "title": "Shop"}

    def last_seen(visitor_id: str) -> datetime:
        database = sqlite3.connect(tmp_path / "chat.db")
        try:
            [(value,)] = database.execute("SELECT last_seen_at FROM visitors WHERE id = ?", (visitor_id,))
        finally:
            database.close()
        return datetime.fromisoformat(value)

    try:
        first, login = await connect_visitor(backend, page=page)
        await first.close()
        again, _ = await connect_visitor(backend, token=login["visitor_token"], page=page)
        await again.close()
        seen_at_login = last_seen(login["visitor_id"])
    finally:
        await asyncio.to_thread(backend.stop)
    assert last_seen(login["visitor_id"]) > seen_at_login

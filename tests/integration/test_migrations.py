"""The migrations build exactly the schema the tables declare (SQLite, and PostgreSQL when named)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from chat_backend.db import ticket_tables  # noqa: F401  (its tables on the same metadata)
from chat_backend.db.engine import async_url
from chat_backend.db.migrate import upgrade
from chat_backend.db.tables import Base


def _declared(name: str | None, kind: str, _parents: object) -> bool:
    """SQLite's FTS5 index of the archives (`archive_fts` and the shadow tables FTS5 makes for it) is
    made by migration 0012 only: SQLAlchemy has no table type for it."""
    return not (kind == "table" and name is not None and name.startswith("archive_fts"))


def _compare(connection: Connection) -> list[object]:
    sqlite = connection.dialect.name == "sqlite"

    def made_here(_object: object, name: str | None, kind: str, _reflected: bool, _other: object) -> bool:
        # The GIN index of `archive_docs.tokens` is PostgreSQL's only (`Index.ddl_if`).
        return not (sqlite and kind == "index" and name == "ix_archive_docs_tokens")

    opts = {"include_name": _declared, "include_object": made_here}
    return list(compare_metadata(MigrationContext.configure(connection, opts=opts), Base.metadata))


async def _diff(url: str) -> list[object]:
    await asyncio.to_thread(upgrade, url)  # Alembic runs its own event loop
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_compare)
    finally:
        await engine.dispose()


def test_sqlite_migrations_match_the_tables(tmp_path: Path) -> None:
    assert asyncio.run(_diff(f"sqlite:///{tmp_path / 'chat.db'}")) == []


async def _recreate(url: str, name: str, create: bool) -> None:
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            if create:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


@pytest.mark.skipif(not os.environ.get("CHAT_TEST_DATABASE_URL"), reason="PostgreSQL not named")
def test_postgresql_migrations_match_the_tables() -> None:
    url = os.environ["CHAT_TEST_DATABASE_URL"]
    name = "chat_migration_check"
    asyncio.run(_recreate(url, name, create=True))
    try:
        scratch = make_url(url).set(database=name).render_as_string(hide_password=False)
        assert asyncio.run(_diff(scratch)) == []
    finally:
        asyncio.run(_recreate(url, name, create=False))


def test_chats_closed_before_the_archives_are_archived_by_their_migration(tmp_path: Path) -> None:
    """Migration 0012 archives the chats already closed: found by a Japanese word, with their figures."""
    from datetime import UTC, datetime, timedelta

    from alembic import command
    from sqlalchemy import create_engine, select, text
    from sqlalchemy.orm import Session

    from chat_backend.db.migrate import alembic_config
    from chat_backend.db.tables import ArchiveDoc, ChatParticipant, ChatRecord, EventRow, Visitor

    url = f"sqlite:///{tmp_path / 'chat.db'}"
    command.upgrade(alembic_config(url), "0011")
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        session.execute(  # the table as it was then (a later release added columns)
            text("INSERT INTO sites (id, name, origins, created_at) VALUES ('site1', 'Shop', '[]', :at)"),
            {"at": start},
        )
        session.add(
            Visitor(id="v1", site_id="site1", number=1, token_hash="h" * 64, name="花子", email="h@x.jp")
        )
        session.flush()
        for chat_id, state in (("closed1", "closed"), ("open1", "taken")):
            session.execute(  # the table as it was then too (0016 added `training`)
                text(
                    "INSERT INTO chats (id, site_id, visitor_id, state, last_seq, created_at, assigned,"
                    " visitor_read_seq, agent_read_seq, visitor_presence, previous_agent_ids)"
                    " VALUES (:id, 'site1', 'v1', :state, 0, :at, 0, 0, 0, 'active', '[]')"
                ),
                {"id": chat_id, "state": state, "at": start},
            )
        session.flush()
        rows = [
            ("closed1", 1, "message", "visitor", None, "抹茶はありますか", {}, 0),
            ("closed1", 2, "message", "agent", "a1", "ございます", {}, 90),
            ("closed1", 3, "chat_state", "agent", "a1", None, {"state": "closed"}, 120),
            ("open1", 1, "message", "visitor", None, "抹茶?", {}, 0),
        ]
        for chat_id, seq, kind, author_kind, author_id, text_, data, after in rows:
            session.add(
                EventRow(
                    chat_id=chat_id,
                    seq=seq,
                    kind=kind,
                    author_kind=author_kind,
                    author_id=author_id,
                    author_key=f"{author_kind}:{author_id or 'v1'}",
                    text=text_,
                    data=data,
                    created_at=start + timedelta(seconds=after),
                )
            )
    upgrade(url)
    with Session(engine) as session:
        records = session.scalars(select(ChatRecord)).all()
        assert [r.chat_id for r in records] == ["closed1"]
        record = records[0]
        assert record.messages == 2
        assert record.visitor_email == "h@x.jp"
        assert record.first_agent_message_at is not None
        assert record.first_visitor_message_at is not None
        assert (record.first_agent_message_at - record.first_visitor_message_at).total_seconds() == 90
        assert session.scalars(select(ChatParticipant.agent_id)).all() == ["a1"]
        docs = session.execute(select(ArchiveDoc.kind, ArchiveDoc.text).order_by(ArchiveDoc.id)).all()
        assert [tuple(d) for d in docs] == [
            ("message", "抹茶はありますか"),
            ("message", "ございます"),
            ("visitor", "花子 h@x.jp"),
        ]
        from chat_backend.domain import search_text

        match = search_text.fts5_match(*search_text.query_tokens("抹茶"))
        found = session.execute(
            text("SELECT rowid FROM archive_fts WHERE archive_fts MATCH :m"), {"m": match}
        )
        assert len(found.all()) == 1
    engine.dispose()


def test_offline_messages_left_before_tickets_become_tickets_by_their_migration(tmp_path: Path) -> None:
    """Migration 0015: every offline message is an open ticket, oldest first, none lost."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import create_engine, select, text
    from sqlalchemy.orm import Session

    from chat_backend.db.migrate import alembic_config
    from chat_backend.db.tables import OfflineMessageRow, Visitor
    from chat_backend.db.ticket_tables import TicketEntryRow, TicketRow

    url = f"sqlite:///{tmp_path / 'chat.db'}"
    command.upgrade(alembic_config(url), "0014")
    engine = create_engine(url)
    first, second = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    with Session(engine) as session, session.begin():
        session.execute(  # the table as it was then (this release adds a column)
            text("INSERT INTO sites (id, name, origins, created_at) VALUES ('s1', 'Shop', '[]', :at)"),
            {"at": first},
        )
        session.add(Visitor(id="v1", site_id="s1", number=1, token_hash="h" * 64))
        session.flush()
        for message_id, when, body in (("m0", second, "配送について\n教えて"), ("m1", first, "Refund?")):
            session.add(
                OfflineMessageRow(
                    id=message_id,
                    site_id="s1",
                    visitor_id="v1",
                    client_id=message_id,
                    name="花子",
                    email="h@x.jp",
                    text=body,
                    created_at=when,
                )
            )
    upgrade(url)
    with Session(engine) as session:
        tickets = session.scalars(select(TicketRow).order_by(TicketRow.number)).all()
        assert [(t.number, t.subject, t.state, t.source, t.offline_message_id) for t in tickets] == [
            (1, "Refund?", "open", "offline", "m1"),
            (2, "配送について", "open", "offline", "m0"),
        ]
        entries = session.scalars(
            select(TicketEntryRow).where(TicketEntryRow.ticket_id == tickets[1].id)
        ).all()
        assert [(e.kind, e.author_name, e.text) for e in entries] == [
            ("visitor", "花子", "配送について\n教えて")
        ]

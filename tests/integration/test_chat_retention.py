"""Closed chats past the admins' retention are deleted with everything of theirs (events, records,
archive entries, tags), on SQLite and PostgreSQL; open chats and recent ones stay."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text, update

from benchmarks.archive_search import _seed_batch
from chat_backend.cluster.jobs import sweep_files
from chat_backend.db.engine import Database
from chat_backend.db.file_tables import AttachmentRow, FileDeletionRow
from chat_backend.db.tables import (
    Agent,
    ArchiveDoc,
    Chat,
    ChatRecord,
    ChatTag,
    EventRow,
    InvitationRow,
    Site,
    TagRow,
    Visitor,
)
from chat_backend.domain import search_text, visitor_data
from chat_backend.files.store import DiskStore
from chat_protocol.archive import RetentionSettings

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")


async def _scenario(url: str, files_dir: Path) -> None:
    db = Database(url)
    store = DiskStore(files_dir)
    now = datetime.now(UTC)
    try:
        async with db.write_quiet() as session:
            session.add(Site(id="s1", name="Shop", origins=[]))
            session.add(Agent(id="a1", email="a@x.jp", name="A", password_hash="x"))
            session.add(TagRow(id="t1", name="返品", colour="#c62828"))
            await session.flush()
            await session.run_sync(lambda sync: _seed_batch(sync.connection(), 0, 40, 4, "s1", ["a1"]))
            # One chat still open, opened long ago; one old chat tagged and reached by an invitation.
            await session.execute(
                update(Chat).where(Chat.id.in_(select(Chat.id).limit(1))).values(state="taken")
            )
            await session.flush()
            closed = (
                await session.execute(select(Chat.id, Chat.closed_at).where(Chat.state == "closed"))
            ).all()
            old = sorted((row for row in closed), key=lambda r: r.closed_at)[0].id
            session.add(ChatTag(chat_id=old, tag_id="t1"))
            visitor = await session.scalar(select(Chat.visitor_id).where(Chat.id == old))
            await session.execute(
                insert(InvitationRow).values(
                    id="i1",
                    site_id="s1",
                    visitor_id=visitor,
                    visit_id="v",
                    author_key="rule:r",
                    client_id="c",
                    text="Hello",
                    chat_id=old,
                    state="accepted",
                )
            )
        cutoff = now - timedelta(days=30)
        # A file in the old chat and one in the newest: bytes in the store, rows beside their events.
        newest = sorted((row for row in closed), key=lambda r: r.closed_at)[-1].id
        for chat_id, key in ((old, "chat/aa/old"), (newest, "chat/bb/new")):
            await store.put(key, b"%PDF-1.4 " + key.encode())
            async with db.write_quiet() as session:
                session.add(
                    AttachmentRow(
                        id=key.rsplit("/", 1)[1],
                        chat_id=chat_id,
                        event_id=0,
                        author_key="visitor:x",
                        name="a.pdf",
                        content_type="application/pdf",
                        category="pdf",
                        size=12,
                        storage_key=key,
                    )
                )

        def as_utc(moment: datetime) -> datetime:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

        keep = {row.id for row in closed if as_utc(row.closed_at) >= cutoff}
        gone = {row.id for row in closed} - keep
        assert gone, "the scenario needs old chats"
        assert keep, "the scenario needs recent chats"
        async with db.write_quiet() as session:
            assert await visitor_data.purge_closed_chats(session, now) == 0  # kept forever by default
            await visitor_data.save_retention_settings(session, RetentionSettings(closed_chat_days=30))
        while True:
            async with db.write_quiet() as session:
                if await visitor_data.purge_closed_chats(session, now) == 0:
                    break
        async with db.read() as session:
            left = set((await session.scalars(select(Chat.id).where(Chat.state == "closed"))).all())
            assert left == keep
            assert (
                await session.scalar(select(func.count()).select_from(Chat).where(Chat.state == "taken")) == 1
            )
            still_open = set((await session.scalars(select(Chat.id).where(Chat.state == "taken"))).all())
            # (the open chat was seeded closed, so archived: its record stays with it)
            assert set((await session.scalars(select(ChatRecord.chat_id))).all()) == keep | still_open
            assert not (await session.scalars(select(EventRow.id).where(EventRow.chat_id.in_(gone)))).all()
            assert not (
                await session.scalars(select(ArchiveDoc.id).where(ArchiveDoc.chat_id.in_(gone)))
            ).all()
            assert not (await session.scalars(select(ChatTag.chat_id))).all()
            assert await session.scalar(select(InvitationRow.chat_id).where(InvitationRow.id == "i1")) is None
            assert await session.scalar(select(func.count()).select_from(Visitor)) == 40  # visitors stay
            # The old chat's file row went, its key waits for the store; the kept chat's file stays.
            assert set((await session.scalars(select(AttachmentRow.id))).all()) == {"new"}
            assert set((await session.scalars(select(FileDeletionRow.key))).all()) == {"chat/aa/old"}
            if db.is_sqlite:  # the FTS index forgot the deleted rows too
                match = search_text.fts5_match(*search_text.query_tokens("thank"))
                found = await session.scalar(
                    text("SELECT count(*) FROM archive_fts WHERE archive_fts MATCH :m"), {"m": match}
                )
                english = await session.scalar(
                    select(func.count()).select_from(ArchiveDoc).where(ArchiveDoc.text.contains("thank"))
                )
                assert found == english
        async with db.write_quiet() as session:  # a key no store could hold does not stop the sweep
            session.add(FileDeletionRow(key="../../etc/passwd"))
        assert await sweep_files(db, store) == 2  # the bytes go once the deletion committed
        with pytest.raises(KeyError):
            await store.get("chat/aa/old")
        assert await store.get("chat/bb/new")
        async with db.read() as session:
            assert not (await session.scalars(select(FileDeletionRow.key))).all()
    finally:
        await db.dispose()


def test_closed_chats_past_the_retention_go_with_everything_of_theirs(
    database_url: str, tmp_path: Path
) -> None:
    asyncio.run(_scenario(database_url, tmp_path / "files"))


async def _failing_archive(
    url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from chat_backend.db.tables import Chat as ChatRow
    from chat_backend.domain import archive, chats
    from chat_protocol import Author, AuthorKind, ChatState

    db = Database(url)
    try:
        async with db.write_quiet() as session:
            session.add(Site(id="s1", name="Shop", origins=[]))
            session.add(Agent(id="a1", email="a@x.jp", name="A", password_hash="x"))
            await session.flush()
            await session.run_sync(lambda sync: _seed_batch(sync.connection(), 0, 1, 2, "s1", ["a1"]))
            chat_id = await session.scalar(select(ChatRow.id))
            await session.execute(update(ChatRow).values(state="taken", closed_at=None))
            await session.run_sync(lambda sync: archive.forget(sync.connection(), chat_id))  # never closed

        def broken(_connection: object, _chat_id: str) -> None:
            raise ValueError("a bug in archiving")

        monkeypatch.setattr(archive, "record_chat", broken)
        async with db.write() as session:
            chat = await session.get(ChatRow, chat_id)
            assert chat is not None
            chat.closed_at = datetime.now(UTC)
            await chats.state_event(session, chat, ChatState.CLOSED, Author(kind=AuthorKind.SYSTEM))
        assert "could not archive chat" in caplog.text
        async with db.read() as session:
            assert await session.scalar(select(ChatRow.state).where(ChatRow.id == chat_id)) == "closed"
            assert await session.scalar(select(func.count()).select_from(ChatRecord)) == 0
        monkeypatch.undo()
        async with db.write_quiet() as session:  # the retention job's pass archives it
            assert await archive.archive_missing(session, 10) == 1
        async with db.read() as session:
            assert await session.scalar(select(ChatRecord.chat_id)) == chat_id
    finally:
        await db.dispose()


def test_archiving_that_fails_never_keeps_a_chat_open(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(_failing_archive(database_url, monkeypatch, caplog))

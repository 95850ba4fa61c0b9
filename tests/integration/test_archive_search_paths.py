"""The archive search's two ways to a page give the same chats: from the few documents the index finds,
or (common text) walking the newest chats and testing each one's documents. Run on SQLite and
PostgreSQL over closed chats seeded as the benchmark seeds them."""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import insert

from benchmarks.archive_search import _seed_batch
from chat_backend.db.engine import Database
from chat_backend.db.tables import Agent, AgentGroup, Group, Site
from chat_backend.domain import archive
from chat_backend.domain.authz import Actor
from chat_protocol.archive import ArchiveQuery

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")


async def _pages(db: Database, actor: Actor, query: ArchiveQuery) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        async with db.read() as session:
            page = await archive.search(
                session, actor, query.model_copy(update={"cursor": cursor, "limit": 7})
            )
        pages.append([(hit.chat_id, hit.snippet) for hit in page.hits])
        cursor = page.next_cursor
        if cursor is None:
            return pages  # type: ignore[return-value]


async def _scenario(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(url)
    try:
        async with db.write_quiet() as session:
            await session.execute(insert(Site).values(id="s1", name="Shop", origins=[]))
            for agent_id in ("a1", "a2"):
                await session.execute(
                    insert(Agent).values(
                        id=agent_id, email=f"{agent_id}@x.jp", name=agent_id, password_hash="x"
                    )
                )
            await session.execute(insert(Group).values(id="g1", name="G"))
            await session.execute(insert(AgentGroup).values(agent_id="a1", group_id="g1"))
            await session.run_sync(lambda sync: _seed_batch(sync.connection(), 0, 60, 6, "s1", ["a1", "a2"]))
        admin = Actor("boss", "admin", frozenset())
        agent = Actor("a1", "agent", frozenset({"g1"}))
        queries = [
            ArchiveQuery(q="配送"),
            ArchiveQuery(q="delivery"),
            ArchiveQuery(q="thank you, where"),
            ArchiveQuery(q="注文", rating="good"),
            ArchiveQuery(q="茶"),
        ]
        for actor in (admin, agent):
            for query in queries:
                monkeypatch.setattr(archive, "FEW_MATCHES", 100_000)
                from_index = await _pages(db, actor, query)
                monkeypatch.setattr(archive, "FEW_MATCHES", 1)
                walked = await _pages(db, actor, query)
                assert from_index == walked, query
                assert sum(len(page) for page in from_index) > 0 or actor is agent, query
    finally:
        await db.dispose()


def test_the_index_and_the_walk_find_the_same_pages(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(_scenario(database_url, monkeypatch))

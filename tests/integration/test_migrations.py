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

from chat_backend.db.engine import async_url
from chat_backend.db.migrate import upgrade
from chat_backend.db.tables import Base


def _compare(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


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

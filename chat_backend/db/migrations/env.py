"""Alembic environment: runs migrations on the async engine named by the config."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from chat_backend.db import file_tables, ticket_tables  # noqa: F401  (their tables on the same metadata)
from chat_backend.db.tables import Base

target_metadata = Base.metadata
# Any constant: nodes starting together upgrade one after the other (the later ones find nothing to do).
_MIGRATION_LOCK = 7303


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(context.config.attributes["database_url"], poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


asyncio.run(_run_async())

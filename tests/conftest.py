"""Shared fixtures: a real backend process on 127.0.0.1 with its own database."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.backend import BackendProcess  # noqa: E402

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'chat.db'}"


async def _postgres(action: str, name: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    from chat_backend.db.engine import async_url

    url = async_url(POSTGRES_URL).replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(url)
    try:
        if action == "create":
            await conn.execute(f'CREATE DATABASE "{name}"')
        else:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[BackendProcess]:
    """The backend on an embedded SQLite database, with the demo agent and demo site."""
    proc = BackendProcess(database_url=_sqlite_url(tmp_path), workdir=tmp_path)
    proc.start()
    yield proc
    proc.stop()


def _db_params() -> list[str]:
    return ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(params=_db_params())
def db_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BackendProcess]:
    """Like `backend`, once per database: SQLite always, PostgreSQL when CHAT_TEST_DATABASE_URL names one."""
    if request.param == "sqlite":
        proc = BackendProcess(database_url=_sqlite_url(tmp_path), workdir=tmp_path)
        proc.start()
        yield proc
        proc.stop()
        return
    from sqlalchemy.engine import make_url

    name = f"chat_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres("create", name))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    proc = BackendProcess(database_url=url, workdir=tmp_path)
    try:
        proc.start()
        yield proc
    finally:
        proc.stop()
        asyncio.run(_postgres("drop", name))

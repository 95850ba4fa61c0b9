"""Runs the Alembic migrations programmatically (`chat-backend migrate`, and `serve` at start).

A database already at the newest revision is the common case at every start: it is recognised by
reading `alembic_version` directly, without importing Alembic (about half a second of CPU per start).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from chat_backend.db.engine import async_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = async_url(database_url)
    return config


def head_revision() -> str | None:
    """The one newest revision of the migration files, or None when there is not exactly one."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(database_url: str) -> str | None:
    """The revision recorded in the database, or None (no database, no table, or not readable)."""
    url = make_url(database_url)
    try:
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:" or not Path(url.database).is_file():
                return None
            with sqlite3.connect(f"file:{url.database}?mode=ro", uri=True) as conn:
                rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        elif url.get_backend_name() == "postgresql":
            rows = asyncio.run(_postgres_versions(database_url))
        else:
            return None
    except Exception:  # any doubt means: let Alembic look
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


async def _postgres_versions(database_url: str) -> list[tuple[str]]:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(async_url(database_url).replace("postgresql+asyncpg", "postgresql"))
    try:
        return [tuple(r) for r in await conn.fetch("SELECT version_num FROM alembic_version")]
    finally:
        await conn.close()


def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema. Safe to run repeatedly."""
    head = head_revision()
    if head is not None and current_revision(database_url) == head:
        return
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")

"""Runs the Alembic migrations programmatically (`chat-backend migrate`, and `serve` at start).

A database already at the newest revision is the common case at every start: it is recognised by
reading `alembic_version` directly, without importing Alembic (about half a second of CPU per start).

Rolling upgrades (docs/deploy.md): a release's migrations only add (tables, nullable columns or columns
with a default, indexes), so that the previous release's nodes keep running on the migrated schema; what
a release stops using is dropped a release later. A node that finds the database at a revision it does
not know (a newer release migrated it) leaves it alone and starts: it is such a previous-release node.
On PostgreSQL concurrent upgrades (nodes starting together) take turns under an advisory lock, and the
later ones find nothing left to do.
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


def known_revisions() -> set[str]:
    """Every revision of this release's migration files."""
    found = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        revision = _REVISION.search(path.read_text(encoding="utf-8"))
        if revision is not None:
            found.add(revision.group(1))
    return found


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


def upgrade(database_url: str) -> str | None:
    """Bring the database to the newest schema. Safe to run repeatedly. Returns the database's
    revision when it is newer than this release knows (left as it is), else None."""
    head = head_revision()
    current = current_revision(database_url)
    if head is not None and current == head:
        return None
    if current is not None and current not in known_revisions():
        return current
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")
    return None

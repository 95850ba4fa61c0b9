"""Databases for test backends, copied from a template migrated once instead of migrated per start.

SQLite: one template file per test process (so per xdist worker), migrated on first use and copied
with SQLite's backup API. PostgreSQL: one template database per migration set, named after a hash of
the migration files, built under a temporary name and renamed into place, so concurrent workers (and
concurrent test runs of other branches) never see a half-migrated template; each test database is
`CREATE DATABASE ... TEMPLATE` of it.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parents[2] / "chat_backend" / "db" / "migrations"

_sqlite_template: Path | None = None


def migrate(database_url: str) -> None:
    """`chat-backend migrate` in a subprocess (Alembic's env runs its own asyncio loop)."""
    cmd = [sys.executable, "-m", "chat_backend.cli", "--database-url", database_url, "migrate"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"migrate failed: {done.stderr[-3000:]}")


def migrations_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(path.relative_to(MIGRATIONS).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def sqlite_database(directory: Path) -> str:
    """A migrated SQLite database `chat.db` in `directory` (a copy of this process's template)."""
    global _sqlite_template
    if _sqlite_template is None:
        root = Path(tempfile.mkdtemp(prefix="chat-template-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        template = root / "template.db"
        migrate(f"sqlite:///{template}")
        _sqlite_template = template
    target = directory / "chat.db"
    source, copy = sqlite3.connect(_sqlite_template), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return f"sqlite:///{target}"


async def _admin(postgres_url: str, *statements: str, tolerate: tuple[str, ...] = ()) -> bool:
    """Run statements on the server's `postgres_url` database; False if one failed with a tolerated SQLSTATE."""
    import asyncpg  # type: ignore[import-untyped]

    from chat_backend.db.engine import async_url

    url = async_url(postgres_url).replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            try:
                await conn.execute(statement)
            except asyncpg.PostgresError as exc:
                if exc.sqlstate in tolerate:
                    return False
                raise
        return True
    finally:
        await conn.close()


async def _exists(postgres_url: str, name: str) -> bool:
    import asyncpg

    from chat_backend.db.engine import async_url

    conn = await asyncpg.connect(async_url(postgres_url).replace("postgresql+asyncpg", "postgresql"))
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


def _with_database(postgres_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)


def postgres_template(postgres_url: str) -> str:
    """The name of the migrated template database for the current migrations, built when missing."""
    name = f"chat_template_{migrations_hash()}"
    if asyncio.run(_exists(postgres_url, name)):
        return name
    building = f"chat_building_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(postgres_url, f'CREATE DATABASE "{building}"'))
    try:
        migrate(_with_database(postgres_url, building))
        # 42P04 duplicate_database: another worker finished first; its template is as good as ours.
        asyncio.run(
            _admin(postgres_url, f'ALTER DATABASE "{building}" RENAME TO "{name}"', tolerate=("42P04",))
        )
    finally:
        asyncio.run(_admin(postgres_url, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
    return name


def create_postgres_database(postgres_url: str) -> tuple[str, str]:
    """A new migrated database copied from the template: (its name, its URL)."""
    template = postgres_template(postgres_url)
    name = f"chat_test_{uuid.uuid4().hex[:12]}"
    statement = f'CREATE DATABASE "{name}" TEMPLATE "{template}"'
    # 55006 object_in_use: another session is copying the same template right now; try again.
    for _ in range(50):
        if asyncio.run(_admin(postgres_url, statement, tolerate=("55006",))):
            return name, _with_database(postgres_url, name)
        time.sleep(0.1)
    raise RuntimeError(f"could not copy the template database {template}")


def drop_postgres_database(postgres_url: str, name: str) -> None:
    asyncio.run(_admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

"""The database a benchmark runs a backend on: a fresh migrated SQLite file, or a PostgreSQL database of
its own (from CHAT_BENCH_DATABASE_URL or CHAT_TEST_DATABASE_URL, default the machine's `test`), created
and dropped around the run; and the end of such a run, which says what the backend logged."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.support.backend import BackendProcess
from tests.support.databases import create_postgres_database, drop_postgres_database, sqlite_database

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return (
        os.environ.get("CHAT_BENCH_DATABASE_URL")
        or os.environ.get("CHAT_TEST_DATABASE_URL")
        or DEFAULT_POSTGRES
    )


@asynccontextmanager
async def bench_database(database: str, workdir: Path) -> AsyncIterator[str | None]:
    """The URL of a fresh database ("sqlite" or "postgres"), or None when PostgreSQL is unreachable
    (said, and the caller skips it); a PostgreSQL one is dropped afterwards."""
    if database != "postgres":
        yield sqlite_database(workdir)
        return
    try:
        name, url = await asyncio.to_thread(create_postgres_database, postgres_url())
    except Exception as exc:  # noqa: BLE001 (any reason: said and skipped)
        print(f"  PostgreSQL skipped: {exc}", flush=True)
        yield None
        return
    try:
        yield url
    finally:
        await asyncio.to_thread(drop_postgres_database, postgres_url(), name)


def stop_and_report(backend: BackendProcess) -> None:
    """Stop the benchmark's backend and print the first problem it logged, if any."""
    backend.stop()
    problems = backend.unread_log_problems()
    if problems:
        print(f"  the backend logged {len(problems)} problems, the first:\n{problems[0][-2500:]}", flush=True)

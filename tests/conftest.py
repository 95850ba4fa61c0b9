"""Shared fixtures: a real backend process on 127.0.0.1 with its own database.

Every test is also marked by what it costs, from the fixtures it requests: `backend` (starts a
`BackendProcess`), `browser` (Chromium), `qt` (a QApplication), else `pure`. The fast lane,
`tests/unit` and `tests/widgets`, may start no backend and no browser.
"""

from __future__ import annotations

import asyncio
import inspect
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


# --- Markers by cost --------------------------------------------------------------------------

TESTS = Path(__file__).parent
FAST_LANE = (TESTS / "unit", TESTS / "widgets")
QT_FIXTURES = frozenset({"qtbot", "qapp", "qloop", "qtmodeltester"})


def _fixture_starts(defs: object, kind: str) -> bool:
    """Whether a fixture definition hands out a `kind` (`BackendProcess`, `BrowserThread`)."""
    func = getattr(defs, "func", None)
    return func is not None and kind in str(getattr(func, "__annotations__", {}).get("return", ""))


def _starts(item: pytest.Item, kind: str) -> bool:
    """Whether a fixture in the item's closure yields a `kind`, or the test body constructs one."""
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        for defs in info.name2fixturedefs.values():
            if any(_fixture_starts(d, kind) for d in defs):
                return True
    function = getattr(item, "function", None)
    if function is None:
        return False
    try:
        return f"{kind}(" in inspect.getsource(function)
    except (OSError, TypeError):
        return False


def cost_markers(item: pytest.Item) -> list[str]:
    names = set(getattr(item, "fixturenames", ()))
    found = []
    if _starts(item, "BackendProcess"):
        found.append("backend")
    if _starts(item, "BrowserThread") or "chromium" in names:
        found.append("browser")
    if names & QT_FIXTURES:
        found.append("qt")
    return found or ["pure"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    misplaced = []
    for item in items:
        markers = cost_markers(item)
        for name in markers:
            item.add_marker(name)
        heavy = {"backend", "browser"} & set(markers)
        if heavy and any(item.path.is_relative_to(lane) for lane in FAST_LANE):
            misplaced.append(f"  {item.nodeid} ({', '.join(sorted(heavy))})")
    if misplaced:
        raise pytest.UsageError(
            "tests/unit and tests/widgets are the fast lane: they start no backend and no browser.\n"
            "Move these tests to tests/integration (or tests/e2e):\n" + "\n".join(misplaced)
        )

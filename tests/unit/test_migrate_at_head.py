"""`serve` skips Alembic when the database is already at the newest revision; anything else runs it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chat_backend.db import migrate


def test_the_head_is_the_one_revision_no_other_names_as_its_parent() -> None:
    newest = sorted((migrate.MIGRATIONS / "versions").glob("*.py"))[-1]
    assert migrate.head_revision() == newest.name.split("_", 1)[0]


def test_only_a_database_recording_exactly_the_head_counts_as_current(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    url = f"sqlite:///{path}"
    assert migrate.current_revision(url) is None  # no file
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE other (x)")
    assert migrate.current_revision(url) is None  # no alembic_version table
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.execute("INSERT INTO alembic_version VALUES ('0001')")
    assert migrate.current_revision(url) == "0001"
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO alembic_version VALUES ('0002')")
    assert migrate.current_revision(url) is None  # two rows: let Alembic sort it out
    assert migrate.current_revision("postgresql://nobody@127.0.0.1:1/none") is None


def test_an_old_database_is_upgraded_and_a_current_one_left_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    migrate.upgrade(url)
    assert migrate.current_revision(url) == migrate.head_revision()
    with sqlite3.connect(tmp_path / "chat.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    # Back at 0001 on paper with every table present: Alembic runs and fails re-creating 0002's tables.
    with pytest.raises(Exception, match="already exists"):
        migrate.upgrade(url)
    with sqlite3.connect(tmp_path / "chat.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (migrate.head_revision(),))
    migrate.upgrade(url)  # at the head: Alembic does not run

"""Rolling upgrades (docs/deploy.md): nodes are upgraded one at a time, so a release's migrations must
let the previous release's nodes run on the migrated schema.

The step tested: the next release's first node has migrated the database (a table and a nullable column
added, its revision recorded); a node of this release, which does not know that revision, starts beside
it and serves chats as before. Then the rule that keeps this true: from the first release that runs as
several nodes (0011) on, migrations only add. And nodes starting together on a new database migrate one
after the other.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from chat_backend.db import migrate
from tests.support.backend import BackendProcess
from tests.support.databases import _admin, _with_database, create_postgres_database, drop_postgres_database
from tests.support.wire import connect_agent, connect_visitor, new_id

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")
VERSIONS = Path(migrate.MIGRATIONS) / "versions"
# Migrations from here on run while the previous release's nodes serve (several nodes since 0011).
FIRST_ROLLING = "0011"
# What a migration of a release may not do to the previous release's nodes (raw SQL only to CREATE,
# e.g. SQLite's FTS5 table of the archives).
CONTRACTING = re.compile(
    r"op\.(drop_table|drop_column|rename_table|drop_constraint|alter_column)\b|op\.execute\((?!\s*\"CREATE )"
)
# A column added to a table the previous release writes must be nullable or have a default.
ADD_COLUMN = re.compile(r"op\.add_column\((?:[^()]|\([^()]*(?:\([^()]*\)[^()]*)*\))*\)", re.S)

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="several nodes need PostgreSQL")


def _upgrade_body(text: str) -> str:
    start = text.index("def upgrade(")
    end = text.find("\ndef downgrade(", start)
    return text[start : end if end >= 0 else len(text)]


def test_migrations_since_several_nodes_only_add() -> None:
    files = sorted(p for p in VERSIONS.glob("*.py") if p.name[:4] >= FIRST_ROLLING)
    assert files, "no migration from 0011 on"
    for path in files:
        body = _upgrade_body(path.read_text(encoding="utf-8"))
        found = CONTRACTING.search(body)
        assert found is None, (
            f"{path.name} changes what the previous release's nodes use ({found.group(0)!r}): add in this"
            " release, drop or rename in the next one (docs/deploy.md, rolling upgrades)"
        )
        for added in ADD_COLUMN.findall(body):
            required = "nullable=False" in added.replace(" ", "") and "server_default" not in added
            assert not required, f"{path.name}: a required column without a default breaks older writers"


@needs_postgres
@pytest.mark.asyncio
async def test_a_node_of_the_previous_release_serves_on_the_next_releases_schema(tmp_path: Path) -> None:
    name, url = await asyncio.to_thread(create_postgres_database, POSTGRES_URL)
    node = BackendProcess(database_url=url, workdir=tmp_path)
    try:
        # The next release's first node migrated: it added a table and a nullable column.
        await _admin(
            url,
            "CREATE TABLE next_release_notes (id VARCHAR(36) PRIMARY KEY, body TEXT NOT NULL)",
            "ALTER TABLE chats ADD COLUMN next_release_label TEXT",
            "UPDATE alembic_version SET version_num = 'next_0012'",
        )
        await asyncio.to_thread(node.start)
        assert "newer than this release" in node.log_path.read_text()
        said = await asyncio.to_thread(node.cli, "migrate")
        assert "newer than this release knows" in said

        agent = await connect_agent(node)
        await agent.ok("set_status", {"status": "accepting"})
        visitor, _login = await connect_visitor(node)
        sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "配送について"})
        chat_id = sent["event"]["chat_id"]
        await agent.next_event(kind="message", chat_id=chat_id, text="配送について")
        await agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
        await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "はい"})
        await visitor.next_event(kind="message", text="はい")
        await agent.close()
        await visitor.close()
    finally:
        await asyncio.to_thread(node.stop)
        await asyncio.to_thread(drop_postgres_database, POSTGRES_URL, name)


@needs_postgres
def test_nodes_starting_together_migrate_one_after_the_other(tmp_path: Path) -> None:
    name = f"chat_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    url = _with_database(POSTGRES_URL, name)
    try:
        cmd = [sys.executable, "-m", "chat_backend.cli", "--database-url", url, "migrate"]
        env = {**os.environ, "CHAT_BACKEND_HOME": str(tmp_path)}
        runs = [
            subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)
        ]
        outcomes = []
        for run in runs:
            _out, err = run.communicate(timeout=120)
            outcomes.append((run.returncode, err.decode()))
        assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
        assert migrate.current_revision(url) == migrate.head_revision()
    finally:
        drop_postgres_database(POSTGRES_URL, name)

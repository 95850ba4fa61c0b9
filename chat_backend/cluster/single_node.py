"""SQLite is the embedded single-node database: one `serve` process per database file.

A second node on the same file would share neither sockets nor timers with the first, and both would run
every cluster-wide job; it is refused at start. `serve` holds an exclusive `flock` on a lock file beside
the database for its whole life (the kernel releases it when the process ends, however it ends). Admin
commands (`create-agent`, `routing`, ...) take no lock: they may run beside the server.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

_held: list[IO[bytes]] = []  # open for the process's life


class AnotherNode(Exception):
    """Another process serves this SQLite database."""


def lock_path(database_url: str) -> Path | None:
    """The lock file of a SQLite database file; None for PostgreSQL or an in-memory database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).with_name(Path(url.database).name + ".node-lock")


def hold_single_node_lock(database_url: str) -> None:
    """Take the lock for this process, or raise `AnotherNode` with a message for the operator."""
    path = lock_path(database_url)
    if path is None:
        return
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the embedded database there is a developer's
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        raise AnotherNode(
            f"another chat-backend already serves the SQLite database {path.with_suffix('').name!r} "
            f"(lock {path}). SQLite runs one node only; to run several nodes, use PostgreSQL "
            "(CHAT_DATABASE_URL=postgresql://...) and Redis (CHAT_REDIS_URL)."
        ) from exc
    _held.append(handle)

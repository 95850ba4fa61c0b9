"""A PostgreSQL server of its own on a free 127.0.0.1 port, for the fault tests that stop and restart it.

The machine's shared PostgreSQL serves every parallel test; a test that restarts the database starts its
own here (`initdb`, `pg_ctl` from Debian's PostgreSQL 15), in a folder under the system's temporary
folder that `remove()` deletes. PostgreSQL refuses to run as root: when the tests run as root, its
commands run as the `postgres` user (Debian's package creates it).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.backend import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _postgres_workdir() -> Path:
    """A folder the `postgres` user can reach: pytest's temporary folders are private to root."""
    path = Path(tempfile.mkdtemp(prefix="chat-test-pg-"))
    path.chmod(0o755)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(path, user.pw_uid, user.pw_gid)
    return path


@dataclass
class PostgresServer:
    """A PostgreSQL cluster of its own (`initdb`, `pg_ctl`), trust auth, fsync off (tests only), in a
    folder of its own under the system's temporary folder; `remove()` deletes it."""

    workdir: Path = field(default_factory=_postgres_workdir)
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.workdir / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def init(self) -> None:
        cmd = [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        cmd += ["--no-sync", "--locale=C"]
        subprocess.run(_as_postgres(cmd), check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if not self.data.exists():
            self.init()
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.workdir} -c fsync=off"
        options += " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        cmd = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.workdir / "pg.log")]
        cmd += ["-o", options, "-w", "-t", "60", "start"]
        subprocess.run(_as_postgres(cmd), check=True, capture_output=True, timeout=90)
        _wait_port(self.port, 30)

    def stop(self, mode: str = "fast") -> None:
        cmd = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"]
        subprocess.run(_as_postgres(cmd), capture_output=True, timeout=90)

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, name: str) -> str:
        cmd = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        cmd += ["-d", "postgres", "-c", f'CREATE DATABASE "{name}"']
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        return self.database_url(name)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)

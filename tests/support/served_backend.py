"""The backend's app served in the test's own process, on a thread and loop of its own, with real
sockets on 127.0.0.1, so that a test can watch the SQL statements it runs: every statement is real,
the watching only observes them."""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest_asyncio
import uvicorn
from sqlalchemy import event

from chat_backend.app import DEMO_SITE_ID, create_app
from chat_backend.domain import auth, sites
from chat_backend.realtime.event_tail import EventTail
from chat_backend.settings import Settings
from tests.support.backend import BackendProcess, free_port
from tests.support.waiting import until

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "admin-password-1"
PLAIN_EMAIL, PLAIN_PASSWORD = "plain@example.com", "plain-password-1"
# Statements that read or write the event log (`FROM events`, `INTO events`, `UPDATE events`).
_LOG_STATEMENT = re.compile(r"\b(FROM|INTO|UPDATE)\s+events\b", re.IGNORECASE)


class ServedBackend:
    """The app on a thread of its own, counting the statements it runs on the event log."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.port = free_port()
        self.password = "pw-" + secrets.token_hex(8)
        # Only its addresses and the demo agent's login are used: this process serves, not a child.
        self.address = BackendProcess(database_url, workdir, port=self.port, agent_password=self.password)
        self.log_statements = 0
        self.recorded: list[str] | None = None  # every statement while `record` is on
        self.last_statement = time.monotonic()
        self.tail: EventTail | None = None
        self._server: uvicorn.Server | None = None
        self._thread = threading.Thread(target=self._serve, args=(database_url,), daemon=True)
        self._failure: BaseException | None = None

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 60
        while not (self._server is not None and self._server.started):
            if self._failure is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the backend did not start: {self._failure!r}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(30)

    def _serve(self, database_url: str) -> None:
        try:
            asyncio.run(self._main(database_url))
        except BaseException as exc:
            self._failure = exc

    async def _main(self, database_url: str) -> None:
        settings = Settings(database_url=database_url, host="127.0.0.1", port=self.port)
        app = create_app(settings)
        db = app.state.chat.db
        async with db.write() as session:
            await sites.create_site(session, "Shop", [self.address.url], site_id=DEMO_SITE_ID)
            await auth.create_agent(session, self.address.agent_email, "Agent", self.password, "agent")
            await auth.create_agent(session, ADMIN_EMAIL, "Admin", ADMIN_PASSWORD, "admin")
            await auth.create_agent(session, PLAIN_EMAIL, "Plain", PLAIN_PASSWORD, "agent")
        self.tail = cast(EventTail, db.on_commit.__self__)  # its bound `poke`
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._on_statement)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", ws_ping_interval=None
        )
        self._server = uvicorn.Server(config)
        await self._server.serve()

    def _on_statement(self, *args: Any) -> None:
        statement: str = args[2]
        if self.recorded is not None:
            self.recorded.append(statement)
        if _LOG_STATEMENT.search(statement):
            self.log_statements += 1
            self.last_statement = time.monotonic()

    async def quiet(self) -> int:
        """The statement count once the log has not been touched for a moment (every woken socket is
        done)."""
        await until(lambda: time.monotonic() - self.last_statement > 0.5, what="the event log to go quiet")
        return self.log_statements

    def record(self) -> list[str]:
        """Start keeping every statement the app runs, in the list returned (`stop_recording` ends it)."""
        self.recorded = []
        return self.recorded

    def stop_recording(self) -> None:
        self.recorded = None


@pytest_asyncio.fixture
async def served(database_url: str, tmp_path: Path) -> AsyncIterator[ServedBackend]:
    """The app served in this process on a fresh database of each kind (`database_url`)."""
    backend = ServedBackend(database_url, tmp_path)
    await asyncio.to_thread(backend.start)
    try:
        yield backend
    finally:
        await asyncio.to_thread(backend.stop)

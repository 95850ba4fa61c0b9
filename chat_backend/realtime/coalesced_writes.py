"""Writes where only the latest value matters: visitor presence (`activity`, arriving, leaving) and read
marks (`mark_read`). Each key keeps its newest value here, and everything waiting is written in one
transaction at most once per interval: a flood of frames costs one write and one wake-up of the
sockets, and the final state always lands (at shutdown too, by `flush`). The other side hears a
change once it is written (`visitor_presence`, `read`), so whoever saw it finds it after a reload."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from chat_backend.db.engine import Database
from chat_backend.db.outage import database_unavailable, report_failure
from chat_backend.domain import coalesced, traffic
from chat_backend.domain.coalesced import Presence, Reader
from chat_backend.domain.errors import DomainError
from chat_backend.domain.traffic import LoginWrites
from chat_backend.realtime.hub import QUEUE, Hub, Topic
from chat_protocol import AuthorKind, ChatState, Envelope, ErrorCode
from chat_protocol.socket_payloads import ReadPush, VisitorPresencePush

log = logging.getLogger(__name__)


class CoalescedWrites:
    def __init__(self, db: Database, hub: Hub, every: float) -> None:
        self.db = db
        self.hub = hub
        self.every = every
        self._presence: dict[str, Presence] = {}
        self._reads: dict[tuple[str, Reader], int] = {}
        self._last = 0.0
        self._task: asyncio.Task[None] | None = None
        # Visitor logins' writes: batched on their own (a login waits for its batch, not for `every`).
        self.logins = LoginBatcher(db, every)

    def presence(self, visitor_id: str, presence: Presence) -> None:
        """The visitor is `active`, `inactive` or has `left`; shown to agents once written."""
        self._presence[visitor_id] = presence
        self._schedule()

    def read_mark(self, chat_id: str, reader: Reader, seq: int, *, stored: int, last_seq: int) -> None:
        """Raise the reader's read mark of a chat (`stored` now, `last_seq` its newest seq) to `seq`,
        with the next batch; then the other side is told."""
        key = (chat_id, reader)
        mark = max(stored, self._reads.get(key, 0), min(seq, last_seq))
        if mark > stored:
            self._reads[key] = mark
            self._schedule()

    def _schedule(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._presence or self._reads:
            await asyncio.sleep(max(0.0, self._last + self.every - time.monotonic()))
            await self._flush_marks()
        self._task = None  # no await since the check: a value queued from now on starts a new task

    def stop(self) -> None:
        """Stop the timer (`flush` still writes what waits)."""
        self.logins.stop()
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def flush(self) -> None:
        """Write everything waiting, in one transaction, then tell agents of presence changes (and
        what visitor logins left to write)."""
        await self.logins.flush()
        await self._flush_marks()

    async def _flush_marks(self) -> None:
        presence, self._presence = self._presence, {}
        reads, self._reads = self._reads, {}
        if not presence and not reads:
            return
        self._last = time.monotonic()
        try:
            async with self.db.write() as session:
                changed = await coalesced.write_presence(session, presence)
                marked = await coalesced.write_read_marks(session, reads)
        except Exception as exc:
            report_failure(log, "recording presences and read marks", exc)
            return
        for chat, reader, seq in marked:
            kind = AuthorKind.AGENT if reader == "agent" else AuthorKind.VISITOR
            read = Envelope.push("read", ReadPush(chat_id=chat.id, reader=kind, seq=seq))
            if reader == "agent":
                self.hub.push(Topic.visitor(chat.visitor_id), read, f"read:{chat.id}")
            elif chat.agent_id:
                self.hub.push(Topic.agent(chat.agent_id), read, f"read:{chat.id}")
        for chat, value in changed:
            push = Envelope.push("visitor_presence", VisitorPresencePush(chat_id=chat.id, presence=value))
            if chat.state == ChatState.TAKEN.value and chat.agent_id:
                self.hub.push(Topic.agent(chat.agent_id), push, f"presence:{chat.id}")
            else:
                self.hub.push(QUEUE, push, f"presence:{chat.id}")  # every agent


class LoginBatcher:
    """What visitor logins write (`traffic.LoginWrites`), many logins in one transaction of the quiet
    path (no ordering lock: logins write no events). A login whose writes others may read at once (a
    new visitor, a new visit, a page view) waits for their commit, shared with every login queued
    meanwhile (group commit: while one batch is written the next one fills). A login that changes only
    "last seen" times does not wait: those go with the next batch, within `every` seconds, and at
    shutdown (`flush`)."""

    BATCH = 500  # logins per transaction at most

    def __init__(self, db: Database, every: float) -> None:
        self.db = db
        self.every = every
        self._waiting: list[tuple[LoginWrites, asyncio.Future[None]]] = []
        self._later: dict[str, LoginWrites] = {}  # by visitor: only the newest "last seen" counts
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.batches = 0  # transactions written (for benchmarks)
        self.logins = 0

    async def write(self, writes: LoginWrites) -> None:
        """Queue one login's writes; return once they are committed, or at once when none is urgent."""
        if not writes.urgent:
            self._later[writes.visitor.id] = writes
            self._start()
            return
        self._later.pop(writes.visitor.id, None)  # these writes set "last seen" too
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((writes, future))
        self._wake.set()
        self._start()
        await future

    def _start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while (self._waiting or self._later) and not self._stopping:
                if not self._waiting:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.every)
                    if self._stopping:
                        break
                await self._write_batch()
        finally:
            self._task = None  # no await since the check: a login queued from now on starts a new task

    def stop(self) -> None:
        """The writer task ends after the batch it is writing (never cancelled in the middle of one,
        which would lose it); `flush` writes the rest."""
        self._stopping = True
        self._wake.set()

    async def flush(self) -> None:
        """Write everything waiting (at shutdown), after the batch being written now."""
        if self._task is not None:
            await asyncio.wait({self._task})
        while self._waiting or self._later:
            await self._write_batch()

    async def _write_batch(self) -> None:
        batch, self._waiting = self._waiting[: self.BATCH], self._waiting[self.BATCH :]
        later = list(self._later.values())
        self._later.clear()
        items = [writes for writes, _future in batch] + later
        if not items:
            return
        self.batches += 1
        self.logins += len(items)
        try:
            await self._write(items)
        except Exception as exc:
            if len(items) > 1 and not database_unavailable(exc):  # one bad login must not fail the others
                for writes, future in batch:
                    await self._write_one(writes, future)
                for writes in later:
                    await self._write_one(writes, None)
                return
            report_failure(log, "recording a visitor login", exc)
            for _writes, future in batch:
                if not future.done():
                    future.set_exception(DomainError(ErrorCode.INTERNAL, "Please try again."))
            return
        for _writes, future in batch:
            if not future.done():
                future.set_result(None)

    async def _write_one(self, writes: LoginWrites, future: asyncio.Future[None] | None) -> None:
        try:
            await self._write([writes])
        except Exception as exc:
            report_failure(log, "recording a visitor login", exc)
            if future is not None and not future.done():
                future.set_exception(DomainError(ErrorCode.INTERNAL, "Please try again."))
            return
        if future is not None and not future.done():
            future.set_result(None)

    async def _write(self, items: list[LoginWrites]) -> None:
        async with self.db.write_quiet() as session:
            await traffic.write_logins(session, items, postgres=not self.db.is_sqlite)

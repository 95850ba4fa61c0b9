"""Writes where only the latest value matters: visitor presence (`activity`, arriving, leaving) and read
marks (`mark_read`). Each key keeps its newest value here, and everything waiting is written in one
transaction at most once per interval: a flood of frames costs one write and one wake-up of the
sockets, and the final state always lands (at shutdown too, by `flush`). The other side hears a
change once it is written (`visitor_presence`, `read`), so whoever saw it finds it after a reload."""

from __future__ import annotations

import asyncio
import logging
import time

from chat_backend.db.engine import Database
from chat_backend.domain import coalesced
from chat_backend.domain.coalesced import Presence, Reader
from chat_backend.realtime.hub import QUEUE, Hub, Topic
from chat_protocol import AuthorKind, ChatState, Envelope
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
            await self.flush()
        self._task = None  # no await since the check: a value queued from now on starts a new task

    def stop(self) -> None:
        """Stop the timer (`flush` still writes what waits)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def flush(self) -> None:
        """Write everything waiting, in one transaction, then tell agents of presence changes."""
        presence, self._presence = self._presence, {}
        reads, self._reads = self._reads, {}
        if not presence and not reads:
            return
        self._last = time.monotonic()
        try:
            async with self.db.write() as session:
                changed = await coalesced.write_presence(session, presence)
                marked = await coalesced.write_read_marks(session, reads)
        except Exception:
            log.exception("could not record %d presences and %d read marks", len(presence), len(reads))
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

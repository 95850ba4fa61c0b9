"""The node's event tail: one reader of the event log for all the sockets of this node.

`poke()` says "the log may have grown" (after a local commit; from other nodes, through the cluster bus;
from a fallback timer). One task then reads the events after the tail's cursor, once per batch for the
whole node, joined with their chat as it is now, and wakes only the sockets that may see each event:

- the chat's visitor: visitor sockets take their events from the tail's buffer (`visitor_events`), with
  no query of their own, as frames serialized once. The buffer holds every event meant for everyone
  (`audience` "all") in a window of the log, `(low, position]`, bounded in events and bytes; a socket
  whose cursor is older than the window reads the log itself, once, and is then inside it.
- agents, who keep their own query (authorization stays in SQL, `chats.events_for_agent`), woken only
  when concerned. The rules mirror that query's filter: the holder (`Topic.agent`); every agent
  (`QUEUE`) for a `chat_state` or a chat that is incoming or queued; supervisors of a group of the
  holder or of the group the chat is queued for (`Topic.scope(group)`), admins (`EVERY_CHAT`); and the
  chat's watchers (`Topic.chat`, who must also see the chat leave their scope).

A chat changes hands or state only with a `chat_state` event, which wakes every agent, so waking by the
chat's state as the tail reads it never misses an agent whose query would now show the event. Role and
group changes wake every agent socket (`Hub.wake_all`), after which each agent socket follows the scope topics
of its new role (`scope_topics`); every `AGENT_SWEEP` seconds the tail also wakes all agent sockets (a
few), so that a change that woke no socket here (made on another node) applies within that time. A lost
or early wake-up costs latency only: every socket delivers from its own cursor, so nothing is delivered
twice or skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from datetime import datetime
from typing import NamedTuple

from chat_backend.db.engine import Database
from chat_backend.domain import delivery
from chat_backend.domain.authz import Actor
from chat_backend.domain.delivery import TailBatch, TailEvent
from chat_backend.realtime.hub import EVERY_CHAT, QUEUE, Hub, Topic
from chat_protocol import ChatState, Envelope
from chat_protocol.models import AnyEvent
from chat_protocol.socket_payloads import EventPush

log = logging.getLogger(__name__)

# Events held for visitor sockets: minutes of a busy node's traffic, at most a few MB.
BUFFER_EVENTS = 20_000
BUFFER_BYTES = 8 * 1024 * 1024
READ_BATCH = 500  # events per read of the log
RETRY_AFTER = 1.0  # seconds before reading again after the database failed
AGENT_SWEEP = 10.0  # seconds between wake-ups of every agent socket (roles, groups, accounts)
_OPEN = (ChatState.INCOMING.value, ChatState.QUEUED.value)


def scope_topics(actor: Actor | None) -> set[Topic]:
    """The scope topics an agent socket follows: admins every chat, supervisors their groups."""
    if actor is None:
        return set()
    if actor.is_admin:
        return {EVERY_CHAT}
    if actor.supervises:
        return {Topic.scope(group_id) for group_id in actor.group_ids}
    return set()


def agent_topics(item: TailEvent, holder_groups: frozenset[str]) -> set[Topic]:
    """The agent sockets that may see this event now (a superset of what their own query returns)."""
    topics = {Topic.chat(item.event.chat_id), EVERY_CHAT}
    if item.kind == "chat_state" or item.state in _OPEN:
        topics.add(QUEUE)
    if item.agent_id is not None:
        topics.add(Topic.agent(item.agent_id))
        topics.update(Topic.scope(group_id) for group_id in holder_groups)
    if item.group_id is not None and item.state == ChatState.QUEUED.value:
        topics.add(Topic.scope(item.group_id))
    return topics


class Frame(NamedTuple):
    """An event's `event` push, serialized once, with what delivery needs of the event."""

    event_id: int
    text: str
    created_at: datetime


class EventTail:
    def __init__(
        self, db: Database, hub: Hub, capacity: int = BUFFER_EVENTS, capacity_bytes: int = BUFFER_BYTES
    ) -> None:
        self.db = db
        self.hub = hub
        self.capacity = capacity
        self.capacity_bytes = capacity_bytes
        self._poked = asyncio.Event()
        self._low: int | None = None  # None until started: the buffer covers no window yet
        self._position = 0  # the newest event read
        self._held: deque[tuple[int, str, int]] = deque()  # (event id, visitor id, size), oldest first
        self._held_bytes = 0
        self._by_visitor: dict[str, deque[Frame]] = {}
        self.reads = 0  # reads of the log so far

    def poke(self) -> None:
        """The log may have grown: the tail reads it soon (cheap, any number of times)."""
        self._poked.set()

    @property
    def position(self) -> int | None:
        """The newest event the tail has read (every visitor event up to it is held or was before
        `low`), or None before it started."""
        return None if self._low is None else self._position

    def visitor_events(self, visitor_id: str, cursor: int, limit: int) -> list[Frame] | None:
        """The visitor's events after `cursor` (at most `limit`), or None when the buffer does not
        reach back to `cursor`: the socket then reads the log itself."""
        if self._low is None or cursor < self._low:
            return None
        held = self._by_visitor.get(visitor_id)
        if not held or held[-1].event_id <= cursor:
            return []
        newer = [frame for frame in held if frame.event_id > cursor]
        return newer[:limit]

    async def run(self) -> None:
        """Read the log after every poke until the task is cancelled; a failed read is tried again."""
        while self._low is None:
            try:
                async with self.db.read() as session:
                    self._position = self._low = await delivery.newest_event_id(session)
            except Exception as exc:  # the database is away: delivery waits for it, sockets read the log
                log.warning("event tail cannot start yet: %s", exc)
                await asyncio.sleep(RETRY_AFTER)
        swept = time.monotonic()
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(AGENT_SWEEP):
                    await self._poked.wait()
            if time.monotonic() - swept >= AGENT_SWEEP:
                swept = time.monotonic()
                self.hub.wake(QUEUE)  # every agent socket re-reads its role, groups and account
            if not self._poked.is_set():
                continue
            self._poked.clear()
            try:
                while await self._read_once():
                    pass
            except Exception as exc:
                log.warning("event tail could not read the log (retrying): %s", exc)
                await asyncio.sleep(RETRY_AFTER)
                self._poked.set()

    async def _read_once(self) -> bool:
        """Read one batch after the cursor and hand it out; True when there may be more."""
        async with self.db.read() as session:
            batch = await delivery.tail_batch(session, self._position, READ_BATCH)
        self.reads += 1
        if batch.events:
            self._take(batch)
        return len(batch.events) == READ_BATCH

    def _take(self, batch: TailBatch) -> None:
        """Hold the batch's visitor events, move the cursor, then wake whoever may see them (no await:
        a socket woken finds its events held)."""
        topics: set[Topic] = set()
        for item in batch.events:
            if item.audience == "all":
                self._hold(item.visitor_id, item.event)
                topics.add(Topic.visitor(item.visitor_id))
            topics |= agent_topics(item, batch.agent_groups.get(item.agent_id or "", frozenset()))
        self._position = max(self._position, batch.events[-1].event.event_id)
        for topic in topics:
            self.hub.wake(topic)

    def _hold(self, visitor_id: str, event: AnyEvent) -> None:
        text = Envelope.push("event", EventPush(event=event)).dumps()
        self._held.append((event.event_id, visitor_id, len(text)))
        self._held_bytes += len(text)
        self._by_visitor.setdefault(visitor_id, deque()).append(Frame(event.event_id, text, event.created_at))
        while len(self._held) > self.capacity or self._held_bytes > self.capacity_bytes:
            event_id, oldest_visitor, size = self._held.popleft()
            self._held_bytes -= size
            frames = self._by_visitor[oldest_visitor]
            frames.popleft()
            if not frames:
                del self._by_visitor[oldest_visitor]
            self._low = event_id

"""The routing loop: assigns queued chats, re-offers unanswered ones, closes inactive ones, tells
visitors their place in the queue and whether anyone is available, and tracks visitor presence.

It runs after `kick()` (a chat queued, a status changed, an agent connected...) and every `tick` seconds.
Assigning, re-offering and closing are cluster-wide: they run on the node holding the `routing` lease
(`chat_backend.cluster.lease`), in a transaction fenced by it; so do the queue positions and the
availability pushes, which the hub carries to every node's visitors. Each node brings its own traffic
list's chat states in line after a pass, and keeps its own visitors' presence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from chat_backend.cluster import metrics
from chat_backend.cluster.lease import ClusterJob, Lease
from chat_backend.db.engine import Database
from chat_backend.db.outage import report_failure
from chat_backend.domain import routing
from chat_backend.domain.coalesced import Presence
from chat_backend.realtime.availability import AvailabilityCache
from chat_backend.realtime.coalesced_writes import CoalescedWrites
from chat_backend.realtime.hub import Hub, Topic
from chat_backend.realtime.traffic_list import TrafficList
from chat_protocol import Envelope
from chat_protocol.socket_payloads import AvailabilityPush, QueuePositionPush

log = logging.getLogger(__name__)


class Router:
    def __init__(
        self,
        db: Database,
        hub: Hub,
        traffic: TrafficList,
        tick: float = 5.0,
        leave_grace: float = 15.0,
        lease: Lease | None = None,
        online_agents: Callable[[], set[str]] | None = None,
    ) -> None:
        self.db = db
        self.hub = hub
        self.traffic = traffic
        self.tick = tick
        self.leave_grace = leave_grace
        self._wake = asyncio.Event()
        self._available: bool | None = None
        self.availability = AvailabilityCache(self._read_agents_available)
        self._leaving: dict[str, asyncio.Task[None]] = {}
        # Presence and read marks: the latest value, written at most once per interval.
        self.writes = CoalescedWrites(db, hub, hub.limits.coalesce_writes_every)
        # Agents with a live socket, on any node (the hub counts the others' through presence).
        self.online_agents = online_agents or hub.online_agents
        self.lease = lease or Lease("routing", "", single_node=True)
        # Its own loop is this one (`run`): each node's part follows the cluster pass.
        self.job = ClusterJob(self.lease, self.cluster_pass, tick)
        self.lease.on_acquired = self.kick

    def kick(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.tick)
                self._wake.clear()
                await self.job.run_once()
                try:
                    await self.traffic.sync_chats()
                except Exception as exc:
                    report_failure(log, "routing pass", exc)
        finally:
            await self.writes.flush()  # at shutdown: the last presences and read marks

    async def cluster_pass(self) -> None:
        """On the lease holder only: re-offer, close inactive chats, assign; then tell the visitors."""
        online = self.online_agents()
        async with self.db.write() as session:
            await self.lease.check(session)
            await routing.reoffer_unanswered(session)
            await routing.close_inactive(session)
            await routing.assign_queued(session, online)
        await self.route_once()

    async def route_once(self) -> None:
        """Queue positions to the queued visitors, and availability to all when it changed."""
        online = self.online_agents()
        started = time.monotonic()
        async with self.db.read() as session:
            positions = await routing.queue_positions(session)
            available = await routing.agents_available(session, online)
        self.availability.store(available, started)
        metrics.QUEUE_LENGTH.set(len(positions))
        for chat, position, wait in positions:
            push = QueuePositionPush(chat_id=chat.id, position=position, estimated_wait=wait)
            self.hub.push(
                Topic.visitor(chat.visitor_id), Envelope.push("queue_position", push), f"queue:{chat.id}"
            )
        if available != self._available:
            self._available = available
            self.hub.push_to_all_visitors(
                Envelope.push("availability", AvailabilityPush(agents_available=available))
            )

    async def agents_available(self, not_before: float | None = None) -> bool:
        """Whether an agent accepts chats: a read at most a second old, or begun after `not_before`
        (`AvailabilityCache`)."""
        return await self.availability.get(not_before)

    async def _read_agents_available(self) -> bool:
        async with self.db.read() as session:
            return await routing.agents_available(session, self.online_agents())

    # --- presence ------------------------------------------------------------------------------

    def visitor_connected(self, visitor_id: str) -> None:
        leaving = self._leaving.pop(visitor_id, None)
        if leaving is not None:
            leaving.cancel()
        self.set_presence(visitor_id, "active")

    def visitor_disconnected(self, visitor_id: str) -> None:
        if self.hub.visitor_connection_count(visitor_id, everywhere=False) or visitor_id in self._leaving:
            return
        self._leaving[visitor_id] = asyncio.get_running_loop().create_task(self._leave_later(visitor_id))

    async def _leave_later(self, visitor_id: str) -> None:
        await asyncio.sleep(self.leave_grace)
        self._leaving.pop(visitor_id, None)
        if not self.hub.visitor_connection_count(visitor_id, everywhere=False):
            self.traffic.visitor_left(visitor_id)  # this node's list; no await between check and this
        if not self.hub.visitor_connection_count(visitor_id):  # nor on another node
            self.set_presence(visitor_id, "left")

    def set_presence(self, visitor_id: str, presence: Presence) -> None:
        """Recorded on the visitor's open chats with the next coalesced write; agents then hear it."""
        self.writes.presence(visitor_id, presence)

    def stop(self) -> None:
        for task in self._leaving.values():
            task.cancel()
        self.writes.stop()

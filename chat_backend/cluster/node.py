"""This node among the others (`CHAT_REDIS_URL`): the hub's `ClusterLink` over the Redis bus.

Pushes and publishes of the hub go to every other node, which delivers them to its own sockets of the
topic (the sender's node has already delivered to its own); so do closes of agent sockets (a logout, a
deactivation). Commits are announced (`after_commit`); who is online comes from `Presence`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from redis.exceptions import RedisError

from chat_backend.cluster.bus import Bus
from chat_backend.cluster.limits import RedisBuckets
from chat_backend.cluster.presence import Presence
from chat_backend.db.engine import Database
from chat_backend.domain.events import max_event_id
from chat_backend.realtime.hub import TOPIC_KINDS, ForwardKind, Hub, Topic, TopicKind
from chat_backend.realtime.traffic_frames import PreparedFrame
from chat_backend.settings import Settings

log = logging.getLogger(__name__)

# Message kinds on the bus (besides the bus's own commit notice and presence's).
_KINDS: dict[ForwardKind, str] = {"push": "p", "publish": "r", "all_visitors": "v"}
_CLOSE = "x"
# Seconds a starting node waits for Redis before it goes on without.
START_WAIT = 3.0
# Seconds a clean stop waits for the last messages (presence leaving) to reach Redis.
STOP_FLUSH = 1.0


class ClusterNode:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        hub: Hub,
        *,
        on_remote_commit: Callable[[], None],
        on_agents_changed: Callable[[], None],
    ) -> None:
        self.db = db
        self.hub = hub
        self.node_id = settings.node_id
        self.bus = Bus(
            settings.redis_url,
            settings.redis_prefix,
            settings.node_id,
            newest_event=self._newest_event,
            on_remote_commit=on_remote_commit,
        )
        self.presence = Presence(
            self.bus, on_agents_changed, settings.presence_ttl, on_node_gone=on_remote_commit
        )
        for kind, code in _KINDS.items():
            self.bus.handlers[code] = self._deliverer(kind)
        self.bus.handlers[_CLOSE] = self._on_close
        self._closing: set[asyncio.Task[None]] = set()
        self._presence_task: asyncio.Task[None] | None = None
        hub.cluster = self
        hub.limits.shared = RedisBuckets(self.bus)  # new chats and offline messages, counted cluster-wide

    def after_commit(self, local: Callable[[], None]) -> Callable[[], None]:
        """`Database.on_commit` for a cluster: what a commit does on this node, then tell the others."""

        def committed() -> None:
            local()
            self.bus.committed()

        return committed

    async def _newest_event(self) -> int:
        async with self.db.read() as session:
            return await max_event_id(session)

    # --- the hub's ClusterLink ----------------------------------------------------------------

    def forward(
        self, kind: ForwardKind, topic: Topic | None, frame: PreparedFrame, coalesce_key: str | None
    ) -> None:
        header: dict[str, Any] = {"a": frame.action}
        if topic is not None:
            header.update(t=topic.kind, key=topic.key)
        if coalesce_key is not None:
            header["c"] = coalesce_key
        self.bus.publish(_KINDS[kind], header, frame.dumps())

    def forward_close(
        self,
        code: int,
        reason: str,
        *,
        agent_id: str | None,
        sessions: frozenset[str] | None,
        keep_session: str | None,
    ) -> None:
        header = {
            "code": code,
            "reason": reason,
            "agent": agent_id,
            "sessions": sorted(sessions) if sessions is not None else None,
            "keep": keep_session,
        }
        self.bus.publish(_CLOSE, header)

    def local_presence(self, kind: TopicKind, user_id: str, online: bool) -> None:
        if kind in ("agent", "visitor"):
            self.presence.local_presence("agent" if kind == "agent" else "visitor", user_id, online)

    def remote_agents(self) -> set[str]:
        return self.presence.remote_agents()

    def remote_visitor_nodes(self, visitor_id: str) -> int:
        return self.presence.remote_visitor_nodes(visitor_id)

    # --- from the other nodes -----------------------------------------------------------------

    def _deliverer(self, kind: ForwardKind) -> Callable[[str, dict[str, Any], str], None]:
        def deliver(_node: str, header: dict[str, Any], body: str) -> None:
            frame = PreparedFrame.of(str(header["a"]), body)
            if kind == "all_visitors":
                self.hub.deliver_to_all_visitors(frame)
                return
            topic_kind = header.get("t")
            if topic_kind not in TOPIC_KINDS:
                return
            topic = Topic(topic_kind, str(header.get("key", "")))
            if kind == "push":
                coalesce = header.get("c")
                self.hub.deliver_push(topic, frame, str(coalesce) if coalesce is not None else None)
            else:
                self.hub.deliver_publish(topic, frame)

        return deliver

    def _on_close(self, _node: str, header: dict[str, Any], _body: str) -> None:
        sessions = header.get("sessions")
        close = self.hub.close_local(
            int(header["code"]),
            str(header["reason"]),
            agent_id=header.get("agent"),
            sessions=frozenset(sessions) if sessions is not None else None,
            keep_session=header.get("keep"),
        )
        task = asyncio.get_running_loop().create_task(close)
        self._closing.add(task)  # kept referenced until done
        task.add_done_callback(self._closing.discard)

    # --- life ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, and learn who is online on the other nodes before this node routes or answers
        logins (else its first routing pass would tell every visitor that nobody is there). Redis
        unreachable: the node starts anyway and falls back to reading the log."""
        self.bus.start()
        self._presence_task = asyncio.get_running_loop().create_task(self.presence.run())
        if await self.bus.wait_connected(START_WAIT):
            try:
                await self.presence.read_others()
            except (RedisError, OSError) as exc:
                self.bus.trouble(exc)

    async def stop(self) -> None:
        if self._presence_task is not None:
            self._presence_task.cancel()
            await asyncio.gather(self._presence_task, return_exceptions=True)
        self.presence.leave()
        await self.bus.stop(STOP_FLUSH)

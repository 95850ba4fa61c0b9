"""Who is online across the nodes: the agents and visitors with a live socket on each node, in Redis.

Per node, `{prefix}node:{id}:agents` and `{prefix}node:{id}:visitors` (sets) and `{prefix}node:{id}:seq`
(the version of both) expire after `ttl` seconds (`CHAT_PRESENCE_TTL`, 30) unless the node's heartbeat
(every third of that) renews them; `{prefix}nodes` lists the nodes. A change is written to the set and announced on the bus with its
version in one MULTI. Every node keeps a copy of the other nodes' sets in memory, for the hub's
synchronous questions (`online_agents()`, `visitor_connection_count()`): announcements apply at once, and
each heartbeat reads the other nodes' entries again, taken only when not older than the copy.

A node that dies stops renewing: its keys expire and the others drop it within 4/3 of the TTL (40 s). Redis
down: the copy freezes at its last value. Back (or restarted empty): each node rewrites its own sets at
once and reads the others' entries, but drops a node without entries only from one heartbeat later, when
every live node has rewritten its own (so a restarted Redis makes nobody look offline meanwhile).

Whether an agent accepts chats is their routing status, in the database; here is only whether they have
a live socket.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from chat_backend.cluster.bus import Bus

log = logging.getLogger(__name__)

Kind = Literal["agent", "visitor"]
REWRITE_EVERY = 6  # beats between full rewrites of this node's sets (they heal anything lost)
PRESENCE = "o"
BYE = "bye"


@dataclass
class _Node:
    seq: int = 0
    agents: set[str] = field(default_factory=set)
    visitors: set[str] = field(default_factory=set)


class Presence:
    def __init__(
        self,
        bus: Bus,
        on_agents_changed: Callable[[], None],
        ttl: float = 30.0,
        on_node_gone: Callable[[], None] = lambda: None,
    ) -> None:
        self.bus = bus
        self.ttl = max(int(ttl), 1)  # Redis expiries are whole seconds
        self.beat = self.ttl / 3
        self.node_id = bus.node_id
        self.on_agents_changed = on_agents_changed
        self.on_node_gone = on_node_gone
        self._local: dict[Kind, set[str]] = {"agent": set(), "visitor": set()}
        # A restarted node that kept its CHAT_NODE_ID still counts up from its predecessor's versions.
        self.seq = time.time_ns() // 1000
        self._nodes: dict[str, _Node] = {}
        self._agents: Counter[str] = Counter()  # agent id -> other nodes with a socket of theirs
        self._visitors: Counter[str] = Counter()
        self._agent_set: set[str] | None = None  # `remote_agents()`, until the copy changes
        self._drop_after = 0.0  # monotonic time before which a node without entries is kept
        bus.handlers[PRESENCE] = self._on_change
        bus.handlers[BYE] = self._on_bye
        bus.on_connected.append(self._reconnected)

    def _key(self, node_id: str, what: str) -> str:
        return f"{self.bus.prefix}node:{node_id}:{what}"

    # --- this node ----------------------------------------------------------------------------

    def local_presence(self, kind: Kind, user_id: str, online: bool) -> None:
        ids = self._local[kind]
        if online == (user_id in ids):
            return
        if online:
            ids.add(user_id)
        else:
            ids.discard(user_id)
        self.seq += 1
        seq = self.seq
        key, seq_key = self._key(self.node_id, f"{kind}s"), self._key(self.node_id, "seq")
        nodes_key = f"{self.bus.prefix}nodes"
        announcement = self.bus.message(PRESENCE, {"w": kind, "id": user_id, "on": online, "s": seq})

        def change(pipe: Pipeline) -> None:
            if online:
                pipe.sadd(key, user_id)
            else:
                pipe.srem(key, user_id)
            pipe.expire(key, self.ttl)
            pipe.set(seq_key, seq, ex=self.ttl)
            pipe.sadd(nodes_key, self.node_id)  # listed, so the others' reads keep this node
            pipe.publish(self.bus.channel, announcement)

        self.bus.enqueue(change)

    def _renew(self, rewrite: bool) -> None:
        """Queue the heartbeat: renew this node's keys, or write its sets anew (`rewrite`)."""
        seq, seq_key = self.seq, self._key(self.node_id, "seq")
        sets = {self._key(self.node_id, f"{kind}s"): list(ids) for kind, ids in self._local.items()}
        nodes_key = f"{self.bus.prefix}nodes"

        def renew(pipe: Pipeline) -> None:
            for key, ids in sets.items():
                if rewrite:
                    pipe.delete(key)
                    if ids:
                        pipe.sadd(key, *ids)
                pipe.expire(key, self.ttl)
            pipe.set(seq_key, seq, ex=self.ttl)
            pipe.sadd(nodes_key, self.node_id)

        self.bus.enqueue(renew)

    def _reconnected(self) -> None:
        self._renew(rewrite=True)
        self._drop_after = time.monotonic() + self.beat  # let the other nodes rewrite theirs first
        self.bus.spawn(self._read_quietly())

    async def _read_quietly(self) -> None:
        try:
            await self.read_others()
        except (RedisError, OSError) as exc:
            self.bus.trouble(exc)
        except Exception:  # a bug: the heartbeat goes on (or this node would age out elsewhere)
            log.exception("could not read the other nodes' presence")

    async def run(self) -> None:
        """The heartbeat: renew this node's entries and read the other nodes' ones every `beat` s."""
        beats = 0
        while True:
            await asyncio.sleep(self.beat)
            if not self.bus.connected:
                continue  # the copy freezes; `_reconnected` rewrites
            beats += 1
            self._renew(rewrite=beats % REWRITE_EVERY == 0)
            await self._read_quietly()

    def leave(self) -> None:
        """A clean stop: drop this node's entries and tell the others at once."""
        keys = [self._key(self.node_id, what) for what in ("agents", "visitors", "seq")]
        nodes_key, bye = f"{self.bus.prefix}nodes", self.bus.message(BYE)

        def leave(pipe: Pipeline) -> None:
            pipe.delete(*keys)
            pipe.srem(nodes_key, self.node_id)
            pipe.publish(self.bus.channel, bye)

        self.bus.enqueue(leave)

    # --- the other nodes ----------------------------------------------------------------------

    def remote_agents(self) -> set[str]:
        if self._agent_set is None:
            self._agent_set = set(self._agents)
        return self._agent_set

    def remote_visitor_nodes(self, visitor_id: str) -> int:
        return self._visitors.get(visitor_id, 0)

    @property
    def nodes(self) -> list[str]:
        """The other nodes known to be alive."""
        return sorted(self._nodes)

    async def read_others(self) -> None:
        redis, prefix = self.bus.redis, self.bus.prefix
        names = {_text(name) for name in await redis.smembers(f"{prefix}nodes")}
        registered = sorted(names - {self.node_id})
        async with redis.pipeline(transaction=True) as pipe:
            for node_id in registered:
                pipe.get(self._key(node_id, "seq"))
                pipe.smembers(self._key(node_id, "agents"))
                pipe.smembers(self._key(node_id, "visitors"))
            replies: list[Any] = await pipe.execute() if registered else []
        drop = time.monotonic() >= self._drop_after
        gone = [node_id for node_id in self._nodes if node_id not in registered] if drop else []
        for index, node_id in enumerate(registered):
            seq, agents, visitors = replies[3 * index : 3 * index + 3]
            if seq is None:  # expired: the node died (or left)
                if drop:
                    gone.append(node_id)
                    await redis.srem(f"{prefix}nodes", node_id)
                continue
            known = self._nodes.get(node_id)
            if known is None or int(seq) >= known.seq:
                decoded = _Node(int(seq), {_text(a) for a in agents}, {_text(v) for v in visitors})
                self._replace(node_id, decoded)
        if any(node_id in self._nodes for node_id in gone):
            # A node killed between a commit and its notice: what it committed is read now.
            self.on_node_gone()
        for node_id in gone:
            self._replace(node_id, None)

    def _replace(self, node_id: str, state: _Node | None) -> None:
        old = self._nodes.pop(node_id, None) or _Node()
        new = state or _Node()
        _move(self._agents, old.agents, new.agents)
        _move(self._visitors, old.visitors, new.visitors)
        if state is not None:
            self._nodes[node_id] = state
        if old.agents != new.agents:
            self._agent_set = None
            self.on_agents_changed()

    def _on_change(self, node_id: str, header: dict[str, Any], _body: str) -> None:
        kind, user_id, online, seq = header["w"], str(header["id"]), bool(header["on"]), int(header["s"])
        node = self._nodes.setdefault(node_id, _Node())
        if seq <= node.seq or kind not in ("agent", "visitor"):
            return
        node.seq = seq
        ids, counts = (node.agents, self._agents) if kind == "agent" else (node.visitors, self._visitors)
        if online == (user_id in ids):
            return
        if online:
            ids.add(user_id)
            counts[user_id] += 1
        else:
            ids.discard(user_id)
            _decrement(counts, user_id)
        if kind == "agent":
            self._agent_set = None
            self.on_agents_changed()

    def _on_bye(self, node_id: str, _header: dict[str, Any], _body: str) -> None:
        self._replace(node_id, None)


def _move(counts: Counter[str], old: set[str], new: set[str]) -> None:
    for user_id in old - new:
        _decrement(counts, user_id)
    for user_id in new - old:
        counts[user_id] += 1


def _decrement(counts: Counter[str], key: str) -> None:
    counts[key] -= 1
    if counts[key] <= 0:
        del counts[key]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value

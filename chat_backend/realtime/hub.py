"""Live connections of this node: wake-ups after commits and routing of ephemeral pushes.

The hub carries no durable data: delivery reads the event log, so a lost wake-up costs latency only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat_protocol import Envelope

if TYPE_CHECKING:
    from chat_backend.realtime.connection import Connection, TokenBucket


class Hub:
    def __init__(self, connect_burst: int = 300, connect_rate: float = 30.0) -> None:
        self.connect_burst = connect_burst
        self.connect_rate = connect_rate
        self._connections: set[Connection] = set()
        self._by_agent: dict[str, set[Connection]] = {}
        self._by_visitor: dict[str, set[Connection]] = {}
        self._connect_rate: dict[str, TokenBucket] = {}
        self._mutation_rate: dict[str, TokenBucket] = {}
        # Supervisors watching a chat: they get its sneak peek and the agent's typing.
        self._watchers: dict[str, set[Connection]] = {}

    def allow_connection(self, ip: str) -> bool:
        """New sockets per IP: bursts of 300, then 30 a second by default (a shop behind one NAT stays
        served); `Settings.connect_burst`/`connect_rate` change it."""
        from chat_backend.realtime.connection import TokenBucket

        _prune(self._connect_rate)
        bucket = self._connect_rate.get(ip)
        if bucket is None:
            bucket = self._connect_rate[ip] = TokenBucket(self.connect_burst, self.connect_rate)
        return bucket.take() is None

    def mutation_bucket(self, user: str) -> TokenBucket:
        """Messages and chat actions per user, across all of that user's connections: a burst of 250
        (a pasted list, an outbox flushed after an outage), then 20 a second."""
        from chat_backend.realtime.connection import TokenBucket

        _prune(self._mutation_rate)
        return self._mutation_rate.setdefault(user, TokenBucket(capacity=250, per_second=20))

    def register(self, conn: Connection) -> None:
        self._connections.add(conn)
        if conn.agent is not None:
            self._by_agent.setdefault(conn.agent.agent_id, set()).add(conn)
        if conn.visitor_id is not None:
            self._by_visitor.setdefault(conn.visitor_id, set()).add(conn)

    def unregister(self, conn: Connection) -> None:
        self._connections.discard(conn)
        if conn.agent is not None:
            self._by_agent.get(conn.agent.agent_id, set()).discard(conn)
        if conn.visitor_id is not None:
            self._by_visitor.get(conn.visitor_id, set()).discard(conn)
        for chat_id in self.watched_by(conn):
            self.watch_chat(chat_id, conn, False)

    def wake_all(self) -> None:
        """A transaction with events committed: every connection looks at the log again."""
        for conn in list(self._connections):
            conn.wake()

    def push_to_agent(self, agent_id: str, envelope: Envelope, coalesce_key: str | None = None) -> None:
        for conn in list(self._by_agent.get(agent_id, ())):
            conn.send_ephemeral(envelope, coalesce_key)

    def push_to_visitor(self, visitor_id: str, envelope: Envelope, coalesce_key: str | None = None) -> None:
        for conn in list(self._by_visitor.get(visitor_id, ())):
            conn.send_ephemeral(envelope, coalesce_key)

    def watch_chat(self, chat_id: str, conn: Connection, watch: bool) -> None:
        if watch:
            self._watchers.setdefault(chat_id, set()).add(conn)
            return
        watchers = self._watchers.get(chat_id)
        if watchers is not None:
            watchers.discard(conn)
            if not watchers:
                del self._watchers[chat_id]

    def watched_by(self, conn: Connection) -> list[str]:
        return [chat_id for chat_id, conns in self._watchers.items() if conn in conns]

    def push_to_watchers(self, chat_id: str, envelope: Envelope, coalesce_key: str | None = None) -> None:
        """Ephemeral pushes to the chat's watchers; the scope is checked again by each connection on
        every delivery batch (`AgentConnection.fetch_events_in`), which drops a watch out of scope."""
        for conn in list(self._watchers.get(chat_id, ())):
            conn.send_ephemeral(envelope, coalesce_key)

    def send_to_agent(self, agent_id: str, envelope: Envelope) -> None:
        for conn in list(self._by_agent.get(agent_id, ())):
            conn.send(envelope)

    def send_to_visitor(self, visitor_id: str, envelope: Envelope) -> None:
        """Not dropped under load like ephemeral pushes (a call's state, an incoming call)."""
        for conn in list(self._by_visitor.get(visitor_id, ())):
            conn.send(envelope)

    async def close_session(self, session_id: str, code: int, reason: str) -> None:
        for conn in [c for c in self._connections if c.agent and c.agent.session_id == session_id]:
            await conn.close(code, reason)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    def online_agents(self) -> set[str]:
        """Agents with at least one live socket on this node."""
        return {agent_id for agent_id, conns in self._by_agent.items() if conns}

    def visitor_connection_count(self, visitor_id: str) -> int:
        return len(self._by_visitor.get(visitor_id, ()))

    def push_to_all_visitors(self, envelope: Envelope) -> None:
        for conns in list(self._by_visitor.values()):
            for conn in list(conns):
                conn.send_ephemeral(envelope)

    def agent_connections(self, agent_id: str) -> list[Connection]:
        return list(self._by_agent.get(agent_id, ()))


def _prune(buckets: dict[str, TokenBucket], limit: int = 10_000) -> None:
    """Forget buckets that have refilled completely, so the maps stay small on a long-running node."""
    if len(buckets) > limit:
        for key in [k for k, bucket in buckets.items() if bucket.is_full()]:
            del buckets[key]

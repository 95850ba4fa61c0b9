"""Live connections of this node: wake-ups after commits and routing of ephemeral pushes.

The hub carries no durable data: delivery reads the event log, so a lost wake-up costs latency only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat_protocol import Envelope

if TYPE_CHECKING:
    from chat_backend.realtime.connection import Connection


class Hub:
    def __init__(self) -> None:
        self._connections: set[Connection] = set()
        self._by_agent: dict[str, set[Connection]] = {}
        self._by_visitor: dict[str, set[Connection]] = {}

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

    def send_to_agent(self, agent_id: str, envelope: Envelope) -> None:
        for conn in list(self._by_agent.get(agent_id, ())):
            conn.send(envelope)

    async def close_session(self, session_id: str, code: int, reason: str) -> None:
        for conn in [c for c in self._connections if c.agent and c.agent.session_id == session_id]:
            await conn.close(code, reason)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    def agent_connections(self, agent_id: str) -> list[Connection]:
        return list(self._by_agent.get(agent_id, ()))

"""What the hub and the relays need of a live socket; `Connection` implements it.

This module imports nothing else of `realtime`, so the hub, the traffic list and the call relay can name
a socket without importing the connection (which imports them)."""

from __future__ import annotations

from typing import Protocol

from chat_backend.domain.auth import AgentIdentity
from chat_protocol import Envelope


class Subscriber(Protocol):
    @property
    def agent(self) -> AgentIdentity | None:
        """The logged-in agent of an agent socket, else None."""

    @property
    def visitor_id(self) -> str | None:
        """The logged-in visitor of a visitor socket, else None."""

    def wake(self) -> None:
        """Durable events may have been committed: read the log after the cursor again."""

    def send(self, envelope: Envelope) -> None:
        """Queue a frame that is never dropped (an overflow closes the socket instead)."""

    def send_ephemeral(self, envelope: Envelope, coalesce_key: str | None = None) -> None:
        """Queue an ephemeral push: coalesced by key, dropped first under load."""

    async def close(self, code: int, reason: str) -> None:
        """Close the socket with a WebSocket close code."""

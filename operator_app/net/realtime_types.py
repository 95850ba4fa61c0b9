"""What the realtime connection reports and raises: states, errors, the listener, the backoff."""

from __future__ import annotations

import random
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the socket's models come with the first connection, after the first window
    from chat_protocol.models import AnyEvent
    from chat_protocol.socket_payloads import (
        AgentLoginResult,
        ReadPush,
        SneakPeekPush,
        StatusPush,
        TypingPush,
        VisitorPresencePush,
    )

CLOSE_AUTH = 4001
CLOSE_OVERFLOW = 4008
# A node going away (draining on SIGTERM: 1001; a server restarting: 1012): reconnect soon, through the
# load balancer to another node, after `drain_reconnect_delay` instead of the backoff, unless sent away
# this many times in a row without getting connected.
GOING_AWAY_CODES = (1001, 1012)
GOING_AWAY_MAX_STREAK = 3
OFFLINE_AFTER_FAILURES = 3


class ConnectionState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


class RealtimeListener(Protocol):
    """What the connection reports to (the store's sync engine implements it)."""

    def get_cursor(self) -> int: ...
    def on_logged_in(self, result: AgentLoginResult) -> None: ...
    def on_event(self, event: AnyEvent) -> None: ...
    def on_sneak_peek(self, push: SneakPeekPush) -> None: ...
    def on_typing(self, push: TypingPush) -> None: ...
    def on_status(self, push: StatusPush) -> None: ...
    def on_read(self, push: ReadPush) -> None: ...
    def on_visitor_presence(self, push: VisitorPresencePush) -> None: ...
    def on_state(self, state: ConnectionState) -> None: ...
    async def resync(self) -> None:
        """Load a snapshot over HTTP and apply it; `get_cursor` then returns its cursor."""

    def on_resumed(self) -> None: ...
    def on_fatal(self, error: Exception) -> None:
        """The connection gave up for good: session expired or incompatible server."""


def backoff_delay(
    attempt: int, *, low: float = 0.5, high: float = 30.0, rng: random.Random | None = None
) -> float:
    """Full-jitter backoff: uniform in [0, min(high, low * 2**attempt)], never below `low`."""
    ceiling = min(high, low * (2 ** min(attempt, 16)))
    return max(low, (rng or random).uniform(0.0, ceiling))


def drain_reconnect_delay(*, high: float = 2.0, rng: random.Random | None = None) -> float:
    """After a going-away close: uniform in [0, `high`] seconds, so that a draining node's clients do
    not all arrive at the other nodes in the same instant."""
    return (rng or random).uniform(0.0, high)

"""Backend settings: defaults, then environment variables (CHAT_*), then command-line flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from chat_protocol.calls import DISCONNECT_GRACE_S, RING_TIMEOUT_S

# Clear of PostgreSQL (5432), Redis (6379), MariaDB (3306), RabbitMQ (5672), MQTT (1883), NATS (4222).
DEFAULT_PORT = 8470


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def default_database_url() -> str:
    data = Path(os.environ.get("CHAT_BACKEND_HOME") or user_data_dir("chat-backend", appauthor=False))
    data.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data / 'chat.db'}"


@dataclass
class Settings:
    database_url: str = field(default_factory=lambda: os.environ.get("CHAT_DATABASE_URL", ""))
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    demo: bool = False
    # Seconds an access token stays valid; refresh tokens last `refresh_ttl`.
    access_ttl: int = 3600
    refresh_ttl: int = 30 * 24 * 3600
    # The backend's public URL (behind a TLS proxy, say), for the widget snippets of `GET /api/v1/sites`;
    # empty: the URL each request came to.
    public_url: str = field(default_factory=lambda: os.environ.get("CHAT_PUBLIC_URL", ""))
    # Origins (scheme://host[:port]) allowed to open the agent socket from a browser; the app sends none.
    agent_origins: tuple[str, ...] = ()
    # A resume that would replay more than this many events answers `resync_required` instead.
    max_replay: int = 1000
    login_timeout: float = 10.0
    # Clients ping every 20 s; this long without any frame means the connection is dead.
    idle_timeout: float = 45.0
    # Browsers throttle timers in hidden tabs to about once a minute, so visitors get more slack.
    visitor_idle_timeout: float = 90.0
    # Per-connection send queue bound (protocol rule 10).
    send_queue_size: int = field(default_factory=lambda: _env_int("CHAT_SEND_QUEUE_SIZE", 1000))
    # New sockets per IP: a burst, then a rate per second (a shop behind one NAT stays served; a load
    # test from 127.0.0.1 raises both with CHAT_CONNECT_BURST / CHAT_CONNECT_RATE).
    connect_burst: int = field(default_factory=lambda: _env_int("CHAT_CONNECT_BURST", 300))
    connect_rate: float = field(default_factory=lambda: _env_float("CHAT_CONNECT_RATE", 30.0))
    # Seconds after a visitor's last socket closed before they count as gone (chat presence, list).
    visitor_leave_grace: float = field(default_factory=lambda: _env_float("CHAT_VISITOR_LEAVE_GRACE", 15.0))
    # Seconds a visitor who left stays in the live traffic list (state `left`).
    traffic_forget_after: float = field(
        default_factory=lambda: _env_float("CHAT_TRAFFIC_FORGET_AFTER", 300.0)
    )
    # Seconds without being seen after which the next page load starts a new visit.
    visit_gap: float = field(default_factory=lambda: _env_float("CHAT_VISIT_GAP", 1800.0))

    # Video calls: seconds a call rings before `no_answer`, and seconds a party's socket may be gone
    # before the call ends as `disconnected` (tests shorten both).
    call_ring_timeout: float = field(
        default_factory=lambda: _env_float("CHAT_CALL_RING_TIMEOUT", float(RING_TIMEOUT_S))
    )
    call_disconnect_grace: float = field(
        default_factory=lambda: _env_float("CHAT_CALL_DISCONNECT_GRACE", float(DISCONNECT_GRACE_S))
    )

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()

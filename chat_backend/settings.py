"""Backend settings: defaults, then environment variables (CHAT_*), then command-line flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

# Clear of PostgreSQL (5432), Redis (6379), MariaDB (3306), RabbitMQ (5672), MQTT (1883), NATS (4222).
DEFAULT_PORT = 8470


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
    send_queue_size: int = 1000

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()

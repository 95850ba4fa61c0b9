"""Backend settings: defaults, then environment variables (CHAT_*), then command-line flags."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from chat_protocol.attachments import MAX_UPLOAD_BYTES_CEILING
from chat_protocol.calls import DISCONNECT_GRACE_S, PAGE_PUSH_GRACE_S, RING_TIMEOUT_S

# Clear of PostgreSQL (5432), Redis (6379), MariaDB (3306), RabbitMQ (5672), MQTT (1883), NATS (4222).
DEFAULT_PORT = 8470


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def _env_bool(name: str) -> bool:
    return (os.environ.get(name) or "").strip().lower() in ("1", "true", "yes", "on")


def _env_list(name: str) -> tuple[str, ...]:
    """A comma-separated list; blanks dropped."""
    return tuple(item.strip() for item in (os.environ.get(name) or "").split(",") if item.strip())


def default_node_id() -> str:
    """This process among the nodes of a cluster: host name, process id and a random part (a restarted
    process is a new node, whose predecessor's entries age out)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


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
    # TLS served by this process (PEM files; both or neither): https and wss without a reverse proxy.
    ssl_certfile: str = field(default_factory=lambda: os.environ.get("CHAT_SSL_CERTFILE", ""))
    ssl_keyfile: str = field(default_factory=lambda: os.environ.get("CHAT_SSL_KEYFILE", ""))
    # Origins (scheme://host[:port]) allowed to open the agent socket from a browser; the app sends none.
    agent_origins: tuple[str, ...] = ()
    # A resume that would replay more than this many events answers `resync_required` instead.
    max_replay: int = 1000
    login_timeout: float = 10.0
    # Clients ping every 20 s; this long without any frame means the connection is dead.
    idle_timeout: float = field(default_factory=lambda: _env_float("CHAT_IDLE_TIMEOUT", 45.0))
    # Browsers throttle timers in hidden tabs to about once a minute, so visitors get more slack.
    visitor_idle_timeout: float = field(default_factory=lambda: _env_float("CHAT_VISITOR_IDLE_TIMEOUT", 90.0))

    # --- Socket limits (denial of service): memory, connections and frames per IP, site and user --
    # What one connection may have waiting to be sent, in bytes of JSON text (protocol rule 10); more
    # closes it with 4008 and the client resumes. A transcript page or a resume stays within a quarter.
    send_queue_bytes: int = field(default_factory=lambda: _env_int("CHAT_SEND_QUEUE_BYTES", 4 * 1024 * 1024))
    # Seconds a closing socket's close frame may wait for a peer that stopped reading; then the
    # connection is dropped (TCP reset), freeing its buffers.
    socket_close_timeout: float = field(default_factory=lambda: _env_float("CHAT_SOCKET_CLOSE_TIMEOUT", 5.0))
    # New sockets per IP: a burst, then a rate per second (a shop behind one NAT stays served; a load
    # test from 127.0.0.1 raises both with CHAT_CONNECT_BURST / CHAT_CONNECT_RATE).
    connect_burst: int = field(default_factory=lambda: _env_int("CHAT_CONNECT_BURST", 300))
    connect_rate: float = field(default_factory=lambda: _env_float("CHAT_CONNECT_RATE", 30.0))
    # Sockets open at once from one IP (agents and visitors), and visitor sockets per site; over the
    # cap a socket is closed with 1013 (try again later).
    max_sockets_per_ip: int = field(default_factory=lambda: _env_int("CHAT_MAX_SOCKETS_PER_IP", 200))
    max_visitor_sockets_per_site: int = field(
        default_factory=lambda: _env_int("CHAT_MAX_VISITOR_SOCKETS_PER_SITE", 5000)
    )
    # Frames per user (agent or visitor, all their sockets together): a burst of tokens, refilled at a
    # rate per second; each action costs tokens (`chat_backend.realtime.action_costs`).
    frame_burst: float = field(default_factory=lambda: _env_float("CHAT_FRAME_BURST", 250.0))
    frame_rate: float = field(default_factory=lambda: _env_float("CHAT_FRAME_RATE", 20.0))
    # New chats opened by visitors, per IP and per site: a burst, then so many a minute.
    new_chats_per_ip_burst: float = field(
        default_factory=lambda: _env_float("CHAT_NEW_CHATS_PER_IP_BURST", 10.0)
    )
    new_chats_per_ip_per_minute: float = field(
        default_factory=lambda: _env_float("CHAT_NEW_CHATS_PER_IP_PER_MINUTE", 2.0)
    )
    new_chats_per_site_burst: float = field(
        default_factory=lambda: _env_float("CHAT_NEW_CHATS_PER_SITE_BURST", 100.0)
    )
    new_chats_per_site_per_minute: float = field(
        default_factory=lambda: _env_float("CHAT_NEW_CHATS_PER_SITE_PER_MINUTE", 60.0)
    )
    # Offline messages (the form shown when nobody accepts chats), per IP and per site, likewise.
    offline_messages_per_ip_burst: float = field(
        default_factory=lambda: _env_float("CHAT_OFFLINE_MESSAGES_PER_IP_BURST", 5.0)
    )
    offline_messages_per_ip_per_minute: float = field(
        default_factory=lambda: _env_float("CHAT_OFFLINE_MESSAGES_PER_IP_PER_MINUTE", 1.0)
    )
    offline_messages_per_site_burst: float = field(
        default_factory=lambda: _env_float("CHAT_OFFLINE_MESSAGES_PER_SITE_BURST", 50.0)
    )
    offline_messages_per_site_per_minute: float = field(
        default_factory=lambda: _env_float("CHAT_OFFLINE_MESSAGES_PER_SITE_PER_MINUTE", 20.0)
    )
    # Chat transcripts e-mailed to visitors (`email_transcript`), per IP and per site, likewise: each
    # mail goes to an address the visitor typed, so these stay low.
    transcript_mails_per_ip_burst: float = field(
        default_factory=lambda: _env_float("CHAT_TRANSCRIPT_MAILS_PER_IP_BURST", 3.0)
    )
    transcript_mails_per_ip_per_minute: float = field(
        default_factory=lambda: _env_float("CHAT_TRANSCRIPT_MAILS_PER_IP_PER_MINUTE", 0.2)
    )
    transcript_mails_per_site_burst: float = field(
        default_factory=lambda: _env_float("CHAT_TRANSCRIPT_MAILS_PER_SITE_BURST", 30.0)
    )
    transcript_mails_per_site_per_minute: float = field(
        default_factory=lambda: _env_float("CHAT_TRANSCRIPT_MAILS_PER_SITE_PER_MINUTE", 10.0)
    )
    # Visitor presence (`activity`) and read marks (`mark_read`) are written at most once per this many
    # seconds, all pending ones in one transaction; the latest value always lands.
    coalesce_writes_every: float = field(
        default_factory=lambda: _env_float("CHAT_COALESCE_WRITES_EVERY", 1.0)
    )
    # --- end of socket limits ---------------------------------------------------------------------
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
    # Seconds a call waits for the page of a page push the visitor accepted before `disconnected`.
    call_page_push_grace: float = field(
        default_factory=lambda: _env_float("CHAT_CALL_PAGE_PUSH_GRACE", float(PAGE_PUSH_GRACE_S))
    )

    # --- HTTP and login hardening ------------------------------------------------------------
    # Seconds a client has to send a request line and its headers (counted from the connection, or
    # from the first byte of the next request on a kept-alive one), and then its whole body; a
    # connection that takes longer is answered 408 and closed (slowloris).
    http_header_timeout: float = field(default_factory=lambda: _env_float("CHAT_HTTP_HEADER_TIMEOUT", 10.0))
    http_body_timeout: float = field(default_factory=lambda: _env_float("CHAT_HTTP_BODY_TIMEOUT", 30.0))
    # Seconds an idle kept-alive HTTP connection stays open between requests.
    http_keep_alive_timeout: int = field(default_factory=lambda: _env_int("CHAT_HTTP_KEEP_ALIVE_TIMEOUT", 5))
    # Open connections (HTTP and WebSocket together) on this node; requests past it are answered 503.
    # Keep it under the process's open-file limit (`ulimit -n`).
    http_max_connections: int = field(default_factory=lambda: _env_int("CHAT_HTTP_MAX_CONNECTIONS", 4000))
    # Request head (line and headers) and body sizes; larger ones are answered 431 / 413 and closed.
    http_max_header_bytes: int = field(
        default_factory=lambda: _env_int("CHAT_HTTP_MAX_HEADER_BYTES", 32 * 1024)
    )
    http_max_body_bytes: int = field(
        default_factory=lambda: _env_int("CHAT_HTTP_MAX_BODY_BYTES", 1024 * 1024)
    )
    # A file sent into a chat (the attachments' upload routes): the most any admin may allow, within
    # this many seconds of its head (the route also cuts off a body slower than 10 KB/s after 20 s).
    http_max_upload_bytes: int = field(
        default_factory=lambda: _env_int("CHAT_HTTP_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES_CEILING)
    )
    http_upload_timeout: float = field(default_factory=lambda: _env_float("CHAT_HTTP_UPLOAD_TIMEOUT", 600.0))
    # permessage-deflate on the sockets (when the client offers it): on by default; off saves about
    # 45 KB of memory per socket (the compressor's state) at the cost of larger frames on the wire.
    ws_compression: bool = field(
        default_factory=lambda: (
            (os.environ.get("CHAT_WS_COMPRESSION") or "1").strip().lower() not in ("0", "false", "no", "off")
        )
    )
    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed: the
    # client is the right-most address in it that is not one of them. Empty: the peer is the client.
    trusted_proxies: tuple[str, ...] = field(default_factory=lambda: _env_list("CHAT_TRUSTED_PROXIES"))
    # Serve the API reference page at /docs (from local files; the OpenAPI document is always served).
    api_docs: bool = field(default_factory=lambda: _env_bool("CHAT_API_DOCS"))
    # Failed logins within `login_window` seconds: `login_pair_failures` from one IP on one account
    # lock that pair; `login_ip_failures` from one IP on any accounts throttle that IP;
    # `login_account_failures` on one account from anywhere slow its logins from IPs that failed
    # (one every `login_account_interval` seconds); an IP without failures is never slowed.
    login_window: float = field(default_factory=lambda: _env_float("CHAT_LOGIN_WINDOW", 300.0))
    login_pair_failures: int = field(default_factory=lambda: _env_int("CHAT_LOGIN_PAIR_FAILURES", 10))
    login_ip_failures: int = field(default_factory=lambda: _env_int("CHAT_LOGIN_IP_FAILURES", 30))
    login_account_failures: int = field(default_factory=lambda: _env_int("CHAT_LOGIN_ACCOUNT_FAILURES", 10))
    login_account_interval: float = field(
        default_factory=lambda: _env_float("CHAT_LOGIN_ACCOUNT_INTERVAL", 2.0)
    )
    # Password hashes computed at once (argon2: ~64 MiB and one core each) and waiting beyond them;
    # past both, logins are answered 503 `rate_limited` with Retry-After.
    password_hash_workers: int = field(default_factory=lambda: _env_int("CHAT_PASSWORD_HASH_WORKERS", 2))
    password_hash_queue: int = field(default_factory=lambda: _env_int("CHAT_PASSWORD_HASH_QUEUE", 64))

    # --- Several nodes (docs/deploy.md) --------------------------------------------------------
    # Redis shared by the nodes (`redis://host:6379/0`): it wakes the other nodes after a commit, carries
    # pushes between them and holds who is online. Empty: one node alone, without Redis.
    redis_url: str = field(default_factory=lambda: os.environ.get("CHAT_REDIS_URL", ""))
    # This node's name among the nodes (logs, presence entries); unique per running process.
    node_id: str = field(default_factory=lambda: os.environ.get("CHAT_NODE_ID") or default_node_id())
    # Prefix of every Redis key and channel of this deployment (several deployments may share a Redis).
    redis_prefix: str = field(default_factory=lambda: os.environ.get("CHAT_REDIS_PREFIX") or "chat:")
    # Seconds after which the agents and visitors of a node that stopped renewing its presence in Redis
    # (it died) count as gone; the others notice within a third more (tests shorten it).
    presence_ttl: float = field(default_factory=lambda: _env_float("CHAT_PRESENCE_TTL", 30.0))
    # --- Cluster jobs and operations ----------------------------------------------------------
    # Seconds a job lease (routing, greeting, retention, call timers) lasts unrenewed: how long a job
    # pauses when its node dies. Renewed every third of it.
    lease_ttl: float = field(default_factory=lambda: _env_float("CHAT_LEASE_TTL", 10.0))
    # Seconds a node stopping on SIGTERM waits for its sockets (told to reconnect elsewhere) to leave.
    drain_timeout: float = field(default_factory=lambda: _env_float("CHAT_DRAIN_TIMEOUT", 30.0))
    # Who may read /metrics: clients from these networks (comma-separated; loopback by default), or
    # anyone presenting `Authorization: Bearer <CHAT_METRICS_TOKEN>` when that is set.
    metrics_networks: tuple[str, ...] = field(
        default_factory=lambda: _env_list("CHAT_METRICS_NETWORKS") or ("127.0.0.0/8", "::1")
    )
    metrics_token: str = field(default_factory=lambda: os.environ.get("CHAT_METRICS_TOKEN", ""))
    # --- E-mail in ----------------------------------------------------------------------------
    # A PEM file of CA certificates the IMAP server's certificate is checked against (a private CA);
    # empty: the system's trusted CAs.
    imap_ca_file: str = field(default_factory=lambda: os.environ.get("CHAT_IMAP_CA_FILE", ""))
    # E-mail out: the relay's certificate is checked against the system's CAs and, when set, this PEM
    # file too (a private CA, a self-signed relay); docs/deploy.md.
    smtp_ca_file: str = field(default_factory=lambda: os.environ.get("CHAT_SMTP_CA_FILE", ""))

    # --- Files (attachments; docs/deploy.md "Files") ------------------------------------------------
    # The folder of the disk store; empty: `files` beside an SQLite database, else in the data folder.
    files_dir: str = field(default_factory=lambda: os.environ.get("CHAT_FILES_DIR", ""))
    # An S3-compatible bucket instead (required with several nodes): bucket, endpoint URL (empty: AWS),
    # region and keys (empty: the usual AWS environment and config files).
    files_s3_bucket: str = field(default_factory=lambda: os.environ.get("CHAT_FILES_S3_BUCKET", ""))
    files_s3_endpoint: str = field(default_factory=lambda: os.environ.get("CHAT_FILES_S3_ENDPOINT", ""))
    files_s3_region: str = field(default_factory=lambda: os.environ.get("CHAT_FILES_S3_REGION", "us-east-1"))
    files_s3_access_key: str = field(default_factory=lambda: os.environ.get("CHAT_FILES_S3_ACCESS_KEY", ""))
    files_s3_secret_key: str = field(default_factory=lambda: os.environ.get("CHAT_FILES_S3_SECRET_KEY", ""))
    # Uploads per visitor and per IP (agents: per agent): a burst, then so many a minute.
    uploads_per_visitor_burst: float = field(
        default_factory=lambda: _env_float("CHAT_UPLOADS_PER_VISITOR_BURST", 10.0)
    )
    uploads_per_visitor_per_minute: float = field(
        default_factory=lambda: _env_float("CHAT_UPLOADS_PER_VISITOR_PER_MINUTE", 6.0)
    )
    uploads_per_ip_burst: float = field(default_factory=lambda: _env_float("CHAT_UPLOADS_PER_IP_BURST", 30.0))
    uploads_per_ip_per_minute: float = field(
        default_factory=lambda: _env_float("CHAT_UPLOADS_PER_IP_PER_MINUTE", 20.0)
    )

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()

    def resolved_files_dir(self) -> Path:
        """The disk store's folder: `files_dir`, else `files` beside an SQLite database file, else
        `files` in the data folder."""
        if self.files_dir:
            return Path(self.files_dir)
        url = self.resolved_database_url()
        if url.startswith("sqlite:///") and ":memory:" not in url:
            return Path(url.removeprefix("sqlite:///")).parent / "files"
        return (
            Path(os.environ.get("CHAT_BACKEND_HOME") or user_data_dir("chat-backend", appauthor=False))
            / "files"
        )

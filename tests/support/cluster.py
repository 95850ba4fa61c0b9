"""Several backend nodes on one PostgreSQL database and one Redis, behind HAProxy, for cluster tests.

Each node is a `BackendProcess` with `CHAT_REDIS_URL`, its own `CHAT_NODE_ID` and the cluster's unique
`CHAT_REDIS_PREFIX` (the machine's Redis is shared with other test runs); a test that stops Redis gives
the cluster a `RedisServer` of its own instead. Only the first node seeds the
demo site and agent (`--demo`: two nodes writing them at once would race); every node knows the same
agent password. HAProxy (Debian's `haproxy`) listens on a free 127.0.0.1 port: round robin, no
stickiness, WebSocket-friendly timeouts, `option forwardfor`; the nodes trust 127.0.0.1 as their proxy
(`CHAT_TRUSTED_PROXIES`). `entry` is a `BackendProcess` pointing at HAProxy, for the wire helpers.
Attachments go to a fresh bucket of moto's S3 server (several nodes need a shared store): the session's
`s3_server` when the test passes it as `s3`, else a server of the cluster's own (benchmarks).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.backend import BackendProcess, free_port
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.s3 import S3Server

REDIS_URL = os.environ.get("CHAT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PROXY = "127.0.0.1"


@dataclass
class RedisServer:
    """`redis-server` on a free 127.0.0.1 port, keeping nothing on disk; can be killed and restarted."""

    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        import redis

        cmd = [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(self.port)]
        cmd += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        with (self.workdir / "redis.log").open("ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    if time.monotonic() > deadline or self.proc.poll() is not None:
                        raise
                time.sleep(0.02)
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL, as when Redis crashes: everything it held is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@dataclass
class NodeProcess(BackendProcess):
    """A backend node of a cluster: `BackendProcess` plus the cluster's settings."""

    env: dict[str, str] = field(default_factory=dict)

    def _env(self) -> dict[str, str]:
        return {**super()._env(), **self.env}


HAPROXY_CONFIG = """\
global
    maxconn {maxconn}

defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    # An open WebSocket is a tunnel: idle for as long as the protocol's own pings allow.
    timeout tunnel 1h
    timeout client-fin 5s

frontend chat
    bind {host}:{port}
    default_backend nodes

backend nodes
    balance roundrobin
    # Ready nodes only: a draining node (SIGTERM) or one without its database answers 503.
    option httpchk GET /readyz
    # A connection refused by a dead node is tried again on another one.
    retries 3
    option redispatch
{servers}
"""


@dataclass
class HAProxy:
    nodes: list[NodeProcess]
    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    maxconn: int = 4096

    @property
    def url(self) -> str:
        return f"http://{PROXY}:{self.port}"

    def config(self) -> str:
        servers = "\n".join(
            f"    server node{n} 127.0.0.1:{node.port} check inter 1s" for n, node in enumerate(self.nodes, 1)
        )
        return HAPROXY_CONFIG.format(host=PROXY, port=self.port, servers=servers, maxconn=self.maxconn)

    def start(self, timeout: float = 20.0) -> None:
        path = self.workdir / "haproxy.cfg"
        path.write_text(self.config())
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        with (self.workdir / "haproxy.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [haproxy, "-db", "-f", str(path)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"haproxy exited: {(self.workdir / 'haproxy.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("haproxy did not answer in time")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@dataclass
class Cluster:
    postgres_url: str
    workdir: Path
    size: int = 3
    env: dict[str, str] = field(default_factory=dict)  # more settings for every node
    redis_url: str = REDIS_URL
    redis_prefix: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:12]}:")
    nodes: list[NodeProcess] = field(default_factory=list)
    proxy: HAProxy | None = None
    haproxy_maxconn: int = 4096  # connections at once through the proxy (a benchmark raises it)
    s3: S3Server | None = None  # the S3 server holding the attachments; None: one of the cluster's own
    database: str = ""
    own_s3: S3Server | None = None

    @property
    def entry(self) -> BackendProcess:
        """HAProxy, as a backend for the wire helpers (`connect_visitor`, `connect_agent`...)."""
        assert self.proxy is not None
        first = self.nodes[0]
        return BackendProcess(
            database_url=first.database_url,
            workdir=self.workdir,
            port=self.proxy.port,
            agent_email=first.agent_email,
            agent_password=first.agent_password,
        )

    @property
    def origin(self) -> str:
        """A page origin the demo site allows (the first node's own): visitors send it to any node."""
        return self.nodes[0].url

    def start(self) -> None:
        if self.s3 is None:
            self.workdir.mkdir(parents=True, exist_ok=True)
            self.own_s3 = self.s3 = S3Server(self.workdir)
            self.s3.start()
        files = self.s3.new_bucket()  # shared by the nodes, as a real cluster's must be
        self.database, url = create_postgres_database(self.postgres_url)
        password = "pw-" + uuid.uuid4().hex[:16]
        for n in range(1, self.size + 1):
            workdir = self.workdir / f"node{n}"
            workdir.mkdir(parents=True, exist_ok=True)
            env = {
                "CHAT_REDIS_URL": self.redis_url,
                "CHAT_REDIS_PREFIX": self.redis_prefix,
                "CHAT_NODE_ID": f"node{n}",
                "CHAT_TRUSTED_PROXIES": PROXY,
                **files,
                **self.env,
            }
            node = NodeProcess(
                database_url=url, workdir=workdir, agent_password=password, demo=n == 1, env=env
            )
            self.nodes.append(node)
        with ThreadPoolExecutor(self.size) as pool:
            for started in [pool.submit(node.start) for node in self.nodes]:
                started.result()
        self.proxy = HAProxy(self.nodes, self.workdir, maxconn=self.haproxy_maxconn)
        self.proxy.start()

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        with ThreadPoolExecutor(max(len(self.nodes), 1)) as pool:
            list(pool.map(lambda node: node.stop(), self.nodes))
        if self.database:
            drop_postgres_database(self.postgres_url, self.database)
        self.forget_redis_keys()
        if self.own_s3 is not None:
            self.own_s3.stop()

    def forget_redis_keys(self) -> None:
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=2)
        try:
            keys = list(client.scan_iter(match=f"{self.redis_prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass  # a Redis of the test's own, already stopped
        finally:
            client.close()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A Redis of the module's own, which its tests may kill and start again (never the machine's)."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.kill()

"""A node's life as operations see it, on a real process: `/readyz` and `/metrics` (and who may read
them), the graceful drain on SIGTERM (sockets told 1001 "going away", `/readyz` 503 meanwhile, exit
when they left or at `CHAT_DRAIN_TIMEOUT`), and one node only per SQLite database."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

from tests.support.backend import BackendProcess
from tests.support.databases import create_postgres_database, drop_postgres_database, sqlite_database
from tests.support.waiting import until
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id


def _node(tmp_path: Path, **env: str) -> BackendProcess:
    return BackendProcess(database_url=sqlite_database(tmp_path), workdir=tmp_path, env=env, log_level="info")


@pytest.fixture
def node(tmp_path: Path) -> Iterator[BackendProcess]:
    """A node whose drain lasts while a peer that never answers a close frame holds its socket."""
    proc = _node(tmp_path, CHAT_SOCKET_CLOSE_TIMEOUT="3", CHAT_DRAIN_TIMEOUT="20")
    proc.start()
    yield proc
    proc.stop()


async def stuck_socket(backend: BackendProcess) -> asyncio.StreamWriter:
    """A WebSocket whose peer completes the handshake and then never reads (nor answers a close)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", backend.port)
    writer.write(
        (
            f"GET /ws/visitor HTTP/1.1\r\nHost: 127.0.0.1:{backend.port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {backend.url}\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    return writer


def metric_values(backend: BackendProcess, headers: dict[str, str] | None = None) -> dict[str, float]:
    """{"name{label=value}": value} of /metrics."""
    response = httpx.get(f"{backend.url}/metrics", headers=headers or {}, timeout=5)
    response.raise_for_status()
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


async def closed_with(client: WireClient) -> tuple[int | None, str | None]:
    await asyncio.wait_for(client.ws.wait_closed(), 15)
    return client.ws.close_code, client.ws.close_reason


@pytest.mark.asyncio
async def test_metrics_count_sockets_logins_events_and_delivery(node: BackendProcess) -> None:
    before = metric_values(node)
    agent = await connect_agent(node, node.agent_email, node.agent_password)
    visitors = [(await connect_visitor(node))[0] for _ in range(2)]
    try:
        await agent.ok("set_status", {"status": "accepting"})
        await visitors[0].ok("send_message", {"client_id": new_id(), "text": "hello"})
        await until(
            lambda: metric_values(node).get("chat_delivery_lag_seconds_count", 0) > 0,
            within=10,
            what="a delivery measured",
        )
        now = metric_values(node)
        assert now["chat_sockets{kind=agent}"] == 1
        assert now["chat_sockets{kind=visitor}"] == 2
        assert now["chat_logins_total{kind=visitor}"] - before.get("chat_logins_total{kind=visitor}", 0) == 2
        assert now["chat_logins_total{kind=agent}"] - before.get("chat_logins_total{kind=agent}", 0) == 1
        assert now["chat_events_committed_total"] > before["chat_events_committed_total"]
        assert now["chat_log_errors_total"] == 0
        assert "process_resident_memory_bytes" in now
        for job in ("routing", "greeting", "retention", "calls"):  # SQLite: one node holds every job
            assert now[f"chat_job_lease_held{{job={job}}}"] == 1
    finally:
        for client in [agent, *visitors]:
            await client.close()


def test_metrics_are_refused_outside_trusted_networks_without_the_token(tmp_path: Path) -> None:
    token = "metrics-" + new_id()
    proc = _node(tmp_path, CHAT_METRICS_NETWORKS="192.0.2.0/24", CHAT_METRICS_TOKEN=token)
    proc.start()
    try:
        assert httpx.get(f"{proc.url}/metrics").status_code == 403
        assert httpx.get(f"{proc.url}/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert "chat_sockets" in str(metric_values(proc, {"Authorization": f"Bearer {token}"}))
        assert httpx.get(f"{proc.url}/readyz").json() == {"status": "ready", "checks": {"database": "ok"}}
        assert httpx.get(f"{proc.url}/healthz").json() == {"status": "ok"}
    finally:
        proc.stop()


@pytest.mark.asyncio
async def test_sigterm_drains_the_node_and_it_exits_once_its_sockets_left(node: BackendProcess) -> None:
    agent = await connect_agent(node, node.agent_email, node.agent_password)
    visitor, _ = await connect_visitor(node)
    stuck = await stuck_socket(node)
    assert (await asyncio.to_thread(httpx.get, f"{node.url}/readyz")).status_code == 200
    assert node.proc is not None
    node.proc.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    try:
        for client in (agent, visitor):
            assert await closed_with(client) == (1001, "going away: this node is stopping")
        # The stuck peer keeps the node draining (until the close timeout drops it): not ready, and a
        # socket that arrives now is told to go elsewhere too.
        ready = await asyncio.to_thread(httpx.get, f"{node.url}/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["draining"] == "draining"
        late = WireClient(await websockets.connect(f"{node.ws_url}/ws/visitor", origin=node.url))  # type: ignore[arg-type]
        assert (await closed_with(late))[0] == 1001
        assert node.proc.wait(15) == 0
        assert time.monotonic() - signalled < 10  # the stuck socket was dropped after 3 s, not 20
    finally:
        stuck.close()
        for client in (agent, visitor):
            await client.close()
    log = node.log_path.read_text()
    assert "drained in" in log
    assert "drain timeout" not in log


@pytest.mark.asyncio
async def test_a_drain_ends_at_its_deadline_when_sockets_do_not_leave(tmp_path: Path) -> None:
    proc = _node(tmp_path, CHAT_SOCKET_CLOSE_TIMEOUT="60", CHAT_DRAIN_TIMEOUT="1.5")
    proc.start()
    stuck = await stuck_socket(proc)
    try:
        assert proc.proc is not None
        proc.proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        assert proc.proc.wait(20) == 0
        assert 1.4 < time.monotonic() - signalled < 15
    finally:
        stuck.close()
        proc.stop()
    assert "drain timeout: 1 sockets still open" in proc.log_path.read_text()


def test_a_second_node_on_the_same_sqlite_database_is_refused(node: BackendProcess) -> None:
    cmd = [sys.executable, "-m", "chat_backend.cli", "--database-url", node.database_url, "serve"]
    cmd += ["--port", str(node.port + 1)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert "another chat-backend already serves the SQLite database" in done.stderr
    assert "PostgreSQL" in done.stderr
    assert httpx.get(f"{node.url}/healthz").status_code == 200  # the first node goes on
    # Admin commands still work beside it.
    assert "auto_assign" in node.cli("routing")


POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")


async def _admin(statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.mark.skipif(not POSTGRES_URL, reason="needs CHAT_TEST_DATABASE_URL (PostgreSQL)")
@pytest.mark.backend_errors_expected(r"(?s)pass failed|flush failed|could not record|ConnectionDoesNotExist")
def test_readyz_is_503_while_the_database_is_unreachable_and_200_once_it_is_back(tmp_path: Path) -> None:
    name, url = create_postgres_database(POSTGRES_URL)
    proc = BackendProcess(database_url=url, workdir=tmp_path)
    proc.start()

    def readiness() -> tuple[int, dict[str, str]]:
        response = httpx.get(f"{proc.url}/readyz", timeout=10)
        return response.status_code, response.json()["checks"]

    try:
        assert readiness() == (200, {"database": "ok"})
        asyncio.run(_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        asyncio.run(
            _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        )
        deadline = time.monotonic() + 15
        while readiness() != (503, {"database": "unreachable"}):
            assert time.monotonic() < deadline, readiness()
            time.sleep(0.2)
        assert httpx.get(f"{proc.url}/healthz").status_code == 200  # alive all the same
        asyncio.run(_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        deadline = time.monotonic() + 15
        while readiness()[0] != 200:
            assert time.monotonic() < deadline, readiness()
            time.sleep(0.2)
    finally:
        asyncio.run(_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        proc.stop()
        drop_postgres_database(POSTGRES_URL, name)

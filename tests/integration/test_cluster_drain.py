"""A node drained behind HAProxy: SIGTERM on the node a visitor is on closes the visitor's socket with
1001, HAProxy stops sending clients there (its `/readyz` says 503), the visitor's reconnect through
HAProxy lands on the other node and the chat goes on; the drained node's job leases move over and it
exits cleanly. Two nodes, one PostgreSQL database, the machine's Redis under a prefix of this test."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

from tests.support.backend import BackendProcess
from tests.support.cluster import Cluster
from tests.support.s3 import S3Server
from tests.support.wire import WireClient, connect_agent, new_id

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")
JOBS = ("routing", "greeting", "retention", "calls")


@pytest.fixture
def cluster(tmp_path: Path, s3_server: S3Server) -> Iterator[Cluster]:
    if not POSTGRES_URL:
        pytest.skip("several nodes share a PostgreSQL database: set CHAT_TEST_DATABASE_URL")
    env = {"CHAT_LEASE_TTL": "3", "CHAT_DRAIN_TIMEOUT": "15", "CHAT_SOCKET_CLOSE_TIMEOUT": "6"}
    nodes = Cluster(POSTGRES_URL, tmp_path, size=2, env=env, s3=s3_server)
    nodes.start()
    yield nodes
    nodes.stop()


def scrape(node: BackendProcess) -> dict[str, float]:
    found = {}
    text = httpx.get(f"{node.url}/metrics", timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


async def visitor_via_proxy(
    cluster: Cluster, token: str | None = None
) -> tuple[WireClient, dict[str, object]]:
    """Log in through HAProxy; a node that answers with a close (draining) is tried again soon."""
    entry = cluster.entry
    deadline = time.monotonic() + 20
    while True:
        ws = await websockets.connect(f"{entry.ws_url}/ws/visitor", origin=cluster.origin)  # type: ignore[arg-type]
        client = WireClient(ws)
        try:
            frame = await client.request(
                "login", {"site_id": entry.site_id, "visitor_token": token}, within=3
            )
            if frame["type"] == "res":
                login = frame["payload"]
                await client.ok("resume", {"cursor": login["cursor"]})
                return client, login
        except (websockets.ConnectionClosed, TimeoutError):
            pass
        await client.close()
        assert time.monotonic() < deadline, "no node took the visitor back"
        await asyncio.sleep(0.5)


@pytest.mark.asyncio
async def test_a_drained_nodes_visitor_comes_back_through_haproxy_on_the_other_node(cluster: Cluster) -> None:
    visitor, login = await visitor_via_proxy(cluster)
    on = await asyncio.to_thread(
        lambda: [n for n in cluster.nodes if scrape(n).get("chat_sockets{kind=visitor}", 0) == 1]
    )
    assert len(on) == 1
    drained = on[0]
    other = next(n for n in cluster.nodes if n is not drained)
    agent = await connect_agent(other, other.agent_email, other.agent_password)
    stuck = socket.socket()
    try:
        await agent.ok("set_status", {"status": "accepting"})
        first = await visitor.ok("send_message", {"client_id": new_id(), "text": "before the drain"})
        chat_id = first["event"]["chat_id"]

        # A peer that never answers its close frame keeps the node draining (6 s): alive, but not ready.
        stuck.connect(("127.0.0.1", drained.port))
        stuck.sendall(
            f"GET /ws/visitor HTTP/1.1\r\nHost: 127.0.0.1:{drained.port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        assert stuck.recv(4096).startswith(b"HTTP/1.1 101")
        assert drained.proc is not None
        drained.proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(visitor.ws.wait_closed(), 10)
        assert visitor.ws.close_code == 1001
        ready = await asyncio.to_thread(httpx.get, f"{drained.url}/readyz")
        assert ready.status_code == 503

        back, again = await visitor_via_proxy(cluster, str(login["visitor_token"]))
        try:
            assert again["visitor_id"] == login["visitor_id"]
            assert (await asyncio.to_thread(scrape, other)).get("chat_sockets{kind=visitor}") == 1
            sent = await back.ok("send_message", {"client_id": new_id(), "text": "after the drain"})
            assert sent["event"]["chat_id"] == chat_id
        finally:
            await back.close()
        assert await asyncio.to_thread(drained.proc.wait, 20) == 0
        held = await asyncio.to_thread(scrape, other)
        assert all(held[f"chat_job_lease_held{{job={job}}}"] == 1 for job in JOBS)
    finally:
        await agent.close()
        stuck.close()

"""Faults of a cluster under traffic: a node killed, Redis killed, PostgreSQL restarted.

Three nodes behind HAProxy on a PostgreSQL server and a Redis of this module's own (never the machine's
shared ones, which parallel tests use). The clients are `Resilient`: they reconnect through the load
balancer as the widget and the app do, and send again what was never acknowledged; each test then checks
that every acknowledged message arrived exactly once and in order, both ways.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.backend import BackendProcess
from tests.support.cluster import Cluster, RedisServer
from tests.support.postgres_server import PostgresServer
from tests.support.resilient import Resilient
from tests.support.s3 import S3Server
from tests.support.sharing import admin_of
from tests.support.wire import http_get

# Presence of a dead node ages out after this many seconds (and a third more), instead of 30.
PRESENCE_TTL = 3
LEAVE_GRACE = 2
VISITORS = 500
CHATTERS = 8
CLOSED_TABS = 50

pytestmark = pytest.mark.skipif(
    not os.environ.get("CHAT_TEST_DATABASE_URL"), reason="the cluster tests run where PostgreSQL is set up"
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
    redis_server: RedisServer,
    postgres: PostgresServer,
    s3_server: S3Server,
) -> Iterator[Cluster]:
    nodes = Cluster(
        postgres.url,
        tmp_path_factory.mktemp("chaos"),
        redis_url=redis_server.url,
        s3=s3_server,
        env={
            "CHAT_PRESENCE_TTL": str(PRESENCE_TTL),
            "CHAT_VISITOR_LEAVE_GRACE": str(LEAVE_GRACE),
            "CHAT_LEASE_TTL": "3",
            # Every visitor has an address of its own; the agents all come from 127.0.0.1.
            "CHAT_CONNECT_BURST": "2000",
            "CHAT_CONNECT_RATE": "500",
            "CHAT_FRAME_RATE": "200",
        },
    )
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.stop()


def _addresses(count: int, block: int) -> list[str]:
    return [f"127.{block}.{n // 250}.{n % 250 + 1}" for n in range(count)]


async def _visitors(cluster: Cluster, node: BackendProcess, count: int, block: int) -> list[Resilient]:
    visitors = [
        Resilient(
            "visitor",
            node.ws_url,
            cluster.entry.ws_url,
            {"site_id": node.site_id, "visitor_token": None},
            origin=cluster.origin,
            address=address,
        )
        for address in _addresses(count, block)
    ]
    gate = asyncio.Semaphore(50)

    async def start(visitor: Resilient) -> None:
        async with gate:
            await visitor.start()

    await asyncio.gather(*(start(visitor) for visitor in visitors))
    return visitors


async def _agent(
    cluster: Cluster, node: BackendProcess, name: str, max_chats: int, accepting: bool = True
) -> Resilient:
    account = await asyncio.to_thread(admin_of(cluster.nodes[0]).new_agent, name, max_chats=max_chats)
    tokens = await asyncio.to_thread(node.login_tokens, account.email, account.password)
    snapshot = await http_get(node, "/api/v1/snapshot", tokens["access_token"])
    agent = Resilient(
        "agent",
        node.ws_url,
        cluster.entry.ws_url,
        {"token": tokens["access_token"]},
        cursor=snapshot["cursor"],
    )
    agent.token = tokens["access_token"]  # type: ignore[attr-defined]
    await agent.start()
    if accepting:
        answer = await agent.request("set_status", {"status": "accepting"})
        assert answer["type"] == "res", answer
    return agent


async def _open_chats(agent: Resilient, visitors: list[Resilient]) -> list[str]:
    """Each visitor writes; the chats are routed to the agent (auto-assignment)."""
    chat_ids = []
    for visitor in visitors:
        sent = await visitor.send_message(f"hello from {visitor.address}")
        chat_ids.append(sent["event"]["chat_id"])

    def taken() -> set[str]:
        return {
            e["chat_id"]
            for e in agent.events
            if e["kind"] == "chat_state"
            and e.get("state") == "taken"
            and (e.get("agent") or {}).get("id") == agent.login["agent_id"]
        }

    await _until(lambda: taken() >= set(chat_ids), 20, "the chats routed to the agent")
    return chat_ids


async def _talk(agent: Resilient, visitors: list[Resilient], chat_ids: list[str], rounds: int) -> None:
    """Both ways, every chat, `rounds` times, a message every 100 ms or so."""

    async def visitor_side(visitor: Resilient, n: int) -> None:
        for i in range(rounds):
            await visitor.send_message(f"visitor {n} message {i}")
            await asyncio.sleep(0.25)

    async def agent_side(chat_id: str, n: int) -> None:
        for i in range(rounds):
            await agent.send_message(f"agent to {n} message {i}", chat_id)
            await asyncio.sleep(0.25)

    await asyncio.gather(
        *(visitor_side(v, n) for n, v in enumerate(visitors)),
        *(agent_side(c, n) for n, c in enumerate(chat_ids)),
    )


async def _until(condition: Any, within: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def _everything_arrived(agent: Resilient, visitors: list[Resilient], chat_ids: list[str]) -> None:
    """Every acknowledged message arrived exactly once and in order, both ways, and no socket got an
    event twice."""

    def arrived() -> bool:
        return all(
            agent.messages(chat_id, "visitor") == visitor.acked
            and visitor.messages(chat_id, "agent") == _acked_to(agent, n)
            for n, (visitor, chat_id) in enumerate(zip(visitors, chat_ids, strict=True))
        )

    try:
        await _until(arrived, 30, "every acknowledged message at the other side")
    finally:
        for n, (visitor, chat_id) in enumerate(zip(visitors, chat_ids, strict=True)):
            assert agent.messages(chat_id, "visitor") == visitor.acked
            assert visitor.messages(chat_id, "agent") == _acked_to(agent, n)
    assert agent.duplicates() == []
    for visitor in visitors:
        assert visitor.duplicates() == []


def _acked_to(agent: Resilient, n: int) -> list[str]:
    return [text for text in agent.acked if text.startswith(f"agent to {n} ")]


async def _traffic(node: BackendProcess, token: str) -> dict[str, dict[str, Any]]:
    snapshot = await http_get(node, "/api/v1/traffic", token)
    return {row["visitor_id"]: row for row in snapshot["rows"]}


async def _stop_all(clients: list[Resilient]) -> None:
    await asyncio.gather(*(client.stop() for client in clients))


@pytest.mark.asyncio
async def test_a_node_killed_mid_chat_loses_nothing_and_its_visitors_come_back(cluster: Cluster) -> None:
    """An agent and 500 visitors on node 3, 8 of them chatting with the agent; node 3 is killed with
    SIGKILL in the middle of the conversation. Every client reconnects through HAProxy to the other
    nodes, every acknowledged message arrives exactly once and in order, and the visitors who closed
    their tab meanwhile leave the live list within the presence TTL plus the leave grace."""
    doomed, survivor = cluster.nodes[2], cluster.nodes[0]
    agent = await _agent(cluster, doomed, "Agent on the doomed node", max_chats=CHATTERS)
    watcher = await _agent(cluster, survivor, "Agent watching the list", max_chats=1, accepting=False)
    started = asyncio.get_running_loop().time()
    visitors = await _visitors(cluster, doomed, VISITORS, block=11)
    print(f"{VISITORS} visitors logged in in {asyncio.get_running_loop().time() - started:.1f} s")
    chatters, closed_tabs = visitors[:CHATTERS], visitors[-CLOSED_TABS:]
    token = watcher.token  # type: ignore[attr-defined]
    try:
        chat_ids = await _open_chats(agent, chatters)

        talking = asyncio.get_running_loop().create_task(_talk(agent, chatters, chat_ids, rounds=12))
        await asyncio.sleep(1.0)
        for visitor in closed_tabs:
            visitor.reconnecting = False
        await asyncio.to_thread(doomed.kill)
        killed = asyncio.get_running_loop().time()
        await asyncio.wait_for(talking, 60)
        print(f"talk done {asyncio.get_running_loop().time() - killed:.1f} s after the kill")
        await _everything_arrived(agent, chatters, chat_ids)
        print(f"everything arrived {asyncio.get_running_loop().time() - killed:.1f} s after the kill")
        assert agent.reconnects >= 1
        assert all(visitor.reconnects >= 1 for visitor in visitors[:-CLOSED_TABS])

        gone = {visitor.login["visitor_id"] for visitor in closed_tabs}
        back = {visitor.login["visitor_id"] for visitor in visitors[:-CLOSED_TABS]}
        rows: dict[str, dict[str, Any]] = {}

        async def settled() -> bool:
            rows.update(await _traffic(survivor, token))
            return all(rows.get(v, {}).get("state") == "left" for v in gone) and all(
                rows.get(v, {}).get("state") in ("browsing", "chatting") for v in back
            )

        deadline = asyncio.get_running_loop().time() + PRESENCE_TTL * 4 / 3 + LEAVE_GRACE + 10
        while not await settled():
            if asyncio.get_running_loop().time() > deadline:
                states = {v: rows.get(v, {}).get("state") for v in gone | back}
                raise AssertionError(f"the live list did not settle: {states}")
            await asyncio.sleep(0.2)
    finally:
        await _stop_all([agent, watcher, *visitors])
        await asyncio.to_thread(doomed.start)


def _ready(node: BackendProcess) -> int:
    try:
        return httpx.get(f"{node.url}/readyz", timeout=2).status_code
    except httpx.HTTPError:
        return 0


def _on_redis(node: BackendProcess) -> bool:
    """The node's bus is subscribed again (until then its copy of who is online is frozen)."""
    try:
        return bool(httpx.get(f"{node.url}/readyz", timeout=2).json()["checks"].get("redis") == "ok")
    except (httpx.HTTPError, ValueError, KeyError):
        return False


@pytest.mark.asyncio
async def test_redis_killed_for_20_s_during_traffic_loses_nothing_and_jobs_go_on(
    cluster: Cluster, redis_server: RedisServer
) -> None:
    """Chats go on across nodes while Redis is dead for 20 s (the nodes read the log on a timer);
    a chat opened meanwhile is still routed (the routing job runs under a lease in PostgreSQL); Redis
    back, empty: nothing acknowledged is missing."""
    agent = await _agent(cluster, cluster.nodes[1], "Agent while Redis dies", max_chats=4)
    visitors = await _visitors(cluster, cluster.nodes[0], 3, block=12)
    try:
        chat_ids = await _open_chats(agent, visitors[:2])
        await asyncio.to_thread(redis_server.kill)
        await _talk(agent, visitors[:2], chat_ids, rounds=5)
        late = await visitors[2].send_message("hello while Redis is down")
        chat_ids.append(late["event"]["chat_id"])
        await _until(lambda: agent.messages(chat_ids[2], "visitor"), 15, "the new chat routed without Redis")
        await asyncio.sleep(20 - 3)
        await _talk(agent, visitors, chat_ids, rounds=3)
        await asyncio.to_thread(redis_server.start)
        await _talk(agent, visitors, chat_ids, rounds=3)
        await _everything_arrived(agent, visitors, chat_ids)
        # Each node re-subscribes within its reconnect delay (up to 5 s); until then it routes by the
        # frozen copy of who is online, in which this test's agent would still be online after it left.
        await _until(lambda: all(_on_redis(node) for node in cluster.nodes), 15, "every node back on Redis")
    finally:
        await _stop_all([agent, *visitors])


@pytest.mark.asyncio
async def test_postgres_restarted_nodes_are_not_ready_then_reconnect_and_lose_nothing(
    cluster: Cluster, postgres: PostgresServer
) -> None:
    """PostgreSQL stops for a few seconds: every node answers /readyz 503 meanwhile, requests made then
    are refused or retried, and once it is back every node is ready again and every acknowledged
    message arrived exactly once."""
    agent = await _agent(cluster, cluster.nodes[1], "Agent while PostgreSQL restarts", max_chats=4)
    visitors = await _visitors(cluster, cluster.nodes[0], 2, block=13)
    try:
        chat_ids = await _open_chats(agent, visitors)
        await _talk(agent, visitors, chat_ids, rounds=3)
        await asyncio.to_thread(postgres.stop)
        await _until(lambda: all(_ready(node) == 503 for node in cluster.nodes), 15, "every node not ready")
        talking = asyncio.get_running_loop().create_task(_talk(agent, visitors, chat_ids, rounds=3))
        await asyncio.sleep(2)
        await asyncio.to_thread(postgres.start)
        await _until(lambda: all(_ready(node) == 200 for node in cluster.nodes), 30, "every node ready")
        await asyncio.wait_for(talking, 60)
        await _everything_arrived(agent, visitors, chat_ids)
    finally:
        await _stop_all([agent, *visitors])

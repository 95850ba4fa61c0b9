"""Three nodes behind HAProxy with many visitors and agents, beside one node alone and the floor.

    .venv/bin/python -m benchmarks.cluster [--visitors 10000] [--agents 20] [--chats 50] [--rate 20]
                                           [--seconds 30] [--smoke]

The cluster: 3 `chat-backend serve` nodes on one PostgreSQL database (CHAT_BENCH_DATABASE_URL or
CHAT_TEST_DATABASE_URL; a database of its own is created and dropped) and the machine's Redis (a key
prefix of its own), behind HAProxy (round robin, no stickiness). Reported:

- visitor logins/s: `--visitors` visitors (benchmarks.visitor_swarm, their own process, logging in as the
  widget does: page, device, resume; then pinging) connecting through the load balancer;
- relay: `--agents` agents holding `--chats` chats in all, whose visitors send `--rate` messages per
  second in all for `--seconds`: visitor -> agent p50/p99 on one clock (this process), while every
  visitor stays connected; clients land on any node, so most messages cross nodes;
- CPU (share of one core over the relay run) and RSS of each node;
- recovery: node 3 killed (SIGKILL); the seconds until every visitor is connected again (they log in
  again through HAProxy after a random 0-2 s, as the widget does after losing its node).

Then the same logins and relay against one node alone (PostgreSQL, no Redis), and against a bare
`websockets` relay answering the same frames in memory (benchmarks.relay's floor): what the machine can
do at best. Every process (nodes, PostgreSQL, Redis, HAProxy, the swarm, this client) shares this
machine's cores: the figures compare, they do not promise. `--smoke`: 60 visitors, 2 agents, 4 chats, 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import resource
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import websockets

from benchmarks.deadline import hard_timeout
from benchmarks.relay import GRACE, Peer, allow_load_from_one_address, cpu_seconds, percentile, start_floor
from benchmarks.visitor_swarm import SwarmProcess
from tests.support.backend import BackendProcess
from tests.support.cluster import REDIS_URL, Cluster
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.sharing import admin_of
from tests.support.waiting import until

SITE = "demo-shop"
STEP = 500  # visitors asked of the swarm at once (its answer lists their ids)


def postgres_url() -> str:
    return os.environ.get(
        "CHAT_BENCH_DATABASE_URL",
        os.environ.get("CHAT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Crowd:
    """The agents, their chats' visitors, and when each message reached an agent."""

    entry: str  # http:// base the clients connect to
    origin: str  # the page origin the visitors claim
    arrived: dict[str, float] = field(default_factory=dict)
    agents: list[Peer] = field(default_factory=list)
    chats: list[Peer] = field(default_factory=list)

    async def peer(self, path: str, arrived: dict[str, float] | None = None) -> Peer:
        url = self.entry.replace("http", "ws", 1) + path
        origin = None if path.endswith("/agent") else self.origin
        ws = await websockets.connect(url, origin=origin, ping_interval=None, max_size=None)  # type: ignore[arg-type]
        return Peer(ws, arrived)

    async def visitor(self) -> Peer:
        peer = await self.peer("/ws/visitor")
        login = await peer.ok("login", {"site_id": SITE})
        await peer.ok("resume", {"cursor": login["cursor"]})
        return peer

    async def agent(self, token: str, cursor: int) -> Peer:
        peer = await self.peer("/ws/agent", self.arrived)
        await peer.ok("login", {"token": token})
        await peer.ok("resume", {"cursor": cursor})
        self.agents.append(peer)
        return peer

    async def close(self) -> None:
        await asyncio.gather(*(peer.close() for peer in [*self.agents, *self.chats]))


async def backend_crowd(crowd: Crowd, backend: BackendProcess, agents: int, chats: int) -> None:
    """`agents` new agents, accepting, and `chats` chats routed among them."""
    admin = admin_of(backend)
    per_agent = -(-chats // agents)
    async with httpx.AsyncClient(base_url=crowd.entry, timeout=30) as http:
        for n in range(agents):
            account = await asyncio.to_thread(admin.new_agent, f"Agent {n}", max_chats=per_agent)
            body = {"email": account.email, "password": account.password}
            token = (
                (await http.post("/api/v1/auth/login", json=body)).raise_for_status().json()["access_token"]
            )
            headers = {"Authorization": f"Bearer {token}"}
            cursor = (await http.get("/api/v1/snapshot", headers=headers)).json()["cursor"]
            agent = await crowd.agent(token, cursor)
            await agent.ok("set_status", {"status": "accepting"})
    for n in range(chats):
        visitor = await crowd.visitor()
        await visitor.ok("send_message", {"client_id": str(uuid.uuid4()), "text": f"hello {n}"})
        crowd.chats.append(visitor)
    await until(lambda: all(f"hello {n}" in crowd.arrived for n in range(chats)), within=60)


async def floor_crowd(crowd: Crowd, agents: int, chats: int) -> None:
    for _ in range(agents):
        await crowd.agent("floor", 0)
    for _ in range(chats):
        crowd.chats.append(await crowd.visitor())


async def relay(crowd: Crowd, name: str, rate: float, seconds: float, pids: dict[str, int]) -> None:
    """`rate` messages a second from the chats' visitors in turn, for `seconds`: the delays, and each
    server process's CPU share and RSS."""
    sent: dict[str, float] = {}
    turn = itertools.cycle(crowd.chats)
    cpu0 = {label: cpu_seconds(pid) for label, pid in pids.items()}
    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        text = f"m{n} {uuid.uuid4().hex[:8]} 在庫はありますか？"
        sent[text] = time.perf_counter()
        await next(turn).send("send_message", {"client_id": str(uuid.uuid4()), "text": text})
    elapsed = time.perf_counter() - start
    usage = {label: (cpu_seconds(pid) - cpu0[label]) / elapsed * 100 for label, pid in pids.items()}
    with contextlib.suppress(AssertionError):  # what is missing then is reported
        await until(lambda: all(text in crowd.arrived for text in sent), within=GRACE)
    delays = [(crowd.arrived[t] - at) * 1000 for t, at in sent.items() if t in crowd.arrived]
    lost = len(sent) - len(delays)
    print(
        f"{name}: relay of {len(sent)} messages ({rate:g}/s, {len(crowd.chats)} chats, {len(crowd.agents)} "
        f"agents): visitor -> agent p50 {percentile(delays, 0.5):.1f} ms, p99 {percentile(delays, 0.99):.1f} "
        f"ms{f', {lost} NOT DELIVERED' if lost else ''}",
        flush=True,
    )
    for label, pid in pids.items():
        print(f"{name}: {label} CPU {usage[label]:.0f}% of one core, RSS {rss_mb(pid):.0f} MB", flush=True)


async def arrive(swarm: SwarmProcess, count: int, name: str, nodes: int) -> None:
    began = time.perf_counter()
    for done in range(0, count, STEP):
        await swarm.command("arrive", count=min(STEP, count - done))
    took = time.perf_counter() - began
    per_node = f" ({count / took / nodes:.0f} per node)" if nodes > 1 else ""
    print(
        f"{name}: {count} visitors logged in in {took:.1f} s: {count / took:.0f} logins/s{per_node}",
        flush=True,
    )


async def cluster_run(args: argparse.Namespace, workdir: Path) -> None:
    nodes = Cluster(
        postgres_url(), workdir / "cluster", redis_url=REDIS_URL, haproxy_maxconn=args.haproxy_maxconn
    )
    swarm: SwarmProcess | None = None
    try:
        await asyncio.to_thread(nodes.start)  # inside: a node started before a failure is stopped too
        crowd = Crowd(nodes.entry.url, nodes.origin)
        name = f"cluster of {len(nodes.nodes)} nodes behind HAProxy"
        swarm = SwarmProcess(nodes.entry.url, seed=3, origin=nodes.origin, reconnect=True)
        await swarm.start()
        await arrive(swarm, args.visitors, name, len(nodes.nodes))
        await backend_crowd(crowd, nodes.nodes[0], args.agents, args.chats)
        pids = {f"node {n}": node.proc.pid for n, node in enumerate(nodes.nodes, 1) if node.proc}
        await relay(crowd, name, args.rate, args.seconds, pids)
        await crowd.close()
        doomed = nodes.nodes[-1]
        killed = time.perf_counter()
        await asyncio.to_thread(doomed.kill)
        await asyncio.sleep(0.5)
        lowest = (await swarm.command("connected"))["count"]
        while (await swarm.command("connected"))["count"] < args.visitors:
            if time.perf_counter() - killed > 600:
                raise RuntimeError("the visitors were not all back within 600 s")
            await asyncio.sleep(0.2)
        print(
            f"{name}: node {len(nodes.nodes)} killed ({args.visitors - lowest} visitors dropped at once): all "
            f"{args.visitors} visitors connected again {time.perf_counter() - killed:.1f} s after the kill",
            flush=True,
        )
    finally:
        if swarm is not None:
            await swarm.stop()
        await asyncio.to_thread(nodes.stop)


async def single_run(args: argparse.Namespace, workdir: Path) -> None:
    database, url = await asyncio.to_thread(create_postgres_database, postgres_url())
    backend = BackendProcess(database_url=url, workdir=workdir / "single")
    backend.workdir.mkdir()
    swarm: SwarmProcess | None = None
    crowd = Crowd(backend.url, backend.url)
    try:
        await asyncio.to_thread(backend.start)
        swarm = SwarmProcess(backend.url, seed=4)
        await swarm.start()
        await arrive(swarm, args.visitors, "one node alone", 1)
        await backend_crowd(crowd, backend, args.agents, args.chats)
        assert backend.proc is not None
        await relay(crowd, "one node alone", args.rate, args.seconds, {"the node": backend.proc.pid})
    finally:
        await crowd.close()
        if swarm is not None:
            await swarm.stop()
        await asyncio.to_thread(backend.stop)
        await asyncio.to_thread(drop_postgres_database, postgres_url(), database)


async def floor_run(args: argparse.Namespace) -> None:
    proc, url = await start_floor()
    swarm = SwarmProcess(url, seed=5)
    crowd = Crowd(url, url)
    try:
        await swarm.start()
        await arrive(swarm, args.visitors, "floor (bare websockets relay)", 1)
        await floor_crowd(crowd, args.agents, args.chats)
        await relay(crowd, "floor (bare websockets relay)", args.rate, args.seconds, {"the relay": proc.pid})
    finally:
        await crowd.close()
        await swarm.stop()
        proc.kill()
        await proc.wait()


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await cluster_run(args, Path(tmp))
        await single_run(args, Path(tmp))
    await floor_run(args)
    print(
        "All of these share this machine's cores (2 here): nodes, PostgreSQL, Redis, HAProxy and the clients."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=10_000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--chats", type=int, default=50, help="chats held by the agents in all")
    parser.add_argument("--rate", type=float, default=20.0, help="visitor messages per second in all")
    parser.add_argument("--seconds", type=float, default=30.0, help="of relay load")
    parser.add_argument("--smoke", action="store_true", help="60 visitors, 2 agents, 4 chats, 2 s")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    if args.smoke:
        args.visitors, args.agents, args.chats, args.rate, args.seconds = 60, 2, 4, 5.0, 2.0
    hard_timeout(args.timeout or (150 if args.smoke else 3600), "cluster")
    most = args.visitors + args.chats + args.agents + 100
    # A socket each in every process, two per connection in HAProxy: raise the limit (as root, past the
    # hard limit too), as docs/deploy.md says a deployment does.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(hard, 4 * most), max(hard, 4 * most)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    args.haproxy_maxconn = min(most + 500, (limit - 100) // 2)
    if most + 100 > args.haproxy_maxconn:
        clients = args.chats + args.agents + 200
        print(
            f"HAProxy can hold {args.haproxy_maxconn} connections here (file descriptor limit {limit}, two per"
            f" connection): {args.haproxy_maxconn - clients} visitors instead of {args.visitors}",
            flush=True,
        )
        args.visitors = args.haproxy_maxconn - clients
    # Every client connects from 127.0.0.1 (through HAProxy, which forwards that address): the per-IP
    # and per-site allowances are raised for the run, as docs/security.md says a load test should.
    allow_load_from_one_address(most, args.chats)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()

"""Visitor -> agent delivery with many idle visitors connected, beside a bare `websockets` relay (the floor).

    .venv/bin/python -m benchmarks.relay [--idle 200 2000] [--chats 50] [--rate 20] [--seconds 30]
                                         [--database-url URL] [--smoke]

One backend (a subprocess; SQLite in a temporary directory unless `--database-url` names an empty,
migrated database), one agent holding `--chats` chats whose visitors send `--rate` messages per second
in all, and N idle visitors (benchmarks.visitor_swarm, their own process: they log in, resume and ping
every 20 s). For each N, reports visitor -> agent delivery p50/p99/max: from the visitor's send to the
agent socket's receipt of the event, on one clock (this process). Then the same sockets and round
trips through a bare `websockets` relay in memory (its own process): what the machine can do at best.
Everything shares this machine's cores; the backend's CPU use is reported beside each figure.
`--smoke`: 5 chats, 20 idle visitors, 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection, serve

from benchmarks.deadline import hard_timeout
from benchmarks.visitor_swarm import SwarmProcess
from tests.support.backend import BackendProcess, free_port
from tests.support.waiting import until

PING_EVERY = 15.0  # the measuring sockets' own pings (the backend closes silent sockets)
GRACE = 10.0  # seconds a message may still arrive after the load stopped


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


class Peer:
    """One measuring socket: requests answered by req_id; message events stamped on arrival."""

    def __init__(self, ws: ClientConnection, arrived: dict[str, float] | None = None) -> None:
        self.ws = ws
        self.arrived = arrived  # text -> arrival time, for the agent
        self._answers: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count()
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._ping())]

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                now = time.perf_counter()
                frame = json.loads(raw)
                if (
                    frame.get("type") == "push"
                    and frame.get("action") == "event"
                    and self.arrived is not None
                ):
                    event = frame["payload"]["event"]
                    if event.get("kind") == "message":
                        self.arrived.setdefault(event.get("text") or "", now)
                    continue
                future = self._answers.pop(frame.get("req_id") or "", None)
                if future is not None and not future.done():
                    future.set_result(frame)

    async def _ping(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.sleep(PING_EVERY)
                await self.send("ping", {})

    async def send(self, action: str, payload: dict[str, Any]) -> str:
        req_id = f"r{next(self._ids)}"
        frame = {"v": 1, "type": "req", "action": action, "req_id": req_id, "payload": payload}
        await self.ws.send(json.dumps(frame))
        return req_id

    async def ok(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        req_id = f"r{next(self._ids)}"
        self._answers[req_id] = future
        frame = {"v": 1, "type": "req", "action": action, "req_id": req_id, "payload": payload}
        await self.ws.send(json.dumps(frame))
        answer = await asyncio.wait_for(future, 30)
        if answer.get("type") != "res":
            raise RuntimeError(f"{action}: {answer}")
        return dict(answer["payload"])

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.ws.close()


async def open_peer(url: str, path: str, arrived: dict[str, float] | None = None) -> Peer:
    """A socket as the widget opens it (from the site's origin) or as the app does (no origin)."""
    ws_url = url.replace("http", "ws", 1) + path
    origin = None if path.endswith("/agent") else url
    ws = await websockets.connect(ws_url, origin=origin, ping_interval=None, max_size=None)  # type: ignore[arg-type]
    return Peer(ws, arrived)


class Target:
    """What is measured: the backend or the floor, with an agent and its chats' visitors."""

    def __init__(self, name: str, url: str, pid: int) -> None:
        self.name, self.url, self.pid = name, url, pid
        self.arrived: dict[str, float] = {}
        self.agent: Peer | None = None
        self.chats: list[tuple[Peer, str]] = []  # (visitor, chat id)

    async def visitor(self) -> Peer:
        peer = await open_peer(self.url, "/ws/visitor")
        login = await peer.ok("login", {"site_id": "demo-shop"})
        await peer.ok("resume", {"cursor": login["cursor"]})
        return peer

    async def close(self) -> None:
        for peer in [*(v for v, _ in self.chats), *([self.agent] if self.agent else [])]:
            await peer.close()


async def backend_chats(target: Target, backend: BackendProcess, chats: int) -> None:
    """The demo agent, accepting, holding `chats` chats (each opened by its visitor's first message)."""
    async with httpx.AsyncClient(base_url=backend.url) as http:
        body = {"email": backend.agent_email, "password": backend.agent_password}
        token = (await http.post("/api/v1/auth/login", json=body)).json()["access_token"]
        agent = target.agent = await open_peer(backend.url, "/ws/agent", target.arrived)
        await agent.ok("login", {"token": token})
        snapshot = (await http.get("/api/v1/snapshot", headers={"Authorization": f"Bearer {token}"})).json()
        await agent.ok("resume", {"cursor": snapshot["cursor"]})
    await agent.ok("set_status", {"status": "accepting"})
    for _ in range(chats):
        visitor = await target.visitor()
        sent = await visitor.ok("send_message", {"client_id": str(uuid.uuid4()), "text": "こんにちは"})
        chat_id = sent["event"]["chat_id"]
        # Routing gives the agent chats up to its limit; the agent takes the others from the queue.
        with contextlib.suppress(RuntimeError):
            await agent.ok("take_chat", {"chat_id": chat_id, "client_id": str(uuid.uuid4())})
        target.chats.append((visitor, chat_id))
    async with httpx.AsyncClient(base_url=backend.url) as http:
        snapshot = (await http.get("/api/v1/snapshot", headers={"Authorization": f"Bearer {token}"})).json()
    if len(snapshot["my_chats"]) != chats:
        raise RuntimeError(f"the agent holds {len(snapshot['my_chats'])} chats, not {chats}")


async def floor_chats(target: Target, chats: int) -> None:
    target.agent = await open_peer(target.url, "/ws/agent", target.arrived)
    await target.agent.ok("login", {"token": "floor"})
    for index in range(chats):
        target.chats.append((await target.visitor(), f"chat-{index}"))


def allow_load_from_one_address(sockets: int, chats: int) -> None:
    """Raise the per-IP and per-site allowances for the backends this run starts: every simulated
    client connects from 127.0.0.1 (docs/security.md: a load test raises them, never turns them off)."""
    os.environ.update(
        CHAT_CONNECT_BURST=str(sockets * 2),
        CHAT_CONNECT_RATE=str(sockets),
        CHAT_HTTP_MAX_CONNECTIONS=str(sockets + 1000),
        CHAT_MAX_SOCKETS_PER_IP=str(sockets * 2),
        CHAT_MAX_VISITOR_SOCKETS_PER_SITE=str(sockets * 2),
        CHAT_NEW_CHATS_PER_IP_BURST=str(chats * 2),
        CHAT_NEW_CHATS_PER_SITE_BURST=str(chats * 2),
        CHAT_FRAME_BURST="1000",
        CHAT_LOGIN_IP_FAILURES="1000",
    )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(target: Target, idle: int, rate: float, seconds: float) -> int:
    """`rate` messages per second from the chats' visitors in turn, for `seconds`; print the delays.
    Returns how many did not reach the agent within GRACE seconds after the load."""
    sent: dict[str, float] = {}
    turn = itertools.cycle(target.chats)
    cpu0, start = cpu_seconds(target.pid), time.perf_counter()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        visitor, _chat_id = next(turn)
        text = f"m{n} {uuid.uuid4().hex[:8]} 在庫はありますか？"
        sent[text] = time.perf_counter()
        await visitor.send("send_message", {"client_id": str(uuid.uuid4()), "text": text})
    cpu = (cpu_seconds(target.pid) - cpu0) / (time.perf_counter() - start) * 100
    with contextlib.suppress(AssertionError):  # what is missing then is reported
        await until(lambda: all(text in target.arrived for text in sent), within=GRACE)
    delays = [(target.arrived[t] - at) * 1000 for t, at in sent.items() if t in target.arrived]
    lost = len(sent) - len(delays)
    print(
        f"relay {target.name:8s} {idle:5d} idle visitors, {len(target.chats)} chats, {rate:g} msg/s for "
        f"{seconds:g} s: visitor -> agent p50 {percentile(delays, 0.5):7.1f} ms, "
        f"p99 {percentile(delays, 0.99):7.1f} ms, max {max(delays, default=float('nan')):7.1f} ms; "
        f"{len(delays)} delivered{f', {lost} NOT DELIVERED in {GRACE:g} s' if lost else ''}; "
        f"server CPU {cpu:.0f}% of one core",
        flush=True,
    )
    return lost


async def run(
    target: Target,
    setup: Callable[[], Awaitable[None]],
    sizes: list[int],
    rate: float,
    seconds: float,
) -> int:
    """Measure with each number of idle visitors; the messages lost in all."""
    await setup()
    swarm = SwarmProcess(target.url, seed=7)
    await swarm.start()
    connected = lost = 0
    try:
        for size in sizes:
            began = time.perf_counter()
            while connected < size:  # in steps, so that the swarm's answer stays small
                step = min(500, size - connected)
                await swarm.command("arrive", count=step)
                connected += step
            print(
                f"  ({target.name}: {size} idle visitors connected, the last {time.perf_counter() - began:.0f} s)"
            )
            lost += await measure(target, size, rate, seconds)
    finally:
        await swarm.stop()
        await target.close()
    return lost


async def floor_server(port: int) -> None:
    """The floor: a relay in memory answering the same frames, passing visitors' messages to agents."""
    agents: set[ServerConnection] = set()

    async def handle(ws: ServerConnection) -> None:
        is_agent = ws.request is not None and ws.request.path.endswith("/agent")
        if is_agent:
            agents.add(ws)
        try:
            async for raw in ws:
                frame = json.loads(raw)
                action, payload = frame.get("action"), frame.get("payload") or {}
                answer: dict[str, Any] = {}
                if action == "login":
                    answer = {"visitor_id": uuid.uuid4().hex, "visitor_token": uuid.uuid4().hex, "cursor": 0}
                elif action == "send_message" and not is_agent:
                    event = {
                        "kind": "message",
                        "chat_id": payload.get("chat_id"),
                        "text": payload.get("text"),
                    }
                    push = json.dumps(
                        {"v": 1, "type": "push", "action": "event", "payload": {"event": event}}
                    )
                    for agent in list(agents):
                        with contextlib.suppress(websockets.ConnectionClosed):
                            await agent.send(push)
                    answer = {"event": event}
                reply = {
                    "v": 1,
                    "type": "res",
                    "action": action,
                    "req_id": frame.get("req_id"),
                    "payload": answer,
                }
                await ws.send(json.dumps(reply))
        except websockets.ConnectionClosed:
            pass
        finally:
            agents.discard(ws)

    async with serve(handle, "127.0.0.1", port, ping_interval=None, max_size=None):
        await asyncio.Future()


async def start_floor() -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.relay", "--floor-port", str(port)
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return proc, url
        await asyncio.sleep(0.05)
    raise RuntimeError("the floor relay did not start")


async def main_async(args: argparse.Namespace, backend: BackendProcess) -> int:
    """The backend's runs, then the floor's; the messages lost in all."""
    sizes = sorted(args.idle)
    assert backend.proc is not None
    target = Target("backend", backend.url, backend.proc.pid)
    lost = await run(
        target, lambda: backend_chats(target, backend, args.chats), sizes, args.rate, args.seconds
    )
    proc, url = await start_floor()
    try:
        floor = Target("floor", url, proc.pid)
        lost += await run(floor, lambda: floor_chats(floor, args.chats), sizes, args.rate, args.seconds)
    finally:
        proc.kill()
        await proc.wait()
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--idle", type=int, nargs="+", default=[200, 2000], help="idle visitors, one run each"
    )
    parser.add_argument("--chats", type=int, default=50, help="chats held by the agent")
    parser.add_argument("--rate", type=float, default=20.0, help="visitor messages per second in all")
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="of load for each number of idle visitors"
    )
    parser.add_argument("--database-url", help="an empty migrated database (default: SQLite in a temp dir)")
    parser.add_argument("--smoke", action="store_true", help="5 chats, 20 idle visitors, 2 s")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    parser.add_argument("--floor-port", type=int, help=argparse.SUPPRESS)  # run the floor relay only
    args = parser.parse_args()
    if args.floor_port:
        asyncio.run(floor_server(args.floor_port))
        return
    if args.smoke:
        args.idle, args.chats, args.rate, args.seconds = [20], 5, 10.0, 2.0
    hard_timeout(args.timeout or (60 if args.smoke else 900), "relay")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # a socket each, in every process
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    most = max(args.idle) + args.chats + 100
    allow_load_from_one_address(most, args.chats)
    with tempfile.TemporaryDirectory() as tmp:
        backend = BackendProcess(
            database_url=args.database_url or f"sqlite:///{tmp}/chat.db", workdir=Path(tmp)
        )
        backend.start()
        try:
            lost = asyncio.run(main_async(args, backend))
        finally:
            backend.stop()
    if lost:
        raise SystemExit(f"{lost} messages did not reach the agent within {GRACE:g} s of the end of the load")


if __name__ == "__main__":
    main()

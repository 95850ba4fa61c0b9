"""Visitor logins per second: a crowd of new visitors, then the same crowd coming back after a node
restart (login with their token, resume from their cursor), against one backend, and in the same run
the floor: a bare `websockets` server doing the same round trips in memory.

    .venv/bin/python -m benchmarks.logins [--visitors 10000] [--concurrency 200] [--database both]
    .venv/bin/python -m benchmarks.logins --smoke      # 60 visitors, one database, a few seconds

Each visitor is one raw WebSocket that logs in with a page and a device (as the widget does), resumes
from the login's cursor, and stays connected; at most `--concurrency` logins are under way at once.
On PostgreSQL, while the crowd logs in, a second "node" (this process) writes 20 events a second on
the ordered path; the time of each such transaction (ordering lock included) is reported. PostgreSQL comes from CHAT_BENCH_DATABASE_URL or
CHAT_TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test; a database of its own is
created and dropped); it is skipped, said so, when unreachable. The backend, PostgreSQL, the floor
server and this client share the machine's cores: the figures compare, they do not promise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from benchmarks.deadline import hard_timeout
from benchmarks.visitor_swarm import DEVICES, PAGES
from chat_backend.db.engine import Database
from chat_backend.db.tables import Chat
from chat_backend.domain import chats, sites, visitors
from chat_backend.domain.events import append_event
from chat_protocol import Author, AuthorKind
from tests.support.backend import BackendProcess, free_port
from tests.support.databases import create_postgres_database, drop_postgres_database, sqlite_database

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
EVENTS_PER_SECOND = 20  # written by a second node during the storms (PostgreSQL)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def frame(action: str, payload: dict[str, Any]) -> str:
    req_id = uuid.uuid4().hex[:12]
    return json.dumps({"v": 1, "type": "req", "action": action, "req_id": req_id, "payload": payload})


async def answer(ws: ClientConnection, action: str, payload: dict[str, Any]) -> dict[str, Any]:
    await ws.send(frame(action, payload))
    while True:
        reply = json.loads(await ws.recv())
        if reply.get("type") == "res":
            return dict(reply["payload"])
        if reply.get("type") == "err":
            raise RuntimeError(f"{action}: {reply['payload']}")


@dataclass
class Visitor:
    token: str | None = None
    cursor: int = 0
    ws: ClientConnection | None = None
    reader: asyncio.Task[None] | None = None

    async def connect(self, url: str, site: str, rng: random.Random) -> None:
        ws = await websockets.connect(
            url.replace("http", "ws", 1) + "/ws/visitor",
            origin=url,  # type: ignore[arg-type]
            ping_interval=None,
            max_queue=16,
            open_timeout=60,
        )
        path, title = rng.choice(PAGES)
        login = await answer(
            ws,
            "login",
            {
                "site_id": site,
                "visitor_token": self.token,
                "page": {"url": f"{url}/demo/{path}", "title": title, "referrer": "https://www.google.com/"},
                "device": rng.choice(DEVICES),
            },
        )
        self.token = login["visitor_token"]
        resumed = await answer(ws, "resume", {"cursor": self.cursor or login["cursor"]})
        self.cursor = int(resumed.get("cursor", login["cursor"]))
        self.ws = ws
        self.reader = asyncio.create_task(self._drain(ws))

    @staticmethod
    async def _drain(ws: ClientConnection) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for _ in ws:
                pass

    async def close(self) -> None:
        ws, self.ws = self.ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader


@dataclass
class Storm:
    """Figures of one crowd logging in."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    acks: list[float] = field(default_factory=list)

    def line(self, label: str, count: int) -> str:
        text = (
            f"  {label:34s} {count / self.seconds:7.0f} logins/s ({count} in {self.seconds:5.1f} s); "
            f"login+resume p50 {1000 * percentile(self.latencies, 0.5):6.1f} ms, "
            f"p99 {1000 * percentile(self.latencies, 0.99):7.1f} ms"
        )
        if self.failures:
            text += f"; {self.failures} retried"
        if self.acks:
            text += (
                f"; a second node's event transactions meanwhile: p50 {1000 * percentile(self.acks, 0.5):.0f} ms, "
                f"p99 {1000 * percentile(self.acks, 0.99):.0f} ms ({len(self.acks)})"
            )
        return text


async def storm(
    crowd: list[Visitor], url: str, site: str, concurrency: int, chatter: Callable[[], Awaitable[None]] | None
) -> Storm:
    """Connect every visitor of `crowd`, at most `concurrency` at once."""
    result = Storm()
    gate = asyncio.Semaphore(concurrency)
    rng = random.Random(7)

    async def one(visitor: Visitor) -> None:
        async with gate:
            for attempt in range(20):
                started = time.perf_counter()
                try:
                    await visitor.connect(url, site, rng)
                except (OSError, websockets.WebSocketException, RuntimeError, TimeoutError):
                    result.failures += 1
                    await asyncio.sleep(0.05 * (attempt + 1))
                    continue
                result.latencies.append(time.perf_counter() - started)
                return
            raise RuntimeError("a visitor could not log in 20 times in a row")

    background = asyncio.create_task(chatter()) if chatter else None
    started = time.perf_counter()
    await asyncio.gather(*(one(visitor) for visitor in crowd))
    result.seconds = time.perf_counter() - started
    if background is not None:
        background.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await background
    return result


async def second_node(database_url: str, acks: list[float]) -> Callable[[], Awaitable[None]]:
    """Another node writing events on the ordered path, `EVENTS_PER_SECOND` a second, while a storm
    runs: the time each such transaction takes (waiting for the ordering lock included)."""
    db = Database(database_url)
    async with db.write() as session:
        site = await sites.create_site(session, f"bench-{uuid.uuid4().hex[:6]}", ["https://shop.example"])
        visitor, _token = await visitors.visitor_login(session, site, None)
        chat_id = (await chats.visitor_send(session, visitor, uuid.uuid4().hex, "hello", None)).chat_id
    author = Author(kind=AuthorKind.SYSTEM)

    async def run() -> None:
        try:
            while True:
                started = time.perf_counter()
                async with db.write() as session:
                    chat = await session.get(Chat, chat_id)
                    assert chat is not None
                    await append_event(session, chat, "message", author, text="Is it in stock?")
                acks.append(time.perf_counter() - started)
                await asyncio.sleep(max(0.0, 1 / EVENTS_PER_SECOND - (time.perf_counter() - started)))
        finally:
            await db.dispose()

    return run


async def crowd_figures(
    label: str,
    url: str,
    site: str,
    args: argparse.Namespace,
    restart: Callable[[], None],
    database_url: str | None,
) -> tuple[Storm, Storm]:
    """New visitors, then (after `restart`) the same visitors back with token and cursor."""
    crowd = [Visitor() for _ in range(args.visitors)]
    acks_new: list[float] = []
    chatter = await second_node(database_url, acks_new) if database_url else None
    new = await storm(crowd, url, site, args.concurrency, chatter)
    new.acks = acks_new
    await asyncio.gather(*(visitor.close() for visitor in crowd))
    restart()
    acks_back: list[float] = []
    chatter = await second_node(database_url, acks_back) if database_url else None
    back = await storm(crowd, url, site, args.concurrency, chatter)
    back.acks = acks_back
    await asyncio.gather(*(visitor.close() for visitor in crowd))
    print(new.line(f"{label}, new visitors", args.visitors), flush=True)
    print(back.line(f"{label}, returning (token+cursor)", args.visitors), flush=True)
    return new, back


# --- the floor: the same round trips against a bare websockets server, in memory -------------------


def serve_floor(port: int) -> None:
    """A bare `websockets` server: login (a new visitor gets a token, a known token its visitor),
    resume (an answer), nothing stored but a dict."""
    from websockets.asyncio.server import ServerConnection, serve

    visitors: dict[str, str] = {}
    cursor = 0

    async def handler(ws: ServerConnection) -> None:
        nonlocal cursor
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in ws:
                request = json.loads(raw)
                payload = request.get("payload") or {}
                if request.get("action") == "login":
                    token = payload.get("visitor_token") or uuid.uuid4().hex + uuid.uuid4().hex
                    visitor_id = visitors.setdefault(token, str(uuid.uuid4()))
                    cursor += 1
                    result = {
                        "visitor_id": visitor_id,
                        "visitor_token": token,
                        "name": "",
                        "chat": None,
                        "cursor": cursor,
                        "server_protocol": 1,
                        "agents_available": True,
                        "site_origins": [],
                        "invitation": None,
                    }
                else:
                    result = {"cursor": payload.get("cursor", 0), "replayed": 0}
                reply = {
                    "v": 1,
                    "type": "res",
                    "action": request.get("action"),
                    "req_id": request.get("req_id"),
                }
                await ws.send(json.dumps({**reply, "payload": result}))

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, ping_interval=None):
            print("ready", flush=True)
            await asyncio.Future()

    asyncio.run(main())


def start_floor() -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    cmd = [sys.executable, "-m", "benchmarks.logins", "--floor-server", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()  # "ready"
    return proc, port


async def floor_figures(args: argparse.Namespace) -> tuple[Storm, Storm]:
    proc, port = await asyncio.to_thread(start_floor)
    try:
        url = f"http://127.0.0.1:{port}"
        return await crowd_figures("floor (bare websockets)", url, "s", args, lambda: None, None)
    finally:
        proc.terminate()
        await asyncio.to_thread(proc.wait, 10)


# --- the backend -----------------------------------------------------------------------------------


def postgres_url() -> str:
    return (
        os.environ.get("CHAT_BENCH_DATABASE_URL")
        or os.environ.get("CHAT_TEST_DATABASE_URL")
        or DEFAULT_POSTGRES
    )


async def backend_figures(
    database: str, args: argparse.Namespace, workdir: Path
) -> tuple[Storm, Storm] | None:
    dropped: str | None = None
    if database == "postgres":
        try:
            dropped, url = await asyncio.to_thread(create_postgres_database, postgres_url())
        except Exception as exc:  # noqa: BLE001 (any reason: said and skipped)
            print(f"  PostgreSQL skipped: {exc}", flush=True)
            return None
    else:
        url = sqlite_database(workdir)
    backend = BackendProcess(database_url=url, workdir=workdir)
    backend.start()

    def restart() -> None:
        if args.restart:
            backend.stop()
            backend.start()

    try:
        label = f"backend on {'PostgreSQL' if database == 'postgres' else 'SQLite'}"
        ordered = url if database == "postgres" else None  # SQLite: one node only
        return await crowd_figures(label, backend.url, backend.site_id, args, restart, ordered)
    finally:
        backend.stop()
        problems = backend.unread_log_problems()
        if problems:
            print(
                f"  the backend logged {len(problems)} problems, the first:\n{problems[0][-2500:]}",
                flush=True,
            )
        if dropped:
            await asyncio.to_thread(drop_postgres_database, postgres_url(), dropped)


async def run(args: argparse.Namespace) -> int:
    print(
        f"logins: {args.visitors} visitors, at most {args.concurrency} logging in at once; backend, "
        f"database, floor server and this client share {os.cpu_count()} cores",
        flush=True,
    )
    floor_new, floor_back = await floor_figures(args)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    worst = 1.0
    for database in databases:
        with tempfile.TemporaryDirectory() as tmp:
            found = await backend_figures(database, args, Path(tmp))
        if found is None:
            continue
        new, back = found
        share_new = (args.visitors / new.seconds) / (args.visitors / floor_new.seconds)
        share_back = (args.visitors / back.seconds) / (args.visitors / floor_back.seconds)
        worst = min(worst, share_new, share_back)
        print(
            f"  {database}: {100 * share_new:.0f}% of the floor for new visitors, {100 * share_back:.0f}% "
            f"for returning ones; {args.visitors} back in {back.seconds:.1f} s "
            f"(target: 10,000 within 60 s, >= 167/s; >= 50% of the floor)",
            flush=True,
        )
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200, help="logins under way at once")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--no-restart", dest="restart", action="store_false", help="no node restart between")
    parser.add_argument("--smoke", action="store_true", help="60 visitors, one database, no restart")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    parser.add_argument("--floor-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_server:
        serve_floor(args.floor_server)
        return
    if args.smoke:
        args.visitors, args.concurrency, args.restart = 60, 30, False
        args.database = "postgres" if os.environ.get("CHAT_TEST_DATABASE_URL") else "sqlite"
    hard_timeout(args.timeout or (60 if args.smoke else 1800), "logins")
    # Every visitor connects from 127.0.0.1: raise the limits per IP (and per site) above the crowd.
    crowd = args.visitors + 100
    os.environ["CHAT_CONNECT_BURST"] = str(crowd * 2)
    os.environ["CHAT_CONNECT_RATE"] = str(crowd * 2)
    os.environ["CHAT_HTTP_MAX_CONNECTIONS"] = str(crowd + 1000)
    os.environ["CHAT_MAX_SOCKETS_PER_IP"] = str(crowd * 2)
    os.environ["CHAT_MAX_VISITOR_SOCKETS_PER_SITE"] = str(crowd * 2)
    os.environ["CHAT_NEW_CHATS_PER_IP_BURST"] = "1000"
    os.environ["CHAT_NEW_CHATS_PER_SITE_BURST"] = "1000"
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()

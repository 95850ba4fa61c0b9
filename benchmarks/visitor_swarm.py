"""Many light visitors on the demo shop, in their own process, driven by JSON lines on stdin.

    python -m benchmarks.visitor_swarm --url http://127.0.0.1:PORT [--site demo-shop]

Each visitor is one raw WebSocket that logs in with a page and a device (as the widget does),
resumes, pings every 20 s and ignores what it is sent. Commands, each answered by one JSON line:

    {"op": "arrive", "count": N}          N new visitors          -> {"ids": [...]}
    {"op": "leave", "count": N}           N connected ones close  -> {"ids": [...]}
    {"op": "return", "count": N}          N who left come back (same visitor token) -> {"ids": [...]}
    {"op": "updates", "rate": R, "seconds": S}   page views, carts, activity from random visitors
                                                 -> {"sent": n}
    {"op": "here"}                        -> {"ids": [...]} of the connected visitors
    {"op": "connected"}                   -> {"count": n} of their sockets open now
    {"op": "quit"}

`--origin` is the page origin the visitors claim (default: the URL; behind a load balancer, one the site
allows). With `--reconnect` a visitor whose socket the server closed (or lost) logs in again with its token
after a random 0-2 s, as the widget does after a node went away.

Used by benchmarks.traffic_list, benchmarks.cluster and tests/integration/test_app_traffic.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import random
import sys
import time
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

PAGES = [
    ("index.html", "Tea shop"),
    ("product-matcha.html", "Matcha"),
    ("product-sencha.html", "Sencha"),
    ("product-hojicha.html", "Hojicha"),
    ("cart.html", "Your cart"),
    ("guide.html", "Brewing guide"),
]
DEVICES = [
    {"device_class": "desktop", "os": "Windows", "browser": "Chrome", "language": "ja-JP", "time_zone": "Asia/Tokyo"},
    {"device_class": "mobile", "os": "iOS", "browser": "Safari", "language": "ja-JP", "time_zone": "Asia/Tokyo"},
    {"device_class": "desktop", "os": "macOS", "browser": "Firefox", "language": "en-US", "time_zone": "America/New_York"},
    {"device_class": "tablet", "os": "Android", "browser": "Chrome", "language": "de-DE", "time_zone": "Europe/Berlin"},
]  # fmt: skip
PING_EVERY = 20.0


class Visitor:
    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.visitor_id = ""
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self._ids = itertools.count()

    def frame(self, action: str, payload: dict[str, Any]) -> str:
        req_id = f"r{next(self._ids)}"
        return json.dumps({"v": 1, "type": "req", "action": action, "req_id": req_id, "payload": payload})

    async def _answer(self, ws: ClientConnection, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        await ws.send(self.frame(action, payload))
        while True:
            reply = json.loads(await ws.recv())
            if reply.get("type") == "res":
                return dict(reply["payload"])
            if reply.get("type") == "err":
                raise RuntimeError(f"{action}: {reply['payload']}")

    async def connect(self, url: str, site: str, rng: random.Random, origin: str | None = None) -> None:
        ws_url = url.replace("http", "ws", 1) + "/ws/visitor"
        ws = await websockets.connect(ws_url, origin=origin or url, ping_interval=None, max_queue=64)  # type: ignore[arg-type]
        path, title = rng.choice(PAGES)
        login = await self._answer(
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
        self.visitor_id = login["visitor_id"]
        await self._answer(ws, "resume", {"cursor": login["cursor"]})
        self.ws = ws
        self.reader = asyncio.create_task(self._drain(ws))

    async def _drain(self, ws: ClientConnection) -> None:
        next_ping = time.monotonic() + random.uniform(5, PING_EVERY)
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                try:
                    async with asyncio.timeout(max(0.0, next_ping - time.monotonic())):
                        await ws.recv()
                except TimeoutError:
                    await ws.send(self.frame("ping", {}))
                    next_ping = time.monotonic() + PING_EVERY

    async def send(self, action: str, payload: dict[str, Any]) -> None:
        if self.ws is not None:
            with contextlib.suppress(websockets.ConnectionClosed):
                await self.ws.send(self.frame(action, payload))

    async def close(self) -> None:
        ws, self.ws = self.ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader


class Swarm:
    def __init__(
        self, url: str, site: str, seed: int, origin: str | None = None, reconnect: bool = False
    ) -> None:
        self.url, self.site, self.origin, self.reconnect = url, site, origin, reconnect
        self.rng = random.Random(seed)
        self.here: list[Visitor] = []
        self.gone: list[Visitor] = []
        self.gate = asyncio.Semaphore(100)
        self._watchers: set[asyncio.Task[None]] = set()

    async def _connect(self, visitor: Visitor, attempts: int = 5) -> Visitor:
        async with self.gate:
            for attempt in range(attempts):
                try:
                    await visitor.connect(self.url, self.site, self.rng, self.origin)
                    break
                except (OSError, websockets.WebSocketException, RuntimeError, TimeoutError):
                    await asyncio.sleep(min(0.2 * (attempt + 1), 2.0))
            else:
                await visitor.connect(self.url, self.site, self.rng, self.origin)
        if self.reconnect:
            watcher = asyncio.create_task(self._come_back_when_dropped(visitor))
            self._watchers.add(watcher)
            watcher.add_done_callback(self._watchers.discard)
        return visitor

    async def _come_back_when_dropped(self, visitor: Visitor) -> None:
        """The server closed the socket (not `close()`): log in again after 0-2 s, as the widget does."""
        reader = visitor.reader
        assert reader is not None
        await asyncio.gather(reader, return_exceptions=True)
        if visitor.ws is None or visitor not in self.here:
            return  # closed on purpose
        visitor.ws = None
        await asyncio.sleep(self.rng.uniform(0, 2))
        await self._connect(visitor, attempts=100)

    def connected(self) -> int:
        return sum(1 for v in self.here if v.ws is not None and v.reader is not None and not v.reader.done())

    async def arrive(self, count: int) -> list[str]:
        new = await asyncio.gather(*(self._connect(Visitor()) for _ in range(count)))
        self.here.extend(new)
        return [v.visitor_id for v in new]

    async def leave(self, count: int) -> list[str]:
        leaving = self.rng.sample(self.here, min(count, len(self.here)))
        await asyncio.gather(*(v.close() for v in leaving))
        ids = {id(v) for v in leaving}
        self.here = [v for v in self.here if id(v) not in ids]
        self.gone.extend(leaving)
        return [v.visitor_id for v in leaving]

    async def come_back(self, count: int) -> list[str]:
        back = self.rng.sample(self.gone, min(count, len(self.gone)))
        ids = {id(v) for v in back}
        self.gone = [v for v in self.gone if id(v) not in ids]
        await asyncio.gather(*(self._connect(v) for v in back))
        self.here.extend(back)
        return [v.visitor_id for v in back]

    async def updates(self, rate: float, seconds: float) -> int:
        sent = 0
        start = time.monotonic()
        while (elapsed := time.monotonic() - start) < seconds and self.here:
            due = int(elapsed * rate) - sent
            for _ in range(max(0, due)):
                visitor = self.rng.choice(self.here)
                kind = self.rng.random()
                if kind < 0.6:
                    path, title = self.rng.choice(PAGES)
                    await visitor.send("page_view", {"url": f"{self.url}/demo/{path}", "title": title})
                elif kind < 0.85:
                    quantity = self.rng.randint(1, 4)
                    item = {"name": "Matcha 50g", "price": 2400, "quantity": quantity}
                    cart = {"items": [item], "total": 2400 * quantity, "currency": "JPY"}
                    await visitor.send("cart", cart)
                else:
                    await visitor.send("activity", {"active": self.rng.random() < 0.5})
                sent += 1
            await asyncio.sleep(0.005)
        return sent

    async def close(self) -> None:
        await asyncio.gather(*(v.close() for v in self.here))


async def serve(args: argparse.Namespace) -> None:
    swarm = Swarm(args.url, args.site, args.seed, args.origin, args.reconnect)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        op = command["op"]
        answer: dict[str, Any]
        if op == "arrive":
            answer = {"ids": await swarm.arrive(int(command["count"]))}
        elif op == "leave":
            answer = {"ids": await swarm.leave(int(command["count"]))}
        elif op == "return":
            answer = {"ids": await swarm.come_back(int(command["count"]))}
        elif op == "updates":
            answer = {"sent": await swarm.updates(float(command["rate"]), float(command["seconds"]))}
        elif op == "here":
            answer = {"ids": [v.visitor_id for v in swarm.here]}
        elif op == "connected":
            answer = {"count": swarm.connected()}
        elif op == "quit":
            break
        else:
            answer = {"error": f"unknown op {op!r}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    await swarm.close()


class SwarmProcess:
    """A swarm in a child process, commanded from an asyncio program (the app's loop stays light)."""

    def __init__(
        self,
        url: str,
        site: str = "demo-shop",
        seed: int = 1,
        origin: str | None = None,
        reconnect: bool = False,
    ) -> None:
        self.url, self.site, self.seed, self.origin, self.reconnect = url, site, seed, origin, reconnect
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        extra = (["--origin", self.origin] if self.origin else []) + (
            ["--reconnect"] if self.reconnect else []
        )
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.visitor_swarm", "--url", self.url, "--site", self.site,
            "--seed", str(self.seed), *extra,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**26,
        )  # fmt: skip

    async def command(self, op: str, **fields: Any) -> dict[str, Any]:
        proc = self.proc
        assert proc is not None
        assert proc.stdin is not None
        assert proc.stdout is not None
        proc.stdin.write((json.dumps({"op": op, **fields}) + "\n").encode())
        await proc.stdin.drain()
        line = await proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the visitor swarm ended (exit code {await proc.wait()})")
        return dict(json.loads(line))

    async def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.returncode is None and proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                proc.stdin.write(b'{"op": "quit"}\n')
                await proc.stdin.drain()
            try:
                async with asyncio.timeout(20):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
                await proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--site", default="demo-shop")
    parser.add_argument("--origin", help="the page origin visitors claim (default: --url)")
    parser.add_argument(
        "--reconnect", action="store_true", help="log in again after the server drops a socket"
    )
    parser.add_argument("--seed", type=int, default=1)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()

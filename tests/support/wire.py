"""Protocol-level test clients: an agent and a visitor speaking raw envelopes over a real socket."""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import socket
import uuid
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from tests.support.backend import BackendProcess


class WireClient:
    """Sends requests, matches responses by req_id, and collects pushes in a queue."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.pushes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.unsolicited: list[dict[str, Any]] = []
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                future = self._waiting.pop(frame.get("req_id") or "", None)
                if future is not None and not future.done():
                    future.set_result(frame)
                elif frame["type"] == "push":
                    self.pushes.put_nowait(frame)
                else:
                    self.unsolicited.append(frame)
        except websockets.ConnectionClosed:
            pass

    async def request(
        self, action: str, payload: dict[str, Any] | None = None, within: float = 10
    ) -> dict[str, Any]:
        """The `res` or `err` frame answering this request."""
        req_id = uuid.uuid4().hex
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[req_id] = future
        frame = {"v": 1, "type": "req", "action": action, "req_id": req_id, "payload": payload or {}}
        await self.ws.send(json.dumps(frame))
        return await asyncio.wait_for(future, within)

    async def send(self, action: str, payload: dict[str, Any]) -> None:
        """A request answered by nothing (ephemeral: `typing`, `sneak_peek`)."""
        frame = {"v": 1, "type": "req", "action": action, "req_id": uuid.uuid4().hex, "payload": payload}
        await self.ws.send(json.dumps(frame))

    async def ok(self, action: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        frame = await self.request(action, payload)
        assert frame["type"] == "res", frame
        result: dict[str, Any] = frame["payload"]
        return result

    async def next_push(self, action: str | None = None, within: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(within):
            while True:
                frame = await self.pushes.get()
                if action is None or frame["action"] == action:
                    return frame

    async def next_event(self, within: float = 10, **match: Any) -> dict[str, Any]:
        """The next durable event whose fields equal `match`."""
        async with asyncio.timeout(within):
            while True:
                event: dict[str, Any] = (await self.next_push("event"))["payload"]["event"]
                if all(event.get(k) == v for k, v in match.items()):
                    return event

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


async def connect_agent(
    backend: BackendProcess, email: str | None = None, password: str | None = None, resume: bool = True
) -> WireClient:
    tokens = backend.login_tokens(email, password)
    client = WireClient(await websockets.connect(f"{backend.ws_url}/ws/agent"))
    client.token = tokens["access_token"]  # type: ignore[attr-defined]
    try:
        await client.ok("login", {"token": tokens["access_token"]})
        if resume:
            snapshot = await http_get(backend, "/api/v1/snapshot", tokens["access_token"])
            await client.ok("resume", {"cursor": snapshot["cursor"]})
    except BaseException:
        await client.close()  # a refused login leaves no socket to the garbage collector
        raise
    return client


@functools.cache
def loopback_addresses() -> bool:
    """Whether this machine answers on all of 127.0.0.0/8 (Linux does; macOS only on 127.0.0.1)."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.1.0.1", 0))
        except OSError:
            return False
    return True


_VISITOR_ADDRESSES = (f"127.1.{n // 250 % 250}.{n % 250 + 1}" for n in itertools.count())


def visitor_address() -> dict[str, Any]:
    """`websockets.connect` arguments that give a test visitor a loopback address of its own: visitors
    are people on their own connections, and the backend limits chats and sockets per IP."""
    return {"local_addr": (next(_VISITOR_ADDRESSES), 0)} if loopback_addresses() else {}


async def connect_visitor(
    backend: BackendProcess,
    token: str | None = None,
    origin: str | None = None,
    site_id: str | None = None,
    resume: bool = True,
    **login_fields: Any,
) -> tuple[WireClient, dict[str, Any]]:
    """A visitor socket, logged in and (unless `resume` is False, for a client that resumes from a
    cursor of its own, as the widget does after a reconnect) resumed from the login's cursor."""
    ws = await websockets.connect(
        f"{backend.ws_url}/ws/visitor",
        origin=origin or backend.url,  # type: ignore[arg-type]
        **visitor_address(),
    )
    client = WireClient(ws)
    payload = {"site_id": site_id or backend.site_id, "visitor_token": token, **login_fields}
    try:
        login = await client.ok("login", payload)
        if resume:
            await client.ok("resume", {"cursor": login["cursor"]})
    except BaseException:
        await client.close()  # a refused login leaves no socket to the garbage collector
        raise
    return client, login


async def http_get(backend: BackendProcess, path: str, token: str) -> Any:
    import httpx

    async with httpx.AsyncClient(base_url=backend.url) as http:
        response = await http.get(path, headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
        return response.json()


def new_id() -> str:
    return str(uuid.uuid4())

"""Clients that survive the loss of their node, as the widget and the app do, for the fault tests.

A `Resilient` client connects first to a chosen node; once its socket dies it waits a random 0-2 s,
connects through the load balancer, logs in again (a visitor with its visitor token, an agent with its
access token) and resumes after the last event it received. Every event it receives is kept in order in
`events`, so a test can check that each arrived exactly once and in order. `send_message` sends again,
with the same `client_id`, what a dead socket never answered, until the server acknowledges it; `acked`
lists the acknowledged texts in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import uuid
from typing import Any

import websockets

from tests.support.wire import WireClient

RETRY_EVERY = 0.3
GIVE_UP_AFTER = 45.0


class Lost(Exception):
    """The socket died before the answer came."""


class Resilient:
    def __init__(
        self,
        kind: str,
        first: str,
        entry: str,
        login: dict[str, Any],
        *,
        origin: str | None = None,
        address: str | None = None,
        cursor: int | None = None,
    ) -> None:
        self.kind = kind  # "visitor" or "agent"
        self.first = first  # ws:// base of the node to connect to first
        self.entry = entry  # ws:// base of the load balancer
        self.login_payload = login
        self.origin = origin
        self.address = address
        self.cursor = cursor
        self.login: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.acked: list[str] = []
        self.reconnects = 0
        self.failures: list[str] = []  # why reconnecting failed, most recent last
        self.reconnecting = True  # False: a closed tab, gone for good once its socket dies
        self.client: WireClient | None = None
        self._up = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # --- life ---------------------------------------------------------------------------------

    async def start(self) -> None:
        await self._connect(self.first)
        self._task = asyncio.get_running_loop().create_task(self._live())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.client is not None:
            await self.client.close()

    async def _connect(self, base: str) -> None:
        kwargs: dict[str, Any] = {"open_timeout": 10}
        if self.origin is not None:
            kwargs["origin"] = self.origin
        if self.address is not None:
            kwargs["local_addr"] = (self.address, 0)
        client = WireClient(await websockets.connect(f"{base}/ws/{self.kind}", **kwargs))
        try:
            self.login = await client.ok("login", self.login_payload)
            if self.kind == "visitor":
                self.login_payload = {**self.login_payload, "visitor_token": self.login["visitor_token"]}
                if self.cursor is None:
                    self.cursor = self.login["cursor"]
            assert self.cursor is not None
            pump = asyncio.get_running_loop().create_task(self._pump(client))
            resumed = await client.request("resume", {"cursor": self.cursor})
            if resumed["type"] != "res":
                pump.cancel()
                raise AssertionError(f"resume refused: {resumed}")
        except BaseException:
            await client.close()
            raise
        self.client = client
        self._pump_task = pump
        self._up.set()

    async def _pump(self, client: WireClient) -> None:
        while True:
            frame = await client.pushes.get()
            if frame["action"] == "event":
                event = frame["payload"]["event"]
                self.events.append(event)
                self.cursor = max(self.cursor or 0, event["event_id"])

    async def _live(self) -> None:
        """Reconnect through the load balancer whenever the socket dies."""
        while True:
            client = self.client
            assert client is not None
            await asyncio.gather(client._reader, return_exceptions=True)  # ends when the socket does
            self._up.clear()
            # What was already received is in `events`; the rest comes with the resume.
            while not client.pushes.empty():  # noqa: ASYNC110 (the pump empties it)
                await asyncio.sleep(0)
            self._pump_task.cancel()
            if not self.reconnecting:
                return
            await asyncio.sleep(random.uniform(0, 2))
            deadline = asyncio.get_running_loop().time() + GIVE_UP_AFTER
            while True:
                try:
                    await self._connect(self.entry)
                    break
                except (OSError, TimeoutError, websockets.WebSocketException, AssertionError) as exc:
                    self.failures = [*self.failures[-9:], f"{type(exc).__name__}: {exc}"[:300]]
                    if asyncio.get_running_loop().time() > deadline:
                        raise
                    await asyncio.sleep(RETRY_EVERY)
            self.reconnects += 1

    # --- requests -----------------------------------------------------------------------------

    async def _request_once(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        await asyncio.wait_for(self._up.wait(), GIVE_UP_AFTER)
        client = self.client
        assert client is not None
        req_id = uuid.uuid4().hex
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        client._waiting[req_id] = future
        frame = {"v": 1, "type": "req", "action": action, "req_id": req_id, "payload": payload}
        try:
            await client.ws.send(json.dumps(frame))
        except websockets.ConnectionClosed as exc:
            raise Lost from exc
        done, _ = await asyncio.wait(
            {future, client._reader}, timeout=15, return_when=asyncio.FIRST_COMPLETED
        )
        if future in done:
            return future.result()
        future.cancel()
        raise Lost

    async def request(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The answer to a request, sent again (as is) on the next socket while the socket dies first
        or the server says to try later."""
        deadline = asyncio.get_running_loop().time() + GIVE_UP_AFTER
        while True:
            with contextlib.suppress(Lost):
                answer = await self._request_once(action, payload)
                code = answer["payload"].get("code") if answer["type"] == "err" else None
                if code not in ("internal", "rate_limited"):
                    return answer
                self.failures = [*self.failures[-9:], f"{action}: {answer['payload']}"[:300]]
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{action} never answered ({self.kind}; reconnecting: {self.failures})")
            await asyncio.sleep(RETRY_EVERY)

    async def send_message(self, text: str, chat_id: str | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"client_id": uuid.uuid4().hex, "text": text}
        if chat_id is not None:
            payload["chat_id"] = chat_id
        answer = await self.request("send_message", payload)
        assert answer["type"] == "res", answer
        self.acked.append(text)
        result: dict[str, Any] = answer["payload"]
        return result

    # --- what arrived -------------------------------------------------------------------------

    def messages(self, chat_id: str, author_kind: str) -> list[str]:
        return [
            event["text"]
            for event in self.events
            if event["kind"] == "message"
            and event["chat_id"] == chat_id
            and event["author"]["kind"] == author_kind
        ]

    def duplicates(self) -> list[int]:
        """Event ids received more than once."""
        seen: set[int] = set()
        twice = []
        for event in self.events:
            if event["event_id"] in seen:
                twice.append(event["event_id"])
            seen.add(event["event_id"])
        return twice

"""One WebSocket: frame parsing and limits, login deadline, a bounded send queue, and delivery of
durable events from the log after the connection's cursor."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from abc import ABC, abstractmethod
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.delivery import Batch
from chat_backend.domain.errors import DomainError
from chat_backend.realtime.services import Services
from chat_protocol import MAX_FRAME_BYTES, Envelope, ErrorCode
from chat_protocol.actions import Socket, request_model
from chat_protocol.socket_payloads import EventPush, Resumed

log = logging.getLogger(__name__)

CLOSE_INVALID_TOKEN = 4001
CLOSE_ORIGIN = 4003
CLOSE_LOGIN_TIMEOUT = 4002
CLOSE_OVERFLOW = 4008
CLOSE_POLICY = 1008
CLOSE_GOING_AWAY = 1001
CLOSE_TRY_LATER = 1013


class Connection(ABC):
    """Base of the agent and visitor sockets (a hub `Subscriber`). Subclasses implement `login`,
    `handle` and `read_events`."""

    socket: Socket

    def __init__(self, ws: WebSocket, services: Services) -> None:
        self.ws = ws
        self.db = services.db
        self.hub = services.hub
        self.settings = services.settings
        self.router = services.router
        self.traffic = services.traffic
        self.calls = services.calls
        self.greeter = services.greeter
        self.agent: AgentIdentity | None = None
        self.visitor_id: str | None = None
        self.cursor: int | None = None
        self._queue: asyncio.Queue[Envelope | str] = asyncio.Queue(self.settings.send_queue_size)
        self._latest: dict[str, Envelope] = {}
        self._wake = asyncio.Event()
        self._deliver_lock = asyncio.Lock()
        self._closed = False

    # --- sending ----------------------------------------------------------------------------

    def send(self, envelope: Envelope) -> None:
        """Queue a frame; a full queue closes the socket with 4008 and the client resumes."""
        if self._closed:
            return
        try:
            self._queue.put_nowait(envelope)
        except asyncio.QueueFull:
            log.warning("send queue full on %s socket; closing with 4008", self.socket)
            self._closed = True
            asyncio.get_running_loop().create_task(self._close_now(CLOSE_OVERFLOW, "send queue overflow"))

    def send_ephemeral(self, envelope: Envelope, coalesce_key: str | None = None) -> None:
        """Ephemeral pushes are coalesced by key and dropped first when the queue is half full."""
        if self._closed or self._queue.qsize() > self._queue.maxsize // 2:
            return
        if coalesce_key is None:
            self.send(envelope)
            return
        pending = coalesce_key in self._latest
        self._latest[coalesce_key] = envelope
        if not pending:
            self.send_key(coalesce_key)

    def send_key(self, key: str) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(key)

    async def _writer(self) -> None:
        while True:
            item = await self._queue.get()
            if isinstance(item, str):
                envelope = self._latest.pop(item, None)
                if envelope is None:
                    continue
                item = envelope
            await self.ws.send_text(item.dumps())

    def wake(self) -> None:
        self._wake.set()

    async def close(self, code: int, reason: str) -> None:
        self._closed = True
        await self._close_now(code, reason)

    async def _close_now(self, code: int, reason: str) -> None:
        if self.ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await self.ws.close(code, reason)

    # --- delivery ---------------------------------------------------------------------------

    async def resume(self, cursor: int, req_id: str | None) -> None:
        """Replay what this user may see after `cursor`, then answer; or `resync_required`."""
        async with self._deliver_lock:
            batch = await self.read_events(cursor, self.settings.max_replay + 1, with_newest=True)
            events = batch.events
            if cursor > batch.newest or len(events) > self.settings.max_replay:
                raise DomainError(ErrorCode.RESYNC_REQUIRED, "The cursor is too old; load a snapshot.")
            for event in events:
                self.send(Envelope.push("event", EventPush(event=event)))
            self.cursor = events[-1].event_id if events else max(cursor, 0)
            self.send(Envelope.response("resume", Resumed(cursor=self.cursor, replayed=len(events)), req_id))
        self.wake()

    @abstractmethod
    async def read_events(self, cursor: int, limit: int, *, with_newest: bool = False) -> Batch:
        """Events after `cursor` that this connection's user may see now, read in one session (with
        the log's newest event id when `with_newest`)."""

    async def _deliverer(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.cursor is None:
                continue
            async with self._deliver_lock:
                events = (await self.read_events(self.cursor, 200)).events
                for event in events:
                    self.send(Envelope.push("event", EventPush(event=event)))
                    self.cursor = event.event_id
            if len(events) == 200:
                self._wake.set()

    # --- receiving --------------------------------------------------------------------------

    @abstractmethod
    def on_registered(self) -> None:
        """Logged in and listed in the hub."""

    @abstractmethod
    def on_unregistered(self) -> None:
        """Gone from the hub."""

    def idle_timeout(self) -> float:
        return self.settings.idle_timeout

    @abstractmethod
    async def login(self, envelope: Envelope, payload: Any) -> None:
        """Check the first frame and answer it; DomainError refuses the socket."""

    @abstractmethod
    async def handle(self, envelope: Envelope, payload: Any) -> None:
        """Answer one request after login (ping, login and resume are handled here)."""

    async def run(self) -> None:
        client = self.ws.client
        if not self.hub.allow_connection(client.host if client else "?"):
            await self.ws.close(CLOSE_TRY_LATER, "too many connections")
            return
        await self.ws.accept()
        writer = asyncio.create_task(self._writer())
        deliverer: asyncio.Task[None] | None = None
        try:
            try:
                first = await asyncio.wait_for(self._next_frame(), self.settings.login_timeout)
            except TimeoutError:
                await self._send_direct(Envelope.error("login", ErrorCode.LOGIN_TIMEOUT, "No login in time."))
                await self.close(CLOSE_LOGIN_TIMEOUT, "login timeout")
                return
            if first is None:
                return
            if not await self._login_frame(*first):
                return
            self.hub.register(self)
            self.on_registered()
            deliverer = asyncio.create_task(self._deliverer())
            while not self._closed:
                try:
                    frame = await asyncio.wait_for(self._next_frame(), self.idle_timeout())
                except TimeoutError:
                    await self.close(CLOSE_GOING_AWAY, "no frame for too long")
                    break
                if frame is None:
                    continue
                await self._dispatch(*frame)
        except WebSocketDisconnect:
            pass
        finally:
            self._closed = True
            self.hub.unregister(self)
            if deliverer is not None:
                self.on_unregistered()
            for task in (writer, deliverer):
                if task is not None:
                    task.cancel()
            await asyncio.gather(writer, *([deliverer] if deliverer else []), return_exceptions=True)

    async def _send_direct(self, envelope: Envelope) -> None:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await self.ws.send_text(envelope.dumps())

    async def _next_frame(self) -> tuple[Envelope, BaseModel] | None:
        """The next valid request, or None after answering a bad frame with `err`."""
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        raw = message.get("text")
        if raw is None and message.get("bytes") is not None:
            raw = message["bytes"].decode("utf-8", "replace")
        raw = raw or ""
        if len(raw.encode("utf-8")) > MAX_FRAME_BYTES:
            self.send(Envelope.error("frame", ErrorCode.FRAME_TOO_LARGE, "Frames are limited to 64 KiB."))
            return None
        try:
            envelope = Envelope.model_validate(json.loads(raw))
        except (ValueError, ValidationError):
            self.send(Envelope.error("frame", ErrorCode.BAD_FRAME, "Not a protocol envelope."))
            return None
        if envelope.type != "req":
            self.send(
                Envelope.error(
                    envelope.action, ErrorCode.BAD_FRAME, "Only requests are accepted.", envelope.req_id
                )
            )
            return None
        model = request_model(self.socket, envelope.action)
        if model is None:
            self.send(
                Envelope.error(envelope.action, ErrorCode.UNKNOWN_ACTION, "Unknown action.", envelope.req_id)
            )
            return None
        try:
            return envelope, model.model_validate(envelope.payload)
        except ValidationError as exc:
            message_text = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            self.send(
                Envelope.error(
                    envelope.action, ErrorCode.INVALID_PAYLOAD, message_text[:500], envelope.req_id
                )
            )
            return None

    async def _login_frame(self, envelope: Envelope, payload: BaseModel) -> bool:
        if envelope.action != "login":
            await self._send_direct(
                Envelope.error(envelope.action, ErrorCode.LOGIN_REQUIRED, "Log in first.", envelope.req_id)
            )
            await self.close(CLOSE_POLICY, "login required")
            return False
        try:
            await self.login(envelope, payload)
        except DomainError as exc:
            await self._send_direct(Envelope.error("login", exc.code, exc.message, envelope.req_id))
            code = CLOSE_ORIGIN if exc.code == ErrorCode.ORIGIN_NOT_ALLOWED else CLOSE_INVALID_TOKEN
            await self.close(code, exc.code.value)
            return False
        return True

    async def _dispatch(self, envelope: Envelope, payload: BaseModel) -> None:
        try:
            if envelope.action == "ping":
                self.send(Envelope.response("pong", {}, envelope.req_id))
            elif envelope.action == "login":
                raise DomainError(ErrorCode.BAD_FRAME, "Already logged in.")
            elif envelope.action == "resume":
                await self.resume(payload.cursor, envelope.req_id)  # type: ignore[attr-defined]
            else:
                await self.handle(envelope, payload)
        except DomainError as exc:
            self.send(
                Envelope.error(envelope.action, exc.code, exc.message, envelope.req_id, exc.retry_after)
            )
        except Exception:
            log.exception("failed to handle %s on %s socket", envelope.action, self.socket)
            self.send(Envelope.error(envelope.action, ErrorCode.INTERNAL, "Internal error.", envelope.req_id))

    def check_rate(self) -> None:
        user = f"agent:{self.agent.agent_id}" if self.agent else f"visitor:{self.visitor_id}"
        wait = self.hub.mutation_bucket(user).take()
        if wait is not None:
            raise DomainError(ErrorCode.RATE_LIMITED, "Too many messages; slow down.", retry_after=wait)

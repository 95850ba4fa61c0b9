"""One WebSocket: frame parsing and limits, login deadline, a send queue bounded in bytes, a close that
never waits on a stuck peer, and delivery of durable events from the log after the connection's cursor.

The connection's `cursor` is where delivery goes on from: the last event sent, or for a visitor (who
may see the same events whatever happens later) the point up to which every one of theirs is sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from abc import ABC, abstractmethod
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from chat_backend.cluster import metrics
from chat_backend.db.outage import report_failure
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.delivery import Batch
from chat_backend.domain.errors import DomainError
from chat_backend.realtime.action_costs import action_cost
from chat_backend.realtime.client_address import client_ip
from chat_backend.realtime.event_tail import Frame
from chat_backend.realtime.send_queue import SendQueue, frame_size
from chat_backend.realtime.services import Services
from chat_backend.realtime.socket_drop import drop_if_open, transport_of
from chat_protocol import MAX_FRAME_BYTES, Envelope, ErrorCode, parse_frame
from chat_protocol.actions import Socket, request_model
from chat_protocol.models import AnyEvent
from chat_protocol.socket_payloads import EventPush, Resumed

log = logging.getLogger(__name__)

CLOSE_INVALID_TOKEN = 4001
CLOSE_ORIGIN = 4003
CLOSE_LOGIN_TIMEOUT = 4002
CLOSE_OVERFLOW = 4008
CLOSE_POLICY = 1008
CLOSE_GOING_AWAY = 1001
CLOSE_TRY_LATER = 1013

DELIVERY_BATCH = 200


class Connection(ABC):
    """Base of the agent and visitor sockets (a hub `Subscriber`). Subclasses implement `login`,
    `handle` and `read_events`."""

    socket: Socket

    def __init__(self, ws: WebSocket, services: Services) -> None:
        self.ws = ws
        self.db = services.db
        self.hub = services.hub
        self.limits = services.hub.limits
        self.settings = services.settings
        self.router = services.router
        self.traffic = services.traffic
        self.calls = services.calls
        self.greeter = services.greeter
        self.tail = services.tail
        self.ip = client_ip(ws)
        self.agent: AgentIdentity | None = None
        self.visitor_id: str | None = None
        self.cursor: int | None = None
        self._queue = SendQueue(self.settings.send_queue_bytes)
        self._wake = asyncio.Event()
        self._deliver_lock = asyncio.Lock()
        self._closed = False  # nothing more is queued
        self._closing = False  # close() has run or runs
        self._writer_task: asyncio.Task[None] | None = None
        self._overflow_task: asyncio.Task[None] | None = None

    def describe(self) -> str:
        port = self.ws.client.port if self.ws.client else 0
        return f"{self.socket} socket {self.ip}:{port}"

    # --- sending ----------------------------------------------------------------------------

    def send(self, envelope: Envelope) -> None:
        """Queue a frame; past the byte bound the socket closes with 4008 and the client resumes."""
        if not self._closed:
            self._send_text(envelope.dumps())

    def _send_text(self, text: str) -> None:
        if self._closed or self._queue.put(text):
            return
        log.warning(
            "send queue full on %s (%d bytes queued, limit %d, next frame %d bytes); closing with 4008",
            self.describe(),
            self._queue.size,
            self._queue.limit,
            frame_size(text),
        )
        self._closed = True
        self._overflow_task = asyncio.get_running_loop().create_task(
            self.close(CLOSE_OVERFLOW, "send queue overflow")
        )

    def send_ephemeral(self, envelope: Envelope, coalesce_key: str | None = None) -> None:
        """Ephemeral pushes are coalesced by key and dropped first, once the queue is half full."""
        if not self._closed and not self._queue.half_full:
            self._queue.put_ephemeral(envelope.dumps(), coalesce_key)

    async def _writer(self) -> None:
        while True:
            await self.ws.send_text(await self._queue.get())

    def wake(self) -> None:
        self._wake.set()

    async def close(self, code: int, reason: str) -> None:
        """Close with `code`: what is still queued is dropped, the close frame gets
        `socket_close_timeout` seconds, and a connection still open then is reset (a peer that stopped
        reading would otherwise hold it, and its buffers, forever)."""
        if self._closing:
            return
        self._closing = self._closed = True
        self._queue.clear()
        timeout = self.settings.socket_close_timeout
        transport = transport_of(self.ws)
        if transport is not None:
            asyncio.get_running_loop().call_later(timeout, drop_if_open, transport, self.describe())
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                if self._writer_task is not None:  # it may wait on the full socket: nothing is written
                    self._writer_task.cancel()
                    await asyncio.gather(self._writer_task, return_exceptions=True)
                if self.ws.application_state == WebSocketState.CONNECTED:
                    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                        await self.ws.close(code, reason)

    # --- delivery ---------------------------------------------------------------------------

    async def resume(self, cursor: int, req_id: str | None) -> None:
        """Replay what this user may see after `cursor`, then answer; or `resync_required` when that
        is more than `max_replay` events or a quarter of the send queue."""
        async with self._deliver_lock:
            frames, newest = await self.replay_after(cursor, self.settings.max_replay + 1)
            if cursor > newest or len(frames) > self.settings.max_replay:
                raise DomainError(ErrorCode.RESYNC_REQUIRED, "The cursor is too old; load a snapshot.")
            if sum(frame_size(frame.text) for frame in frames) > self._queue.limit // 4:
                raise DomainError(ErrorCode.RESYNC_REQUIRED, "Too much to replay; load a snapshot.")
            for frame in frames:
                self._send_text(frame.text)
            self.cursor = frames[-1].event_id if frames else max(cursor, 0)
            self.send(Envelope.response("resume", Resumed(cursor=self.cursor, replayed=len(frames)), req_id))
        self.wake()

    async def replay_after(self, cursor: int, limit: int) -> tuple[list[Frame], int]:
        """What `resume` replays after `cursor` (at most `limit`) and the log's newest event id."""
        batch = await self.read_events(cursor, limit, with_newest=True)
        return event_frames(batch.events), batch.newest

    @abstractmethod
    async def read_events(self, cursor: int, limit: int, *, with_newest: bool = False) -> Batch:
        """Events after `cursor` that this connection's user may see now, read in one session (with
        the log's newest event id when `with_newest`)."""

    async def next_events(self, cursor: int, limit: int) -> tuple[list[Frame], int]:
        """The next events to deliver after `cursor` as `event` pushes, and where the cursor stands
        once they are all sent. An agent's reads the log (what an agent may see changes with the chat:
        the cursor stays at the last event sent); a visitor's takes them from the event tail."""
        events = (await self.read_events(cursor, limit)).events
        return event_frames(events), events[-1].event_id if events else cursor

    async def _deliverer(self) -> None:
        """New events as the log grows, no faster than the peer takes them: the next batch waits
        until the send queue is less than half full."""
        while not self._closed:
            await self._wake.wait()
            self._wake.clear()
            if self.cursor is None:
                continue
            await self._queue.roomy()
            async with self._deliver_lock:
                events, reached = await self.next_events(self.cursor, DELIVERY_BATCH)
                sent = 0
                for frame in events:
                    self._send_text(frame.text)
                    self.cursor = frame.event_id
                    sent += 1
                    if self._queue.half_full:
                        break
                if sent == len(events):
                    self.cursor = max(self.cursor, reached)
                metrics.delivered(frame.created_at for frame in events[:sent])
            if sent < len(events) or len(events) == DELIVERY_BATCH:
                self._wake.set()

    # --- receiving --------------------------------------------------------------------------

    @abstractmethod
    def on_registered(self) -> None:
        """Logged in and listed in the hub."""

    @abstractmethod
    def on_unregistered(self) -> None:
        """Gone from the hub."""

    def on_ended(self) -> None:  # noqa: B027 (optional hook)
        """The socket is over, logged in or not: give back what its login took."""

    def idle_timeout(self) -> float:
        return self.settings.idle_timeout

    @abstractmethod
    async def login(self, envelope: Envelope, payload: Any) -> None:
        """Check the first frame and answer it; DomainError refuses the socket."""

    @abstractmethod
    async def handle(self, envelope: Envelope, payload: Any) -> None:
        """Answer one request after login (ping, login and resume are handled here)."""

    async def run(self) -> None:
        refusal = self.limits.open_socket(self.ip)
        if refusal is not None:
            await self.ws.accept()  # accepted, so that the client sees why: 1013 and the reason
            await self.close(CLOSE_TRY_LATER, refusal)
            return
        try:
            await self._serve()
        finally:
            self.limits.close_socket(self.ip)
            self.on_ended()

    async def _serve(self) -> None:
        await self.ws.accept()
        self._writer_task = writer = asyncio.create_task(self._writer())
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
            metrics.LOGINS.labels(self.socket).inc()
            self.on_registered()
            deliverer = asyncio.create_task(self._deliverer())
            # Until the peer is gone: after a close from elsewhere (an overflow, a logout) the close
            # frame or the reset of a stuck connection ends this loop with a disconnect.
            while True:
                try:
                    frame = await asyncio.wait_for(self._next_frame(), self.idle_timeout())
                except TimeoutError:
                    await self.close(CLOSE_GOING_AWAY, "no frame for too long")
                    break
                if frame is not None and not self._closed:
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
        """Write a frame now, ahead of the queue (a refused login), waiting on the peer no longer than
        a close may."""
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, TimeoutError):
            async with asyncio.timeout(self.settings.socket_close_timeout):
                await self.ws.send_text(envelope.dumps())

    def _user(self) -> str | None:
        if self.agent is not None:
            return f"agent:{self.agent.agent_id}"
        return f"visitor:{self.visitor_id}" if self.visitor_id else None

    def _over_budget(self, action: str, req_id: str | None = None) -> bool:
        """Charge a frame to its user (once logged in); answers `rate_limited` and says True when the
        user's budget cannot pay it."""
        user = self._user()
        wait = self.limits.charge(user, action_cost(self.socket, action)) if user else None
        if wait is None:
            return False
        message = "Too many frames; slow down."
        self.send(Envelope.error(action or "frame", ErrorCode.RATE_LIMITED, message, req_id, _seconds(wait)))
        return True

    async def _next_frame(self) -> tuple[Envelope, BaseModel] | None:
        """The next valid request, or None after answering a bad (or unaffordable) frame with `err`."""
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        raw = message.get("text")
        if raw is None and message.get("bytes") is not None:
            raw = message["bytes"].decode("utf-8", "replace")
        raw = raw or ""
        if len(raw.encode("utf-8")) > MAX_FRAME_BYTES:
            if not self._over_budget(""):
                self.send(Envelope.error("frame", ErrorCode.FRAME_TOO_LARGE, "Frames are limited to 64 KiB."))
            return None
        try:
            envelope = parse_frame(raw)
        except ValueError:
            if not self._over_budget(""):
                self.send(Envelope.error("frame", ErrorCode.BAD_FRAME, "Not a protocol envelope."))
            return None
        action, req_id = envelope.action, envelope.req_id
        if self._over_budget(action, req_id):
            return None
        if envelope.type != "req":
            self.send(Envelope.error(action, ErrorCode.BAD_FRAME, "Only requests are accepted.", req_id))
            return None
        model = request_model(self.socket, action)
        if model is None:
            self.send(Envelope.error(action, ErrorCode.UNKNOWN_ACTION, "Unknown action.", req_id))
            return None
        try:
            return envelope, model.model_validate(envelope.payload)
        except ValidationError as exc:
            message_text = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            self.send(Envelope.error(action, ErrorCode.INVALID_PAYLOAD, message_text[:500], req_id))
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
            error = Envelope.error("login", exc.code, exc.message, envelope.req_id, exc.retry_after)
            await self._send_direct(error)
            code = {
                ErrorCode.ORIGIN_NOT_ALLOWED: CLOSE_ORIGIN,
                ErrorCode.RATE_LIMITED: CLOSE_TRY_LATER,
            }.get(exc.code, CLOSE_INVALID_TOKEN)
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
        except Exception as exc:
            report_failure(log, f"handling {envelope.action} on the {self.socket} socket", exc)
            self.send(Envelope.error(envelope.action, ErrorCode.INTERNAL, "Internal error.", envelope.req_id))

    def rate_limited(self, wait: float | None, message: str) -> None:
        """Refuse the request being handled when a limit says wait."""
        if wait is not None:
            raise DomainError(ErrorCode.RATE_LIMITED, message, retry_after=_seconds(wait))


def event_frames(events: list[AnyEvent]) -> list[Frame]:
    return [
        Frame(e.event_id, Envelope.push("event", EventPush(event=e)).dumps(), e.created_at) for e in events
    ]


def _seconds(wait: float) -> float:
    """A wait as told to clients: whole milliseconds, never 0."""
    return max(math.ceil(wait * 1000) / 1000, 0.001)

"""The agent WebSocket: login, resume by cursor, ping, reconnect, request/response matching.

Tokens travel in the first frame, never in the URL. Everything the server pushes goes to a
`RealtimeListener` through plain method calls; nothing here knows about Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from chat_protocol.enums import ErrorCode
from chat_protocol.versions import PROTOCOL_VERSION
from operator_app.errors import (
    ApiError,
    ApiErrorKind,
    AuthRejected,
    ConnectionLost,
    RealtimeError,
    RequestTimeout,
)
from operator_app.net.api import USER_AGENT
from operator_app.net.realtime_types import (
    CLOSE_AUTH,
    CLOSE_OVERFLOW,
    GOING_AWAY_CODES,
    GOING_AWAY_MAX_STREAK,
    OFFLINE_AFTER_FAILURES,
    ConnectionState,
    RealtimeListener,
    backoff_delay,
    drain_reconnect_delay,
)

__all__ = [
    "ConnectionLost",
    "ConnectionState",
    "RealtimeConnection",
    "RealtimeError",
    "RealtimeListener",
    "RequestTimeout",
    "backoff_delay",
]

# websockets and the socket's models are imported with the first connection (which starts once the
# window is shown), not before the first window.
if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

    from chat_protocol.calls import CallMedia, CallSignal, CallStatePush
    from chat_protocol.socket_payloads import AgentLoginResult, Resumed
    from chat_protocol.tickets import TicketPush
    from chat_protocol.traffic import TrafficDelta

log = logging.getLogger(__name__)


class RealtimeConnection:
    """Owns the agent socket for one session. `start()` it; `stop()` it; `request()` while connected."""

    def __init__(
        self,
        url: str,
        listener: RealtimeListener,
        token_provider: Callable[[bool], Awaitable[str]],
        *,
        ssl_context: ssl.SSLContext | None = None,
        proxy: str | None = None,
        proxy_ssl_context: ssl.SSLContext | None = None,
        ping_interval: float = 20.0,
        silence_timeout: float = 45.0,
        request_timeout: float = 15.0,
        resume_timeout: float = 60.0,
        backoff: Callable[[int], float] = backoff_delay,
        drain_delay: Callable[[], float] = drain_reconnect_delay,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if "?" in url:
            raise ValueError("the socket URL must not carry a query (tokens go in frames)")
        self.url = url
        self._listener = listener
        self._token_provider = token_provider
        self._ssl = ssl_context
        # The REST client's proxy (None: direct); `wss` goes through it with CONNECT.
        self._proxy = proxy
        self._proxy_ssl = proxy_ssl_context
        self._ping_interval = ping_interval
        self._silence_timeout = silence_timeout
        self._request_timeout = request_timeout
        self._resume_timeout = resume_timeout
        self._backoff = backoff
        self._drain_delay = drain_delay
        self._clock = clock
        self._ws: ClientConnection | None = None
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._ping_tasks: set[asyncio.Task[Any]] = set()
        self._last_rx = clock()
        self._state: ConnectionState | None = None
        self._stopping = False
        self._reached_connected = False
        self.login_result: AgentLoginResult | None = None
        # Who gets the `traffic` deltas (the traffic feed sets it while the traffic list is watched).
        self.on_traffic: Callable[[TrafficDelta], None] | None = None
        # Who gets the video call pushes (`call_state`, `call_signal`, `call_media`): the call controller.
        self.on_call: Callable[[CallStatePush | CallSignal | CallMedia], None] | None = None
        # Who gets the live page preview pushes (`preview`, `preview_state`), unvalidated: the previews.
        self.on_preview: Callable[[str, dict[str, Any]], None] | None = None
        # Who gets the `ticket` pushes (a ticket is new or changed): the session.
        self.on_ticket: Callable[[TicketPush], None] | None = None

    # --- public -----------------------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        return self._state or ConnectionState.OFFLINE

    @property
    def is_connected(self) -> bool:
        return self._connected.is_set()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="realtime")

    async def stop(self) -> None:
        """Close the socket and stop reconnecting."""
        self._stopping = True
        task, self._task = self._task, None
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), timeout=2.0)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for ping in list(self._ping_tasks):
            ping.cancel()
        self._set_state(ConnectionState.OFFLINE)

    async def wait_connected(self) -> None:
        await self._connected.wait()

    async def request(
        self, action: str, payload: BaseModel | dict[str, Any], *, answer_within: float | None = None
    ) -> dict[str, Any]:
        """Send a request once logged in and resumed; the `res` payload, or `RealtimeError`."""
        if not self._connected.is_set():
            raise ConnectionLost("not connected")
        return await self._request(action, payload, answer_within or self._request_timeout)

    async def notify(self, action: str, payload: BaseModel | dict[str, Any]) -> None:
        """Send a request whose answer nobody waits for (typing). Dropped when not connected."""
        from websockets.exceptions import ConnectionClosed

        ws = self._ws
        if ws is None or not self._connected.is_set():
            return
        frame = _frame("req", action, payload, uuid.uuid4().hex)
        with contextlib.suppress(ConnectionClosed):
            await ws.send(frame)

    # --- connection loop --------------------------------------------------------------------

    def _set_state(self, state: ConnectionState) -> None:
        if state != self._state:
            self._state = state
            log.info("connection %s", state.value)
            self._listener.on_state(state)

    async def _run(self) -> None:
        from websockets.exceptions import WebSocketException

        failures = 0
        ever_connected = False
        force_refresh = False
        auth_rejections = 0
        going_away = 0  # going-away closes since the last time we got connected
        while not self._stopping:
            if failures >= OFFLINE_AFTER_FAILURES:
                self._set_state(ConnectionState.OFFLINE)
            else:
                self._set_state(
                    ConnectionState.RECONNECTING if ever_connected else ConnectionState.CONNECTING
                )
            self._reached_connected = False
            close_code: int | None = None
            try:
                token = await self._token_provider(force_refresh)
                force_refresh = False
                close_code = await self._session(token)
            except AuthRejected as exc:
                close_code = CLOSE_AUTH
                log.info("socket refused our token (%s)", exc)
            except ApiError as exc:
                if exc.kind in (ApiErrorKind.SESSION_EXPIRED, ApiErrorKind.INVALID_CREDENTIALS):
                    self._give_up(exc)
                    return
                log.warning("token refresh failed: %s", exc)
            except RealtimeError as exc:
                if exc.code == ErrorCode.UNSUPPORTED_VERSION:
                    self._give_up(exc)
                    return
                log.warning("socket error: %s", exc)
            except (
                OSError,
                TimeoutError,
                WebSocketException,
                ConnectionLost,
                RequestTimeout,
            ) as exc:
                log.info("socket failed: %r", exc)
            except Exception:
                log.exception("unexpected error in the socket loop")
            if self._reached_connected:
                ever_connected = True
                failures = 0
                auth_rejections = 0
                going_away = 0
            if close_code == CLOSE_AUTH:
                auth_rejections += 1
                if auth_rejections >= 2:
                    self._give_up(ApiError(ApiErrorKind.SESSION_EXPIRED, "the server refused the session"))
                    return
                force_refresh = True
                delay = 0.0
            elif close_code == CLOSE_OVERFLOW:
                log.warning("the server closed the socket: our send queue overflowed; resuming")
                delay = 0.1
            elif close_code in GOING_AWAY_CODES and going_away < GOING_AWAY_MAX_STREAK:
                going_away += 1
                log.info("the server is going away (%s): reconnecting soon", close_code)
                delay = self._drain_delay()
            else:
                delay = self._backoff(failures)
                failures += 1
            if self._stopping:
                break
            if failures >= OFFLINE_AFTER_FAILURES:
                self._set_state(ConnectionState.OFFLINE)
            elif self._reached_connected:
                self._set_state(ConnectionState.RECONNECTING)
            log.info("reconnecting in %.1f s", delay)
            await asyncio.sleep(delay)

    def _give_up(self, error: Exception) -> None:
        log.warning("realtime connection stopped: %s", error)
        self._stopping = True
        self._set_state(ConnectionState.OFFLINE)
        self._listener.on_fatal(error)

    async def _session(self, token: str) -> int | None:
        """One connection from open to close; returns the close code."""
        from websockets.asyncio.client import connect

        proxy_options: dict[str, Any] = {"proxy_ssl": self._proxy_ssl} if self._proxy_ssl is not None else {}
        async with connect(
            self.url,
            ssl=self._ssl,
            proxy=self._proxy,
            **proxy_options,
            open_timeout=10,
            ping_interval=None,
            close_timeout=2,
            user_agent_header=USER_AGENT,
        ) as ws:
            self._ws = ws
            self._last_rx = self._clock()
            reader = asyncio.create_task(self._read_loop(ws), name="realtime-reader")
            try:
                await self._login(token)
                await self._resume()
                self._connected.set()
                self._reached_connected = True
                self._set_state(ConnectionState.CONNECTED)
                self._listener.on_resumed()
                await self._keepalive(ws, reader)
            except (ConnectionLost, RequestTimeout):
                if ws.close_code not in (CLOSE_AUTH, CLOSE_OVERFLOW, *GOING_AWAY_CODES):
                    raise
            finally:
                self._connected.clear()
                self._ws = None
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
                self._fail_pending(ConnectionLost("connection closed"))
        log.info("socket closed: code=%s reason=%r", ws.close_code, ws.close_reason)
        return ws.close_code

    async def _login(self, token: str) -> None:
        from chat_protocol.socket_payloads import AgentLoginRequest, AgentLoginResult

        payload = AgentLoginRequest(token=token, protocol=PROTOCOL_VERSION)
        try:
            result = await self._request("login", payload, self._request_timeout)
        except RealtimeError as exc:
            if exc.code in (ErrorCode.INVALID_TOKEN, ErrorCode.LOGIN_REQUIRED):
                raise AuthRejected(exc.code) from exc
            raise
        self.login_result = AgentLoginResult.model_validate(result)
        self._listener.on_logged_in(self.login_result)

    async def _resume(self) -> Resumed:
        from chat_protocol.socket_payloads import Resumed, ResumeRequest

        for _ in range(3):
            cursor = self._listener.get_cursor()
            try:
                result = await self._request("resume", ResumeRequest(cursor=cursor), self._resume_timeout)
            except RealtimeError as exc:
                if exc.code != ErrorCode.RESYNC_REQUIRED:
                    raise
                log.info("cursor %s too old: loading a snapshot", cursor)
                await self._listener.resync()
                continue
            resumed = Resumed.model_validate(result)
            log.info("resumed from %s: %s events replayed", cursor, resumed.replayed)
            return resumed
        raise ConnectionLost("resync did not converge")

    async def _keepalive(self, ws: ClientConnection, reader: asyncio.Task[None]) -> None:
        next_ping = self._clock() + self._ping_interval
        check = min(1.0, self._ping_interval / 2, self._silence_timeout / 4)
        while not reader.done():
            now = self._clock()
            await asyncio.wait({reader}, timeout=max(0.0, min(next_ping - now, check)))
            if reader.done():
                break
            now = self._clock()
            if now - self._last_rx > self._silence_timeout:
                log.warning("no frame for %.0f s: the connection is dead", now - self._last_rx)
                if ws.transport is not None:
                    ws.transport.abort()
                break
            if now >= next_ping:
                next_ping = now + self._ping_interval
                task = asyncio.create_task(self._ping())
                self._ping_tasks.add(task)
                task.add_done_callback(self._ping_tasks.discard)

    async def _ping(self) -> None:
        with contextlib.suppress(ConnectionLost, RequestTimeout, RealtimeError):
            await self._request("ping", {}, self._silence_timeout)

    # --- frames -----------------------------------------------------------------------------

    async def _request(
        self, action: str, payload: BaseModel | dict[str, Any], answer_within: float
    ) -> dict[str, Any]:
        from websockets.exceptions import ConnectionClosed

        ws = self._ws
        if ws is None:
            raise ConnectionLost("not connected")
        req_id = uuid.uuid4().hex
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        try:
            try:
                await ws.send(_frame("req", action, payload, req_id))
            except ConnectionClosed as exc:
                raise ConnectionLost(str(exc)) from exc
            try:
                # Not wait_for: on 3.11 it swallows a cancellation that races with the answer,
                # which left shutdown() waiting forever on a task that should have stopped.
                async with asyncio.timeout(answer_within):
                    return await future
            except TimeoutError as exc:
                raise RequestTimeout(f"{action}: no answer in {answer_within:.0f} s") from exc
        finally:
            self._pending.pop(req_id, None)

    def _fail_pending(self, error: Exception) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        self._pending.clear()

    async def _read_loop(self, ws: ClientConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                self._last_rx = self._clock()
                try:
                    self._dispatch(raw)
                except Exception:
                    log.exception("failed to handle a frame")
        self._fail_pending(ConnectionLost(f"connection closed ({ws.close_code})"))

    def _dispatch(self, raw: str | bytes) -> None:
        try:
            frame = json.loads(raw)
        except ValueError:
            log.warning("ignored a frame that is not JSON")
            return
        if not isinstance(frame, dict):
            log.warning("ignored a frame that is not an object")
            return
        kind = frame.get("type")
        action = frame.get("action")
        payload = frame.get("payload") or {}
        req_id = frame.get("req_id")
        if kind in ("res", "err"):
            future = self._pending.get(req_id) if isinstance(req_id, str) else None
            if future is None or future.done():
                log.debug("unmatched %s %s (req_id %s)", kind, action, req_id)
                return
            if kind == "res":
                future.set_result(payload)
            else:
                retry = payload.get("retry_after")
                future.set_exception(
                    RealtimeError(
                        str(payload.get("code", "unknown")),
                        str(payload.get("message", "")),
                        float(retry) if isinstance(retry, int | float) else None,
                    )
                )
        elif kind == "push":
            self._dispatch_push(str(action), payload)
        else:
            log.debug("ignored frame type %r", kind)

    def _dispatch_push(self, action: str, payload: dict[str, Any]) -> None:
        from chat_protocol.socket_payloads import (
            EventPush,
            ReadPush,
            SneakPeekPush,
            StatusPush,
            TypingPush,
            VisitorPresencePush,
        )

        try:
            if action == "event":
                self._listener.on_event(EventPush.model_validate(payload).event)
            elif action == "sneak_peek":
                self._listener.on_sneak_peek(SneakPeekPush.model_validate(payload))
            elif action == "typing":
                self._listener.on_typing(TypingPush.model_validate(payload))
            elif action == "status":
                self._listener.on_status(StatusPush.model_validate(payload))
            elif action == "read":
                self._listener.on_read(ReadPush.model_validate(payload))
            elif action == "visitor_presence":
                self._listener.on_visitor_presence(VisitorPresencePush.model_validate(payload))
            elif action == "traffic":
                if self.on_traffic is not None:
                    from chat_protocol.traffic import TrafficDelta

                    self.on_traffic(TrafficDelta.model_validate(payload))
            elif action == "ticket":
                if self.on_ticket is not None:
                    from chat_protocol.tickets import TicketPush

                    self.on_ticket(TicketPush.model_validate(payload))
            elif action in ("preview", "preview_state"):
                if self.on_preview is not None:
                    self.on_preview(action, payload)
            elif action in _CALL_PUSHES:
                if self.on_call is not None:
                    from chat_protocol import calls

                    self.on_call(getattr(calls, _CALL_PUSHES[action]).model_validate(payload))
            else:
                log.debug("ignored push %r", action)
        except ValidationError as exc:
            log.warning("ignored an invalid %r push: %s", action, exc)


_CALL_PUSHES = {"call_state": "CallStatePush", "call_signal": "CallSignal", "call_media": "CallMedia"}


def _frame(kind: str, action: str, payload: BaseModel | dict[str, Any], req_id: str | None) -> str:
    body = payload.model_dump(mode="json", exclude_none=True) if isinstance(payload, BaseModel) else payload
    frame: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": kind, "action": action, "payload": body}
    if req_id is not None:
        frame["req_id"] = req_id
    return json.dumps(frame, ensure_ascii=False)

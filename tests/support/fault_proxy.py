"""A small proxy in front of the real backend that can break the link on demand.

It produces network faults the real backend cannot produce when a test asks: a server that goes
silent, a socket closed with a chosen code, a request that never arrives, an answer that is lost.
It never answers anything itself: every byte the client gets came from the real backend.

How it works (one asyncio loop in a daemon thread, so any test loop can use it):

- The front port (`url`) reads the head of each HTTP request. A WebSocket upgrade to ``/ws/...``
  is piped to the relay port; anything else (REST) is piped byte for byte to the backend. So an app
  given `url` as its server talks REST to the backend and its socket goes through the relay.
- The relay is a websockets server. For each client socket it opens one to the backend (same path,
  same Origin) before accepting (502 if the backend is down), then forwards frames both ways and
  applies the switches. A close by the backend is passed on with its code; a backend that dies
  without a close frame breaks the client's connection just as abruptly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

# Close codes that may be sent in a close frame; others (1005, 1006, 1015) mean "no close frame".
_UNSENDABLE = {1005, 1006, 1015}


@dataclass(eq=False)
class _Link:
    """One client socket and its socket to the backend."""

    client: ServerConnection
    upstream: ClientConnection
    closed_by_proxy: bool = False


class FaultProxy:
    """`start()` it in front of `backend_url`; give the app `url`. Switches: `pause()`/`resume()`,
    `drop_next(action)`, `close_all(code)`. `frames(action)` lists the requests clients sent."""

    def __init__(self, backend_url: str) -> None:
        self.backend_url = backend_url
        # Shared with the proxy's thread: everything below the lock.
        self._lock = threading.Lock()
        self._frames: list[dict[str, Any]] = []
        self._paused = False
        self._drop_requests: list[str] = []
        self._drop_answers: list[str] = []
        self._swallowed_req_ids: set[str] = set()
        self._links: set[_Link] = set()
        # Used only on the proxy's loop.
        self._upstreams: dict[ServerConnection, ClientConnection] = {}
        self._pipes: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._front_port = 0
        self._relay_port = 0

    # --- lifecycle (call from the test's thread) ---------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._front_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self._front_port}"

    def start(self) -> None:
        ready = threading.Event()
        errors: list[BaseException] = []

        def main() -> None:
            try:
                asyncio.run(self._main(ready))
            except BaseException as exc:  # reported to start() or lost with the thread at exit
                errors.append(exc)
                ready.set()

        self._thread = threading.Thread(target=main, name="fault-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10) or errors:
            raise RuntimeError(f"the fault proxy did not start: {errors!r}")

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(15)

    # --- switches (call from any thread) ------------------------------------------------------

    def pause(self) -> None:
        """Silence: frames from the server to clients are dropped (on every socket, new ones too)."""
        with self._lock:
            self._paused = True

    def resume(self) -> None:
        with self._lock:
            self._paused = False

    def drop_next(self, action: str, *, answer: bool = False) -> None:
        """Swallow the next request of `action` (the server never sees it); with `answer=True`
        forward it but swallow the server's answer (the server commits, the client never hears)."""
        with self._lock:
            (self._drop_answers if answer else self._drop_requests).append(action)

    async def close_all(self, code: int, reason: str = "") -> None:
        """Close every client socket with `code` (and its backend socket normally); awaitable from
        any event loop."""
        assert self._loop is not None
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._close_all(code, reason), self._loop))

    def frames(self, action: str | None = None) -> list[dict[str, Any]]:
        """The requests clients sent through the proxy (swallowed ones included), oldest first."""
        with self._lock:
            return [f for f in self._frames if action is None or f.get("action") == action]

    # --- the proxy's loop --------------------------------------------------------------------

    async def _main(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        relay: Server = await serve(
            self._relay,
            "127.0.0.1",
            0,
            process_request=self._open_upstream,
            ping_interval=None,
            max_size=None,
            close_timeout=2,
        )
        front = await asyncio.start_server(self._route, "127.0.0.1", 0)
        self._relay_port = next(iter(relay.sockets)).getsockname()[1]
        self._front_port = front.sockets[0].getsockname()[1]
        ready.set()
        try:
            await self._stop.wait()
        finally:
            front.close()
            relay.close()
            for task in list(self._pipes):
                task.cancel()
            await asyncio.gather(*self._pipes, return_exceptions=True)
            await relay.wait_closed()
            await front.wait_closed()
            for upstream in self._upstreams.values():
                await upstream.close()

    async def _route(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Front port: send a socket upgrade to the relay and everything else to the backend."""
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        target: asyncio.StreamWriter | None = None
        try:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            request_line, _, headers = head.decode("latin-1").partition("\r\n")
            path = request_line.split(" ")[1] if request_line.count(" ") >= 2 else ""
            is_socket = path.startswith("/ws/") and "upgrade: websocket" in headers.lower()
            backend = urlsplit(self.backend_url)
            host, port = ("127.0.0.1", self._relay_port) if is_socket else (backend.hostname, backend.port)
            try:
                target_reader, target = await asyncio.open_connection(host, port)
            except OSError:
                return  # the backend is down: the client sees the connection close unanswered
            target.write(head)
            await asyncio.gather(_pipe(reader, target), _pipe(target_reader, writer))
        except asyncio.CancelledError:
            pass
        finally:
            for stream in (writer, target):
                if stream is not None:
                    stream.close()
                    with contextlib.suppress(Exception):
                        await stream.wait_closed()
            self._pipes.discard(task)

    async def _open_upstream(self, connection: ServerConnection, request: Request) -> Response | None:
        """Before accepting a client socket, open its twin to the backend; refuse with 502 if down."""
        url = urlsplit(self.backend_url)._replace(scheme="ws").geturl() + request.path
        try:
            upstream = await websockets.connect(
                url,
                origin=request.headers.get("Origin"),  # type: ignore[arg-type]
                user_agent_header=request.headers.get("User-Agent"),
                ping_interval=None,
                max_size=None,
                open_timeout=10,
                close_timeout=2,
            )
        except (OSError, TimeoutError, websockets.InvalidHandshake):
            return connection.respond(502, "the backend is not reachable\n")
        self._upstreams[connection] = upstream
        return None

    async def _relay(self, client: ServerConnection) -> None:
        link = _Link(client, self._upstreams.pop(client))
        with self._lock:
            self._links.add(link)
        to_server = asyncio.create_task(self._client_to_server(link))
        to_client = asyncio.create_task(self._server_to_client(link))
        try:
            await asyncio.wait({to_server, to_client}, return_when=asyncio.FIRST_COMPLETED)
            if to_client.done() and not link.closed_by_proxy:
                # The backend closed: pass its close code on, or break the client's link as abruptly.
                received = link.upstream.protocol.close_rcvd
                if received is not None and received.code not in _UNSENDABLE:
                    await client.close(received.code, received.reason)
                elif client.transport is not None:
                    client.transport.abort()
            await link.upstream.close()
            await client.close()
        finally:
            for task in (to_server, to_client):
                task.cancel()
            await asyncio.gather(to_server, to_client, return_exceptions=True)
            with self._lock:
                self._links.discard(link)

    async def _client_to_server(self, link: _Link) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in link.client:
                frame = _parse(raw)
                action = frame.get("action")
                with self._lock:
                    self._frames.append(frame)
                    if action in self._drop_requests:
                        self._drop_requests.remove(action)
                        continue
                    if action in self._drop_answers:
                        self._drop_answers.remove(action)
                        self._swallowed_req_ids.add(str(frame.get("req_id")))
                await link.upstream.send(raw)

    async def _server_to_client(self, link: _Link) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in link.upstream:
                frame = _parse(raw)
                with self._lock:
                    if self._paused:
                        continue
                    if frame.get("type") in ("res", "err") and frame.get("req_id") in self._swallowed_req_ids:
                        self._swallowed_req_ids.discard(str(frame["req_id"]))
                        continue
                await link.client.send(raw)

    async def _close_all(self, code: int, reason: str) -> None:
        with self._lock:
            links = list(self._links)
        for link in links:
            link.closed_by_proxy = True
            with contextlib.suppress(websockets.ConnectionClosed):
                await link.client.close(code, reason)


def _parse(raw: str | bytes) -> dict[str, Any]:
    try:
        frame = json.loads(raw)
    except ValueError:
        return {}
    return frame if isinstance(frame, dict) else {}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy bytes until the reader ends, then end the writer's side too."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()

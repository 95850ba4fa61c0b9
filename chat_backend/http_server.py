"""uvicorn's HTTP protocol with deadlines and size caps on what clients send (slowloris).

uvicorn closes a kept-alive connection that stays idle (`timeout_keep_alive`) but never one whose
request is half sent: a client that sends a request line and then one header byte a minute holds a
connection (a file descriptor and a parser) for ever, and enough of them exhaust the server. Neither of
its HTTP implementations (httptools, h11) bounds the time to receive a request's head or body, and
httptools not even the head's size. A reverse proxy usually does this; the backend also runs without one.

`GuardedHttpToolsProtocol` subclasses uvicorn's httptools protocol (the one it uses by default) and
overrides only its parser callbacks: the head (request line and headers) must arrive within
`header_timeout` of the connection or of the next request's first byte, and within `max_header_bytes`;
the body within `body_timeout` of the head and `max_body_bytes`. Otherwise the client gets 408, 431 or
413 (when no response has started) and the connection closes. A file sent into a chat (`POST` to an
`.../chats/{id}/attachments` route) may be larger and slower: `max_upload_bytes` within
`upload_timeout`; the route itself holds it to the admins' limit and to a minimum rate
(`chat_backend.files.upload_body`). Switching servers (hypercorn, granian)
would have been a larger change than these few overrides; tests/integration/test_http_hardening.py
runs them against the uvicorn version installed, so an incompatible release fails there.
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
from dataclasses import dataclass
from http import HTTPStatus
from types import FrameType
from typing import Any, ClassVar

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from chat_backend.cluster.drain import Drain

log = logging.getLogger(__name__)

_LINGER_SECONDS = 2.0


@dataclass(frozen=True)
class HttpLimits:
    header_timeout: float
    body_timeout: float
    max_header_bytes: int
    max_body_bytes: int
    max_upload_bytes: int = 50 * 1024 * 1024
    upload_timeout: float = 600.0


# The upload routes of attachments (`chat_backend.api.attachments`): a file's body, not a JSON one.
_UPLOAD_PATH = re.compile(rb"/api/v1/(?:visitor/)?chats/[^/?#]{1,64}/attachments(?:[?#].*)?")


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """One client connection; `limits` is set on the subclass `guarded_protocol` makes."""

    limits: ClassVar[HttpLimits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._in_head = True  # waiting for (the rest of) a request's line and headers
        self._begun = False  # a byte of that request has arrived
        self._head_bytes = 0
        self._body_bytes = 0
        self._body_limit = self.limits.max_body_bytes  # this request's
        self._refused = False

    # --- deadlines ------------------------------------------------------------------------

    def _arm(self, seconds: float) -> None:
        self._cancel()
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self._in_head and not self._begun:
            self._close()  # a connection that never sent a byte gets no answer
        else:
            self._refuse(HTTPStatus.REQUEST_TIMEOUT)

    def _refuse(self, status: HTTPStatus) -> None:
        """Answer `status` and close (only close if the app's answer is under way); whatever else arrives
        is ignored."""
        self._refused = True
        self._cancel()
        if self.transport.is_closing():
            return
        cycle = self.cycle
        answering = cycle is not None and not cycle.response_complete
        if answering and (self._in_head or cycle.response_started):
            # The app is answering (this request, or the one before a pipelined request): no room
            # for our answer on the connection.
            self._close()
            return
        body = status.phrase.encode()
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n%s" % (status.value, status.phrase.encode(), len(body), body)
        )
        if not self.transport.can_write_eof():
            self._close()
            return
        # A lingering close: closing with unread bytes from the client makes the kernel reset the
        # connection, and the client may lose the answer. Send it and our end of the stream, read and
        # drop what still comes, and close when the client does or after a moment.
        self.transport.write_eof()
        self.transport.resume_reading()
        self._deadline = self.loop.call_later(_LINGER_SECONDS, self._close)

    def _close(self) -> None:
        self._refused = True
        self._cancel()
        if not self.transport.is_closing():
            self.transport.close()

    # --- the connection -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_head and self._head_bytes > self.limits.max_header_bytes and not self._refused:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)

    # --- parser callbacks -----------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._refused:
            return
        super().on_message_begin()
        self._begun = True
        if self._deadline is None:  # the next request on a kept-alive connection: its first byte
            self._arm(self.limits.header_timeout)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        self._cancel()
        self._in_head = False
        self._head_bytes = self._body_bytes = 0
        if self.parser.should_upgrade() and self._should_upgrade():  # a WebSocket's protocol takes over
            # uvicorn caps `limit_concurrency` for plain requests only; sockets count towards it too.
            if self.limit_concurrency is not None and len(self.connections) >= self.limit_concurrency:
                self._refuse(HTTPStatus.SERVICE_UNAVAILABLE)
                return
            super().on_headers_complete()
            return
        upload = self.parser.get_method() == b"POST" and _UPLOAD_PATH.fullmatch(self.url) is not None
        self._body_limit = self.limits.max_upload_bytes if upload else self.limits.max_body_bytes
        length = dict(self.headers).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self._body_limit:
            # A malformed length never gets here (the parser refuses it); a huge one is refused now.
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        self._arm(self.limits.upload_timeout if upload else self.limits.body_timeout)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self._refused:
            return
        self._body_bytes += len(body)
        if self._body_bytes > self._body_limit:  # chunked: no length announced
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        self._cancel()
        self._in_head, self._begun = True, False
        self._head_bytes = 0
        super().on_message_complete()


def guarded_protocol(limits: HttpLimits) -> type[GuardedHttpToolsProtocol]:
    """The protocol class to give uvicorn (`http=`), with these limits."""
    return type("GuardedHttpProtocol", (GuardedHttpToolsProtocol,), {"limits": limits})


class DrainingServer(uvicorn.Server):
    """uvicorn's server, but the first SIGTERM (or SIGINT) drains the node before uvicorn's own shutdown
    (`chat_backend.cluster.drain`): the listener stays open meanwhile, so health checks see `/readyz`
    503. A second signal stops at once, as uvicorn does."""

    def __init__(self, config: uvicorn.Config, drain: Drain) -> None:
        super().__init__(config)
        self.drain = drain
        drain.open_connections = self._open_websockets
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drain_task: asyncio.Task[None] | None = None
        self._drain_asked = False

    async def startup(self, sockets: Any = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().startup(sockets=sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._loop is None or self._drain_asked or self.should_exit:
            super().handle_exit(sig, frame)
            return
        self._drain_asked = True
        log.info("signal %s: draining", signal.Signals(sig).name)
        self._loop.call_soon_threadsafe(self._start_drain)

    def _start_drain(self) -> None:
        self._drain_task = asyncio.get_running_loop().create_task(self.drain.run(self._exit))

    def _exit(self) -> None:
        self.should_exit = True

    def _open_websockets(self) -> int:
        """Connections past the upgrade (an HTTP connection is one of ours until then)."""
        return sum(1 for conn in self.server_state.connections if not isinstance(conn, HttpToolsProtocol))

"""The Redis pub/sub bus between the nodes of one deployment.

One channel, `{prefix}bus`, carries every message: a JSON header line (`n` the sending node, `k` the
kind), a newline, and a body sent as is (a frame's JSON text). Each node ignores its own messages and
hands the others' to the handler of their kind; kind `c` ("events were committed") wakes this node's
delivery (`on_remote_commit`), which then reads the log: the log stays the truth and a lost notice costs
latency only.

Sending never blocks the caller: operations are queued (bounded) and one task sends them in order, each
batch in one MULTI (so a presence change and its announcement land together). A commit notice is a flag,
not a queue entry: many commits between two round trips make one notice, and a notice that could not be
sent is sent with the next batch.

A node killed between a commit and its notice: the others wake once when its presence expires
(`Presence.on_node_gone`), and its clients' reconnections commit and wake everyone sooner.

Redis down (or restarted): a single warning; the listener reconnects with a growing delay (up to
`RECONNECT_MAX`), queued pushes are dropped (they are live only), and meanwhile the node checks the
log's newest event id every `POLL_INTERVAL` seconds and wakes its delivery when it grew. Back: every node
wakes its delivery once (notices sent while it was away are lost) and the `on_connected` hooks run
(presence rewrites its entries).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# A message of another node: (its node id, the header, the body).
Handler = Callable[[str, dict[str, Any], str], None]
# Commands added to the next batch's MULTI.
Operation = Callable[[Pipeline], object]

RECONNECT_FIRST = 0.2
RECONNECT_MAX = 5.0
POLL_INTERVAL = 1.0
MAX_QUEUED = 10_000
BATCH = 500
COMMIT = "c"


class Bus:
    def __init__(
        self,
        url: str,
        prefix: str,
        node_id: str,
        *,
        newest_event: Callable[[], Awaitable[int]],
        on_remote_commit: Callable[[], None],
    ) -> None:
        # No retries inside redis-py: a failure surfaces here, where the node falls back and reconnects.
        self.redis: Redis = Redis.from_url(
            url,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=10,
        )
        self.prefix = prefix
        self.node_id = node_id
        self.channel = f"{prefix}bus"
        self.newest_event = newest_event
        self.on_remote_commit = on_remote_commit
        self.handlers: dict[str, Handler] = {}
        self.on_connected: list[Callable[[], None]] = []  # run each time the bus is (again) connected
        self.connected = False  # subscribed, and the last read worked
        self._up = asyncio.Event()
        self._queue: deque[Operation] = deque()
        self._ready = asyncio.Event()
        self._commit_pending = False
        self._warned = False  # one warning per outage
        self._dropped = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._spawned: set[asyncio.Task[None]] = set()

    # --- sending ------------------------------------------------------------------------------

    def message(self, kind: str, header: dict[str, Any] | None = None, body: str = "") -> bytes:
        head = json.dumps({**(header or {}), "n": self.node_id, "k": kind}, separators=(",", ":"))
        return f"{head}\n{body}".encode()

    def publish(self, kind: str, header: dict[str, Any] | None = None, body: str = "") -> None:
        """Send a message to the other nodes (in order with everything queued before it)."""
        data = self.message(kind, header, body)
        self.enqueue(lambda pipe: pipe.publish(self.channel, data))

    def enqueue(self, operation: Operation) -> None:
        if len(self._queue) >= MAX_QUEUED:
            self._dropped += 1
            return
        self._queue.append(operation)
        self._ready.set()

    def committed(self) -> None:
        """Events were committed here: the other nodes are told with the next batch."""
        self._commit_pending = True
        self._ready.set()

    async def _send_loop(self) -> None:
        delay = RECONNECT_FIRST
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._queue or self._commit_pending:
                if not self.connected:
                    self._queue.clear()  # live pushes only; presence is rewritten on reconnect
                    await self._up.wait()
                    continue
                if await self._send_batch():
                    delay = RECONNECT_FIRST
                else:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RECONNECT_MAX)
            if self._dropped:
                log.warning("the bus to the other nodes fell behind: %d messages dropped", self._dropped)
                self._dropped = 0

    async def _send_batch(self) -> bool:
        batch = [self._queue.popleft() for _ in range(min(BATCH, len(self._queue)))]
        commit, self._commit_pending = self._commit_pending, False
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                if commit:
                    pipe.publish(self.channel, self.message(COMMIT))
                for operation in batch:
                    operation(pipe)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._commit_pending = self._commit_pending or commit
            self.trouble(exc)
            return False
        except Exception:  # a bug in an operation: drop the batch, keep sending
            self._commit_pending = self._commit_pending or commit
            log.exception("could not send %d operations on the bus", len(batch))
            return False
        return True

    async def _flush(self) -> None:
        """Send what is still queued (at shutdown, under a timeout)."""
        while self.connected and (self._queue or self._commit_pending):
            if not await self._send_batch():
                return

    # --- receiving ----------------------------------------------------------------------------

    async def _listen(self) -> None:
        delay = RECONNECT_FIRST
        first = True
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self._connected(first)
                first = False
                delay = RECONNECT_FIRST
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        self._receive(message["data"])
            except (RedisError, OSError) as exc:
                self.trouble(exc)
                self.connected = False
                self._up.clear()
            except Exception:  # a bug: the bus goes on rather than leave the node deaf
                log.exception("the bus listener failed; reconnecting")
                self.connected = False
                self._up.clear()
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)

    def _connected(self, first: bool) -> None:
        self.connected = True
        self._up.set()
        self._ready.set()
        if self._warned:
            self._warned = False
            log.info("Redis is reachable again; the nodes wake each other through it again")
        if not first:
            self.on_remote_commit()  # notices sent while this node was away are lost
        for hook in self.on_connected:
            hook()

    def _receive(self, data: bytes) -> None:
        head, _, body = data.partition(b"\n")
        try:
            header = json.loads(head)
            node, kind = str(header["n"]), str(header["k"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed message on the bus (%d bytes)", len(data))
            return
        if node == self.node_id:
            return
        if kind == COMMIT:
            self.on_remote_commit()
            return
        handler = self.handlers.get(kind)
        if handler is None:
            return  # a newer node's kind of message: not ours to read
        try:
            handler(node, header, body.decode("utf-8", "replace"))
        except (KeyError, TypeError, ValueError) as exc:  # a node of another release, say
            log.warning("ignored a %r message from node %s: %s", kind, node, _describe(exc))

    def trouble(self, exc: BaseException) -> None:
        """Redis failed: say so once until it works again."""
        if not self._warned:
            self._warned = True
            log.warning(
                "Redis unreachable (%s); pushes between nodes pause, the event log is read every %.0f s,"
                " reconnecting",
                _describe(exc),
                POLL_INTERVAL,
            )

    # --- fallback: reading the log ------------------------------------------------------------

    async def _poll_log(self) -> None:
        """While the bus is down: wake delivery when the log's newest event id grew."""
        newest: int | None = None
        failing = False
        while True:
            await asyncio.sleep(POLL_INTERVAL)
            if self.connected:
                newest = None
                continue
            try:
                current = await self.newest_event()
            except Exception as exc:  # the database may be down too; the next round tries again
                if not failing:
                    failing = True
                    log.warning("could not read the event log's newest id: %s", _describe(exc))
                continue
            failing = False
            if newest is None or current > newest:
                self.on_remote_commit()  # the first round too: what was committed as the bus broke
            newest = current

    # --- life ---------------------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in a task of the bus (kept referenced until done, cancelled at stop)."""
        task = asyncio.get_running_loop().create_task(work)
        self._spawned.add(task)
        task.add_done_callback(self._spawned.discard)

    async def wait_connected(self, within: float) -> bool:
        """Whether the bus is connected, waiting up to `within` seconds for it (at start)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await self._up.wait()
        return self.connected

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._listen()),
            loop.create_task(self._send_loop()),
            loop.create_task(self._poll_log()),
        ]

    async def stop(self, flush_timeout: float = 1.0) -> None:
        """Stop listening and sending; what is queued still goes out within `flush_timeout` s."""
        tasks = [*self._tasks, *self._spawned]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(flush_timeout):
                await self._flush()
        with contextlib.suppress(Exception):
            await self.redis.aclose()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]

"""Reading an upload's body from a real Starlette request: a whole body is read; one that trickles
in too slowly is given up (it would hold one of the few reading slots forever); one over the limit is
refused."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
from starlette.requests import Request
from starlette.types import Message

from chat_backend.files.upload_body import BodyTooLarge, BodyTooSlow, read_body

pytestmark = pytest.mark.asyncio


def _request(parts: list[tuple[float, bytes]], length: int | None = None, end: bool = True) -> Request:
    """A POST whose body arrives as `parts`: (seconds to wait first, bytes); then it ends (`end`), or
    nothing more comes, ever."""
    pending = list(parts)

    async def receive() -> Message:
        if not pending:
            await asyncio.Event().wait()  # the client neither sends nor goes away
        delay, data = pending.pop(0)
        await asyncio.sleep(delay)
        return {"type": "http.request", "body": data, "more_body": bool(pending) or not end}

    headers = [] if length is None else [(b"content-length", str(length).encode())]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers, "query_string": b""}
    return Request(scope, receive)


async def _within(seconds: float, work: Callable[[], Awaitable[bytes]]) -> bytes:
    async with asyncio.timeout(seconds):
        return await work()


async def test_a_steady_body_is_read_whole() -> None:
    parts = [(0.01, b"a" * 100) for _ in range(5)]
    got = await _within(5, lambda: read_body(_request(parts, 500), 1000, grace=0.5, min_rate=1000))
    assert got == b"a" * 500


async def test_a_body_that_stops_coming_is_given_up() -> None:
    started = time.monotonic()
    request = _request(
        [(0, b"x" * 10), (0, b"y" * 10)], length=900, end=False
    )  # promises more, sends 20 bytes
    with pytest.raises(BodyTooSlow):
        await _within(5, lambda: read_body(request, 1000, grace=0.2, min_rate=1000))
    assert time.monotonic() - started < 1


async def test_a_trickle_behind_the_pace_is_given_up() -> None:
    request = _request([(0.05, b"z")] * 200, length=200)  # 20 bytes a second, below 1000
    with pytest.raises(BodyTooSlow):
        await _within(5, lambda: read_body(request, 1000, grace=0.2, min_rate=1000))


async def test_a_body_over_the_limit_is_refused() -> None:
    with pytest.raises(BodyTooLarge):
        await read_body(_request([(0, b"a" * 20)], length=2000), 1000)
    with pytest.raises(BodyTooLarge):
        await read_body(_request([(0, b"a" * 600), (0, b"a" * 600)]), 1000)

"""Reading an upload's body: whole, or refused as soon as it passes the limit (a declared length over
it before anything is read), or falls behind a slow but steady pace (a client trickling bytes would
hold one of the few reading slots for as long as it likes). A client that goes away mid-upload leaves
nothing: the bytes read so far are only in memory."""

from __future__ import annotations

import asyncio
import time

from starlette.requests import ClientDisconnect, Request

# After the first GRACE_SECONDS, a body must keep arriving at MIN_BYTES_PER_SECOND on average (a poor
# mobile line sends several times that): each byte received buys the next ones 1/MIN_BYTES_PER_SECOND s.
GRACE_SECONDS = 20.0
MIN_BYTES_PER_SECOND = 10 * 1024


class BodyTooLarge(Exception):
    pass


class BodyIncomplete(Exception):
    pass


class BodyTooSlow(BodyIncomplete):
    """The body fell behind the pace (answered as an interrupted upload)."""


async def read_body(
    request: Request,
    max_bytes: int,
    grace: float = GRACE_SECONDS,
    min_rate: float = MIN_BYTES_PER_SECOND,
) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
        raise BodyTooLarge
    chunks: list[bytes] = []
    total = 0
    start = time.monotonic()
    stream = request.stream().__aiter__()
    try:
        while True:
            due = start + grace + total / min_rate
            try:
                chunk = await asyncio.wait_for(anext(stream), max(0.0, due - time.monotonic()))
            except StopAsyncIteration:
                break
            except TimeoutError as exc:
                raise BodyTooSlow from exc
            total += len(chunk)
            if total > max_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise BodyIncomplete from exc
    if declared is not None and total != int(declared):
        raise BodyIncomplete
    return b"".join(chunks)

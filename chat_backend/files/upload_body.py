"""Reading an upload's body: whole, or refused as soon as it passes the limit (a declared length over
it before anything is read). A client that goes away mid-upload leaves nothing: the bytes read so far
are only in memory."""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request


class BodyTooLarge(Exception):
    pass


class BodyIncomplete(Exception):
    pass


async def read_body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
        raise BodyTooLarge
    chunks: list[bytes] = []
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > max_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise BodyIncomplete from exc
    if declared is not None and total != int(declared):
        raise BodyIncomplete
    return b"".join(chunks)

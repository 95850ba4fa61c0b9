"""One socket's frames waiting to be written, bounded in bytes (protocol rule 10)."""

from __future__ import annotations

import asyncio
from collections import deque

# Bookkeeping a queued frame costs besides its text (the string object and its place in the queue), so
# that many tiny frames count for the memory they hold too.
FRAME_OVERHEAD = 64


def frame_size(text: str) -> int:
    """What a frame counts against the bound: its UTF-8 length plus `FRAME_OVERHEAD`."""
    return (len(text) if text.isascii() else len(text.encode())) + FRAME_OVERHEAD


class SendQueue:
    """Frames (JSON texts) in order, at most `limit` bytes by `frame_size`.

    `put` refuses a frame that would pass the limit (the socket then closes with 4008). An ephemeral
    frame is dropped instead once the queue is half full, and one with a key replaces the frame still
    waiting under that key, keeping its place."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.peak = 0
        self._items: deque[tuple[str | None, str]] = deque()  # (key, text); a keyed text is in _latest
        self._latest: dict[str, str] = {}
        self._ready = asyncio.Event()
        self._roomy = asyncio.Event()
        self._roomy.set()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def half_full(self) -> bool:
        return self.size >= self.limit // 2

    def put(self, text: str) -> bool:
        """Queue a frame; False (nothing queued) if it would pass the limit."""
        size = frame_size(text)
        if self.size + size > self.limit:
            return False
        self._items.append((None, text))
        self._grow(size)
        return True

    def put_ephemeral(self, text: str, key: str | None = None) -> None:
        """Queue an ephemeral frame unless the queue is half full; with a key, the newest text wins."""
        if self.half_full:
            return
        size = frame_size(text)
        if key is None:
            self.put(text)
            return
        old = self._latest.get(key)
        self._latest[key] = text
        if old is None:
            self._items.append((key, ""))
            self._grow(size)
        else:
            self._grow(size - frame_size(old))

    async def get(self) -> str:
        """The next frame, waiting for one."""
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        key, text = self._items.popleft()
        if key is not None:
            text = self._latest.pop(key)
        self._grow(-frame_size(text))
        return text

    async def roomy(self) -> None:
        """Wait until the queue is less than half full."""
        await self._roomy.wait()

    def clear(self) -> None:
        self._items.clear()
        self._latest.clear()
        self._grow(-self.size)

    def _grow(self, size: int) -> None:
        self.size += size
        self.peak = max(self.peak, self.size)
        if self._items:
            self._ready.set()
        if self.half_full:
            self._roomy.clear()
        else:
            self._roomy.set()

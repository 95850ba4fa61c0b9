"""Waiting for a condition inside a running asyncio loop (qasync or plain), without sleeping blindly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(condition: Callable[[], object], within: float = 20.0, what: str = "condition") -> None:
    """Poll `condition` every 20 ms; AssertionError naming `what` after `within` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)

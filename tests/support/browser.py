"""Headless Chromium (Debian's package) driven by Playwright from its own thread.

Playwright's sync API must not run inside a thread with a running asyncio loop, and the app's tests
run a qasync loop on the main thread; so every browser call is shipped to one worker thread, and
coroutines await the result with `await browser.call(fn, ...)`.

Python's cyclic garbage collector runs in whichever thread happens to allocate. Garbage Qt objects of
the app (a widget with a running QTimer in a reference cycle) collected in the browser thread are
destroyed from the wrong thread ("Timers cannot be stopped from another thread", and at worst a crash).
So the collector is paused while the browser thread works, and garbage is collected on the main thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
from collections.abc import Callable
from typing import Any, TypeVar

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
T = TypeVar("T")


class BrowserThread:
    """One Chromium in one thread; `page` is created by `open_page`."""

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self.page: Page | None = None
        self._pool.submit(_without_gc, self._start).result(60)

    def _start(self) -> None:
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` in the browser thread and wait (for code outside any loop)."""
        return self._pool.submit(_without_gc, fn, *args).result(60)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` in the browser thread; the caller's loop keeps running meanwhile."""
        return await asyncio.wrap_future(self._pool.submit(_without_gc, fn, *args))

    def new_page(self, url: str, locale: str = "en-US", record_frames: list[str] | None = None) -> Page:
        """A page in a fresh context (empty storage); call it in the browser thread.

        With `record_frames`, every WebSocket frame the page receives is appended to it."""
        assert self._browser is not None
        context = self._browser.new_context(locale=locale, viewport={"width": 1200, "height": 800})
        page = context.new_page()
        if record_frames is not None:
            page.on(
                "websocket", lambda ws: ws.on("framereceived", lambda frame: record_frames.append(str(frame)))
            )
        page.goto(url)
        self.page = page
        return page

    def open_page(self, url: str, locale: str = "en-US") -> Page:
        return self.run(self.new_page, url, locale)

    def close(self) -> None:
        def _stop() -> None:
            if self._browser is not None:
                self._browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        self._pool.submit(_without_gc, _stop).result(60)
        self._pool.shutdown()


def _without_gc(fn: Callable[..., T], *args: Any) -> T:
    """Run `fn` in the browser thread with the cyclic collector paused (see the module docstring)."""
    gc.disable()
    try:
        return fn(*args)
    finally:
        gc.enable()

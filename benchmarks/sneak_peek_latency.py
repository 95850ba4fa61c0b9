"""A keystroke in the widget (headless Chromium) -> the text shown in the app's sneak-peek line.

    .venv/bin/python -m benchmarks.sneak_peek_latency [--keys 200] [--interval-ms 260 60] [--smoke]

Everything is real and on loopback: the backend in a subprocess, the widget in Debian's Chromium, the
operator app (offscreen) in this process. Keystroke i counts as shown when the app's sneakPeekLabel
first holds at least i typed characters. The widget throttles sneak peek to one frame per ~200 ms
(leading and trailing edge), so typing slower than that measures the pipeline and typing faster
also measures the throttle; both are reported. `--smoke`: 12 keystrokes at each speed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.app_steps import hold_new_chat  # noqa: E402
from benchmarks.deadline import hard_timeout  # noqa: E402
from operator_app.app import AppController  # noqa: E402
from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.browser import BrowserThread  # noqa: E402
from tests.support.waiting import until  # noqa: E402

TEXT = "where is my order and how long does shipping to osaka take "


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(backend: BackendProcess, browser: BrowserThread, keys: int, intervals: list[float]) -> None:
    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    session = controller.session
    assert session is not None
    await until(lambda: session.connection_state.value == "connected")
    await session.set_status(type(session.store.status)("accepting"))

    def open_and_send() -> None:
        page = browser.new_page(backend.demo_url)
        page.get_by_test_id("launcher").click()
        page.get_by_test_id("message-input").fill("hello")
        page.get_by_test_id("send").click()

    await browser.call(open_and_send)
    await hold_new_chat(window)
    label = window.chat_panel.sneak_peek
    shown: list[tuple[float, int]] = []

    def on_peek(_chat_id: str, _text: str) -> None:
        shown.append((time.perf_counter(), len(label.peek_text)))

    session.signals.sneak_peek_changed.connect(on_peek)
    for interval in intervals:
        shown.clear()
        typed = (TEXT * (keys // len(TEXT) + 1))[:keys]

        def type_keys(text: str = typed, pause: float = interval) -> list[float]:
            page = browser.page
            assert page is not None
            box = page.get_by_test_id("message-input")
            box.fill("")
            page.wait_for_timeout(400)
            stamps = []
            for char in text:
                stamps.append(time.perf_counter())
                box.press(char if char != " " else "Space")
                page.wait_for_timeout(pause * 1000)
            return stamps

        await asyncio.sleep(0.5)
        shown.clear()
        stamps = await browser.call(type_keys)
        await asyncio.sleep(1.0)
        latencies = []
        for index, stamp in enumerate(stamps, start=1):
            first = next(
                (t for t, length in shown if length >= len(typed[:index].strip()) and t >= stamp), None
            )
            if first is not None:
                latencies.append((first - stamp) * 1000)
        missing = len(stamps) - len(latencies)
        print(
            f"sneak_peek_latency, one keystroke every {interval * 1000:.0f} ms, {len(stamps)} keystrokes: "
            f"p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
            f"max {max(latencies):.1f} ms, mean {statistics.mean(latencies):.1f} ms"
            + (f", {missing} never shown" if missing else "")
        )
    await controller.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--interval-ms", type=float, nargs="+", default=[260.0, 60.0])
    parser.add_argument("--smoke", action="store_true", help="12 keystrokes per speed: a few seconds")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    if args.smoke:
        args.keys = 12
    hard_timeout(args.timeout or (150 if args.smoke else 900), "sneak_peek_latency")
    keyring.set_keyring(keyring.backends.null.Keyring())
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPERATOR_APP_HOME"] = str(Path(tmp) / "app")
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        browser = BrowserThread()
        try:
            app = QApplication.instance() or QApplication([])
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            intervals = [ms / 1000 for ms in args.interval_ms]
            loop.run_until_complete(measure(backend, browser, args.keys, intervals))
        finally:
            browser.close()
            backend.stop()


if __name__ == "__main__":
    main()

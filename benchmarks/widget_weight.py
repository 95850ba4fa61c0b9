"""What the website widget costs a page that embeds it, before the visitor opens the launcher.

    .venv/bin/python -m benchmarks.widget_weight [--runs 10] [--smoke]

The backend (demo mode) in a subprocess; the demo shop's home page in headless Chromium (Debian's
package) through Playwright. For each run, a fresh browser context (empty cache and storage) loads the
page (the first view), waits until the widget is up (launcher shown, socket connected), then loads the
same page again in the same context (a repeat view, as a visitor moving through the site does).

Printed, per view (medians over the runs):
- the bytes that crossed the network for the widget's files (`/widget.js`, `/widget/chunks/*`): CDP
  `Network.loadingFinished.encodedDataLength`, i.e. headers plus the body as sent (compressed);
  requests answered from the browser's cache count 0 (a 304 counts its headers); also how many
  requests, and how many went over the network;
- the widget's main-thread time: the loader's and the entry's synchronous work as the widget measures
  it (`performance.measure("livechat:boot")`: from the entry's `boot()` to the widget built and the
  socket opened), and the time from the loader's first line to the launcher on screen (wall clock,
  network included).
The visitor socket's frames (login, transcript) are counted apart: they are not files.

Goals (reported, not asserted): under 15 KB on a first view, under 1 KB on a repeat view.
`--smoke`: one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import BrowserContext, expect, sync_playwright  # noqa: E402

from benchmarks.deadline import hard_timeout  # noqa: E402
from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

GOAL_FIRST = 15 * 1024
GOAL_REPEAT = 1024


def _is_widget(url: str) -> bool:
    path = url.split("?", 1)[0].split("://", 1)[-1].partition("/")[2]
    return path == "widget.js" or path.startswith("widget/chunks/")


def view(context: BrowserContext, url: str) -> dict[str, Any]:
    """Load `url` in a new tab of `context`; the widget's network bytes and main-thread time."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    statuses: dict[str, int] = {}
    cached: set[str] = set()
    sizes: dict[str, float] = {}
    ws_bytes = [0]
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on(
        "Network.responseReceived", lambda e: statuses.__setitem__(e["requestId"], e["response"]["status"])
    )
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on(
        "Network.webSocketFrameReceived",
        lambda e: ws_bytes.__setitem__(0, ws_bytes[0] + len(e["response"]["payloadData"])),
    )
    cdp.on(
        "Network.webSocketFrameSent",
        lambda e: ws_bytes.__setitem__(0, ws_bytes[0] + len(e["response"]["payloadData"])),
    )
    page.goto(url)
    expect(page.get_by_test_id("launcher")).to_be_visible(timeout=30_000)
    page.wait_for_function("() => window.LiveChatWidget.state() === 'connected'", timeout=30_000)
    page.wait_for_load_state("networkidle")
    timing = page.evaluate(
        """() => {
          const boot = performance.getEntriesByName("livechat:boot")[0];
          const loader = performance.getEntriesByName("livechat:loader")[0];
          return {boot: boot ? boot.duration : null,
                  ready: boot && loader ? boot.startTime + boot.duration - loader.startTime : null};
        }"""
    )
    widget = [rid for rid, u in urls.items() if _is_widget(u)]
    figures = {
        "bytes": sum(sizes.get(rid, 0) for rid in widget if rid not in cached),
        "requests": len(widget),
        # A 304 shows as the cached 200 in CDP: what crossed the network is what counts.
        "over_network": sum(1 for rid in widget if rid not in cached and sizes.get(rid, 0) > 0),
        "boot_ms": timing["boot"],
        "ready_ms": timing["ready"],
        "ws_bytes": ws_bytes[0],
    }
    cdp.detach()
    page.close()
    return figures


def _median(rows: list[dict[str, Any]], key: str) -> float:
    values = [row[key] for row in rows if row[key] is not None]
    return statistics.median(values) if values else float("nan")


def report(name: str, rows: list[dict[str, Any]], goal: int) -> None:
    size = _median(rows, "bytes")
    print(
        f"{name:12s} widget files {size / 1024:6.2f} KB over the network "
        f"({'within' if size < goal else 'OVER'} the {goal / 1024:.0f} KB goal); "
        f"{_median(rows, 'requests'):.0f} requests, {_median(rows, 'over_network'):.0f} over the network; "
        f"boot {_median(rows, 'boot_ms'):.1f} ms on the main thread, launcher after {_median(rows, 'ready_ms'):.0f} ms; "
        f"socket frames {_median(rows, 'ws_bytes') / 1024:.1f} KB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="one run")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
    hard_timeout(args.timeout or (90 if args.smoke else 600), "widget_weight")
    with tempfile.TemporaryDirectory() as tmp:
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                first: list[dict[str, Any]] = []
                repeat: list[dict[str, Any]] = []
                for _ in range(args.runs):
                    context = browser.new_context(viewport={"width": 1200, "height": 800})
                    first.append(view(context, backend.demo_url))
                    repeat.append(view(context, backend.demo_url))
                    context.close()
                browser.close()
        finally:
            backend.stop()
    print(f"widget weight, {args.runs} run(s), medians:")
    report("first view", first, GOAL_FIRST)
    report("repeat view", repeat, GOAL_REPEAT)


if __name__ == "__main__":
    main()

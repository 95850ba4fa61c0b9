"""One operator app with 6 active chats while 50 visitors type and send at realistic rates.

    .venv/bin/python -m benchmarks.concurrent_chats [--visitors 50] [--seconds 60] [--smoke]

Real backend (subprocess), real visitors (benchmarks.visitor_load in another process), the real app
offscreen in this process. Reports the app's event-loop lag (a 5 ms timer's lateness) p50/p99/max,
its CPU use and RSS. The operator switches between the 6 chats every 2 s, as people do.
`--smoke`: 8 visitors for 7 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.deadline import hard_timeout  # noqa: E402
from benchmarks.sneak_peek_latency import percentile  # noqa: E402
from operator_app.app import AppController  # noqa: E402
from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402

HELD = 6


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def measure(backend: BackendProcess, visitors: int, seconds: float) -> None:
    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    session = controller.session
    assert session is not None
    await until(lambda: session.connection_state.value == "connected")
    await session.set_status(type(session.store.status)("accepting"))
    idle_rss = rss_mb()
    load = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.visitor_load", "--url", backend.url,
        "--visitors", str(visitors), "--seconds", str(seconds),
        stdout=subprocess.PIPE,
    )  # fmt: skip
    held = min(HELD, visitors)  # routing gives the agent up to HELD chats (see main)
    await until(lambda: window.my_chats.rowCount() >= held, within=60, what=f"{held} chats held")
    lags: list[float] = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    end = wall0 + seconds - 5
    switch_at = wall0
    row = 0
    while time.perf_counter() < end:
        start = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append((time.perf_counter() - start - 0.005) * 1000)
        if start >= switch_at:
            row = (row + 1) % window.my_chats.rowCount()
            window.chat_list.setCurrentIndex(window.my_chats.index(row, 0))
            switch_at = start + 2
    cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0) * 100
    out, _ = await load.communicate()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    messages = sum(len(c.entries) for c in session.store.chats.values())
    print(f"visitor load sent: {out.decode().strip()}")
    print(
        f"concurrent_chats ({visitors} visitors, {window.my_chats.rowCount()} chats held, "
        f"{window.queue.rowCount()} queued, {messages} transcript entries, {seconds:.0f} s): "
        f"event-loop lag p50 {percentile(lags, 0.5):.2f} ms, p99 {percentile(lags, 0.99):.2f} ms, "
        f"max {max(lags):.1f} ms; app CPU {cpu:.0f}% of one core; "
        f"RSS idle {idle_rss:.0f} MB, end {rss_mb():.0f} MB, peak {peak:.0f} MB"
    )
    await controller.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="visitor load; measured over all but 5 s")
    parser.add_argument("--smoke", action="store_true", help="8 visitors for 7 s")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    if args.smoke:
        args.visitors, args.seconds = 8, 7.0
    hard_timeout(args.timeout or (150 if args.smoke else 240 + args.seconds), "concurrent_chats")
    keyring.set_keyring(keyring.backends.null.Keyring())
    # Every simulated visitor opens a chat from 127.0.0.1: allow that many new chats from one IP.
    os.environ["CHAT_NEW_CHATS_PER_IP_BURST"] = str(args.visitors * 2)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPERATOR_APP_HOME"] = str(Path(tmp) / "app")
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        try:
            backend.cli("routing", "--max-chats", str(HELD))
            app = QApplication.instance() or QApplication([])
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            loop.run_until_complete(measure(backend, args.visitors, args.seconds))
        finally:
            backend.stop()


if __name__ == "__main__":
    main()

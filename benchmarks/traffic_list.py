"""The customers view with 10,000 visitors on the site and ~200 visitor updates per second.

    .venv/bin/python -m benchmarks.traffic_list [--visitors 10000] [--rate 200] [--seconds 60] [--smoke]

Real backend (subprocess, its per-IP connection limit raised), real visitors (raw sockets in
`benchmarks.visitor_swarm` child processes, pinging to stay alive), and the real app offscreen in
this process with the customers view shown and watching the traffic list. Then the visitors send page
views, carts and activity changes at `--rate` per second for `--seconds`. Reports the app's event-loop
lag (a 5 ms timer's lateness) p50/p99/max, its CPU use and its RSS at the start and the end.
`--smoke`: 100 visitors, 50 updates a second for 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.concurrent_chats import rss_mb  # noqa: E402
from benchmarks.deadline import hard_timeout  # noqa: E402
from benchmarks.sneak_peek_latency import percentile  # noqa: E402
from benchmarks.visitor_swarm import SwarmProcess  # noqa: E402
from operator_app.app import AppController  # noqa: E402
from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402

CHUNK = 500


async def crowd(backend: BackendProcess, visitors: int, processes: int) -> list[SwarmProcess]:
    swarms = [SwarmProcess(backend.url, seed=n + 1) for n in range(processes)]
    for swarm in swarms:
        await swarm.start()
    started = time.perf_counter()
    share = [visitors // processes + (1 if n < visitors % processes else 0) for n in range(processes)]

    connected = 0

    async def fill(swarm: SwarmProcess, count: int) -> None:
        nonlocal connected
        while count > 0:
            step = min(CHUNK, count)
            await swarm.command("arrive", count=step)
            count -= step
            connected += step
            print(f"  {connected} visitors connected ({time.perf_counter() - started:.0f} s)", flush=True)

    await asyncio.gather(*(fill(s, c) for s, c in zip(swarms, share, strict=True)))
    print(f"{visitors} visitors connected in {time.perf_counter() - started:.0f} s")
    return swarms


async def measure(backend: BackendProcess, args: argparse.Namespace) -> None:
    swarms = await crowd(backend, args.visitors, args.processes)
    try:
        controller = AppController()
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        await until(lambda: window.connection_state.state == "connected", within=60)
        workspaces = window.workspaces
        workspaces.show_traffic(True)
        model = workspaces.service.model
        await until(lambda: model.rowCount() >= args.visitors, within=120, what="the traffic snapshot")
        await asyncio.sleep(2)
        start_rss = rss_mb()
        resets = 0

        def reset() -> None:
            nonlocal resets
            resets += 1

        model.modelReset.connect(reset)
        rate = args.rate / len(swarms)
        load = asyncio.gather(*(s.command("updates", rate=rate, seconds=args.seconds) for s in swarms))
        lags: list[float] = []
        cpu0, wall0 = time.process_time(), time.perf_counter()
        end = wall0 + args.seconds
        selected = 0
        while time.perf_counter() < end:
            begin = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append((time.perf_counter() - begin - 0.005) * 1000)
            if begin - wall0 > selected * 5:  # an operator clicks through visitors every 5 s
                selected += 1
                workspaces.traffic.table.selectRow(selected * 7 % max(1, model.rowCount()))
        cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0) * 100
        sent = sum(answer["sent"] for answer in await load)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"traffic_list ({model.rowCount()} visitors shown, {sent} visitor updates in {args.seconds:.0f} s, "
            f"{sent / args.seconds:.0f}/s, {resets} model resets): event-loop lag p50 "
            f"{percentile(lags, 0.5):.2f} ms, p99 {percentile(lags, 0.99):.2f} ms, max {max(lags):.1f} ms; "
            f"app CPU {cpu:.0f}% of one core; RSS start {start_rss:.0f} MB, end {rss_mb():.0f} MB, "
            f"peak {peak:.0f} MB"
        )
        await controller.shutdown()
    finally:
        for swarm in swarms:
            await swarm.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200, help="visitor updates per second")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--processes", type=int, default=2, help="child processes holding the visitors")
    parser.add_argument("--smoke", action="store_true", help="100 visitors, 50 updates a second for 3 s")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    if args.smoke:
        args.visitors, args.rate, args.seconds = 100, 50.0, 3.0
    hard_timeout(args.timeout or (150 if args.smoke else 600 + args.seconds), "traffic_list")
    keyring.set_keyring(keyring.backends.null.Keyring())
    # Every visitor connects from 127.0.0.1: raise the limits per IP (and per site) above the crowd.
    os.environ["CHAT_CONNECT_BURST"] = str(args.visitors * 2)
    os.environ["CHAT_CONNECT_RATE"] = str(args.visitors)
    os.environ["CHAT_HTTP_MAX_CONNECTIONS"] = str(args.visitors + 1000)
    os.environ["CHAT_MAX_SOCKETS_PER_IP"] = str(args.visitors * 2)
    os.environ["CHAT_MAX_VISITOR_SOCKETS_PER_SITE"] = str(args.visitors * 2)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPERATOR_APP_HOME"] = str(Path(tmp) / "app")
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        try:
            app = QApplication.instance() or QApplication([])
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            loop.run_until_complete(measure(backend, args))
        finally:
            backend.stop()


if __name__ == "__main__":
    main()

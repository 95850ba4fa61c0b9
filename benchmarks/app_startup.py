"""Launch -> main window shown with chats loaded: wall time and peak RSS of the operator app.

    .venv/bin/python -m benchmarks.app_startup [--runs 5] [--mine 6] [--queue 10]

Starts a real backend, seeds chats, then launches `python -m operator_app` (offscreen) logged in
through the command line, and waits for the app's log line "main window shown with N chats loaded".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.seed import seed_chats
from tests.support.backend import BackendProcess

MARKER = "main window shown with"


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def launch_once(backend: BackendProcess, home: Path, timeout: float = 60.0) -> tuple[float, float, str]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env.update(OPERATOR_APP_HOME=str(home), OPERATOR_APP_PASSWORD=backend.agent_password)
    cmd = [sys.executable, "-m", "operator_app", "--server", backend.url, "--email", backend.agent_email]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + timeout
        while time.perf_counter() < deadline:
            for log in home.glob("log/*.log"):
                text = log.read_text(encoding="utf-8", errors="replace")
                if MARKER in text:
                    elapsed = time.perf_counter() - started
                    line = next(line for line in text.splitlines() if MARKER in line)
                    return elapsed, _peak_rss_mb(proc.pid), line
            if proc.poll() is not None:
                raise RuntimeError(f"the app exited with {proc.returncode} before showing its window")
            time.sleep(0.005)
        raise RuntimeError("the main window was not shown in time")
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mine", type=int, default=6, help="chats held by the agent")
    parser.add_argument("--queue", type=int, default=10, help="chats waiting in the queue")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        try:
            asyncio.run(seed_chats(backend, args.mine, args.queue))
            times, peaks = [], []
            for run in range(args.runs):
                elapsed, peak, line = launch_once(backend, Path(tmp) / f"run{run}")
                times.append(elapsed)
                peaks.append(peak)
                print(
                    f"run {run + 1}: {elapsed * 1000:.0f} ms, peak RSS {peak:.0f} MB  ({line.strip()[-60:]})"
                )
        finally:
            backend.stop()
    print(
        f"app_startup over {args.runs} runs ({args.mine} chats + {args.queue} queued): "
        f"wall median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, "
        f"max {max(times) * 1000:.0f}); peak RSS median {statistics.median(peaks):.0f} MB (max {max(peaks):.0f})"
    )


if __name__ == "__main__":
    main()

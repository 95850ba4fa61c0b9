"""Run the benchmarks one after the other; exit non-zero if any fails.

    .venv/bin/python -m benchmarks --smoke          # every benchmark in smoke mode (CI)
    .venv/bin/python -m benchmarks [NAME ...]       # full runs (minutes each)

Each benchmark runs in its own process and session, from the repository root, offscreen. Each has
its own hard timeout (`benchmarks.deadline`); this runner also kills a benchmark's whole process
group if it outlives that by a margin, so one hang costs at most its budget.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Name -> (smoke budget, full budget) in seconds: the benchmark's own hard timeout. The runner waits
# GRACE seconds more before it kills the process group.
BENCHMARKS: dict[str, tuple[float, float]] = {
    "app_startup": (120, 600),
    "attachments": (60, 900),
    "archive_search": (120, 7200),
    "cluster": (150, 3600),
    "concurrent_chats": (150, 400),
    "live_preview": (90, 600),
    "logins": (60, 1800),
    "package": (120, 1800),
    "relay": (60, 900),
    "reports": (60, 7200),
    "sneak_peek_latency": (150, 900),
    "traffic_list": (150, 900),
    "video_call": (150, 420),
    "widget_weight": (90, 600),
}
GRACE = 30.0


def run_one(name: str, smoke: bool) -> tuple[int, float]:
    """Exit status (or -SIGNAL, or 124 when killed here) and wall seconds."""
    budget = BENCHMARKS[name][0 if smoke else 1]
    cmd = [sys.executable, "-m", f"benchmarks.{name}", "--timeout", str(budget)]
    if smoke:
        cmd.append("--smoke")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(f"=== {name}{' (smoke)' if smoke else ''}: {' '.join(cmd[1:])}", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    try:
        status = proc.wait(budget + GRACE)
    except subprocess.TimeoutExpired:
        print(f"=== {name}: still running {budget + GRACE:.0f} s after its start; killed", flush=True)
        status = 124
    finally:
        # Whatever the benchmark left behind (a backend, Chromium) goes with its process group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return status, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds each")
    parser.add_argument("names", nargs="*", metavar="NAME", help="some of: " + ", ".join(BENCHMARKS))
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    names = args.names or list(BENCHMARKS)
    results: list[tuple[str, int, float]] = []
    started = time.perf_counter()
    for name in names:
        status, seconds = run_one(name, args.smoke)
        results.append((name, status, seconds))
        print(
            f"=== {name}: {'ok' if status == 0 else f'FAILED (exit {status})'} in {seconds:.0f} s\n",
            flush=True,
        )
    print(f"benchmarks{' (smoke)' if args.smoke else ''}, {time.perf_counter() - started:.0f} s in all:")
    for name, status, seconds in results:
        print(f"  {name:20s} {'ok' if status == 0 else f'FAILED (exit {status})':18s} {seconds:5.0f} s")
    return 0 if all(status == 0 for _, status, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())

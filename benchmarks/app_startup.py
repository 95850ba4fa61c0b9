"""Launch -> main window shown with chats loaded: wall time and peak RSS of the operator app, against
the floor of a bare PySide6 + qasync window measured in the same run.

    .venv/bin/python -m benchmarks.app_startup [--runs 5] [--mine 6] [--queue 10] [--smoke]

Starts a real backend, seeds chats, then launches `python -m operator_app` (offscreen) logged in
through the command line, and waits for the app's log line "main window shown with N chats loaded" (then for "main window
drawn": its first frame, reported beside the judged figure).
The floor (`benchmarks.startup_floor`: import, QApplication, show an empty QMainWindow) is launched
and detected the same way, as many times, alternating with the app so both see the same machine
load. The ratio printed last is the app's median over the floor's median. One launch of each
before the counted ones fills the bytecode cache, as an installed app has its bytecode compiled.

The backend runs on the same two cores as the app it serves. At every sign-in it checks the password
with argon2 at production cost (3 passes over 64 MiB on 4 lanes, four threads for ~100 ms of CPU),
exactly while the app starts: here those threads take CPU from the process being measured, which a
deployment's server, on its own machine, never does (there the check only adds its latency to the
sign-in, which the app overlaps with its imports). So the app is measured against a backend that
keeps argon2's cheapest parameters (`CHAT_TEST_CHEAP_PASSWORD_HASHES`), and, alternating with it,
against one with the production cost: the second figure ("server on these cores") says what the
colocated check costs.
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

from benchmarks.deadline import hard_timeout
from benchmarks.seed import seed_chats
from benchmarks.startup_floor import DRAWN as FLOOR_DRAWN
from benchmarks.startup_floor import MARKER as FLOOR_MARKER
from chat_backend.domain.passwords import CHEAP_FOR_TESTS as CHEAP_HASHES
from tests.support.backend import BackendProcess

MARKER = "main window shown with"
DRAWN = "main window drawn"  # its first frame (`MainWindow.first_painted`)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _launch(
    cmd: list[str], env: dict[str, str], logs: Path, marker: str, timeout: float
) -> tuple[float, float, str]:
    """Start `cmd`; wall time until a `*.log` file under `logs` holds `marker`, peak RSS then, the line."""
    times, peak, line = _launch_marks(cmd, env, logs, (marker,), timeout)
    return times[0], peak, line


def _launch_marks(
    cmd: list[str], env: dict[str, str], logs: Path, markers: tuple[str, ...], timeout: float
) -> tuple[list[float], float, str]:
    """Start `cmd`; wall time until the `*.log` files under `logs` hold each of `markers`, peak RSS when
    the first is seen, and the first one's line."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict[str, float] = {}
    peak, first_line = float("nan"), ""
    try:
        deadline = started + timeout
        while time.perf_counter() < deadline:
            text = "".join(log.read_text(encoding="utf-8", errors="replace") for log in logs.glob("*.log"))
            now = time.perf_counter() - started
            for marker in markers:
                if marker not in seen and marker in text:
                    seen[marker] = now
                    if marker == markers[0]:
                        peak = _peak_rss_mb(proc.pid)
                        first_line = next(line for line in text.splitlines() if marker in line)
            if len(seen) == len(markers):
                return [seen[marker] for marker in markers], peak, first_line
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[2]} exited with {proc.returncode} before showing its window")
            time.sleep(0.005)
        raise RuntimeError(f"{cmd[2]}: the window was not shown (or not drawn) in time")
    finally:
        proc.terminate()
        proc.wait(10)


def _env(home: Path) -> dict[str, str]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        OPERATOR_APP_HOME=str(home),
        # An installed app starts from compiled bytecode (pip compiles it at install). With
        # PYTHONDONTWRITEBYTECODE set, the project's own sources (not installed: no bytecode) would be
        # compiled again at every launch, which the floor (one small file) hardly pays: both write
        # and read their bytecode under this run's temporary folder instead (`warm_up`).
        PYTHONPYCACHEPREFIX=str(home.parent / "pycache"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def launch_once(
    backend: BackendProcess, home: Path, timeout: float = 60.0
) -> tuple[float, float, float, str]:
    """Shown (s), first frame drawn (s), peak RSS when shown (MB), the log line."""
    env = _env(home)
    env["OPERATOR_APP_PASSWORD"] = backend.agent_password
    cmd = [sys.executable, "-m", "operator_app", "--server", backend.url, "--email", backend.agent_email]
    (shown, drawn), peak, line = _launch_marks(cmd, env, home / "log", (MARKER, DRAWN), timeout)
    return shown, drawn, peak, line


def launch_floor_once(home: Path, timeout: float = 60.0) -> tuple[float, float, float, str]:
    (home / "log").mkdir(parents=True)
    cmd = [sys.executable, "-m", "benchmarks.startup_floor", str(home / "log" / "floor.log")]
    (shown, drawn), peak, line = _launch_marks(
        cmd, _env(home), home / "log", (FLOOR_MARKER, FLOOR_DRAWN), timeout
    )
    return shown, drawn, peak, line


def _summary(times: list[float], peaks: list[float]) -> str:
    return (
        f"wall median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, "
        f"max {max(times) * 1000:.0f}); peak RSS median {statistics.median(peaks):.0f} MB (max {max(peaks):.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mine", type=int, default=6, help="chats held by the agent")
    parser.add_argument("--queue", type=int, default=10, help="chats waiting in the queue")
    parser.add_argument("--smoke", action="store_true", help="2 runs, 2 + 2 chats: a few seconds")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.mine, args.queue = 2, 2, 2
    hard_timeout(args.timeout or (120 if args.smoke else 600), "app_startup")
    app: tuple[list[float], list[float]] = ([], [])
    colocated: tuple[list[float], list[float]] = ([], [])
    floor: tuple[list[float], list[float]] = ([], [])
    app_drawn: list[float] = []
    floor_drawn: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        backends = [
            BackendProcess(
                database_url=f"sqlite:///{tmp}/{name}.db",
                workdir=Path(tmp) / name,
                env={CHEAP_HASHES: cheap},
            )
            for name, cheap in (("server", "1"), ("colocated", "0"))
        ]
        try:
            for backend in backends:
                backend.workdir.mkdir()
                backend.start()
                # Queued chats must stay queued: with auto-assignment on, the accepting agent would be
                # routed them while under its limit (always, with fewer than 6 held chats).
                backend.cli("routing", "--auto-assign", "off")
                asyncio.run(seed_chats(backend, args.mine, args.queue))
            server, production = backends
            # One launch of each, not counted, fills the bytecode cache (see `_env`).
            launch_once(server, Path(tmp) / "warm-up")
            launch_floor_once(Path(tmp) / "floor-warm-up")
            for run in range(args.runs):
                shown, drawn, peak, line = launch_once(server, Path(tmp) / f"run{run}")
                app[0].append(shown)
                app[1].append(peak)
                app_drawn.append(drawn)
                print(
                    f"run {run + 1}: app {shown * 1000:.0f} ms (drawn {drawn * 1000:.0f}), peak RSS {peak:.0f} MB"
                    f"  ({line.strip()[-60:]})",
                    flush=True,
                )
                shown, _, peak, _ = launch_once(production, Path(tmp) / f"colocated{run}")
                colocated[0].append(shown)
                colocated[1].append(peak)
                print(f"run {run + 1}: app, server's production check on these cores {shown * 1000:.0f} ms")
                shown, drawn, peak, _ = launch_floor_once(Path(tmp) / f"floor{run}")
                floor[0].append(shown)
                floor[1].append(peak)
                floor_drawn.append(drawn)
                print(
                    f"run {run + 1}: floor {shown * 1000:.0f} ms (drawn {drawn * 1000:.0f}), peak RSS {peak:.0f} MB"
                )
        finally:
            for backend in backends:
                backend.stop()
    floor_median = statistics.median(floor[0])
    print(f"app_startup over {args.runs} runs ({args.mine} chats + {args.queue} queued): {_summary(*app)}")
    print(
        f"app, server's production password check on these cores: {_summary(*colocated)} "
        f"({statistics.median(colocated[0]) / floor_median:.1f}x the floor)"
    )
    print(f"floor (bare PySide6 + qasync window) over {args.runs} runs: {_summary(*floor)}")
    drawn_app, drawn_floor = statistics.median(app_drawn), statistics.median(floor_drawn)
    print(
        f"first frame drawn: app median {drawn_app * 1000:.0f} ms, floor median {drawn_floor * 1000:.0f} ms "
        f"({drawn_app / drawn_floor:.1f}x)"
    )
    ratio = statistics.median(app[0]) / floor_median
    print(
        f"app / floor: {ratio:.1f}x wall median "
        f"({statistics.median(app[0]) * 1000:.0f} ms / {floor_median * 1000:.0f} ms), "
        f"{statistics.median(app[1]) / statistics.median(floor[1]):.1f}x peak RSS median"
    )


if __name__ == "__main__":
    main()

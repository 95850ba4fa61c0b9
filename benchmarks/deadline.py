"""A hard overall time limit for a benchmark process, so a hang cannot eat CI's time.

`hard_timeout(seconds)` starts a watchdog thread. When the limit passes it prints every thread's
stack, kills every process this one started (the backend, Chromium, load generators: whole
descendant tree) and exits with status 124, like `timeout(1)`. It does not depend on the event loop
or the GUI thread, which are exactly what a hang blocks.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import sys
import threading
from pathlib import Path

TIMED_OUT = 124


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children first-level first), read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name may hold spaces and parentheses: the fields start after the last ")".
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL every descendant of `pid` (not `pid` itself)."""
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)


def hard_timeout(seconds: float, name: str) -> threading.Timer:
    """Arm the watchdog for this process; `cancel()` the returned timer to disarm it."""

    def expire() -> None:
        # Straight to the file descriptor: a hung thread may hold the lock of sys.stderr's buffer.
        os.write(2, f"\n{name}: hard timeout after {seconds:.0f} s; stacks:\n".encode())
        faulthandler.dump_traceback(sys.stderr, all_threads=True)
        kill_tree(os.getpid())
        os._exit(TIMED_OUT)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.name = "hard-timeout"
    timer.start()
    return timer

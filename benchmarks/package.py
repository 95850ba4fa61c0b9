"""The Linux package against the virtualenv: `.deb` size, installed size, and the start-up of the
installed app (/usr/bin/operator-app) to the login window and to the main window, beside the same app
run from this virtualenv (`python -m operator_app`), in one run.

    .venv/bin/python -m benchmarks.package [--deb PATH] [--runs 5] [--smoke]

Without --deb the package is built first (`packaging/build-linux`, timed). Installing needs root (apt-
get install ./…deb); the package is purged afterwards unless it was installed before. Start-up is
measured as in `benchmarks.app_startup` (the app's log line, offscreen, one backend), cold (the app's
own files dropped from the page cache first: the installed folder, or the virtualenv, the base
Python's library and the checkout; the system's libraries stay cached for both) and warm, the two
apps alternating.

--smoke measures the virtualenv only (one cold start to the login window, one warm start to the main
window), and the package only when --deb (or $OPERATOR_APP_DEB) names one already built: it never
builds one, and says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.app_startup import MARKER as MAIN_MARKER
from benchmarks.app_startup import _env, _launch
from benchmarks.deadline import hard_timeout
from tests.support.backend import BackendProcess

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "operator-app"
INSTALLED = "/usr/bin/operator-app"
LOGIN_MARKER = "login dialog shown"
GOAL_MB = 200


def _mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


def build_deb(out: Path) -> tuple[Path, float]:
    started = time.perf_counter()
    env = dict(os.environ, PYTHON=sys.executable)
    subprocess.run([str(ROOT / "packaging" / "build-linux"), str(out)], cwd=ROOT, env=env, check=True)
    return next(out.glob(f"{PACKAGE}_*.deb")), time.perf_counter() - started


def _installed() -> bool:
    return subprocess.run(["dpkg", "-s", PACKAGE], capture_output=True).returncode == 0


def install(deb: Path) -> float:
    started = time.perf_counter()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "--reinstall", f"./{deb.name}"]
    subprocess.run(cmd, cwd=deb.parent, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def installed_bytes() -> int:
    files = subprocess.run(["dpkg", "-L", PACKAGE], capture_output=True, text=True, check=True).stdout
    return sum(
        path.lstat().st_size for path in map(Path, files.splitlines()) if path.is_symlink() or path.is_file()
    )


def purge() -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "purge", "-y", "-q", PACKAGE], env=env, check=True, stdout=subprocess.DEVNULL)


def launch(command: list[str], backend: BackendProcess, home: Path, signed_in: bool) -> float:
    """Seconds from the start to the login dialog (no e-mail given) or to the main window."""
    env = _env(home)
    if signed_in:
        env["OPERATOR_APP_PASSWORD"] = backend.agent_password
        args = ["--server", backend.url, "--email", backend.agent_email]
    else:
        args = ["--server", backend.url]
    marker = MAIN_MARKER if signed_in else LOGIN_MARKER
    elapsed, _, _ = _launch([*command, *args], env, home / "log", marker, 90)
    return elapsed


def evict(folders: list[Path]) -> None:
    """Drop these folders' files from the page cache (posix_fadvise DONTNEED: only these files, the
    rest of the machine keeps its cache), so the next launch reads them from disk: a cold start."""
    for folder in folders:
        for directory, _, names in os.walk(folder):
            for name in names:
                path = os.path.join(directory, name)
                if os.path.islink(path):
                    continue
                try:
                    fd = os.open(path, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)


def venv_folders() -> list[Path]:
    """What `python -m operator_app` reads: the virtualenv, the base Python's library, the checkout."""
    import sysconfig

    return [
        Path(sys.prefix),
        Path(sysconfig.get_paths()["stdlib"]),
        ROOT / "operator_app",
        ROOT / "chat_protocol",
    ]


def _line(name: str, times: list[float]) -> str:
    if not times:
        return f"{name}: not measured"
    return (
        f"{name}: median {statistics.median(times) * 1000:.0f} ms "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, {len(times)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deb", type=Path, default=os.environ.get("OPERATOR_APP_DEB") or None)
    parser.add_argument("--runs", type=int, default=5, help="launches per app and window")
    parser.add_argument("--smoke", action="store_true", help="one launch each; builds nothing")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
    hard_timeout(args.timeout or (120 if args.smoke else 1800), "package")
    venv = [sys.executable, "-m", "operator_app"]
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        deb: Path | None = args.deb
        package_note = ""
        if deb is None and not args.smoke:
            deb, seconds = build_deb(tmp / "packages")
            print(f"packaging/build-linux: {seconds:.0f} s", flush=True)
        elif deb is None:
            package_note = "not built (smoke mode builds nothing; pass --deb PATH to measure one)"
        if deb is not None and os.geteuid() != 0:
            package_note = f"{deb.name} not installed (installing needs root)"
            deb = None
        was_installed = _installed()
        if deb is not None:
            print(f".deb: {deb.name} {_mb(deb.stat().st_size)} (goal < {GOAL_MB} MB)", flush=True)
            print(f"apt-get install: {install(deb):.1f} s", flush=True)
            print(f"installed size: {_mb(installed_bytes())}", flush=True)
        apps = {"venv": venv} | ({"installed": [INSTALLED]} if deb is not None else {})
        cache = {"venv": venv_folders(), "installed": [Path("/opt") / PACKAGE]}
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=tmp)
        backend.start()
        try:
            launch(venv, backend, tmp / "warm-up", True)  # the virtualenv's bytecode cache (app_startup)
            for run in range(args.runs):
                for signed_in in (False, True):
                    window = "main window" if signed_in else "login window"
                    for name, command in apps.items():
                        # Smoke: each path once (a cold start to the login window, a warm one to the
                        # main window), not every combination.
                        starts = (("warm",) if signed_in else ("cold",)) if args.smoke else ("cold", "warm")
                        for start in starts:
                            if start == "cold":
                                evict(cache[name])
                            home = tmp / f"{name}-{window.replace(' ', '-')}-{start}-{run}"
                            elapsed = launch(command, backend, home, signed_in)
                            key = f"{name}, {start}, to the {window}"
                            results.setdefault(key, []).append(elapsed)
                            print(f"run {run + 1}: {key}: {elapsed * 1000:.0f} ms", flush=True)
        finally:
            backend.stop()
            if deb is not None and not was_installed:
                purge()
    print("package: " + (package_note or "measured"))
    for name, times in results.items():
        print(_line(name, times))
    for start in ("cold", "warm"):
        for window in ("login window", "main window"):
            ours = results.get(f"installed, {start}, to the {window}")
            theirs = results.get(f"venv, {start}, to the {window}")
            if ours and theirs:
                ratio = statistics.median(ours) / statistics.median(theirs)
                print(f"installed / venv, {start}, to the {window}: {ratio:.2f}x (medians)")


if __name__ == "__main__":
    main()

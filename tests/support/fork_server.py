"""A fork server for the backends the tests start: `chat-backend` processes without paying its imports.

A test run starts a few hundred backends (and runs its CLI a few hundred times); each one spent about
2 of its 3.5 CPU seconds importing FastAPI, SQLAlchemy, pydantic, redis and the backend's own modules,
the same work every time. One server per test process imports them once, then forks a child per
backend: the child takes the environment, working folder and output files it is given, then runs
`chat_backend.cli.main` with the arguments, exactly what `python -m chat_backend.cli ARGS` runs. The
server has no thread and no event loop when it forks; every child makes its own (database engine,
uvicorn, asyncio), as a fresh process would, and `random` reseeds itself in a forked child.

Tests drive a child through `ForkedProcess`, which looks like `subprocess.Popen` to them (`pid`,
`poll`, `wait`, `send_signal`, `terminate`, `kill`, `returncode`); signals go straight to the child,
its exit status comes from the server, its parent. When the test process goes away, the server kills
its children and ends. `CHAT_TEST_FORK_SERVER=0` turns it off (`subprocess.Popen` as before).

The server side runs as `python -m tests.support.fork_server`: one JSON request per line on its
standard input, one JSON answer per line on its standard output.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# What `serve` and the CLI's commands import, so that a child imports (almost) nothing.
PRELOAD = (
    "chat_backend.cli",
    "chat_backend.app",
    "chat_backend.http_server",
    "chat_backend.cluster.single_node",
    "chat_backend.demo_seed",
    "uvicorn",
    "uvicorn.config",
    "uvicorn.server",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "uvicorn.protocols.http.httptools_impl",
    "aiosqlite",
    "asyncpg",
    "sqlalchemy.dialects.sqlite.aiosqlite",
    "sqlalchemy.dialects.postgresql.asyncpg",
    "alembic.command",
    "alembic.config",
)


def enabled() -> bool:
    return os.environ.get("CHAT_TEST_FORK_SERVER", "1") != "0"


# --- the server -------------------------------------------------------------------------------


def _run_child(request: dict[str, Any], command_fds: tuple[int, int]) -> None:
    """In the forked child: become `python -m chat_backend.cli ARGS` with the request's environment,
    folder and files; never returns."""
    code = 1
    try:
        for fd in command_fds:
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        stdin = os.open(request.get("stdin") or os.devnull, os.O_RDONLY)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        stdout = os.open(request["stdout"], flags, 0o644)
        stderr = (
            stdout if request["stderr"] == request["stdout"] else os.open(request["stderr"], flags, 0o644)
        )
        os.dup2(stdin, 0)
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        for fd in {stdin, stdout, stderr}:
            if fd > 2:
                os.close(fd)
        sys.argv = [str(ROOT / "chat_backend" / "cli.py"), *request["args"]]
        from chat_backend import cli

        try:
            code = cli.main(request["args"])
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    for module in PRELOAD:
        importlib.import_module(module)
    # Requests come on fd 0 and answers go out on fd 1; both move aside, so that a child's 0, 1 and 2
    # are only its own files.
    requests, answers = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)
    children: dict[int, int | None] = {}
    with os.fdopen(requests, "rb") as lines:
        for line in lines:
            request = json.loads(line)
            answer: dict[str, Any]
            if request["op"] == "spawn":
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    _run_child(request, (requests, answers))
                children[pid] = None
                answer = {"pid": pid}
            else:  # "poll"
                pid = request["pid"]
                if children.get(pid) is None:
                    done, status = os.waitpid(pid, os.WNOHANG)
                    if done:
                        children[pid] = os.waitstatus_to_exitcode(status)
                answer = {"returncode": children[pid]}
            os.write(answers, json.dumps(answer).encode() + b"\n")
    for pid, returncode in children.items():  # the test process is gone: so are its backends
        if returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


# --- the test process's side ----------------------------------------------------------------------


class _Connection:
    """The test process's fork server, started on first use."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.fork_server"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            assert self.proc.stdin is not None
            assert self.proc.stdout is not None
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fork server ended (exit status {self.proc.poll()})")
        answer: dict[str, Any] = json.loads(line)
        return answer


_connection: _Connection | None = None
_connection_lock = threading.Lock()


def _server() -> _Connection:
    global _connection
    with _connection_lock:
        if _connection is None or _connection.proc.poll() is not None:
            _connection = _Connection()
        return _connection


class ForkedProcess:
    """A child of the fork server, driven like a `subprocess.Popen`."""

    def __init__(self, pid: int, args: list[str], server: _Connection) -> None:
        self.pid = pid
        self.args = args
        self.returncode: int | None = None
        self._server = server

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._server.ask({"op": "poll", "pid": self.pid})["returncode"]
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (returncode := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            time.sleep(0.02)
        return returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def spawn(
    args: list[str],
    *,
    env: dict[str, str],
    stdout: Path,
    stderr: Path | None = None,
    stdin: Path | None = None,
) -> ForkedProcess:
    """`python -m chat_backend.cli ARGS` as a child of the fork server, with `env`, output appended to
    `stdout` (and `stderr`, else the same file) and input from `stdin` (else /dev/null)."""
    server = _server()
    request = {
        "op": "spawn",
        "args": args,
        "env": env,
        "cwd": str(ROOT),
        "stdout": str(stdout),
        "stderr": str(stderr or stdout),
        "stdin": str(stdin) if stdin else None,
    }
    return ForkedProcess(server.ask(request)["pid"], args, server)


if __name__ == "__main__":
    serve()

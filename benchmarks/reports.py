"""Reports: the time of `GET /api/v1/reports` for the last 90 days over a database of closed chats, on
SQLite and on PostgreSQL.

    .venv/bin/python -m benchmarks.reports [--chats 100000] [--messages 4] [--database both]
    .venv/bin/python -m benchmarks.reports --smoke     # 500 chats, one database, a few seconds

Chats are seeded as `benchmarks.archive_search` seeds them (straight into a migrated database, each
archived by `archive.record_chat`, closed over the last 90 days, a quarter rated good and a quarter
bad), then one backend serves the reports. Figures: p50 and max in ms of `--repeat` reports of the
last 90 days, as an admin (every chat) and as a supervisor of one group (half the chats, by the
reports rule), without and with `by=agent`. Where we are heading: under 1 s for 100,000 chats.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from benchmarks.archive_search import percentile, seed
from benchmarks.databases import bench_database, stop_and_report
from benchmarks.deadline import hard_timeout
from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of


async def report_figures(backend: BackendProcess, tokens: dict[str, str], repeat: int) -> None:
    today = datetime.now(UTC).date()
    window = {"since": str(today - timedelta(days=89)), "until": str(today)}
    async with httpx.AsyncClient(base_url=backend.url, timeout=120) as http:
        for who, token in tokens.items():
            for by in (None, "agent"):
                params = window | ({"by": by} if by else {})
                times, chats = [], 0
                for _ in range(repeat):
                    started = time.perf_counter()
                    response = await http.get(
                        "/api/v1/reports", params=params, headers={"Authorization": f"Bearer {token}"}
                    )
                    times.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    chats = response.json()["totals"]["chats"]
                print(
                    f"    {who}, 90 days{', by agent' if by else ''}: p50 {percentile(times, 0.5):.0f} ms,"
                    f" max {max(times):.0f} ms ({chats} chats counted)",
                    flush=True,
                )


async def one_database(database: str, args: argparse.Namespace, workdir: Path) -> None:
    async with bench_database(database, workdir) as url:
        if url is None:
            return
        backend = BackendProcess(database_url=url, workdir=workdir)
        try:
            backend.start()
            admin = admin_of(backend)
            supervisor = admin.new_agent("Bench supervisor", role="supervisor")
            other = admin.new_agent("Bench colleague")
            backend.stop()  # seeded with no server writing meanwhile
            group = str(uuid.uuid4())
            # The supervisor leads the seeded group and holds half the chats (`seed` alternates agents).
            agents = [supervisor.agent_id, other.agent_id]
            print(f"  {database}: seeding {args.chats} chats x {args.messages} messages", flush=True)
            took = await seed(url, args.chats, args.messages, backend.site_id, agents, group)
            print(f"  {database}: seeded and archived in {took:.1f} s", flush=True)
            backend.start()
            tokens = {
                "admin": admin.token,
                "supervisor of a group": backend.login_tokens(supervisor.email, supervisor.password)[
                    "access_token"
                ],
            }
            await report_figures(backend, tokens, args.repeat)
        finally:
            stop_and_report(backend)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=4, help="per chat")
    parser.add_argument("--repeat", type=int, default=10, help="reports of each kind")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--smoke", action="store_true", help="500 chats, one database")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    if args.smoke:
        args.chats, args.repeat = 500, 3
        args.database = "postgres" if os.environ.get("CHAT_TEST_DATABASE_URL") else "sqlite"
    hard_timeout(args.timeout or (60 if args.smoke else 7200), "reports")
    print(
        f"reports: {args.chats} chats x {args.messages} messages over 90 days; backend, database and this"
        f" client share {os.cpu_count()} cores; where we are heading: a 90-day report under 1 s",
        flush=True,
    )
    for database in ["sqlite", "postgres"] if args.database == "both" else [args.database]:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(one_database(database, args, Path(tmp)))


if __name__ == "__main__":
    main()

"""Archive search: a database seeded with closed chats (Japanese and English), then searches through
the real backend's `POST /api/v1/archives/search`, on SQLite and on PostgreSQL.

    .venv/bin/python -m benchmarks.archive_search [--chats 100000] [--messages 10] [--database both]
    .venv/bin/python -m benchmarks.archive_search --smoke     # 300 chats, one database, a few seconds

Seeding writes chats and their events straight into a migrated database and archives each chat with
the backend's own code (`archive.record_chat`, as a chat that closes is archived), then one backend
serves the searches. Figures, per kind of search (each run `--repeat` times, as an admin, who sees
every chat, and as an agent of one group, whose searches carry the archive rule): p50/p95 in ms for
a single English word, a two-character Japanese word, a phrase, a filtered search, and page 500 of the
unfiltered list (reached by its cursor). Where we are heading: search p95 under 50 ms. The 90-day
report is measured by `benchmarks.reports`, on chats seeded the same way. PostgreSQL comes from CHAT_BENCH_DATABASE_URL or
CHAT_TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test; a database of its own is
created and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.databases import bench_database, stop_and_report
from benchmarks.deadline import hard_timeout
from chat_backend.db.engine import async_url
from chat_backend.db.tables import AgentGroup, Chat, EventRow, Group, Visitor
from chat_backend.domain import archive
from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of

JA = [
    "抹茶ラテの在庫はありますか",
    "配送はいつになりますか",
    "注文番号を教えてください",
    "返品の方法を知りたいです",
    "ギフト包装はできますか",
    "クーポンが使えません",
    "サイズ交換をお願いします",
    "支払い方法を変更したい",
    "ほうじ茶の賞味期限は",
    "領収書を発行できますか",
]
EN = [
    "Where is my delivery",
    "Can I change the shipping address",
    "The tracking number does not work",
    "Do you ship to Canada",
    "I would like a refund for my order",
    "Is the green tea organic",
    "My coupon code is rejected",
    "How long does delivery take",
    "Can I pay by invoice",
    "The package arrived damaged",
]
SEARCHES = {
    "single English word": ["delivery", "refund", "coupon", "invoice"],
    "two-character Japanese word": ["抹茶", "配送", "返品", "在庫"],
    "phrase": ["tracking number does", "change the shipping", "注文番号を教え"],
    "order number part": ["4711", "9042"],
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


# --- seeding -------------------------------------------------------------------------------------


def _seed_batch(
    connection: Connection, first: int, count: int, messages: int, site_id: str, agents: list[str]
) -> None:
    rng = random.Random(first)
    now = datetime.now(UTC)
    visitors, chats, events = [], [], []
    for n in range(first, first + count):
        chat_id, visitor_id = str(uuid.uuid4()), str(uuid.uuid4())
        japanese = n % 2 == 0
        visitors.append(
            {
                "id": visitor_id,
                "site_id": site_id,
                "number": n + 1,
                "token_hash": uuid.uuid4().hex + uuid.uuid4().hex,
                "name": f"山田 {n}" if japanese else f"Visitor {n}",
                "email": f"customer{n}@example.{'jp' if japanese else 'com'}",
            }
        )
        closed = now - timedelta(seconds=rng.uniform(0, 90 * 86400))
        opened = closed - timedelta(minutes=rng.uniform(2, 30))
        agent = agents[n % len(agents)]
        chats.append(
            {
                "id": chat_id,
                "site_id": site_id,
                "visitor_id": visitor_id,
                "state": "closed",
                "agent_id": agent,
                "last_seq": messages + 1,
                "created_at": opened,
                "taken_at": opened,
                "closed_at": closed,
            }
        )
        lines = JA if japanese else EN
        for seq in range(1, messages + 1):
            visitor_turn = seq % 2 == 1
            text = rng.choice(lines) + (f" 注文 {rng.randint(1000, 9999)}" if seq == 1 else "")
            events.append(
                {
                    "chat_id": chat_id,
                    "seq": seq,
                    "kind": "message",
                    "audience": "all",
                    "author_kind": "visitor" if visitor_turn else "agent",
                    "author_id": None if visitor_turn else agent,
                    "author_key": f"visitor:{visitor_id}" if visitor_turn else f"agent:{agent}",
                    "text": text if visitor_turn else "Thank you, " + text.lower(),
                    "data": {},
                    "created_at": opened + timedelta(seconds=30 * seq),
                }
            )
        rating = rng.choice([None, None, "good", "bad"])
        closing: dict[str, Any] = {"state": "closed", "agent": None, "reason": None}
        events.append(
            {
                "chat_id": chat_id,
                "seq": messages + 1,
                "kind": "chat_state",
                "audience": "all",
                "author_kind": "agent",
                "author_id": agent,
                "author_key": f"agent:{agent}",
                "text": None,
                "data": closing,
                "created_at": closed,
            }
        )
        if rating:
            chats[-1]["last_seq"] = messages + 2
            events.append(
                {
                    "chat_id": chat_id,
                    "seq": messages + 2,
                    "kind": "rating",
                    "audience": "all",
                    "author_kind": "visitor",
                    "author_id": visitor_id,
                    "author_key": f"visitor:{visitor_id}",
                    "text": "",
                    "data": {"rating": rating},
                    "created_at": closed,
                }
            )
    connection.execute(insert(Visitor), visitors)
    connection.execute(insert(Chat), chats)
    connection.execute(insert(EventRow), events)
    for chat in chats:
        archive.record_chat(connection, chat["id"])


async def seed(url: str, chats: int, messages: int, site_id: str, agents: list[str], group: str) -> float:
    engine = create_async_engine(async_url(url))
    started = time.perf_counter()
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(Group).values(id=group, name="Bench group"))
            await connection.execute(insert(AgentGroup).values(agent_id=agents[0], group_id=group))
        batch = 500
        for first in range(0, chats, batch):
            count = min(batch, chats - first)
            async with engine.begin() as connection:
                await connection.run_sync(_seed_batch, first, count, messages, site_id, agents)
            if first and first % 10_000 == 0:
                rate = first / (time.perf_counter() - started)
                print(f"    {first} chats seeded ({rate:.0f}/s)", flush=True)
        if engine.dialect.name == "postgresql":
            # The planner's statistics, as autovacuum keeps them on a database that grew over months.
            async with engine.connect() as connection:
                await connection.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started


# --- searching -----------------------------------------------------------------------------------


async def timed(http: httpx.AsyncClient, token: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = await http.post(
        "/api/v1/archives/search", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response.json()


async def search_figures(backend: BackendProcess, tokens: dict[str, str], args: argparse.Namespace) -> None:
    async with httpx.AsyncClient(base_url=backend.url, timeout=60) as http:
        for who, token in tokens.items():
            for kind, words in {
                **SEARCHES,
                "filtered (配送, rating good, last 30 days)": ["配送"],
            }.items():
                times, hits = [], []
                for i in range(args.repeat):
                    body: dict[str, Any] = {"q": words[i % len(words)]}
                    if kind.startswith("filtered"):
                        since = datetime.now(UTC) - timedelta(days=30)
                        body |= {"rating": "good", "since": since.isoformat()}
                    elapsed, page = await timed(http, token, body)
                    times.append(elapsed)
                    hits.append(len(page["hits"]))
                print(
                    f"    {who}, {kind}: p50 {percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms"
                    f" ({min(hits)}-{max(hits)} hits per page)",
                    flush=True,
                )
            pages, cursor, walk = 0, None, []
            while pages < args.page:
                body = {"limit": 50} | ({"cursor": cursor} if cursor else {})
                elapsed, page = await timed(http, token, body)
                walk.append(elapsed)
                pages += 1
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            print(
                f"    {who}, paging the list: page {pages} took {walk[-1]:.1f} ms; pages p50"
                f" {percentile(walk, 0.5):.1f} ms, p95 {percentile(walk, 0.95):.1f} ms",
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
            agent = admin.new_agent("Bench agent")
            other = admin.new_agent("Bench colleague")
            backend.stop()  # seeded with no server writing meanwhile
            group = str(uuid.uuid4())
            agents = [agent.agent_id, other.agent_id]
            print(f"  {database}: seeding {args.chats} chats x {args.messages} messages", flush=True)
            took = await seed(url, args.chats, args.messages, backend.site_id, agents, group)
            rate = args.chats * args.messages / took
            print(f"  {database}: seeded and archived in {took:.1f} s ({rate:.0f} messages/s)", flush=True)
            backend.start()
            tokens = {
                "admin": admin.token,
                "agent of a group": backend.login_tokens(agent.email, agent.password)["access_token"],
            }
            await search_figures(backend, tokens, args)
        finally:
            stop_and_report(backend)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=10, help="per chat")
    parser.add_argument("--repeat", type=int, default=40, help="searches of each kind")
    parser.add_argument("--page", type=int, default=500, help="the page to reach by cursor (50 chats each)")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--smoke", action="store_true", help="300 chats, one database")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    if args.smoke:
        args.chats, args.repeat, args.page = 300, 4, 3
        args.database = "postgres" if os.environ.get("CHAT_TEST_DATABASE_URL") else "sqlite"
    hard_timeout(args.timeout or (120 if args.smoke else 3600), "archive_search")
    print(
        f"archive_search: {args.chats} chats x {args.messages} messages; backend, database and this client"
        f" share {os.cpu_count()} cores; where we are heading: search p95 under 50 ms",
        flush=True,
    )
    for database in ["sqlite", "postgres"] if args.database == "both" else [args.database]:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(one_database(database, args, Path(tmp)))


if __name__ == "__main__":
    main()

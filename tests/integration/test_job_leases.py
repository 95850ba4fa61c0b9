"""Cluster-wide jobs run on exactly one node, under leases in PostgreSQL: two real nodes on one database
(no Redis), a paused holder (SIGSTOP) that must write nothing once the other took over, a holder killed
with SIGKILL whose jobs go on elsewhere; and, in-process, the lease rows raced by many holders and
passes that never overlap across handovers."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from chat_backend.cluster.lease import ClusterJob, Lease, LeaseLost, Leases
from chat_backend.db.engine import Database
from tests.support.backend import BackendProcess
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.waiting import until
from tests.support.wire import connect_agent, connect_visitor, new_id

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs CHAT_TEST_DATABASE_URL (PostgreSQL)")

JOBS = ("routing", "greeting", "retention", "calls")
TTL = 3.0  # CHAT_LEASE_TTL of the nodes: renewed every second
TAKEOVER = TTL + TTL / 3 + 6.0  # expiry, the next renewal, and slack for a loaded machine


# --- two nodes ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    name, url = create_postgres_database(POSTGRES_URL)
    yield url
    drop_postgres_database(POSTGRES_URL, name)


@pytest.fixture(scope="module")
def nodes(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[BackendProcess]]:
    """Nodes "a" then "b" on one database; "a" starts first, so it takes every lease."""
    password = "pw-cluster-demo"
    started = []
    try:
        for name in ("a", "b"):
            node = BackendProcess(
                database_url=database,
                workdir=tmp_path_factory.mktemp(f"node-{name}"),
                agent_password=password,
                env={
                    "CHAT_NODE_ID": f"node-{name}",
                    "CHAT_LEASE_TTL": str(TTL),
                    "CHAT_SOCKET_CLOSE_TIMEOUT": "6",
                },
                log_level="info",
            )
            node.start()
            started.append(node)
            if name == "a":  # "a" holds every lease before "b" comes
                wait_sync(lambda n=node: all(held(n, job) for job in JOBS))
        yield started
    finally:
        for node in started:
            if node.proc is not None and node.proc.poll() is None:
                node.proc.send_signal(signal.SIGCONT)
            node.stop()


def scrape(node: BackendProcess) -> dict[tuple[str, str], float]:
    """{(sample name, job label): value} of the node's /metrics."""
    text = httpx.get(f"{node.url}/metrics", timeout=5).text
    found: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, sample.labels.get("job", ""))] = sample.value
    return found


def held(node: BackendProcess, job: str) -> bool:
    return scrape(node).get(("chat_job_lease_held", job), 0.0) == 1.0


def passes(node: BackendProcess, job: str) -> float:
    return scrape(node).get(("chat_job_passes_total", job), 0.0)


def wait_sync(condition: object, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_each_job_runs_on_exactly_one_node(nodes: list[BackendProcess]) -> None:
    a, b = nodes
    before = passes(a, "calls")
    wait_sync(lambda: passes(a, "calls") >= before + 2)  # the call sweep runs every second
    for job in JOBS:
        assert held(a, job)
        assert not held(b, job)
        assert passes(b, job) == 0, job
    assert "acquired by node node-b" not in b.log_path.read_text()


def test_a_paused_holder_runs_nothing_once_the_other_node_took_over(nodes: list[BackendProcess]) -> None:
    a, b = nodes
    assert a.proc is not None
    a.proc.send_signal(signal.SIGSTOP)  # a GC pause, a stalled VM: the lease runs out meanwhile
    try:
        stopped = time.monotonic()
        wait_sync(lambda: all(held(b, job) for job in JOBS), within=TAKEOVER + 2)
        assert time.monotonic() - stopped <= TAKEOVER
    finally:
        a.proc.send_signal(signal.SIGCONT)
    resumed = {job: passes(a, job) for job in JOBS}
    sweeps = passes(b, "calls")
    wait_sync(lambda: passes(b, "calls") >= sweeps + 3)  # three of b's passes later...
    assert {job: passes(a, job) for job in JOBS} == resumed  # ...a has run none
    assert not any(held(a, job) for job in JOBS)
    wait_sync(lambda: "lease calls no longer held by node node-a" in a.log_path.read_text())


@pytest.mark.asyncio
async def test_when_the_holder_is_killed_the_jobs_go_on_on_the_other_node(
    nodes: list[BackendProcess],
) -> None:
    a, b = nodes
    # b took them all over from the paused a; on a loaded machine a may have taken some back since.
    await until(lambda: any(held(b, job) for job in JOBS), within=TAKEOVER + 2, what="b holds leases")
    b.kill()  # SIGKILL: no drain, no release
    killed = time.monotonic()
    await until(lambda: all(held(a, job) for job in JOBS), within=TAKEOVER + 2, what="a takes over")
    assert time.monotonic() - killed <= TAKEOVER
    # The routing job runs on a now: a queued chat goes to the agent on a. The demo site lists the
    # origin of the node that started last (b).
    agent = await connect_agent(a, a.agent_email, a.agent_password)
    visitor, _ = await connect_visitor(a, origin=b.url)
    try:
        await agent.ok("set_status", {"status": "accepting"})
        sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "anyone there?"})
        chat_id = sent["event"]["chat_id"]

        async def assigned() -> bool:
            async with httpx.AsyncClient(base_url=a.url) as http:
                token = a.login_tokens()["access_token"]
                got = await http.get(
                    f"/api/v1/chats/{chat_id}/events", headers={"Authorization": f"Bearer {token}"}
                )
                return bool(got.json()["chat"]["state"] == "taken")

        deadline = time.monotonic() + 15
        while not await assigned():
            assert time.monotonic() < deadline, "the queued chat was never assigned"
            await asyncio.sleep(0.2)
    finally:
        await visitor.close()
        await agent.close()


def test_a_draining_node_hands_its_leases_over_at_once(nodes: list[BackendProcess], database: str) -> None:
    a, b = nodes
    if not b.running:  # killed by the test before
        b.start()
    assert all(held(a, job) for job in JOBS)
    # A peer that never answers a close frame keeps a draining for a while (the close timeout, 6 s).
    stuck = socket.create_connection(("127.0.0.1", a.port))
    stuck.sendall(
        f"GET /ws/visitor HTTP/1.1\r\nHost: 127.0.0.1:{a.port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    try:
        assert stuck.recv(4096).startswith(b"HTTP/1.1 101")
        assert a.proc is not None
        a.proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        # Released as the drain begins, not when the node exits...
        while asyncio.run(_valid_holders(database)) & {"node-a"}:
            assert time.monotonic() - signalled < 2.0, "node-a still holds leases after SIGTERM"
            time.sleep(0.02)
        # ...and taken by b at its next renewal while a still drains.
        wait_sync(lambda: all(held(b, job) for job in JOBS), within=TTL + 3)
        assert a.running
        assert a.proc.wait(15) == 0
    finally:
        stuck.close()


async def _valid_holders(database: str) -> set[str]:
    db = Database(database)
    try:
        async with db.engine.connect() as conn:
            rows = await conn.exec_driver_sql("SELECT holder FROM job_leases WHERE expires_at > now()")
            return {str(row[0]) for row in rows}
    finally:
        await db.dispose()


# --- the lease rows, in-process on a real database -------------------------------------------------


@pytest_asyncio.fixture
async def dbs(database: str) -> AsyncIterator[list[Database]]:
    """Separate engines (as separate nodes have) on the module's database, with no lease rows."""
    found = [Database(database) for _ in range(8)]
    async with found[0].engine.begin() as conn:
        await conn.exec_driver_sql("DELETE FROM job_leases WHERE name LIKE 'test-%'")
    yield found
    for db in found:
        await db.dispose()


@pytest.mark.asyncio
async def test_many_nodes_racing_for_a_free_lease_leave_exactly_one_holder(dbs: list[Database]) -> None:
    keepers = [Leases(db, f"racer-{i}", ttl=5.0) for i, db in enumerate(dbs)]
    leases = [keeper.lease("test-race") for keeper in keepers]
    await asyncio.gather(*(keeper._renew(lease) for keeper, lease in zip(keepers, leases, strict=True)))
    assert sum(lease.held for lease in leases) == 1
    # Renewing again changes nothing: the holder keeps it, with the same token.
    holder = next(lease for lease in leases if lease.held)
    token = holder.token
    await asyncio.gather(*(keeper._renew(lease) for keeper, lease in zip(keepers, leases, strict=True)))
    assert [lease for lease in leases if lease.held] == [holder]
    assert holder.token == token


@pytest.mark.asyncio
async def test_a_pass_of_the_old_holder_is_fenced_off_after_a_takeover(dbs: list[Database]) -> None:
    old_keeper, new_keeper = Leases(dbs[0], "old", ttl=0.5), Leases(dbs[1], "new", ttl=0.5)
    old, new = old_keeper.lease("test-fence"), new_keeper.lease("test-fence")
    await old_keeper._renew(old)
    assert old.held
    await asyncio.sleep(0.6)  # the old holder stalls past its lease...
    await new_keeper._renew(new)
    assert new.held
    assert new.token == old.token + 1
    old._valid_until = time.monotonic() + 10  # ...and its own clock still believes it holds it
    async with dbs[0].write() as session:
        with pytest.raises(LeaseLost):
            await old.check(session)
    assert not old.held
    async with dbs[1].write() as session:
        await new.check(session)


@pytest.mark.asyncio
async def test_passes_never_overlap_across_handovers(dbs: list[Database]) -> None:
    """Two nodes race for one job for a few seconds; some passes stall longer than the lease. Every
    pass records when it ran inside its fenced transaction (taken without the event-write lock, so only
    the lease keeps them apart): no two passes of different nodes overlap."""
    ttl = 0.6
    runs: list[tuple[str, float, float]] = []
    keepers = [Leases(dbs[i], f"node-{i}", ttl=ttl) for i in range(2)]
    rng = random.Random(7)

    def job(keeper: Leases) -> ClusterJob:
        lease: Lease = keeper.lease("test-overlap")

        async def work() -> None:
            session = keeper.db.sessions()
            try:
                async with session.begin():
                    await lease.check(session)
                    began = time.monotonic()
                    await asyncio.sleep(ttl * 1.5 if rng.random() < 0.2 else 0.05)
                    runs.append((keeper.node_id, began, time.monotonic()))
            finally:
                await session.close()

        return ClusterJob(lease, work, interval=0.02)

    jobs = [job(keeper) for keeper in keepers]
    tasks = [asyncio.create_task(k.run()) for k in keepers] + [asyncio.create_task(j.run()) for j in jobs]
    try:
        await asyncio.sleep(1.0)
        for _ in range(4):  # the other node takes the lease over, as its renewal would after an expiry
            async with keepers[0].db.engine.connect() as conn:
                found = await conn.exec_driver_sql(
                    "SELECT holder FROM job_leases WHERE name = 'test-overlap'"
                )
                holder_id = found.scalar()
            other = keepers[1] if holder_id == keepers[0].node_id else keepers[0]
            async with other.db.engine.begin() as conn:
                await conn.execute(
                    text(
                        "UPDATE job_leases SET holder = :holder, token = token + 1, acquired_at = now(),"
                        " expires_at = now() + make_interval(secs => :ttl) WHERE name = 'test-overlap'"
                    ),
                    {"holder": other.node_id, "ttl": ttl},
                )
            await asyncio.sleep(0.8)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert len({node for node, _, _ in runs}) == 2, f"both nodes held the job at some point: {runs}"
    ordered = sorted(runs, key=lambda run: run[1])
    overlaps = [
        (first, second)
        for first, second in zip(ordered, ordered[1:], strict=False)
        if second[1] < first[2] and first[0] != second[0]
    ]
    assert overlaps == []

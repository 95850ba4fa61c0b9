"""Leases on cluster-wide jobs, kept in PostgreSQL: exactly one node runs each job at a time.

Every node keeps trying to hold each job's lease (`job_leases` row): it takes a free or expired one and
renews its own every `ttl / 3` seconds to `ttl` seconds ahead of the database's clock. The database's
`now()` alone decides expiry, so nodes' clocks may disagree. Each change of holder raises the row's
`token`.

A node stops passes as soon as its own clock says the lease may have lapsed (measured from before the
renewal was sent, so it errs on the early side), and every pass that writes also checks in its own
transaction that the row still names this node with this token and is not expired, reading it `FOR
SHARE` (`Lease.check`, fencing): a holder paused past its lease (GC, SIGSTOP, a stalled VM) that wakes in
the middle of a pass finds the row taken and writes nothing, and a takeover waits for a running pass's
commit. So passes of one job never overlap, and a job stops for at most `ttl` plus one renewal interval
when its node dies.

Leases live in PostgreSQL, not Redis, so that the jobs go on while Redis is down. On SQLite there is
only ever one node (`chat_backend.cluster.single_node`): every lease is held and the check passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from chat_backend.cluster import metrics
from chat_backend.db.engine import Database
from chat_backend.db.outage import database_unavailable

log = logging.getLogger(__name__)

DEFAULT_TTL = 10.0

# Take a free or expired lease, or renew our own; returns the token when we hold it afterwards.
_ACQUIRE = text(
    """
    INSERT INTO job_leases AS l (name, holder, token, expires_at, acquired_at)
    VALUES (:name, :holder, 1, now() + make_interval(secs => :ttl), now())
    ON CONFLICT (name) DO UPDATE SET
        token = CASE WHEN l.holder = EXCLUDED.holder THEN l.token ELSE l.token + 1 END,
        acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE now() END,
        holder = EXCLUDED.holder,
        expires_at = EXCLUDED.expires_at
    WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
    RETURNING token
    """
)
_CHECK = text(
    "SELECT 1 FROM job_leases WHERE name = :name AND holder = :holder AND token = :token"
    " AND expires_at > now() FOR SHARE"
)
_RELEASE = text("UPDATE job_leases SET expires_at = now() WHERE holder = :holder AND expires_at > now()")


class LeaseLost(Exception):
    """The pass's transaction found the lease held by another node, or expired: it must write nothing."""


class Lease:
    """One job's lease as this node sees it."""

    def __init__(self, name: str, holder: str, single_node: bool) -> None:
        self.name = name
        self.holder = holder
        self.single_node = single_node
        self.token = 0
        self._valid_until = 0.0  # monotonic; conservative (from before the renewal was sent)
        self.on_acquired: Callable[[], None] = lambda: None

    @property
    def held(self) -> bool:
        return self.single_node or time.monotonic() < self._valid_until

    async def check(self, session: AsyncSession | AsyncConnection) -> None:
        """Fencing: call first in a pass's write transaction. Raises `LeaseLost` unless this node still
        holds the lease; holds the row so that no takeover commits before this transaction does."""
        if self.single_node:
            return
        if not self.held:
            raise LeaseLost(self.name)
        found = await session.execute(_CHECK, {"name": self.name, "holder": self.holder, "token": self.token})
        if found.first() is None:
            self._lost()
            raise LeaseLost(self.name)

    def _renewed(self, token: int, started: float, ttl: float) -> None:
        acquired = not self.held or token != self.token
        self.token = token
        self._valid_until = started + ttl
        if acquired:
            log.info("lease %s acquired by node %s (token %d)", self.name, self.holder, token)
            metrics.LEASES_HELD.labels(self.name).set(1)
            self.on_acquired()

    def _lost(self) -> None:
        if self._valid_until:
            log.info("lease %s no longer held by node %s", self.name, self.holder)
        self._valid_until = 0.0
        metrics.LEASES_HELD.labels(self.name).set(0)


class Leases:
    """This node's leases: `lease(name)` for each cluster-wide job, `run()` keeps them."""

    def __init__(self, db: Database, node_id: str, ttl: float = DEFAULT_TTL) -> None:
        self.db = db
        self.node_id = node_id
        self.ttl = ttl
        self.renew_every = ttl / 3
        self.single_node = db.is_sqlite
        self._leases: dict[str, Lease] = {}
        self._stopped = False
        self._renewing = asyncio.Lock()  # held by a round of renewals; `release` waits for it

    def lease(self, name: str) -> Lease:
        if name not in self._leases:
            self._leases[name] = Lease(name, self.node_id, self.single_node)
            metrics.LEASES_HELD.labels(name).set(1 if self.single_node else 0)
        return self._leases[name]

    async def run(self) -> None:
        """Take and renew the leases until `release()`; a renewal that fails (the database is away)
        lets them lapse, and the jobs pause until the next one succeeds."""
        if self.single_node:
            return
        while not self._stopped:
            # At once, each on its own connection: one renewal waiting on a row that another node's pass
            # holds must not make the others late.
            async with self._renewing:
                await asyncio.gather(*(self._renew(lease) for lease in list(self._leases.values())))
            await asyncio.sleep(self.renew_every)

    async def _renew(self, lease: Lease) -> None:
        if self._stopped:
            return
        started = time.monotonic()
        try:
            # A renewal that takes longer than the lease is worth nothing.
            async with asyncio.timeout(self.ttl), self.db.engine.begin() as conn:
                found = await conn.execute(
                    _ACQUIRE, {"name": lease.name, "holder": self.node_id, "ttl": self.ttl}
                )
                token = found.scalar()
        except Exception as exc:  # the database is away: jobs pause, `/readyz` says why
            if lease.held:
                log.warning("could not renew lease %s: %r", lease.name, exc)
            lease._lost()
            return
        if token is None:
            lease._lost()
        else:
            lease._renewed(int(token), started, self.ttl)

    async def release(self) -> None:
        """Stop renewing and hand the leases over now (a draining or stopping node): the other nodes
        take them at their next renewal instead of after the TTL."""
        self._stopped = True
        if self.single_node:
            return
        async with self._renewing:  # a renewal under way would otherwise take them back after this
            for lease in self._leases.values():
                lease._lost()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5), self.db.engine.begin() as conn:
                    await conn.execute(_RELEASE, {"holder": self.node_id})


class ClusterJob:
    """Runs `work()` every `interval` seconds, and soon after `kick()`, while this node holds the job's
    lease. `work` does its writes in transactions that begin with `lease.check(session)`."""

    def __init__(
        self, lease: Lease, work: Callable[[], Awaitable[object]], interval: float, at_start: bool = False
    ) -> None:
        self.lease = lease
        self.work = work
        self.interval = interval
        self._wake = asyncio.Event()
        self._failures = 0  # passes failed in a row
        if at_start:  # a pass at once if the lease is held already (single node), else on acquiring it
            self._wake.set()
        lease.on_acquired = self.kick

    @property
    def name(self) -> str:
        return self.lease.name

    def kick(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            await self.run_once()

    async def run_once(self) -> bool:
        """One pass if the lease is held; says whether it ran to its end."""
        if not self.lease.held:
            return False
        try:
            await self.work()
        except LeaseLost:
            metrics.JOB_PASSES_FENCED.labels(self.name).inc()
            log.info("job %s: pass stopped, the lease was taken over", self.name)
            return False
        except Exception as exc:
            self._failed(exc)
            return False
        if self._failures:
            log.warning("job %s: passes succeed again after %d failed", self.name, self._failures)
            self._failures = 0
        metrics.JOB_PASSES.labels(self.name).inc()
        return True

    def _failed(self, exc: Exception) -> None:
        """The first failure of a run of them is logged; while the database stays unreachable the
        repeats are not (a pass every second would fill the log during a PostgreSQL restart)."""
        self._failures += 1
        metrics.JOB_PASSES_FAILED.labels(self.name).inc()
        if not database_unavailable(exc):
            log.exception("%s pass failed", self.name)
        elif self._failures == 1:
            log.warning("job %s: the database is unavailable (%r); retrying", self.name, exc)

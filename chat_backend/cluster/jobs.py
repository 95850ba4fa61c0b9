"""Cluster-wide jobs that belong to no realtime component: the page-view retention purge.

(Routing, greeting and call timers are jobs of `Router`, `Greeter` and `CallRelay`.)"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from chat_backend.cluster.lease import ClusterJob, Lease
from chat_backend.db.engine import Database
from chat_backend.domain import traffic

log = logging.getLogger(__name__)

RETENTION_EVERY = 3600.0


def retention_job(db: Database, lease: Lease) -> ClusterJob:
    """Delete page views older than the admins' retention (`TrafficSettings`): when the lease is taken
    (at start on a single node), then hourly."""
    return ClusterJob(lease, lambda: purge_page_views(db, lease), RETENTION_EVERY, at_start=True)


async def purge_page_views(db: Database, lease: Lease) -> int:
    """One pass of the job, fenced by its lease."""
    async with db.write() as session:
        await lease.check(session)
        purged = await traffic.purge_page_views(session, datetime.now(UTC))
    if purged:
        log.info("purged %d page views past their retention", purged)
    return purged


async def purge_now(db: Database) -> int:
    """After an admin shortened the retention: purge at once, on whichever node took the change
    (deleting twice deletes nothing more); a failure is logged, the hourly pass tries again."""
    try:
        async with db.write() as session:
            purged = await traffic.purge_page_views(session, datetime.now(UTC))
    except Exception:
        log.exception("page-view purge failed")
        return 0
    if purged:
        log.info("purged %d page views past their retention", purged)
    return purged

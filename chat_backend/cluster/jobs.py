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

    async def purge() -> None:
        async with db.write() as session:
            await lease.check(session)
            purged = await traffic.purge_page_views(session, datetime.now(UTC))
        if purged:
            log.info("purged %d page views past their retention", purged)

    return ClusterJob(lease, purge, RETENTION_EVERY, at_start=True)

"""The mail job: on exactly one node (lease `mail`), every `MAIL_EVERY` seconds and soon after a kick
(a reply was queued, the settings changed), it queues the daily summaries that are due and sends the
due mail (`chat_backend.domain.mail_send`). A kick on a node that does not hold the lease does nothing:
the holder finds the mail on its next look, a few seconds later."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from chat_backend.cluster.lease import ClusterJob, Lease
from chat_backend.db.engine import Database
from chat_backend.domain import mail_out, mail_send, mail_summary
from chat_backend.realtime import ticket_news
from chat_backend.realtime.hub import Hub

MAIL_EVERY = 5.0


def utc_now() -> datetime:
    return datetime.now(UTC)


async def mail_pass(
    db: Database, lease: Lease | None, now: datetime, ca_file: str = ""
) -> mail_send.PassResult:
    """One pass at `now`: the summaries due, then the mail due."""
    async with db.read() as session:
        config = await mail_out.settings(session)
    if mail_send.sending_on(config) and config.summary_hour is not None:
        async with db.write_quiet() as session:
            if lease is not None:
                await lease.check(session)
            await mail_summary.queue_due(session, config, now)
    return await mail_send.send_due(db, lease, now, ca_file=ca_file)


def mail_job(
    db: Database, hub: Hub, lease: Lease, ca_file: str = "", clock: Callable[[], datetime] = utc_now
) -> ClusterJob:
    """After a pass, the agents who see a ticket whose reply went (or failed) hear of it: their thread
    shows "sent" or the failure without a reload."""

    async def run() -> None:
        result = await mail_pass(db, lease, clock(), ca_file)
        for ticket_id in sorted(result.tickets):
            await ticket_news.announce(db, hub, ticket_id, "changed")

    return ClusterJob(lease, run, MAIL_EVERY, at_start=True)

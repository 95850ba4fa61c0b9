"""Cluster-wide jobs that belong to no realtime component: the retention pass (page views, then closed
chats past their retention), which also archives closed chats an older node left without a record and
makes tickets of offline messages an older node left without one.

(Routing, greeting and call timers are jobs of `Router`, `Greeter` and `CallRelay`.)"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime

from chat_backend.cluster.lease import ClusterJob, Lease
from chat_backend.db.engine import Database
from chat_backend.db.outage import report_failure
from chat_backend.domain import archive, attachments, tickets, traffic, visitor_data
from chat_backend.files.store import FileStore, StoreError

log = logging.getLogger(__name__)

RETENTION_EVERY = 3600.0
ARCHIVE_BATCH = 500
FILE_SWEEP_BATCH = 500


def retention_job(db: Database, lease: Lease, files: FileStore | None = None) -> ClusterJob:
    """Delete page views older than the admins' retention (`TrafficSettings`): when the lease is taken
    (at start on a single node), then hourly. Each pass also archives closed chats without a record."""

    async def run() -> None:
        await purge_page_views(db, lease)
        await purge_closed_chats(db, lease)
        if files is not None:
            await sweep_files(db, files)
        await archive_missing(db, lease)
        await adopt_offline_messages(db, lease)

    return ClusterJob(lease, run, RETENTION_EVERY, at_start=True)


async def purge_closed_chats(db: Database, lease: Lease) -> int:
    """Closed chats past the admins' retention (`RetentionSettings`), in batches, fenced by the lease."""
    total = 0
    while True:
        async with db.write_quiet() as session:
            await lease.check(session)
            done = await visitor_data.purge_closed_chats(session, datetime.now(UTC))
        total += done
        if done < visitor_data.RETENTION_BATCH:
            break
    if total:
        log.info("deleted %d closed chats past their retention", total)
    return total


async def sweep_files(db: Database, files: FileStore) -> int:
    """Delete from the store the files whose chats (or visitors) were deleted; a store that cannot be
    reached keeps them listed for the next pass. How many keys went."""
    total = 0
    while True:
        async with db.read() as session:
            keys = await attachments.keys_to_delete(session, FILE_SWEEP_BATCH)
        if not keys:
            break
        try:
            try:
                await files.delete(keys)
            except KeyError:  # a key no store could hold (a tampered row): the valid ones go, all rows too
                for key in keys:
                    with contextlib.suppress(KeyError):
                        await files.delete([key])
        except StoreError as exc:
            log.warning("file store: deleting files failed, to be retried: %s", exc)
            break
        async with db.write_quiet() as session:
            await attachments.keys_deleted(session, keys)
        total += len(keys)
        if len(keys) < FILE_SWEEP_BATCH:
            break
    return total


async def archive_missing(db: Database, lease: Lease) -> int:
    """Closed chats without an archive record (closed by a node of an older release), in batches."""
    total = 0
    while True:
        async with db.write_quiet() as session:
            await lease.check(session)
            done = await archive.archive_missing(session, ARCHIVE_BATCH)
        total += done
        if done < ARCHIVE_BATCH:
            break
    if total:
        log.info("archived %d closed chats that had no archive record", total)
    return total


async def adopt_offline_messages(db: Database, lease: Lease) -> int:
    """Offline messages without a ticket (left through a node of the previous release) become tickets."""
    async with db.write() as session:
        await lease.check(session)
        done = await tickets.adopt_offline_messages(session)
    if done:
        log.info("made tickets of %d offline messages", done)
    return done


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
    except Exception as exc:
        report_failure(log, "page-view purge", exc)
        return 0
    if purged:
        log.info("purged %d page views past their retention", purged)
    return purged

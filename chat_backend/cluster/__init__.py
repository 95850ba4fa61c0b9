"""Several nodes sharing one PostgreSQL database and one Redis (docs/deploy.md).

The event log in the database stays the truth. Redis only wakes the other nodes after a commit and
carries live pushes between them (`bus`), and holds who is online on which node (`presence`);
`node.ClusterNode` attaches both to the hub. Without `CHAT_REDIS_URL` none of this runs.

Also here, with or without Redis: cluster-wide jobs under leases in the database (`lease`, `jobs`), the
graceful drain (`drain`), readiness (`health`), metrics (`metrics`) and the one-node rule of SQLite
(`single_node`).
"""

from __future__ import annotations

from chat_backend.settings import Settings


def cluster_refusal(settings: Settings) -> str | None:
    """Why this node cannot join a cluster with these settings, or None."""
    if settings.redis_url and settings.resolved_database_url().startswith("sqlite"):
        return (
            "CHAT_REDIS_URL is set, but the database is SQLite: several nodes need one shared PostgreSQL "
            "database (CHAT_DATABASE_URL=postgresql://...). Unset CHAT_REDIS_URL to run a single node "
            "on SQLite."
        )
    if settings.redis_url and not settings.files_s3_bucket:
        return (
            "CHAT_REDIS_URL is set, but files (attachments) are kept on this node's disk: several nodes "
            "need one shared S3-compatible bucket (CHAT_FILES_S3_BUCKET, CHAT_FILES_S3_ENDPOINT; "
            "docs/deploy.md). Unset CHAT_REDIS_URL to run a single node with files on disk."
        )
    return None

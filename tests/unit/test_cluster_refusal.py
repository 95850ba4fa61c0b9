"""Which settings may join a cluster (`chat_backend.cluster.cluster_refusal`): several nodes need one
PostgreSQL database and one shared store for attachments."""

from __future__ import annotations

from chat_backend.cluster import cluster_refusal
from chat_backend.settings import Settings

POSTGRES = "postgresql://chat@db.example/chat"
REDIS = "redis://redis.example:6379/0"


def _settings(
    database_url: str = POSTGRES, redis_url: str = "", files_s3_bucket: str = "", files_dir: str = ""
) -> Settings:
    return Settings(
        database_url=database_url, redis_url=redis_url, files_s3_bucket=files_s3_bucket, files_dir=files_dir
    )


def test_one_node_needs_neither_redis_nor_a_bucket() -> None:
    assert cluster_refusal(_settings()) is None
    assert cluster_refusal(_settings(database_url="sqlite:////tmp/chat.db")) is None


def test_redis_without_a_bucket_is_refused() -> None:
    refusal = cluster_refusal(_settings(redis_url=REDIS, files_dir="/srv/chat/files"))
    assert refusal is not None
    assert "CHAT_FILES_S3_BUCKET" in refusal


def test_redis_with_a_bucket_is_accepted() -> None:
    assert cluster_refusal(_settings(redis_url=REDIS, files_s3_bucket="chat-files")) is None


def test_redis_on_sqlite_is_refused_even_with_a_bucket() -> None:
    refusal = cluster_refusal(
        _settings(redis_url=REDIS, files_s3_bucket="chat-files", database_url="sqlite:////tmp/chat.db")
    )
    assert refusal is not None
    assert "SQLite" in refusal

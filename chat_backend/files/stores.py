"""Which file store a server uses (`chat_backend.files.store` defines them; the S3 one is imported only
when it is configured, so a disk-only server never loads boto3)."""

from __future__ import annotations

from chat_backend.files.store import DiskStore, FileStore
from chat_backend.settings import Settings


def open_store(settings: Settings) -> FileStore:
    """The store these settings name: S3 when `CHAT_FILES_S3_BUCKET` is set, else the disk folder."""
    if settings.files_s3_bucket:
        from chat_backend.files.s3_store import S3Store

        return S3Store(settings)
    return DiskStore(settings.resolved_files_dir())

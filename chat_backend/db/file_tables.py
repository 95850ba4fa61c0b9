"""The attachments of chats (`chat_protocol.attachments`); their bytes are in the file store
(`chat_backend.files.store`) under `storage_key` and `thumbnail_key`. On `chat_backend.db.base.Base`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from chat_backend.db.base import Base, utcnow


class AttachmentRow(Base):
    """A file sent in a chat: written in the same transaction as its message event (`event_id`)."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id"), index=True)
    event_id: Mapped[int] = mapped_column(Integer, index=True)
    author_key: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    storage_key: Mapped[str] = mapped_column(String(100))
    thumbnail_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FileDeletionRow(Base):
    """A store key whose file must go: written in the transaction that deleted what named it (a chat
    past its retention, a visitor's data), removed once the store deleted the bytes. A store that is
    down only delays the deletion; the next pass of the retention job retries it."""

    __tablename__ = "file_deletions"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

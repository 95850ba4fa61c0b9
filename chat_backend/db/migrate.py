"""Runs the Alembic migrations programmatically (`chat-backend migrate`, and `serve` at start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from chat_backend.db.engine import async_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = async_url(database_url)
    return config


def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema. Safe to run repeatedly."""
    command.upgrade(alembic_config(database_url), "head")

"""Shared wording for models: visitor names, waits, previews and escaped tooltips."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication

from chat_protocol import VisitorInfo


def visitor_name(visitor: VisitorInfo) -> str:
    """The visitor's own name (plain text), or "Visitor #n"."""
    name = " ".join(visitor.name.split())
    if name:
        return name
    if visitor.number <= 0:
        return QCoreApplication.translate("DisplayText", "Visitor")
    return QCoreApplication.translate("DisplayText", "Visitor #%1").replace("%1", str(visitor.number))


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace and newlines for a one-line preview."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def seconds_since(moment: datetime | None, now: datetime | None = None) -> int:
    if moment is None:
        return 0
    current = now or datetime.now(UTC)
    return max(0, int((current - moment).total_seconds()))


def format_wait(seconds: int) -> str:
    """``0:07``, ``12:05``, ``1:02:03``."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def escaped_tooltip(text: str) -> str:
    """Untrusted text as a tooltip: escaped and wrapped so Qt never guesses it is markup."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"

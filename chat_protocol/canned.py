"""Canned replies: the model, and the pure expansion of `{placeholder|fallback}` in their text.

Expansion never raises: a known placeholder with a value gives the value, a missing value gives the
fallback (or nothing), and an unknown placeholder stays as literal text.
"""

import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from pydantic import Field

from chat_protocol.base import ProtocolModel

PLACEHOLDERS = ("visitor.name", "visitor.email", "agent.name", "page.url")
_TOKEN = re.compile(r"\{([a-z]+\.[a-z_]+)(?:\|([^{}]*))?\}")
SHORTCUT_PATTERN = r"^[0-9A-Za-z_\-\u3040-\u30ff\u4e00-\u9fff]{1,40}$"


class CannedReply(ProtocolModel):
    """A reply typed as `#shortcut`. `owner_id` None means shared with the team."""

    canned_id: str
    shortcut: str
    title: str
    text: str
    owner_id: str | None = None
    updated_at: datetime


class CannedReplyInput(ProtocolModel):
    """Create or edit a canned reply (`POST /api/v1/canned`, `PUT /api/v1/canned/{id}`)."""

    shortcut: str = Field(pattern=SHORTCUT_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=5000)
    shared: bool = Field(default=False, description="Team reply (supervisors and admins only).")


def expand(text: str, values: Mapping[str, str | None]) -> str:
    """Fill `{visitor.name}` and friends; `{visitor.name|お客様}` falls back when the value is missing."""

    def replace(match: re.Match[str]) -> str:
        key, fallback = match.group(1), match.group(2)
        if key not in PLACEHOLDERS:
            return match.group(0)
        value = (values.get(key) or "").strip()
        return value or (fallback or "")

    return _TOKEN.sub(replace, text)


def matches(replies: Iterable[CannedReply], typed: str) -> list[CannedReply]:
    """Replies for what follows `#`: shortcut prefix first, then title, then text; collisions all kept."""
    needle = typed.casefold()
    ranked: list[tuple[int, str, CannedReply]] = []
    for reply in replies:
        if reply.shortcut.casefold().startswith(needle):
            rank = 0
        elif needle in reply.shortcut.casefold():
            rank = 1
        elif needle in reply.title.casefold():
            rank = 2
        elif needle in reply.text.casefold():
            rank = 3
        else:
            continue
        ranked.append((rank, reply.shortcut.casefold(), reply))
    ranked.sort(key=lambda item: (item[0], item[1], item[2].owner_id is None))
    return [reply for _, _, reply in ranked]

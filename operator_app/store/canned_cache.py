"""Canned replies kept on disk per account, so `#` completion works while the server is away.

One JSON file in the app's data dir holds every account's list (server URL + agent id); it is
rewritten atomically after each successful load from the server.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

if TYPE_CHECKING:
    from chat_protocol.canned import CannedReply


log = logging.getLogger(__name__)

CACHE_FILE = "canned_replies.json"


@cache
def _replies() -> TypeAdapter[list[CannedReply]]:
    """Built on the first load or save, not at import."""
    from chat_protocol.canned import CannedReply

    return TypeAdapter(list[CannedReply])


class CannedCache:
    """The cached canned replies of one account; a damaged file counts as empty, never as an error."""

    def __init__(self, path: Path, account: str) -> None:
        self.path = path
        self.account = account

    def _read_all(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignored an unreadable canned-reply cache %s: %s", self.path, exc)
            return {}
        return data if isinstance(data, dict) else {}

    def load(self) -> list[CannedReply]:
        entry = self._read_all().get(self.account)
        if not isinstance(entry, dict):
            return []
        try:
            return _replies().validate_python(entry.get("replies", []))
        except ValidationError as exc:
            log.warning("ignored damaged canned replies in the cache: %s", exc)
            return []

    def save(self, replies: list[CannedReply]) -> None:
        """Replace this account's list (other accounts are kept); written to a temp file, then renamed."""
        data = self._read_all()
        data[self.account] = {"replies": _replies().dump_python(replies, mode="json")}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".canned-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
            os.replace(tmp, self.path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise

"""REST calls that download exports: a chat's transcript as a file (`GET /chats/{id}/export`) and the
archive's results as CSV (`POST /archives/export`). The server names the file
(``Content-Disposition``); the bytes are kept as sent. `lang` (``en`` or ``ja``) is the language of the
file's labels, `tz` the IANA time zone its times are written in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, unquote

from operator_app.net.api import ApiClient

if TYPE_CHECKING:
    from chat_protocol.archive import ArchiveQuery

ExportFormat = Literal["text", "html"]

_FILENAME_STAR = re.compile(r"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)")
_FILENAME = re.compile(r'filename\s*=\s*(?:"([^"]*)"|([^;]+))')


@dataclass(frozen=True)
class ExportFile:
    """A downloaded export: the server's file name (a base name, or "") and its bytes."""

    filename: str
    content: bytes
    media_type: str


def attachment_name(header: str) -> str:
    """The file name of a ``Content-Disposition`` header, without any folder part; "" if none."""
    found = _FILENAME_STAR.search(header)
    name = unquote(found[1].strip()) if found else ""
    if not name:
        plain = _FILENAME.search(header)
        name = (plain[1] if plain and plain[1] is not None else (plain[2] or "") if plain else "").strip()
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "" if name in (".", "..") else name


class ExportApi:
    """Typed calls; each takes the access token first, like `ApiClient`'s, for `AuthSession.call`."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def chat(self, token: str, chat_id: str, fmt: ExportFormat, *, lang: str, tz: str) -> ExportFile:
        """`GET /chats/{id}/export?format=text|html`: the transcript (UTF-8)."""
        params = {"format": fmt, "lang": lang, "tz": tz}
        path = f"/chats/{quote(chat_id, safe='')}/export"
        response = await self.api.request_raw("GET", path, token=token, params=params)
        return ExportFile(
            attachment_name(response.headers.get("content-disposition", "")),
            response.content,
            response.headers.get("content-type", ""),
        )

    async def archives(self, token: str, query: ArchiveQuery, *, lang: str, tz: str) -> ExportFile:
        """`POST /archives/export`: every result of `query` as CSV (the server caps the rows)."""
        body = query.model_dump(mode="json", exclude_none=True, exclude={"cursor", "limit"})
        params = {"lang": lang, "tz": tz}
        response = await self.api.request_raw(
            "POST", "/archives/export", token=token, json=body, params=params
        )
        return ExportFile(
            attachment_name(response.headers.get("content-disposition", "")),
            response.content,
            response.headers.get("content-type", ""),
        )

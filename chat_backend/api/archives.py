"""`/api/v1/archives`: closed chats, by filters and full-text search (`chat_protocol.archive`)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from chat_backend.api.chats import Lang, Zone, attachment
from chat_backend.api.deps import CurrentActor, State, raise_invalid
from chat_backend.domain import archive, exports
from chat_backend.domain.errors import DomainError
from chat_protocol.archive import ArchivePage, ArchiveQuery

router = APIRouter(prefix="/api/v1")


@router.post("/archives/search")
async def search_archives(query: ArchiveQuery, actor: CurrentActor, state: State) -> ArchivePage:
    """Closed chats the caller may read (`docs/roles.md`, "Archives"), newest first. `q` is found as
    plain text in messages, notes and the visitor's fields; `next_cursor` pages on. Nothing is
    written: a body carries the search because a long search text does not fit in a URL."""
    try:
        async with state.db.read() as session:
            return await archive.search(session, actor, query)
    except DomainError as exc:
        raise_invalid(exc)


@router.post("/archives/export", response_class=Response)
async def export_archives(
    query: ArchiveQuery, actor: CurrentActor, state: State, lang: Lang = "en", tz: Zone = "UTC"
) -> Response:
    """The whole result of the search as CSV (UTF-8 with a BOM; at most 10,000 chats; `cursor` and
    `limit` are ignored). Cells a spreadsheet would run as formulas are prefixed with `'`."""
    try:
        async with state.db.read() as session:
            body = await exports.archive_csv(session, actor, query, lang, tz)
    except DomainError as exc:
        raise_invalid(exc)
    return attachment("archives.csv", "text/csv; charset=utf-8", body)

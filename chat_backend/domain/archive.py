"""The archives: closed chats, found again by filters and full-text search (`POST /api/v1/archives/search`).

When a chat closes, `record_chat` writes what the archives and reports read: one `chat_records` row (its
figures: messages, first visitor and agent message, rating, call, transfer), the agents who took part
(`chat_participants`) and its searchable texts (`archive_docs`, indexed by character bigrams, see
`search_text`). An event added to a closed chat later (a note, the visitor's rating) records the chat
again. The same code fills the archive of chats closed before it existed (migration 0012), so it speaks
SQLAlchemy Core over a plain connection, which both an Alembic migration and `AsyncSession.run_sync`
give.

Who sees which closed chat (`docs/roles.md`, "Archives"): admins all; others the chats they took part
in and the chats of their groups (queued for one of them, or last held by one of its members). The
visitor panel's previous chats and `GET /api/v1/chats/{chat_id}/events` apply the same rule.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import (
    Agent,
    AgentGroup,
    ArchiveDoc,
    Chat,
    ChatParticipant,
    ChatRecord,
    ChatTag,
    EventRow,
    Visitor,
)
from chat_backend.domain import search_text
from chat_backend.domain.auth import as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.training_site import TRAINING_SITE_ID
from chat_protocol import ChatState, ErrorCode
from chat_protocol.archive import ArchiveHit, ArchivePage, ArchiveQuery
from chat_protocol.models import Author, AuthorKind, VisitorInfo

log = logging.getLogger(__name__)

# --- writing --------------------------------------------------------------------------------------


def _utc(value: datetime | None) -> datetime | None:
    """In UTC (a naive value is UTC already: SQLite's): the database compares stored UTC clocks."""
    return None if value is None else as_utc(value).astimezone(UTC)


def record_chat(connection: Connection, chat_id: str) -> None:
    """(Re)write the archive of one closed chat: its record, participants and searchable texts."""
    # Not 0016's column: migration 0012 archives the chats closed before it with this function.
    columns = [column for column in Chat.__table__.c if column.name != "training"]
    chat = connection.execute(select(*columns).where(Chat.id == chat_id)).one_or_none()
    if chat is None or chat.state != ChatState.CLOSED.value:
        return
    visitor = connection.execute(select(Visitor).where(Visitor.id == chat.visitor_id)).one()
    events = connection.execute(
        select(
            EventRow.id,
            EventRow.kind,
            EventRow.author_kind,
            EventRow.author_id,
            EventRow.text,
            EventRow.data,
            EventRow.created_at,
        )
        .where(EventRow.chat_id == chat_id)
        .order_by(EventRow.seq)
    ).all()
    participants = {chat.agent_id} if chat.agent_id else set()
    participants.update(agent for agent in chat.previous_agent_ids or [] if agent)
    first_visitor = first_agent = closed_at = None
    messages, rating, had_call, transferred = 0, None, False, False
    docs: list[dict[str, Any]] = []
    for event in events:
        data = event.data or {}
        if event.author_kind == AuthorKind.AGENT.value and event.author_id:
            participants.add(event.author_id)
        if event.kind == "message":
            messages += 1
            if event.author_kind == AuthorKind.VISITOR.value and first_visitor is None:
                first_visitor = event.created_at
            if event.author_kind == AuthorKind.AGENT.value and first_agent is None:
                first_agent = event.created_at
        elif event.kind == "rating":
            rating = data.get("rating") if data.get("rating") in ("good", "bad") else rating
        elif event.kind == "call" and data.get("state") == "started":
            had_call = True
        elif event.kind == "chat_state":
            if data.get("transferred_from"):
                transferred = True
            if data.get("state") == ChatState.CLOSED.value:
                closed_at = event.created_at
        if event.kind in ("message", "note", "rating") and event.text:
            kind = "note" if event.kind == "note" else "message"
            docs.append({"event_id": event.id, "kind": kind, "text": search_text.normalize(event.text)})
        name = search_text.file_name(data) if event.kind == "message" else ""
        if name:
            docs.append({"event_id": event.id, "kind": "file", "text": search_text.normalize(name)})
    fields = " ".join(
        part for part in (visitor.name, visitor.email, visitor.phone, visitor.external_id) if part
    )
    if fields:
        docs.append({"event_id": None, "kind": "visitor", "text": search_text.normalize(fields)})
    closed = _utc(chat.closed_at) or _utc(closed_at) or datetime.now(UTC)
    if connection.execute(select(ChatRecord.chat_id).where(ChatRecord.chat_id == chat_id)).first():
        forget(connection, chat_id)  # archived before: a note or the rating came later
    connection.execute(
        insert(ChatRecord).values(
            chat_id=chat.id,
            site_id=chat.site_id,
            group_id=chat.group_id,
            agent_id=chat.agent_id,
            visitor_id=chat.visitor_id,
            visitor_name=visitor.name or "",
            visitor_email=visitor.email or "",
            created_at=_utc(chat.created_at),
            closed_at=closed,
            first_visitor_message_at=_utc(first_visitor),
            first_agent_message_at=_utc(first_agent),
            messages=messages,
            rating=rating,
            had_call=had_call,
            transferred=transferred,
            # A training chat (on the training site, so never one before migration 0016's column).
            **({"training": True} if chat.site_id == TRAINING_SITE_ID else {}),
        )
    )
    if participants:
        connection.execute(
            insert(ChatParticipant),
            [{"chat_id": chat_id, "agent_id": agent} for agent in sorted(participants)],
        )
    _index(connection, chat_id, [doc for doc in docs if doc["text"]])


def _postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _index(connection: Connection, chat_id: str, docs: list[dict[str, Any]]) -> None:
    if not docs:
        return
    rows = [{**doc, "chat_id": chat_id} for doc in docs]
    if _postgres(connection):
        statement = insert(ArchiveDoc).values(
            chat_id=bindparam("chat_id"),
            event_id=bindparam("event_id"),
            kind=bindparam("kind"),
            text=bindparam("text"),
            tokens=func.array_to_tsvector(cast(bindparam("grams", type_=ARRAY(Text)), ARRAY(Text))),
        )
        connection.execute(statement, [{**row, "grams": search_text.tokens(row["text"])} for row in rows])
        return
    # The chat's documents are all written here (its old ones were removed first), in this order.
    connection.execute(insert(ArchiveDoc).values(rows))
    ids = connection.execute(
        select(ArchiveDoc.id).where(ArchiveDoc.chat_id == chat_id).order_by(ArchiveDoc.id)
    ).scalars()
    connection.execute(
        text("INSERT INTO archive_fts(rowid, tokens) VALUES (:id, :tokens)"),
        [
            {"id": doc_id, "tokens": " ".join(search_text.tokens(row["text"]))}
            for doc_id, row in zip(ids, rows, strict=True)
        ],
    )


def forget(connection: Connection, chat_id: str) -> None:
    """Remove a chat's archive (before writing it again, or for a visitor's data deletion)."""
    if not _postgres(connection):
        old = connection.execute(
            select(ArchiveDoc.id, ArchiveDoc.text).where(ArchiveDoc.chat_id == chat_id)
        ).all()
        if old:
            # A contentless FTS5 table forgets a row when told the tokens it was given.
            connection.execute(
                text("INSERT INTO archive_fts(archive_fts, rowid, tokens) VALUES ('delete', :id, :tokens)"),
                [{"id": row.id, "tokens": " ".join(search_text.tokens(row.text))} for row in old],
            )
    connection.execute(delete(ArchiveDoc).where(ArchiveDoc.chat_id == chat_id))
    connection.execute(delete(ChatParticipant).where(ChatParticipant.chat_id == chat_id))
    connection.execute(delete(ChatRecord).where(ChatRecord.chat_id == chat_id))


def record_missing(connection: Connection, limit: int | None = None) -> int:
    """Archive closed chats that have no record yet (at most `limit`): the chats closed before the
    archives existed (migration 0012), and those a node of an older release closed during a rolling
    upgrade (the retention job's pass, `chat_backend.cluster.jobs`)."""
    query = (
        select(Chat.id)
        .where(Chat.state == ChatState.CLOSED.value)
        .where(~select(ChatRecord.chat_id).where(ChatRecord.chat_id == Chat.id).exists())
    )
    missing = list(connection.execute(query if limit is None else query.limit(limit)).scalars())
    for chat_id in missing:
        record_chat(connection, chat_id)
    return len(missing)


async def archive_missing(session: AsyncSession, limit: int) -> int:
    return await session.run_sync(lambda sync: record_missing(sync.connection(), limit))


async def on_event(session: AsyncSession, chat: Chat, row: EventRow) -> None:
    """After an event was written: a chat that closed, or an event of a closed chat (a note, a rating),
    is (re)archived in the same transaction, under a savepoint: archiving that fails (a bug) is logged
    and rolled back alone, and the chat still closes; the retention job archives it later."""
    if chat.state != ChatState.CLOSED.value:
        return
    if row.kind not in ("chat_state", "note", "rating", "message", "call"):
        return
    await session.flush()
    chat_id = chat.id
    try:
        async with session.begin_nested():
            await session.run_sync(lambda sync: record_chat(sync.connection(), chat_id))
    except (OSError, sqlalchemy_exc.DBAPIError):
        raise  # the database itself failed: the whole transaction does
    except Exception:
        log.exception("could not archive chat %s; the retention job will", chat_id)


# --- who sees what --------------------------------------------------------------------------------


def took_part(agent_id: str) -> ColumnElement[bool]:
    """The agent took part in the chat: a primary-key lookup per chat (a list of every chat an agent
    ever took part in would be built for each query)."""
    return (
        select(ChatParticipant.chat_id)
        .where(ChatParticipant.chat_id == ChatRecord.chat_id, ChatParticipant.agent_id == agent_id)
        .exists()
    )


def visible_clause(actor: Actor) -> ColumnElement[bool]:
    """The archive rule of `docs/roles.md` over `ChatRecord`."""
    if actor.is_admin:
        return true()
    mine = took_part(actor.agent_id)
    if not actor.group_ids:
        return mine
    groups = sorted(actor.group_ids)
    teammates = select(AgentGroup.agent_id).where(AgentGroup.group_id.in_(groups))
    return or_(mine, ChatRecord.group_id.in_(groups), ChatRecord.agent_id.in_(teammates))


async def may_read_closed(session: AsyncSession, actor: Actor, chat_id: str) -> bool:
    found = await session.scalar(
        select(ChatRecord.chat_id).where(ChatRecord.chat_id == chat_id, visible_clause(actor))
    )
    return found is not None


# --- searching ------------------------------------------------------------------------------------


# Below this many matching documents a search starts from them (the index narrows, a substring test
# confirms); at or above it the text is common, and the search walks the newest chats instead, testing
# each one's documents, and stops as soon as the page is full.
FEW_MATCHES = 2000


def _contains(column: Any, needle: str, postgres: bool) -> ColumnElement[bool]:
    found: ColumnElement[bool] = (func.strpos(column, needle) if postgres else func.instr(column, needle)) > 0
    return found


def _matching_chats(needle: str, postgres: bool, limit: int) -> Any:
    """Chat ids of (up to `limit`) documents containing `needle` (normalised, not empty), found through
    the bigram index."""
    required, prefix = search_text.query_tokens(needle)
    if postgres:
        indexed = text("archive_docs.tokens @@ CAST(:tsq AS tsquery)").bindparams(
            tsq=search_text.tsquery(required, prefix)
        )
        return (
            select(ArchiveDoc.chat_id).where(indexed, _contains(ArchiveDoc.text, needle, True)).limit(limit)
        )
    return text(
        "SELECT d.chat_id FROM archive_fts JOIN archive_docs AS d ON d.id = archive_fts.rowid"
        " WHERE archive_fts MATCH :match AND instr(d.text, :needle) > 0 LIMIT :limit"
    ).bindparams(match=search_text.fts5_match(required, prefix), needle=needle, limit=limit)


async def _text_clause(session: AsyncSession, needle: str, postgres: bool) -> ColumnElement[bool]:
    """Which chats hold the search text: the few found through the index, or (common text) a test of
    each chat's documents as the newest chats are walked."""
    found = list((await session.execute(_matching_chats(needle, postgres, FEW_MATCHES))).scalars())
    if len(found) < FEW_MATCHES:
        return ChatRecord.chat_id.in_(sorted(set(found)))
    docs = select(ArchiveDoc.id).where(
        ArchiveDoc.chat_id == ChatRecord.chat_id, _contains(ArchiveDoc.text, needle, postgres)
    )
    return docs.exists()


def _cursor(value: str) -> tuple[datetime, str]:
    stamp, _, chat_id = value.partition("|")
    try:
        when = _utc(datetime.fromisoformat(stamp))
    except ValueError:
        when = None
    if when is None or not chat_id or len(chat_id) > 36:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "Unknown cursor.")
    return when, chat_id


async def search(session: AsyncSession, actor: Actor, filters: ArchiveQuery) -> ArchivePage:
    postgres = session.get_bind().dialect.name == "postgresql"
    needle = search_text.normalize(filters.q)
    query = select(ChatRecord).where(visible_clause(actor), ChatRecord.training.is_(False))
    if needle:
        query = query.where(await _text_clause(session, needle, postgres))
    if filters.since is not None:
        query = query.where(ChatRecord.closed_at >= _utc(filters.since))
    if filters.until is not None:
        query = query.where(ChatRecord.closed_at < _utc(filters.until))
    if filters.agent_id:
        query = query.where(took_part(filters.agent_id))
    if filters.group_id:
        members = select(AgentGroup.agent_id).where(AgentGroup.group_id == filters.group_id)
        query = query.where(or_(ChatRecord.group_id == filters.group_id, ChatRecord.agent_id.in_(members)))
    if filters.site_id:
        query = query.where(ChatRecord.site_id == filters.site_id)
    if filters.rating == "none":
        query = query.where(ChatRecord.rating.is_(None))
    elif filters.rating in ("good", "bad"):
        query = query.where(ChatRecord.rating == filters.rating)
    if filters.had_call is not None:
        query = query.where(ChatRecord.had_call.is_(filters.had_call))
    if filters.transferred is not None:
        query = query.where(ChatRecord.transferred.is_(filters.transferred))
    who = search_text.normalize(filters.visitor)
    if who:
        query = query.where(
            ChatRecord.chat_id.in_(
                select(ArchiveDoc.chat_id).where(
                    ArchiveDoc.kind == "visitor", _contains(ArchiveDoc.text, who, postgres)
                )
            )
        )
    if filters.tag_ids:
        tagged = select(ChatTag.chat_id).where(ChatTag.tag_id.in_(sorted(set(filters.tag_ids))))
        query = query.where(ChatRecord.chat_id.in_(tagged))
    if filters.cursor:
        when, last_id = _cursor(filters.cursor)
        # A row comparison: both databases walk the (closed_at, chat_id) index from there.
        query = query.where(tuple_(ChatRecord.closed_at, ChatRecord.chat_id) < tuple_(when, last_id))
    query = query.order_by(ChatRecord.closed_at.desc(), ChatRecord.chat_id.desc()).limit(filters.limit + 1)
    records = list((await session.scalars(query)).all())
    more = len(records) > filters.limit
    records = records[: filters.limit]
    snippets = await _snippets(session, [r.chat_id for r in records], needle, postgres)
    hits = await _hits(session, records, snippets, needle)
    next_cursor = None
    if more and records:
        last = records[-1]
        next_cursor = f"{_utc(last.closed_at).isoformat()}|{last.chat_id}"  # type: ignore[union-attr]
    return ArchivePage(hits=hits, next_cursor=next_cursor)


_KIND_ORDER = {"message": 0, "file": 1, "note": 2, "visitor": 3}


async def _snippets(
    session: AsyncSession, chat_ids: list[str], needle: str, postgres: bool
) -> dict[str, tuple[str, int | None]]:
    """Per chat: (kind, event id) of the document to quote: a message before a file's name before a
    note before the visitor's fields, the first of each."""
    if not chat_ids:
        return {}
    if needle:  # the page's chats have a few dozen documents: a substring test on each is enough
        rows = await session.execute(
            select(ArchiveDoc.chat_id, ArchiveDoc.kind, ArchiveDoc.event_id, ArchiveDoc.id)
            .where(ArchiveDoc.chat_id.in_(chat_ids), _contains(ArchiveDoc.text, needle, postgres))
            .order_by(ArchiveDoc.id)
        )
    else:
        rows = await session.execute(
            select(ArchiveDoc.chat_id, ArchiveDoc.kind, ArchiveDoc.event_id, ArchiveDoc.id)
            .where(ArchiveDoc.chat_id.in_(chat_ids), ArchiveDoc.kind == "message")
            .order_by(ArchiveDoc.id)
        )
    best: dict[str, tuple[str, int | None]] = {}
    for chat_id, kind, event_id, _doc_id in rows.all():
        current = best.get(chat_id)
        if current is None or _KIND_ORDER[kind] < _KIND_ORDER[current[0]]:
            best[chat_id] = (kind, event_id)
    return best


async def _hits(
    session: AsyncSession,
    records: list[ChatRecord],
    found: dict[str, tuple[str, int | None]],
    needle: str,
) -> list[ArchiveHit]:
    """The page's hits, with four queries whatever its length (visitors, agents, quoted events, tags)."""
    visitors = {
        row.id: row
        for row in await session.execute(
            select(
                Visitor.id, Visitor.number, Visitor.name, Visitor.email, Visitor.phone, Visitor.external_id
            ).where(Visitor.id.in_({r.visitor_id for r in records}))
        )
    }
    agent_ids = {r.agent_id for r in records if r.agent_id}
    names: dict[str, str] = {}
    if agent_ids:
        for agent_id, name in await session.execute(
            select(Agent.id, Agent.name).where(Agent.id.in_(agent_ids))
        ):
            names[agent_id] = name
    event_ids = {event_id for _kind, event_id in found.values() if event_id is not None}
    texts: dict[int, str | None] = {}
    if event_ids:
        for quoted, body, data in await session.execute(
            select(EventRow.id, EventRow.text, EventRow.data).where(EventRow.id.in_(event_ids))
        ):
            texts[quoted] = body or search_text.file_name(data)  # a file's message quotes its name
    tagged: dict[str, list[str]] = {}
    page_ids = [r.chat_id for r in records]
    if page_ids:
        rows = await session.execute(
            select(ChatTag.chat_id, ChatTag.tag_id)
            .where(ChatTag.chat_id.in_(page_ids))
            .order_by(ChatTag.tag_id)
        )
        for chat_id, tag_id in rows.all():
            tagged.setdefault(chat_id, []).append(tag_id)
    hits = []
    for record in records:
        visitor = visitors.get(record.visitor_id)
        snippet, match = "", None
        spans: list[tuple[int, int]] = []
        if record.chat_id in found:
            kind, event_id = found[record.chat_id]
            if kind == "visitor":
                fields = (visitor.name, visitor.email, visitor.phone, visitor.external_id) if visitor else ()
                original = " ".join(part for part in fields if part)
            else:
                original = texts.get(event_id) or "" if event_id is not None else ""
            snippet, spans = search_text.snippet(original, needle)
            match = kind if needle else None
        agent = (
            Author(kind=AuthorKind.AGENT, id=record.agent_id, name=names.get(record.agent_id, ""))
            if record.agent_id
            else None
        )
        hits.append(
            ArchiveHit(
                chat_id=record.chat_id,
                site_id=record.site_id,
                group_id=record.group_id,
                visitor=VisitorInfo(
                    visitor_id=record.visitor_id,
                    number=visitor.number if visitor else 0,
                    name=visitor.name if visitor else record.visitor_name,
                ),
                visitor_email=record.visitor_email,
                agent=agent,
                created_at=_utc(record.created_at),
                closed_at=_utc(record.closed_at),
                messages=record.messages,
                rating=record.rating,
                had_call=record.had_call,
                transferred=record.transferred,
                tag_ids=tagged.get(record.chat_id, []),
                snippet=snippet,
                highlights=spans,
                match=match,
            )
        )
    return hits

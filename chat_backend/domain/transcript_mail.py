"""A visitor's "E-mail me this conversation" (`email_transcript`): the chat's messages, as the visitor
saw them, queued as one e-mail to the visitor.

It must not become a way to mail anyone anything: only the visitor's own chat, only once an agent has
written in it, at most one transcript per chat (the outbox's `dedupe_key`), and the socket limits it
per IP and per site. Only messages with audience `all` are rendered: internal notes and whispers never.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Chat, EventRow, Site, Visitor
from chat_backend.db.ticket_tables import MailOutboxRow
from chat_backend.domain import chats, mail_out, team_zone
from chat_backend.domain.auth import as_utc
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import to_model
from chat_backend.domain.exports import LABELS, local_time, message_text, transcript_html
from chat_backend.domain.handover import latest_chat_of
from chat_protocol import ErrorCode
from chat_protocol.models import MessageEvent

KIND = "transcript"
# What one mail holds at most: the first messages up to this many characters of text (a note says how
# many were left out).
MAX_BODY_CHARS = 500_000
# `Visitor.email` holds at most this much: a longer address is mailed but not kept.
MAX_KEPT_EMAIL = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Your conversation with {site}",
        "you": "You",
        "intro": "Here is your conversation with {site}.",
        "omitted": "({n} more messages are not included.)",
        "why": "You receive this e-mail because you asked for it in the chat.",
    },
    "ja": {
        "subject": "{site} とのチャットの記録",
        "you": "お客様",
        "intro": "{site} とのチャットの記録をお送りします。",
        "omitted": "（ほか {n} 件のメッセージは含まれていません）",
        "why": "このメールは、チャットでご依頼いただいたためお送りしています。",
    },
}


def _key(chat_id: str) -> str:
    return f"transcript:{chat_id}"


def _valid(address: str) -> bool:
    return 3 <= len(address) <= 254 and _EMAIL.match(address) is not None


async def _own_chat(session: AsyncSession, visitor: Visitor, chat_id: str | None) -> Chat:
    chat = await session.get(Chat, chat_id) if chat_id else await latest_chat_of(session, visitor.id)
    if chat is None or chat.visitor_id != visitor.id:
        raise DomainError(ErrorCode.NOT_FOUND, "There is no chat to send.")
    return chat


async def _agent_wrote(session: AsyncSession, chat_id: str) -> bool:
    found = await session.scalars(
        select(EventRow.id)
        .where(
            EventRow.chat_id == chat_id,
            EventRow.kind == "message",
            EventRow.audience == "all",
            EventRow.author_kind == "agent",
        )
        .limit(1)
    )
    return found.first() is not None


async def known_answer(
    session: AsyncSession, visitor: Visitor, client_id: str, chat_id: str | None, email: str | None
) -> bool | None:
    """The answer when no mail is to be queued (the transcript is queued already: True for a retry of
    the request that queued it, False for any other), None when a mail would be queued now; raises
    when the request is refused (not the visitor's chat, no agent message yet, no address)."""
    chat = await _own_chat(session, visitor, chat_id)
    queued = await session.scalars(select(MailOutboxRow).where(MailOutboxRow.dedupe_key == _key(chat.id)))
    row = queued.first()
    if row is not None:
        return row.headers.get("client_id") == client_id
    chats.refuse_if_spam(visitor)
    if not await _agent_wrote(session, chat.id):
        raise DomainError(
            ErrorCode.AGENT_REPLY_REQUIRED, "The conversation can be sent once an agent has replied."
        )
    if not (email or "").strip() and not _valid(visitor.email.strip()):
        raise DomainError(ErrorCode.EMAIL_REQUIRED, "Which e-mail address should the conversation go to?")
    return None


async def send(
    session: AsyncSession,
    visitor: Visitor,
    client_id: str,
    chat_id: str | None,
    email: str | None,
    lang: str,
) -> bool:
    """Queue the chat's transcript to `email` (kept as the visitor's address when they had none) or to
    the visitor's address: whether this request queued it (see `known_answer`)."""
    known = await known_answer(session, visitor, client_id, chat_id, email)
    if known is not None:
        return known
    chat = await _own_chat(session, visitor, chat_id)
    given = (email or "").strip()
    if given and not _valid(given):
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "This e-mail address is not valid.")
    if given and not visitor.email.strip() and len(given) <= MAX_KEPT_EMAIL:
        visitor.email = given
    subject, text, html = await render(session, chat, lang)
    row = await mail_out.enqueue(
        session,
        kind=KIND,
        to_addr=given or visitor.email.strip(),
        to_name=visitor.name,
        subject=subject,
        body_text=text,
        body_html=html,
        site_id=chat.site_id,
        chat_id=chat.id,
        dedupe_key=_key(chat.id),
        auto_submitted=True,
    )
    row.headers = {**row.headers, "client_id": client_id}  # a retry of this request answers True
    return True


async def render(session: AsyncSession, chat: Chat, lang: str) -> tuple[str, str, str]:
    """(subject, text, HTML) of the visitor-facing transcript: messages with audience `all` only, in
    `lang`, times in the team's time zone."""
    words = WORDS.get(lang, WORDS["en"])
    labels = LABELS.get(lang, LABELS["en"])
    tz = team_zone.zone_or_utc((await team_zone.team_settings(session)).time_zone)
    site = await session.get(Site, chat.site_id)
    site_name = " ".join((site.name if site else "").split())  # one line: it goes into the Subject
    rows = (
        await session.scalars(
            select(EventRow)
            .where(EventRow.chat_id == chat.id, EventRow.kind == "message", EventRow.audience == "all")
            .order_by(EventRow.seq)
        )
    ).all()
    messages = [e for e in map(to_model, rows) if isinstance(e, MessageEvent) and e.audience == "all"]
    lines: list[tuple[str, str, str, bool]] = []
    budget = MAX_BODY_CHARS
    for event in messages:
        what = message_text(event, labels)
        budget -= len(what)
        if budget < 0:
            break
        kind = event.author.kind.value
        who = (
            words["you"]
            if kind == "visitor"
            else event.author.name or labels[kind if kind == "agent" else "system"]
        )
        lines.append((local_time(event.created_at, tz), who, what, False))
    if len(lines) < len(messages):
        lines.append(("", "", words["omitted"].format(n=len(messages) - len(lines)), False))
    agents = sorted({e.author.name for e in messages if e.author.kind.value == "agent" and e.author.name})
    head = [
        (labels["site"], site_name),
        (labels["agent"], ", ".join(agents)),
        (labels["started"], local_time(as_utc(chat.created_at), tz) + f" ({tz.key})"),
    ]
    subject = words["subject"].format(site=site_name)
    text = "\n".join(
        [
            words["intro"].format(site=site_name),
            "",
            *(f"{k}: {v}" for k, v in head),
            "",
            *(f"[{when}] {who}: {what}" if who else what for when, who, what, _note in lines),
            "",
            "-- ",
            words["why"],
            "",
        ]
    )
    return subject, text, transcript_html(subject, head, lines, lang)

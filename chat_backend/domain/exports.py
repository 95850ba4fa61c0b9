"""Exports: a chat's transcript as plain text or HTML, and an archive result as CSV, in the reader's
language (`en`, `ja`) and time zone. `local_time`, `message_text` and `transcript_html` also
write the transcripts e-mailed to visitors (`chat_backend.domain.transcript_mail`).

Everything a visitor or an agent wrote stays plain text: the HTML escapes every character that could
open markup (and carries a Content-Security-Policy that allows no script and no remote load), and a
CSV cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) is prefixed with `'`.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Chat, ChatTag, EventRow, Site, TagRow, Visitor
from chat_backend.domain import archive, chats, team_zone
from chat_backend.domain.auth import as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import to_model
from chat_backend.files.names import size_text
from chat_protocol import ChatState, ErrorCode
from chat_protocol.archive import ArchiveHit, ArchiveQuery
from chat_protocol.models import (
    AnyEvent,
    CallEvent,
    ChatStateEvent,
    MessageEvent,
    NoteEvent,
    PagePushEvent,
    RatingEvent,
)

MAX_CSV_ROWS = 10_000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Chat transcript",
        "visitor": "Visitor",
        "agent": "Agent",
        "site": "Website",
        "started": "Started",
        "closed": "Closed",
        "tags": "Tags",
        "rating": "Rating",
        "good": "good",
        "bad": "bad",
        "note": "internal note",
        "incoming": "The chat started",
        "queued": "The visitor waits in the queue",
        "taken": "{agent} took the chat",
        "transferred": "The chat was transferred from {from_} to {agent}",
        "closed_by_agent": "{agent} closed the chat",
        "closed_by_visitor": "The visitor closed the chat",
        "closed_inactive": "The chat closed after inactivity",
        "rated": "The visitor rated the chat: {rating}",
        "page_offered": "{author} sent a page: {url}",
        "page_accepted": "The visitor opened the page: {url}",
        "page_declined": "The visitor declined the page: {url}",
        "call_started": "Video call started",
        "call_ended": "Video call ended ({duration})",
        "visitor_n": "Visitor #{n}",
        "system": "System",
        "file": "[File] {name} ({size})",
        "csv": "Chat,Closed,Started,Visitor,E-mail,Agent,Website,Tags,Rating,Messages,Video call,Transferred,Match",
        "yes": "yes",
        "no": "no",
    },
    "ja": {
        "title": "チャット履歴",
        "visitor": "訪問者",
        "agent": "担当者",
        "site": "サイト",
        "started": "開始",
        "closed": "終了",
        "tags": "タグ",
        "rating": "評価",
        "good": "高評価",
        "bad": "低評価",
        "note": "社内メモ",
        "incoming": "チャットが開始されました",
        "queued": "訪問者が待機列で待っています",
        "taken": "{agent} がチャットを引き受けました",
        "transferred": "チャットが {from_} から {agent} に転送されました",
        "closed_by_agent": "{agent} がチャットを終了しました",
        "closed_by_visitor": "訪問者がチャットを終了しました",
        "closed_inactive": "無操作のためチャットが終了しました",
        "rated": "訪問者の評価: {rating}",
        "page_offered": "{author} がページを送りました: {url}",
        "page_accepted": "訪問者がページを開きました: {url}",
        "page_declined": "訪問者がページを断りました: {url}",
        "call_started": "ビデオ通話が始まりました",
        "call_ended": "ビデオ通話が終わりました ({duration})",
        "visitor_n": "訪問者 #{n}",
        "system": "システム",
        "file": "[ファイル] {name} ({size})",
        "csv": "チャット,終了,開始,訪問者,メールアドレス,担当者,サイト,タグ,評価,メッセージ数,ビデオ通話,転送,一致",
        "yes": "あり",
        "no": "なし",
    },
}


def cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(_FORMULA) else value


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float | None) -> str:
    total = round(seconds or 0)
    return f"{total // 60}:{total % 60:02d}"


def message_text(event: MessageEvent, words: dict[str, str]) -> str:
    """What a message says in a transcript: its text, or for a file "[File] name (size)" (the name
    only, never a link: a transcript does not fetch or offer the file)."""
    if event.attachment is None:
        return event.text
    found = event.attachment
    line = words["file"].format(name=found.name, size=size_text(found.size))
    return f"{line}\n{event.text}" if event.text else line


def _line(event: AnyEvent, words: dict[str, str], visitor_label: str) -> tuple[str, str, bool] | None:
    """(who, what, is a note) of one event, or None for events a reader does not need."""
    author = event.author.name or (visitor_label if event.author.kind.value == "visitor" else words["system"])
    if isinstance(event, MessageEvent):
        return author, message_text(event, words), False
    if isinstance(event, NoteEvent):
        return f"{author} ({words['note']})", event.text, True
    if isinstance(event, RatingEvent):
        text = words["rated"].format(rating=words[event.rating])
        return "", text + (f" — {event.comment}" if event.comment else ""), False
    if isinstance(event, PagePushEvent):
        key = {"offered": "page_offered", "accepted": "page_accepted", "declined": "page_declined"}[
            event.state
        ]
        return "", words[key].format(author=author, url=event.url), False
    if isinstance(event, CallEvent):
        if event.state == "started":
            return "", words["call_started"], False
        return "", words["call_ended"].format(duration=_duration(event.duration_s)), False
    if isinstance(event, ChatStateEvent):
        agent = event.agent.name if event.agent else ""
        if event.state == ChatState.INCOMING:
            return "", words["incoming"], False
        if event.state == ChatState.QUEUED:
            return "", words["queued"], False
        if event.state == ChatState.TAKEN:
            if event.transferred_from is not None:
                return "", words["transferred"].format(from_=event.transferred_from.name, agent=agent), False
            return "", words["taken"].format(agent=agent), False
        if event.state == ChatState.CLOSED:
            reason = event.reason.value if event.reason else "agent"
            closing = {
                "agent": "closed_by_agent",
                "visitor": "closed_by_visitor",
                "inactive": "closed_inactive",
            }
            return "", words[closing.get(reason, "closed_by_agent")].format(agent=agent or author), False
    return None


async def transcript(
    session: AsyncSession, actor: Actor, chat_id: str, fmt: str, lang: str, tz_name: str
) -> tuple[str, str, str]:
    """(file name, media type, body) of a chat's transcript, notes included (agents read it)."""
    tz = team_zone.zone(tz_name)
    words = LABELS.get(lang, LABELS["en"])
    chat = await session.get(Chat, chat_id)
    if chat is None or not await chats.agent_may_read(session, actor, chat):
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    visitor = await session.get(Visitor, chat.visitor_id)
    site = await session.get(Site, chat.site_id)
    rows: Sequence[EventRow] = (
        await session.scalars(select(EventRow).where(EventRow.chat_id == chat_id).order_by(EventRow.seq))
    ).all()
    events = [to_model(row) for row in rows]
    tag_names = (
        await session.scalars(
            select(TagRow.name).join(ChatTag, ChatTag.tag_id == TagRow.id).where(ChatTag.chat_id == chat_id)
        )
    ).all()
    visitor_label = (visitor.name if visitor and visitor.name else "") or words["visitor_n"].format(
        n=visitor.number if visitor else "?"
    )
    agents = sorted({e.author.name for e in events if e.author.kind.value == "agent" and e.author.name})
    head = [
        (words["visitor"], visitor_label + (f" <{visitor.email}>" if visitor and visitor.email else "")),
        (words["agent"], ", ".join(agents)),
        (words["site"], site.name if site else ""),
        (words["started"], local_time(as_utc(chat.created_at), tz) + f" ({tz.key})"),
    ]
    if chat.closed_at is not None:
        head.append((words["closed"], local_time(as_utc(chat.closed_at), tz)))
    if tag_names:
        head.append((words["tags"], ", ".join(sorted(tag_names))))
    lines = []
    for event in events:
        found = _line(event, words, visitor_label)
        if found is not None:
            who, what, note = found
            lines.append((local_time(event.created_at, tz), who, what, note))
    day = local_time(as_utc(chat.created_at), tz)[:10]
    stem = f"chat-{day}-{chat_id[:8]}"
    if fmt == "html":
        return f"{stem}.html", "text/html; charset=utf-8", transcript_html(words["title"], head, lines, lang)
    text = "\n".join([words["title"], *(f"{k}: {v}" for k, v in head), ""])
    text += (
        "\n".join(f"[{when}] {who + ': ' if who else ''}{what}" for when, who, what, _note in lines) + "\n"
    )
    return f"{stem}.txt", "text/plain; charset=utf-8", text


def transcript_html(
    title: str, head: list[tuple[str, str]], lines: list[tuple[str, str, str, bool]], lang: str
) -> str:
    e = html.escape
    rows = "\n".join(
        f'<tr class="{"note" if note else ("event" if not who else "line")}"><td class="when">{e(when)}</td>'
        f'<td class="who">{e(who)}</td><td class="what">{e(what)}</td></tr>'
        for when, who, what, note in lines
    )
    facts = "\n".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in head)
    return f"""<!DOCTYPE html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{e(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; }}
.facts th {{ text-align: left; padding-right: 1em; color: #555; }}
.transcript td {{ vertical-align: top; padding: 0.25em 0.5em; white-space: pre-wrap; }}
.when {{ color: #777; white-space: nowrap; }}
.who {{ font-weight: bold; white-space: nowrap; }}
tr.event td.what {{ color: #666; font-style: italic; }}
tr.note td {{ background: #fff8e1; }}
</style>
</head>
<body>
<h1>{e(title)}</h1>
<table class="facts">
{facts}
</table>
<table class="transcript">
{rows}
</table>
</body>
</html>
"""


async def archive_csv(
    session: AsyncSession, actor: Actor, query: ArchiveQuery, lang: str, tz_name: str
) -> str:
    """The whole result of an archive search (at most `MAX_CSV_ROWS` chats), newest first."""
    tz = team_zone.zone(tz_name)
    words = LABELS.get(lang, LABELS["en"])
    names = {row.id: row.name for row in (await session.execute(select(TagRow.id, TagRow.name))).all()}
    sites = {row.id: row.name for row in (await session.execute(select(Site.id, Site.name))).all()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(words["csv"].split(","))
    cursor, written = None, 0
    while written < MAX_CSV_ROWS:
        page = await archive.search(session, actor, query.model_copy(update={"cursor": cursor, "limit": 100}))
        for hit in page.hits[: MAX_CSV_ROWS - written]:
            writer.writerow([cell(value) for value in _csv_row(hit, words, names, sites, tz)])
            written += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    return "\ufeff" + out.getvalue()  # the BOM: spreadsheets then read UTF-8 (Japanese) right


def _csv_row(
    hit: ArchiveHit, words: dict[str, str], tags: dict[str, str], sites: dict[str, str], tz: ZoneInfo
) -> list[str]:
    visitor = hit.visitor.name or words["visitor_n"].format(n=hit.visitor.number)
    return [
        hit.chat_id,
        local_time(hit.closed_at, tz),
        local_time(hit.created_at, tz),
        visitor,
        hit.visitor_email,
        hit.agent.name if hit.agent else "",
        sites.get(hit.site_id, hit.site_id),
        "; ".join(sorted(tags.get(t, t) for t in hit.tag_ids)),
        words[hit.rating] if hit.rating else "",
        str(hit.messages),
        words["yes"] if hit.had_call else words["no"],
        words["yes"] if hit.transferred else words["no"],
        hit.snippet,
    ]

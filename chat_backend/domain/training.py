"""Training mode: an agent switches it on for themselves; the training job then sends them scripted
visitors (`training_script`). Training chats go to agents in training only (`routing`,
`chats.take_chat`, `handover.transfer`), and stay out of reports and archives (`ChatRecord.training`).
Supervisors (their groups) and admins read each trainee's results here."""

from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, CannedReplyRow, Chat, EventRow
from chat_backend.domain import chats, team
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_protocol import AuthorKind, ChatState, ErrorCode
from chat_protocol.canned import PLACEHOLDERS
from chat_protocol.rest import Me
from chat_protocol.training import TrainingResult

MAX_RESULT_EVENTS = 50_000  # the newest training events read for the results
_TOKEN = re.compile(r"\{([a-z]+\.[a-z_]+)(?:\|[^{}]*)?\}")


async def set_mode(
    session: AsyncSession, agent: AgentIdentity, training: bool, language: str | None = None
) -> Me:
    """Switch training mode, and in training the language of the scripted visitors (None: every
    language; leaving training clears it). Refused while the agent holds a chat of the other kind: a
    real visitor is never left with a trainee, nor a scripted one with an agent back at work."""
    row = await session.get(Agent, agent.agent_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such agent.")
    if row.training != training:
        other = await session.scalar(
            select(func.count())
            .select_from(Chat)
            .where(
                Chat.agent_id == agent.agent_id,
                Chat.state == ChatState.TAKEN.value,
                Chat.training.is_(not training),
            )
        )
        if other:
            raise DomainError(ErrorCode.FORBIDDEN, "Close or transfer your open chats first.")
        row.training = training
    row.training_language = language if training else None
    return await chats.me(session, agent)


def canned_pattern(text: str) -> re.Pattern[str]:
    """A canned reply's text as a pattern: its placeholders match whatever they were filled with."""
    parts, last = [], 0
    for match in _TOKEN.finditer(text):
        parts.append(re.escape(text[last : match.start()]))
        parts.append(".*?" if match.group(1) in PLACEHOLDERS else re.escape(match.group(0)))
        last = match.end()
    parts.append(re.escape(text[last:]))
    return re.compile("".join(parts).strip(), re.DOTALL)


async def results(session: AsyncSession, actor: Actor) -> list[TrainingResult]:
    """Per trainee in the caller's scope (supervisors: their groups and themselves; admins: all) who is
    in training or has had training chats: chats held, replies, canned replies used, mean first
    response, ratings. Canned use counts the replies that contain a canned reply's text."""
    agents = {agent.id: agent for agent in await team.agents_in_scope(session, actor)}
    ids = sorted(agents)
    canned = [canned_pattern(text) for text in (await session.scalars(select(CannedReplyRow.text))).all()]
    events = (
        await session.execute(
            select(
                EventRow.chat_id,
                EventRow.kind,
                EventRow.author_kind,
                EventRow.author_id,
                EventRow.text,
                EventRow.data,
                EventRow.created_at,
                Chat.agent_id,
            )
            .join(Chat, Chat.id == EventRow.chat_id)
            .where(Chat.training.is_(True), EventRow.kind.in_(("message", "rating")))
            .where(or_(Chat.agent_id.in_(ids), EventRow.author_id.in_(ids)))
            .order_by(EventRow.id.desc())
            .limit(MAX_RESULT_EVENTS)
        )
    ).all()
    held: dict[str, set[str]] = defaultdict(set)
    replies: dict[str, int] = defaultdict(int)
    used: dict[str, int] = defaultdict(int)
    good: dict[str, int] = defaultdict(int)
    bad: dict[str, int] = defaultdict(int)
    first_visitor: dict[str, float] = {}
    first_agent: dict[str, tuple[float, str]] = {}
    for chat_id, kind, author_kind, author_id, text, data, created, holder in reversed(events):
        when = as_utc(created).timestamp()
        if holder in agents:
            held[holder].add(chat_id)
        if kind == "rating" and holder in agents:
            rating = (data or {}).get("rating")
            if rating == "good":
                good[holder] += 1
            elif rating == "bad":
                bad[holder] += 1
        elif kind == "message" and author_kind == AuthorKind.VISITOR.value:
            first_visitor.setdefault(chat_id, when)
        elif kind == "message" and author_kind == AuthorKind.AGENT.value and author_id in agents:
            held[author_id].add(chat_id)
            replies[author_id] += 1
            if any(pattern.pattern and pattern.search(text or "") for pattern in canned):
                used[author_id] += 1
            first_agent.setdefault(chat_id, (when, author_id))
    waits: dict[str, list[float]] = defaultdict(list)
    for chat_id, (when, author_id) in first_agent.items():
        if chat_id in first_visitor:
            waits[author_id].append(max(0.0, when - first_visitor[chat_id]))
    out = []
    for agent_id in ids:
        agent = agents[agent_id]
        if not agent.training and not held[agent_id]:
            continue
        times = waits[agent_id]
        out.append(
            TrainingResult(
                agent_id=agent_id,
                name=agent.name,
                training=agent.training,
                chats=len(held[agent_id]),
                replies=replies[agent_id],
                canned_replies=used[agent_id],
                first_response=round(sum(times) / len(times), 1) if times else None,
                rated_good=good[agent_id],
                rated_bad=bad[agent_id],
            )
        )
    return out

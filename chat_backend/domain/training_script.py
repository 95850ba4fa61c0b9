"""Scripted training visitors: scenarios read from `chat_backend/training/scenarios/*.json`, new
visitors on the training site for trainees who have no training chat, and each scripted chat moved one
step on when its time came. Visitor lines go through the real domain functions (`chats.visitor_send`,
`chats.visitor_close`, `handover.rate`), so queue, routing, transfer and notes behave as in real work.

A step is one of: `say` (a line, with optional `peek` texts sent as sneak peek first, one per pass;
the next step waits for the agent's reply or `reply_timeout` seconds), `wait` (seconds), `rate`
(`good`/`bad` with a `comment`), `leave` (the visitor closes the chat). A `say` may carry
`"transfer": true`: the line asks for someone else (the trainee should transfer the chat). Where the
script is (step, peeks sent, what it waits for) is kept in the visitor's custom data."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, Chat, EventRow, Site, Visitor, utcnow
from chat_backend.domain import chats, handover
from chat_backend.domain.auth import as_utc
from chat_backend.domain.errors import DomainError
from chat_backend.domain.training_site import TRAINING_SITE_ID, language_of, suits
from chat_backend.domain.visitors import new_token
from chat_protocol import AuthorKind, ChatState, RoutingStatus

SCENARIOS = Path(__file__).resolve().parent.parent / "training" / "scenarios"
MAX_STEPS = 50
MAX_TEXT = 2000
MAX_OPEN = 50  # scripted chats open at once, whatever the number of trainees
PAUSE = 3.0  # seconds between a trainee's training chat ending and the next visitor
_STEP, _AFTER, _DUE, _PEEKS, _SCENARIO = (
    "training_step",
    "training_after",
    "training_due",
    "training_peeks",
    "training_scenario",
)
_DONE = "done"
_OPEN = (ChatState.QUEUED.value, ChatState.TAKEN.value)


@dataclass(frozen=True)
class Scenario:
    id: str
    lang: str
    title: str
    visitor: str
    reply_timeout: float
    steps: tuple[dict[str, Any], ...]


@dataclass
class Progress:
    """What a pass did: sneak peeks to push after the commit (agent id, chat id, text), and whether
    any chat changed (routing then runs)."""

    peeks: list[tuple[str, str, str]] = field(default_factory=list)
    changed: bool = False


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise ValueError(f"{what}: a text of 1 to {MAX_TEXT} characters")
    return value


def _step(raw: object) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError("a step is an object")
    if "say" in raw:
        peeks = raw.get("peek", [])
        if not isinstance(peeks, list) or len(peeks) > 10:
            raise ValueError("peek: a list of at most 10 texts")
        return {
            "say": _text(raw["say"], "say"),
            "peek": [_text(p, "peek") for p in peeks],
            "transfer": bool(raw.get("transfer")),
        }
    if "wait" in raw:
        wait = raw["wait"]
        if not isinstance(wait, int | float) or not 0 <= wait <= 600:
            raise ValueError("wait: 0 to 600 seconds")
        return {"wait": float(wait)}
    if "rate" in raw:
        if raw["rate"] not in ("good", "bad"):
            raise ValueError("rate: good or bad")
        return {"rate": raw["rate"], "comment": str(raw.get("comment", ""))[:MAX_TEXT]}
    if raw.get("leave") is True:
        return {"leave": True}
    raise ValueError(f"unknown step {sorted(raw)}")


def parse_scenario(raw: dict[str, Any]) -> Scenario:
    """A scenario file's content, checked: bounded texts, known steps, a first step that says something."""
    steps = raw.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise ValueError(f"steps: 1 to {MAX_STEPS}")
    parsed = tuple(_step(step) for step in steps)
    if "say" not in parsed[0]:
        raise ValueError("the first step says something (it opens the chat)")
    timeout = raw.get("reply_timeout", 90)
    if not isinstance(timeout, int | float) or not 1 <= timeout <= 3600:
        raise ValueError("reply_timeout: 1 to 3600 seconds")
    return Scenario(
        id=_text(raw.get("id"), "id")[:40],
        lang=_text(raw.get("lang"), "lang")[:10],
        title=_text(raw.get("title"), "title")[:200],
        visitor=_text(raw.get("visitor"), "visitor")[:100],
        reply_timeout=float(timeout),
        steps=parsed,
    )


def load_scenarios(folder: Path = SCENARIOS) -> dict[str, Scenario]:
    """Every scenario of the folder, by id, in file-name order (a bad file stops the start)."""
    found: dict[str, Scenario] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            scenario = parse_scenario(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, json.JSONDecodeError) as exc:
            raise ValueError(f"training scenario {path.name}: {exc}") from exc
        found[scenario.id] = scenario
    return found


async def has_work(session: AsyncSession, now: datetime | None = None) -> bool:
    """An agent is in training, or a scripted chat is open or closed lately (one read per pass)."""
    recent = (now or datetime.now(UTC)) - timedelta(minutes=10)
    trainee = await session.scalar(select(Agent.id).where(Agent.training.is_(True)).limit(1))
    if trainee is not None:
        return True
    chat = await session.scalar(
        select(Chat.id)
        .where(Chat.training.is_(True), or_(Chat.state.in_(_OPEN), Chat.closed_at > recent))
        .limit(1)
    )
    return chat is not None


async def training_site(session: AsyncSession) -> Site:
    """The training site, created on first use (no origins: no real widget can log in to it)."""
    site = await session.get(Site, TRAINING_SITE_ID)
    if site is None:
        site = Site(id=TRAINING_SITE_ID, name="Training", origins=[])
        session.add(site)
        await session.flush()
    return site


async def _free_trainees(
    session: AsyncSession, online: set[str], now: datetime
) -> list[tuple[str, str | None]]:
    """Trainees (id, training language) online and accepting who hold no open training chat and
    finished their last a pause ago."""
    trainees = (
        await session.execute(
            select(Agent.id, Agent.training_language).where(
                Agent.active.is_(True),
                Agent.training.is_(True),
                Agent.status == RoutingStatus.ACCEPTING.value,
            )
        )
    ).all()
    present = [(str(agent), language) for agent, language in trainees if agent in online]
    if not present:
        return []
    recent = now - timedelta(seconds=PAUSE)
    busy = await session.scalars(
        select(Chat.agent_id).where(
            Chat.training.is_(True),
            Chat.agent_id.in_([agent for agent, _ in present]),
            or_(Chat.state.in_(_OPEN), Chat.closed_at > recent),
        )
    )
    held = set(busy.all())
    return [(agent, language) for agent, language in present if agent not in held]


def _still_needed(free: list[tuple[str, str | None]], queued: list[str]) -> list[str | None]:
    """The languages of the visitors to start: one per free trainee whom no queued training chat
    suits (trainees of one language claim the queued chats first)."""
    pool = list(queued)
    needs: list[str | None] = []
    for _agent, language in sorted(free, key=lambda trainee: trainee[1] is None):
        match = next((i for i, visitor in enumerate(pool) if suits(language, visitor)), None)
        if match is None:
            needs.append(language)
        else:
            pool.pop(match)
    return needs


async def spawn_visitors(
    session: AsyncSession, scenarios: dict[str, Scenario], online: set[str], now: datetime | None = None
) -> int:
    """A new scripted visitor, with its first line, for each free trainee not already waited for by a
    queued training chat that suits them, in the trainee's training language (every language when
    they chose none, or when no scenario is in theirs). Scenarios of a language take turns in file
    order."""
    if not scenarios:
        return 0
    now = now or datetime.now(UTC)
    free = await _free_trainees(session, online, now)
    if not free:
        return 0
    open_chats = await session.scalar(
        select(func.count()).select_from(Chat).where(Chat.training.is_(True), Chat.state.in_(_OPEN))
    )
    queued = (
        await session.scalars(
            select(Visitor.language)
            .join(Chat, Chat.visitor_id == Visitor.id)
            .where(Chat.training.is_(True), Chat.state == ChatState.QUEUED.value)
        )
    ).all()
    needs = _still_needed(free, list(queued))[: max(0, MAX_OPEN - int(open_chats or 0))]
    if not needs:
        return 0
    site = await training_site(session)
    started: dict[str, int] = {
        language_of(language): int(count)
        for language, count in (
            await session.execute(
                select(Visitor.language, func.count())
                .where(Visitor.site_id == site.id)
                .group_by(Visitor.language)
            )
        ).all()
    }
    number = int(
        await session.scalar(
            select(func.coalesce(func.max(Visitor.number), 0)).where(Visitor.site_id == site.id)
        )
        or 0
    )
    everything = list(scenarios.values())
    for index, language in enumerate(needs):
        order = [s for s in everything if language is not None and language_of(s.lang) == language]
        if order:
            turn = started.get(language or "", 0)
        else:
            order, turn = everything, sum(started.values())
        scenario = order[turn % len(order)]
        lang = language_of(scenario.lang)
        started[lang] = started.get(lang, 0) + 1
        _token, token_hash = new_token()  # nobody holds the token: the script speaks for the visitor
        visitor = Visitor(
            id=str(uuid.uuid4()),
            site_id=site.id,
            number=number + index + 1,
            token_hash=token_hash,
            name=scenario.visitor,
            language=scenario.lang,
            custom_data={_SCENARIO: scenario.id, _STEP: "0"},
        )
        session.add(visitor)
        await session.flush()
        await _say(session, visitor, scenario, 0, now)
    return len(needs)


async def _say(
    session: AsyncSession, visitor: Visitor, scenario: Scenario, index: int, now: datetime
) -> None:
    step = scenario.steps[index]
    event = await chats.visitor_send(session, visitor, f"training-{visitor.id}-{index}", step["say"], None)
    due = now + timedelta(seconds=scenario.reply_timeout)
    _advance(visitor, index, after=event.event_id, due=due)


def _advance(visitor: Visitor, index: int, *, after: int = 0, due: datetime | None = None) -> None:
    """The script moves past step `index`; a new dict, so the JSON column is written."""
    visitor.custom_data = {
        **(visitor.custom_data or {}),
        _STEP: str(index + 1),
        _AFTER: str(after),
        _DUE: (due or utcnow()).isoformat(),
        _PEEKS: "0",
    }


async def _replied_after(session: AsyncSession, chat_id: str, after: int) -> bool:
    found = await session.scalar(
        select(EventRow.id)
        .where(
            EventRow.chat_id == chat_id,
            EventRow.id > after,
            EventRow.kind == "message",
            EventRow.author_kind == AuthorKind.AGENT.value,
        )
        .limit(1)
    )
    return found is not None


async def step_chats(
    session: AsyncSession, scenarios: dict[str, Scenario], now: datetime | None = None
) -> Progress:
    """Each scripted chat whose time came does its next step (open chats, and closed ones whose script
    still has a rating to give)."""
    now = now or datetime.now(UTC)
    progress = Progress()
    recent = now - timedelta(minutes=10)
    rows = (
        await session.execute(
            select(Chat, Visitor)
            .join(Visitor, Visitor.id == Chat.visitor_id)
            .where(Chat.training.is_(True), or_(Chat.state.in_(_OPEN), Chat.closed_at > recent))
            .order_by(Chat.created_at)
            .limit(MAX_OPEN * 2)
        )
    ).all()
    for chat, visitor in rows:
        data = visitor.custom_data or {}
        scenario = scenarios.get(str(data.get(_SCENARIO, "")))
        index = str(data.get(_STEP, _DONE))
        if scenario is None or not index.isdigit() or int(index) >= len(scenario.steps):
            continue
        try:
            await _step_chat(session, chat, visitor, scenario, int(index), now, progress)
        except DomainError:  # the chat moved on under the script (closed meanwhile): it stops there
            visitor.custom_data = {**data, _STEP: _DONE}
    return progress


async def _step_chat(
    session: AsyncSession,
    chat: Chat,
    visitor: Visitor,
    scenario: Scenario,
    index: int,
    now: datetime,
    progress: Progress,
) -> None:
    data = visitor.custom_data or {}
    closed = chat.state == ChatState.CLOSED.value
    if closed:  # the agent ended it: only a rating still to give is given
        rest = [i for i in range(index, len(scenario.steps)) if "rate" in scenario.steps[i]]
        if not rest:
            visitor.custom_data = {**data, _STEP: _DONE}
            return
        index = rest[0]
    else:
        due = as_utc(datetime.fromisoformat(str(data.get(_DUE, now.isoformat()))))
        after = int(str(data.get(_AFTER, "0")) or 0)
        waiting = now < due
        if waiting and after and await _replied_after(session, chat.id, after):
            waiting = False
        if waiting:
            return
    step = scenario.steps[index]
    if "say" in step:
        peeks, sent = step["peek"], int(str(data.get(_PEEKS, "0")) or 0)
        if sent < len(peeks) and chat.agent_id is not None:  # typing, seen by the agent
            progress.peeks.append((chat.agent_id, chat.id, peeks[sent]))
            visitor.custom_data = {**data, _PEEKS: str(sent + 1)}
            return
        await _say(session, visitor, scenario, index, now)
    elif "wait" in step:
        _advance(visitor, index, due=now + timedelta(seconds=step["wait"]))
    elif "rate" in step:
        await handover.rate(
            session, visitor, f"training-{visitor.id}-{index}", step["rate"], step["comment"], chat.id
        )
        _advance(visitor, index, due=now)
    elif "leave" in step:
        await chats.visitor_close(session, visitor, f"training-{visitor.id}-{index}")
        _advance(visitor, index, due=now)
    progress.changed = True

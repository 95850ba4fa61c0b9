"""Time-driven routing on a real SQLite database: re-offering unanswered chats and closing inactive ones."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chat_backend.db import migrate
from chat_backend.db.engine import Database
from chat_backend.db.tables import CallRow, Chat, EventRow
from chat_backend.domain import auth, calls, chats, routing, sites, visitors
from chat_protocol.rest import RoutingSettings

pytestmark = pytest.mark.asyncio


async def _setup(tmp_path: Path, **settings: object) -> tuple[Database, str, list[str]]:
    url = f"sqlite:///{tmp_path / 'timers.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    db = Database(url)
    async with db.write() as session:
        await routing.save_routing_settings(session, RoutingSettings.model_validate(settings))
        ids = []
        for name in ("A", "B"):
            agent = await auth.create_agent(session, f"{name}@example.com", name, "password-123", "agent")
            agent.status = "accepting"
            ids.append(agent.id)
        site = await sites.create_site(session, "s", ["https://shop.example"])
        visitor, _ = await visitors.visitor_login(session, site, None)
        event = await chats.visitor_send(session, visitor, "client-0001", "hello", None)
    return db, event.chat_id, ids


async def test_unanswered_chat_is_offered_to_the_next_agent(tmp_path: Path) -> None:
    db, chat_id, (a, b) = await _setup(tmp_path, reassign_after=60)
    async with db.write() as session:
        [first] = await routing.assign_queued(session, online={a, b})
    later = datetime.now(UTC) + timedelta(seconds=61)
    async with db.write() as session:
        assert await routing.reoffer_unanswered(session, now=later) == [chat_id]
        [second] = await routing.assign_queued(session, online={a, b})
    assert {first.agent_id, second.agent_id} == {a, b}
    async with db.write() as session:
        # Nobody else left to offer it to: it waits in the queue rather than going back.
        assert await routing.reoffer_unanswered(session, now=later + timedelta(seconds=61)) == [chat_id]
        assert await routing.assign_queued(session, online={a, b}) == []
    await db.dispose()


async def test_answered_chat_stays(tmp_path: Path) -> None:
    db, chat_id, (a, b) = await _setup(tmp_path, reassign_after=60)
    async with db.write() as session:
        [first] = await routing.assign_queued(session, online={a})
        identity = auth.AgentIdentity(first.agent_id, "s", "A", "a@example.com", "agent")
        await chats.agent_send(session, identity, chat_id, "client-0002", "hi!")
    async with db.write() as session:
        assert await routing.reoffer_unanswered(session, now=datetime.now(UTC) + timedelta(hours=1)) == []
    await db.dispose()


async def test_reoffering_is_off_by_default(tmp_path: Path) -> None:
    db, _chat_id, (a, _b) = await _setup(tmp_path)
    async with db.write() as session:
        await routing.assign_queued(session, online={a})
        assert await routing.reoffer_unanswered(session, now=datetime.now(UTC) + timedelta(days=1)) == []
    await db.dispose()


async def test_inactive_chat_closes_itself_with_a_notice(tmp_path: Path) -> None:
    db, chat_id, (a, _b) = await _setup(tmp_path, inactivity_close_after=600)
    async with db.write() as session:
        await routing.assign_queued(session, online={a})
        assert await routing.close_inactive(session, now=datetime.now(UTC) + timedelta(seconds=599)) == []
        assert await routing.close_inactive(session, now=datetime.now(UTC) + timedelta(seconds=601)) == [
            chat_id
        ]
    async with db.read() as session:
        chat = await session.get(Chat, chat_id)
        assert chat is not None
        assert chat.state == "closed"
        last = await session.get(EventRow, (await _last_event_id(session, chat_id)))
        assert last is not None
        assert last.data["reason"] == "inactive"
    await db.dispose()


async def test_a_chat_in_a_video_call_is_not_inactive(tmp_path: Path) -> None:
    db, chat_id, (a, _b) = await _setup(tmp_path, inactivity_close_after=600)
    async with db.write() as session:
        [chat] = await routing.assign_queued(session, online={a})
        identity = auth.AgentIdentity(a, "s", "A", "a@example.com", "agent")
        call, _, _ = await calls.invite(
            session, identity, chat_id, "client-call-1", visitor_online=lambda _v: True, ring_timeout=45
        )
        await calls.answer(session, call, True)
        await calls.report(session, call, "visitor", "connected")
    much_later = datetime.now(UTC) + timedelta(hours=2)
    async with db.write() as session:
        assert await routing.close_inactive(session, now=much_later) == []
    # The call's end restarts the clock: the full period runs from there.
    async with db.write() as session:
        live = await session.get(CallRow, call.id)
        assert live is not None
        await calls.hangup(session, live, "visitor")
    async with db.write() as session:
        assert await routing.close_inactive(session, now=datetime.now(UTC) + timedelta(seconds=599)) == []
        assert await routing.close_inactive(session, now=datetime.now(UTC) + timedelta(seconds=601)) == [
            chat_id
        ]
    await db.dispose()


async def _last_event_id(session: object, chat_id: str) -> int:
    from sqlalchemy import func, select

    return int(await session.scalar(select(func.max(EventRow.id)).where(EventRow.chat_id == chat_id)))  # type: ignore[attr-defined]

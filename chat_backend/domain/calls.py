"""1:1 video calls (`chat_protocol.calls`): the call's state in the `calls` table, its durable `call`
events, and who may act on it. Every state change is left in `session.info["call_changes"]`; the
realtime relay pushes `call_state` for them once the transaction has committed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, CallRow, Chat, Visitor, utcnow
from chat_backend.domain import server_settings
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import append_event
from chat_protocol import Author, AuthorKind, ChatState, ErrorCode
from chat_protocol.calls import (
    CallEndReason,
    CallIncomingPush,
    CallInviteResult,
    CallParty,
    CallSettings,
    CallStateName,
    CallStatePush,
)

ACTIVE_STATES = ("ringing", "connecting", "connected", "reconnecting")
ANSWERED_STATES = ("connecting", "connected", "reconnecting")
_SETTINGS_KEY = "calls"


@dataclass(frozen=True)
class CallChange:
    """A committed state change to push: `ringing` goes to the agent only, the rest to both."""

    call_id: str
    chat_id: str
    agent_id: str
    visitor_id: str
    state: CallStateName
    reason: CallEndReason | None = None
    ended_by: CallParty | None = None
    duration_s: float | None = None
    page_push: bool = False

    def push(self) -> CallStatePush:
        return CallStatePush(
            call_id=self.call_id,
            chat_id=self.chat_id,
            state=self.state,
            reason=self.reason,
            ended_by=self.ended_by,
            duration_s=self.duration_s,
            page_push=self.page_push,
        )


def _changed(session: AsyncSession, call: CallRow, **extra: Any) -> None:
    change = CallChange(call.id, call.chat_id, call.agent_id, call.visitor_id, call.state, **extra)  # type: ignore[arg-type]
    session.info.setdefault("call_changes", []).append(change)


# --- settings ----------------------------------------------------------------------------------


async def call_settings(session: AsyncSession) -> CallSettings:
    return await server_settings.load(session, _SETTINGS_KEY, CallSettings)


async def save_call_settings(session: AsyncSession, value: CallSettings) -> None:
    await server_settings.save(session, _SETTINGS_KEY, value)


# --- who may act -------------------------------------------------------------------------------


async def _live_call(session: AsyncSession, call_id: str) -> CallRow:
    call = await session.get(CallRow, call_id)
    if call is None or call.state not in ACTIVE_STATES:
        raise DomainError(ErrorCode.NOT_FOUND, "No such call (it may have ended).")
    if call.state == "ringing" and as_utc(call.expires_at) <= utcnow():
        raise DomainError(ErrorCode.NOT_FOUND, "The call was not answered in time.")
    return call


async def agent_call(session: AsyncSession, agent_id: str, call_id: str) -> CallRow:
    """A live call of a chat this agent holds now; `forbidden` for anyone else."""
    call = await _live_call(session, call_id)
    chat = await session.get(Chat, call.chat_id)
    if (
        call.agent_id != agent_id
        or chat is None
        or chat.agent_id != agent_id
        or chat.state != ChatState.TAKEN.value
    ):
        raise DomainError(ErrorCode.FORBIDDEN, "Not your call.")
    return call


async def visitor_call(session: AsyncSession, visitor_id: str, call_id: str) -> CallRow:
    call = await _live_call(session, call_id)
    if call.visitor_id != visitor_id:
        raise DomainError(ErrorCode.FORBIDDEN, "Not your call.")
    return call


def require_answered_state(state: str) -> None:
    """WebRTC signalling starts once the visitor accepted (`connecting`)."""
    if state not in ANSWERED_STATES:
        raise DomainError(ErrorCode.FORBIDDEN, "The call has not been answered yet.")


# --- transitions -------------------------------------------------------------------------------


async def invite(
    session: AsyncSession,
    agent: AgentIdentity,
    chat_id: str,
    client_id: str,
    *,
    visitor_online: Callable[[str], bool],
    ring_timeout: float,
) -> tuple[CallRow, CallInviteResult, CallIncomingPush | None]:
    """Ring the visitor of a chat the agent holds; the push is None for a retry of a running call."""
    settings = await call_settings(session)
    existing = (
        await session.scalars(
            select(CallRow).where(CallRow.agent_id == agent.agent_id, CallRow.client_id == client_id)
        )
    ).first()
    if existing is not None:
        if existing.state not in ACTIVE_STATES or existing.chat_id != chat_id:
            raise DomainError(ErrorCode.NOT_FOUND, "That call has ended.")
        return existing, _result(existing, settings), None
    chat = await session.get(Chat, chat_id)
    if chat is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    if chat.agent_id != agent.agent_id or chat.state != ChatState.TAKEN.value:
        raise DomainError(ErrorCode.FORBIDDEN, "Only the agent holding the chat can call.")
    running = await session.scalars(
        select(CallRow.id).where(CallRow.chat_id == chat.id, CallRow.state.in_(ACTIVE_STATES))
    )
    if running.first() is not None:
        raise DomainError(ErrorCode.CALL_IN_PROGRESS, "This chat already has a call.")
    if not visitor_online(chat.visitor_id):
        raise DomainError(ErrorCode.VISITOR_OFFLINE, "The visitor is not connected.")
    now = utcnow()
    call = CallRow(
        id=str(uuid.uuid4()),
        chat_id=chat.id,
        agent_id=agent.agent_id,
        visitor_id=chat.visitor_id,
        client_id=client_id,
        state="ringing",
        created_at=now,
        expires_at=now + timedelta(seconds=ring_timeout),
    )
    session.add(call)
    await session.flush()
    me = await session.get(Agent, agent.agent_id)
    incoming = CallIncomingPush(
        call_id=call.id,
        chat_id=chat.id,
        agent_name=me.name if me else agent.name,
        expires_at=as_utc(call.expires_at),
        recording_notice=settings.recording_notice if settings.recording_notice_enabled else "",
        ice_servers=settings.ice_servers,
    )
    return call, _result(call, settings), incoming


def _result(call: CallRow, settings: CallSettings) -> CallInviteResult:
    return CallInviteResult(
        call_id=call.id,
        chat_id=call.chat_id,
        expires_at=as_utc(call.expires_at),
        ice_servers=settings.ice_servers,
    )


def ringing(session: AsyncSession, call: CallRow) -> None:
    """The widget shows the call: the agent hears it ring (no state change stored)."""
    if call.state == "ringing":
        _changed(session, call)


async def answer(session: AsyncSession, call: CallRow, accept: bool) -> None:
    if call.state != "ringing":
        if accept and call.state in ANSWERED_STATES:
            return  # a retry
        raise DomainError(ErrorCode.FORBIDDEN, "The call is not ringing.")
    if not accept:
        await end(session, call, "declined", "visitor")
        return
    call.state = "connecting"
    chat = await _chat(session, call)
    agent = await session.get(Agent, call.agent_id)
    author = Author(kind=AuthorKind.AGENT, id=call.agent_id, name=agent.name if agent else "")
    data = {"call_id": call.id, "state": "started"}
    await append_event(session, chat, "call", author, data=data)
    _changed(session, call)


async def report(session: AsyncSession, call: CallRow, party: CallParty, state: str) -> None:
    """`connected` (the first report connects the call), `reconnecting`, or `failed` (ends it)."""
    require_answered_state(call.state)
    if call.carry_until is not None:
        return  # the old page's connection going down while the visitor opens a pushed page
    if state == "failed":
        await end(session, call, "failed", party)
    elif state == "connected":
        if call.state in ("connecting", "reconnecting"):
            call.state = "connected"
            call.connected_at = call.connected_at or utcnow()
            _changed(session, call)
    elif call.state == "connected":
        call.state = "reconnecting"
        _changed(session, call)


async def hangup(session: AsyncSession, call: CallRow, party: CallParty) -> None:
    if call.state == "ringing":
        await end(session, call, "cancelled" if party == "agent" else "declined", party)
    else:
        await end(session, call, "hangup", party)


async def end(session: AsyncSession, call: CallRow, reason: CallEndReason, ended_by: CallParty) -> None:
    """End a live call and log its `ended` event with who ended it and the connected time."""
    if call.state not in ACTIVE_STATES:
        return
    now = utcnow()
    duration = round((now - as_utc(call.connected_at)).total_seconds(), 1) if call.connected_at else 0.0
    call.state, call.ended_at, call.end_reason, call.ended_by = "ended", now, reason, ended_by
    chat = await _chat(session, call)
    if call.connected_at is not None:
        # The visitor was in the call until now: the chat's inactivity clock starts again here.
        chat.last_visitor_activity_at = now
    data = {
        "call_id": call.id,
        "state": "ended",
        "reason": reason,
        "ended_by": ended_by,
        "duration_s": max(duration, 0.0),
    }
    await append_event(session, chat, "call", await _author(session, call, ended_by), data=data)
    _changed(session, call, reason=reason, ended_by=ended_by, duration_s=max(duration, 0.0))


async def _chat(session: AsyncSession, call: CallRow) -> Chat:
    chat = await session.get(Chat, call.chat_id)
    assert chat is not None
    return chat


async def _author(session: AsyncSession, call: CallRow, party: CallParty) -> Author:
    if party == "agent":
        agent = await session.get(Agent, call.agent_id)
        return Author(kind=AuthorKind.AGENT, id=call.agent_id, name=agent.name if agent else "")
    if party == "visitor":
        visitor = await session.get(Visitor, call.visitor_id)
        return Author(kind=AuthorKind.VISITOR, id=call.visitor_id, name=visitor.name if visitor else "")
    return Author(kind=AuthorKind.SYSTEM)


async def live_calls(session: AsyncSession, *, agent_id: str = "", visitor_id: str = "") -> list[CallRow]:
    query = select(CallRow).where(CallRow.state.in_(ACTIVE_STATES))
    if agent_id:
        query = query.where(CallRow.agent_id == agent_id)
    if visitor_id:
        query = query.where(CallRow.visitor_id == visitor_id)
    return list((await session.scalars(query)).all())


async def ends_at_login(
    session: AsyncSession, visitor_id: str, *, running: str | None, reloaded: str | None, other_sockets: bool
) -> bool:
    """Read only: whether `visitor_logged_in` would end a call (then the login takes the ordered
    path for it; most logins write no event)."""
    return any(
        call.id != running and not _carried(call, reloaded) and (call.id == reloaded or not other_sockets)
        for call in await live_calls(session, visitor_id=visitor_id)
    )


def _carried(call: CallRow, reloaded: str | None) -> bool:
    """The login is the pushed page of call `reloaded` (`page_push_accepted`): the call goes on."""
    return call.id == reloaded and call.carry_until is not None and as_utc(call.carry_until) > utcnow()


async def visitor_logged_in(
    session: AsyncSession, visitor_id: str, *, running: str | None, reloaded: str | None, other_sockets: bool
) -> None:
    """A visitor socket logs in. Its page still runs call `running` (a reconnect): that goes on. The
    tab's page was reloaded during call `reloaded`: that ends as `page_reloaded`. A login that names no
    call leaves the visitor's calls to the socket still connected (another tab), or, when none is,
    ends them as `page_reloaded` (a page that could not tell). The page of an accepted page push
    naming its call keeps it (`carry_over` resumes it once the socket is registered)."""
    for call in await live_calls(session, visitor_id=visitor_id):
        if call.id == running or _carried(call, reloaded):
            continue
        if call.id == reloaded or not other_sockets:
            await end(session, call, "page_reloaded", "visitor")


async def end_party_calls(
    session: AsyncSession, party: CallParty, user_id: str, reason: CallEndReason
) -> int:
    """End every live call of an agent or a visitor (`page_reloaded`, `disconnected`)."""
    found = await live_calls(
        session,
        agent_id=user_id if party == "agent" else "",
        visitor_id=user_id if party == "visitor" else "",
    )
    if party == "visitor":
        # A call waiting for a pushed page ends by `expire_carried` (a longer grace).
        found = [call for call in found if call.carry_until is None]
    for call in found:
        await end(session, call, reason, party)
    return len(found)


# --- a call carried across a page push --------------------------------------------------------


async def page_push_accepted(session: AsyncSession, chat_id: str, visitor_id: str, grace: float) -> None:
    """The visitor accepted a page push: their answered call of this chat waits `grace` seconds for
    the pushed page (`reconnecting` with `page_push`, so the agent drops its peer connection)."""
    for call in await live_calls(session, visitor_id=visitor_id):
        if call.chat_id == chat_id and call.state in ANSWERED_STATES and call.carry_until is None:
            call.state = "reconnecting"
            call.carry_until = utcnow() + timedelta(seconds=grace)
            _changed(session, call, page_push=True)


async def carry_waiting(session: AsyncSession, visitor_id: str, call_id: str) -> bool:
    """Read only: whether call `call_id` of this visitor waits for a pushed page."""
    call = await session.get(CallRow, call_id)
    return call is not None and call.visitor_id == visitor_id and call.carry_until is not None


async def carry_over(session: AsyncSession, visitor_id: str, call_id: str) -> bool:
    """The pushed page's socket is registered: the call goes on as `connecting` (the agent offers on
    a new peer connection). Once only: a later reload of that page ends the call as usual."""
    call = await session.get(CallRow, call_id)
    if (
        call is None
        or call.visitor_id != visitor_id
        or call.state not in ACTIVE_STATES
        or call.carry_until is None
        or as_utc(call.carry_until) <= utcnow()
    ):
        return False
    call.carry_until = None
    call.state = "connecting"
    _changed(session, call)
    return True


async def carried_due(session: AsyncSession) -> bool:
    """Whether a call waits past its `carry_until` for a pushed page (read before the write path)."""
    query = select(CallRow.id).where(
        CallRow.state == "reconnecting", CallRow.carry_until.is_not(None), CallRow.carry_until <= utcnow()
    )
    return (await session.scalar(query.limit(1))) is not None


async def expire_carried(session: AsyncSession) -> None:
    """Calls whose pushed page did not log in in time end as `disconnected`."""
    query = select(CallRow).where(
        CallRow.state == "reconnecting", CallRow.carry_until.is_not(None), CallRow.carry_until <= utcnow()
    )
    for call in (await session.scalars(query)).all():
        await end(session, call, "disconnected", "visitor")


async def end_if_chat_moved(session: AsyncSession, chat: Chat) -> None:
    """Called on every chat state change: a call whose agent no longer holds the chat (closed,
    queued again, transferred, taken over) ends with `chat_ended`."""
    running = await session.scalars(
        select(CallRow).where(CallRow.chat_id == chat.id, CallRow.state.in_(ACTIVE_STATES))
    )
    for call in running.all():
        if chat.state != ChatState.TAKEN.value or chat.agent_id != call.agent_id:
            await end(session, call, "chat_ended", "system")


async def ringing_due(session: AsyncSession) -> bool:
    """Whether a call rings past its `expires_at` (read before taking the write path)."""
    query = select(CallRow.id).where(CallRow.state == "ringing", CallRow.expires_at <= utcnow()).limit(1)
    return (await session.scalar(query)) is not None


async def expire_ringing(session: AsyncSession, call_id: str | None = None) -> list[CallRow]:
    """Calls still ringing past `expires_at` end as `no_answer` (one call, or all of them)."""
    query = select(CallRow).where(CallRow.state == "ringing", CallRow.expires_at <= utcnow())
    if call_id is not None:
        query = query.where(CallRow.id == call_id)
    found = list((await session.scalars(query)).all())
    for call in found:
        await end(session, call, "no_answer", "system")
    return found


def expires_in(call: CallRow, now: datetime | None = None) -> float:
    return max(0.0, (as_utc(call.expires_at) - (now or utcnow())).total_seconds())

"""Invitations: a greeting shown to a visitor on the site, from an agent or an automatic rule.

At most one per visitor per visit unless the visitor replied to it (then the chat that followed may be
followed by another invitation once it has ended). A reply opens a chat with the inviting agent."""

from __future__ import annotations

import unicodedata
import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, Chat, GreetingRuleRow, InvitationRow, Visitor, utcnow
from chat_backend.domain import chats
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import append_event, find_by_client_id
from chat_protocol import Author, AuthorKind, ChatState, ErrorCode, MessageEvent
from chat_protocol.traffic import InvitationPush, InvitationState

SHOWN = InvitationState.SHOWN.value
SYSTEM = Author(kind=AuthorKind.SYSTEM)


def _wide(char: str) -> bool:
    """CJK ideographs, kana and hangul: scripts whose names are not abbreviated letter by letter."""
    return unicodedata.east_asian_width(char) in ("W", "F") and char.isalpha()


def initials(name: str) -> str:
    """`Hanako Sato` -> `HS`; `佐藤 花子` -> `佐` (the family name's first character, as Japanese
    avatars show it); `mei` -> `M`; empty -> empty."""
    words = [w for w in name.split() if any(c.isalnum() for c in w)]
    if not words:
        return ""
    firsts = [next(c for c in w if c.isalnum()) for w in words]
    if _wide(firsts[0]):
        return firsts[0]
    picked = firsts[0] + (firsts[-1] if len(firsts) > 1 and not _wide(firsts[-1]) else "")
    return picked.upper()


def push_of(row: InvitationRow) -> InvitationPush:
    return InvitationPush(
        invitation_id=row.id,
        text=row.text,
        agent_name=row.sender_name,
        agent_initials=initials(row.sender_name),
    )


async def expire_other_visits(session: AsyncSession, visitor_id: str, visit_id: str | None) -> None:
    """Unanswered invitations of visits that have ended expire (lazily, when the visitor is seen)."""
    query = update(InvitationRow).where(InvitationRow.visitor_id == visitor_id, InvitationRow.state == SHOWN)
    if visit_id is not None:
        query = query.where(InvitationRow.visit_id != visit_id)
    await session.execute(
        query.values(state=InvitationState.EXPIRED.value, answered_at=utcnow()).execution_options(
            synchronize_session=False
        )
    )


async def withdraw_shown(session: AsyncSession, visitor_id: str) -> bool:
    """The visitor opened a chat by writing: a greeting still on screen counts as answered (accepted),
    so it is not shown again after the chat and a later invitation in the visit stays possible.
    True if one was withdrawn."""
    result = await session.execute(
        update(InvitationRow)
        .where(InvitationRow.visitor_id == visitor_id, InvitationRow.state == SHOWN)
        .values(state=InvitationState.ACCEPTED.value, answered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def current(session: AsyncSession, visitor_id: str, visit_id: str | None) -> InvitationRow | None:
    """The unanswered invitation of this visit, if any (for the visitor's login result)."""
    await expire_other_visits(session, visitor_id, visit_id)
    if visit_id is None:
        return None
    found = await session.scalars(
        select(InvitationRow)
        .where(
            InvitationRow.visitor_id == visitor_id,
            InvitationRow.visit_id == visit_id,
            InvitationRow.state == SHOWN,
        )
        .order_by(InvitationRow.created_at.desc())
    )
    return found.first()


async def shown_at_login(
    session: AsyncSession, visitor_id: str, visit_id: str
) -> tuple[InvitationRow | None, bool]:
    """Read only, for a login: the unanswered invitation of this visit, and whether unanswered ones of
    other visits wait to expire (`expire_other_visits`, written with the login's batch)."""
    found = (
        await session.scalars(
            select(InvitationRow)
            .where(InvitationRow.visitor_id == visitor_id, InvitationRow.state == SHOWN)
            .order_by(InvitationRow.created_at.desc())
        )
    ).all()
    mine = [row for row in found if row.visit_id == visit_id]
    return (mine[0] if mine else None), len(mine) < len(found)


async def _check_invitable(session: AsyncSession, visitor_id: str, visit_id: str) -> None:
    if await chats.open_chat_of(session, visitor_id) is not None:
        raise DomainError(ErrorCode.FORBIDDEN, "This visitor is already in a chat.")
    await expire_other_visits(session, visitor_id, visit_id)
    unanswered = await session.scalars(
        select(InvitationRow.id).where(
            InvitationRow.visitor_id == visitor_id,
            InvitationRow.visit_id == visit_id,
            InvitationRow.state != InvitationState.ACCEPTED.value,
        )
    )
    if unanswered.first() is not None:
        raise DomainError(ErrorCode.ALREADY_INVITED, "This visitor was already invited during this visit.")


async def invite(
    session: AsyncSession,
    agent: AgentIdentity,
    visitor_id: str,
    visit_id: str | None,
    client_id: str,
    text: str,
) -> tuple[InvitationRow, bool]:
    """An agent invites a visitor who is on the site now (`visit_id` None: not on the site).

    Returns the invitation and whether it is new (a retry with the same `client_id` is not)."""
    key = f"agent:{agent.agent_id}"
    existing = await _by_client_id(session, key, client_id)
    if existing is not None:
        if existing.visitor_id != visitor_id:
            raise DomainError(
                ErrorCode.CLIENT_ID_CONFLICT, "This client_id was already used for another visitor."
            )
        return existing, False
    visitor = await session.get(Visitor, visitor_id)
    if visitor is None or visit_id is None:
        raise DomainError(ErrorCode.NOT_FOUND, "This visitor is not on the site now.")
    if visitor.spam_marked_at is not None:
        raise DomainError(ErrorCode.BLOCKED, "This visitor is marked as spam and cannot open a chat.")
    await _check_invitable(session, visitor_id, visit_id)
    row = InvitationRow(
        id=str(uuid.uuid4()),
        site_id=visitor.site_id,
        visitor_id=visitor_id,
        visit_id=visit_id,
        agent_id=agent.agent_id,
        author_key=key,
        client_id=client_id,
        text=text,
        sender_name=agent.name,
        state=SHOWN,
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row, True


async def greet(
    session: AsyncSession, rule: GreetingRuleRow, visitor_id: str, visit_id: str
) -> InvitationRow | None:
    """A greeting rule invites a visitor; None when the visit already had any invitation or a chat is
    open. Counts the rule as shown."""
    key = f"rule:{rule.id}"
    if await _by_client_id(session, key, visit_id) is not None:
        return None
    visitor = await session.get(Visitor, visitor_id)
    if visitor is None or visitor.spam_marked_at is not None:
        return None
    if await chats.open_chat_of(session, visitor_id) is not None:
        return None
    await expire_other_visits(session, visitor_id, visit_id)
    if await session.scalar(select(InvitationRow.id).where(InvitationRow.visit_id == visit_id).limit(1)):
        return None
    row = InvitationRow(
        id=str(uuid.uuid4()),
        site_id=visitor.site_id,
        visitor_id=visitor_id,
        visit_id=visit_id,
        rule_id=rule.id,
        author_key=key,
        client_id=visit_id,
        text=rule.text,
        sender_name=rule.sender_name,
        state=SHOWN,
        created_at=utcnow(),
    )
    session.add(row)
    await session.execute(
        update(GreetingRuleRow)
        .where(GreetingRuleRow.id == rule.id)
        .values(shown=GreetingRuleRow.shown + 1)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return row


async def _by_client_id(session: AsyncSession, key: str, client_id: str) -> InvitationRow | None:
    found = await session.scalars(
        select(InvitationRow).where(InvitationRow.author_key == key, InvitationRow.client_id == client_id)
    )
    return found.first()


async def dismiss(session: AsyncSession, visitor: Visitor, invitation_id: str) -> InvitationRow:
    """The visitor closes the greeting. Dismissing twice is harmless."""
    row = await session.get(InvitationRow, invitation_id)
    if row is None or row.visitor_id != visitor.id:
        raise DomainError(ErrorCode.NOT_FOUND, "No such invitation.")
    if row.state == SHOWN:
        row.state, row.answered_at = InvitationState.DISMISSED.value, utcnow()
    return row


async def reply(
    session: AsyncSession,
    visitor: Visitor,
    client_id: str,
    text: str,
    name: str | None,
    invitation_id: str,
    online: set[str],
) -> tuple[MessageEvent, InvitationRow | None]:
    """The visitor answers an invitation with a message: the chat opens with the greeting as its first
    message and, for an agent's invitation, taken by that agent if online (whatever their chat limit).

    An invitation that is not this visitor's, or no longer shown, or a chat already open: the message
    is sent as usual. Idempotent by `client_id`. Returns the message and the accepted invitation."""
    author = chats.visitor_author(visitor)
    if await find_by_client_id(session, author, client_id) is not None:
        return await chats.visitor_send(session, visitor, client_id, text, name), None
    invitation = await session.get(InvitationRow, invitation_id)
    usable = invitation is not None and invitation.visitor_id == visitor.id and invitation.state == SHOWN
    if invitation is None or not usable or await chats.open_chat_of(session, visitor.id) is not None:
        return await chats.visitor_send(session, visitor, client_id, text, name), None
    chats.refuse_if_spam(visitor)
    if name is not None and name.strip() and name.strip() != visitor.name:
        visitor.name = name.strip()
    chat = Chat(
        id=str(uuid.uuid4()),
        site_id=visitor.site_id,
        visitor_id=visitor.id,
        state=ChatState.INCOMING.value,
        created_at=utcnow(),
    )
    session.add(chat)
    await session.flush()
    await chats.state_event(session, chat, ChatState.INCOMING, author)
    agent = await session.get(Agent, invitation.agent_id) if invitation.agent_id else None
    if agent is not None and agent.active and agent.id in online:
        chat.agent_id, chat.taken_at = agent.id, utcnow()
        await chats.state_event(session, chat, ChatState.TAKEN, SYSTEM, agent=chats.agent_author(agent))
    else:
        chat.queued_at = utcnow()
        await chats.state_event(session, chat, ChatState.QUEUED, SYSTEM)
    greeter = (
        chats.agent_author(agent)
        if agent is not None
        else Author(kind=AuthorKind.SYSTEM, name=invitation.sender_name)
    )
    await append_event(session, chat, "message", greeter, text=invitation.text)
    chat.last_visitor_activity_at = utcnow()
    row = await append_event(session, chat, "message", author, text=text, client_id=client_id)
    invitation.state, invitation.answered_at = InvitationState.ACCEPTED.value, utcnow()
    invitation.chat_id = chat.id
    if invitation.rule_id is not None:
        await session.execute(
            update(GreetingRuleRow)
            .where(GreetingRuleRow.id == invitation.rule_id)
            .values(accepted=GreetingRuleRow.accepted + 1)
            .execution_options(synchronize_session=False)
        )
    return chats.as_message(row), invitation

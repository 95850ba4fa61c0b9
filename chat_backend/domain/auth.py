"""Agents, their logins, and opaque tokens stored as hashes. Password hashing is in `passwords`, the
limits on failed logins in `login_limits`."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, AuthSession
from chat_backend.domain.errors import DomainError
from chat_backend.domain.passwords import hash_now
from chat_protocol import ErrorCode
from chat_protocol.rest import TokenPair

ROLES = ("agent", "supervisor", "admin")
_WRONG = "Wrong e-mail address or password."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class AgentIdentity:
    """Who is behind an access token, resolved for one request or one socket login."""

    agent_id: str
    session_id: str
    name: str
    email: str
    role: str


def normal_email(email: str) -> str:
    return email.strip().lower()


async def create_agent(session: AsyncSession, email: str, name: str, password: str, role: str) -> Agent:
    """For the command line: hashes on the calling thread (the server uses `add_agent`)."""
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    return await add_agent(session, email, name, hash_now(password), role)


async def add_agent(session: AsyncSession, email: str, name: str, password_hash: str, role: str) -> Agent:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    agent = Agent(
        id=str(uuid.uuid4()),
        email=normal_email(email),
        name=name.strip(),
        password_hash=password_hash,
        role=role,
        status="not_accepting",
        active=True,
    )
    session.add(agent)
    await session.flush()
    return agent


async def set_password(session: AsyncSession, agent: Agent, password: str) -> None:
    """For the command line: hashes on the calling thread."""
    agent.password_hash = hash_now(password)
    await session.flush()


async def find_agent(session: AsyncSession, email: str) -> Agent | None:
    found = await session.scalars(select(Agent).where(Agent.email == normal_email(email)))
    return found.first()


@dataclass(frozen=True)
class LoginCandidate:
    """An account as read before its password is checked (outside any write transaction)."""

    agent_id: str
    password_hash: str
    active: bool


async def find_login(session: AsyncSession, email: str) -> LoginCandidate | None:
    agent = await find_agent(session, email)
    return None if agent is None else LoginCandidate(agent.id, agent.password_hash, agent.active)


async def issue_login(
    session: AsyncSession, candidate: LoginCandidate, access_ttl: int, refresh_ttl: int
) -> TokenPair:
    """Tokens for an account whose password was checked against `candidate`; refused if the account
    changed in between (deactivated, or its password changed)."""
    agent = await session.get(Agent, candidate.agent_id)
    if agent is None or not agent.active or agent.password_hash != candidate.password_hash:
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, _WRONG)
    return await issue_tokens(session, agent, access_ttl, refresh_ttl)


async def issue_tokens(
    session: AsyncSession, agent: Agent, access_ttl: int, refresh_ttl: int, family_id: str | None = None
) -> TokenPair:
    """A new session; `family_id` is the login it was refreshed from (None: a new login)."""
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session_id = str(uuid.uuid4())
    session.add(
        AuthSession(
            id=session_id,
            agent_id=agent.id,
            access_hash=token_hash(access),
            refresh_hash=token_hash(refresh),
            access_expires_at=now + timedelta(seconds=access_ttl),
            refresh_expires_at=now + timedelta(seconds=refresh_ttl),
            family_id=family_id or session_id,
        )
    )
    await session.flush()
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=access_ttl)


@dataclass
class Refreshed:
    """A refresh's outcome: new tokens, or a refusal. A reused token revokes its whole login: `revoked`
    names the agent and the login's sessions, whose sockets are to close once this is committed."""

    tokens: TokenPair | None
    message: str = ""
    agent_id: str = ""
    revoked: frozenset[str] = frozenset()


async def refresh_tokens(session: AsyncSession, refresh: str, access_ttl: int, refresh_ttl: int) -> Refreshed:
    """Rotate: the old session is revoked and a new pair issued in the same login. A refresh token that
    was already used (revoked, not expired) has leaked or been stolen: every session of its login is
    revoked, the thief's and the owner's alike."""
    found = await session.scalars(select(AuthSession).where(AuthSession.refresh_hash == token_hash(refresh)))
    old = found.first()
    now = datetime.now(UTC)
    if old is None or as_utc(old.refresh_expires_at) < now:
        return Refreshed(None, "The session has expired. Please log in again.")
    if old.revoked:
        family = await session.scalars(select(AuthSession.id).where(AuthSession.family_id == old.family_id))
        await session.execute(
            update(AuthSession).where(AuthSession.family_id == old.family_id).values(revoked=True)
        )
        return Refreshed(None, "The session has ended. Please log in again.", old.agent_id, frozenset(family))
    agent = await session.get(Agent, old.agent_id)
    if agent is None or not agent.active:
        return Refreshed(None, "The account is deactivated.")
    old.revoked = True
    return Refreshed(await issue_tokens(session, agent, access_ttl, refresh_ttl, old.family_id))


async def resolve_access_token(session: AsyncSession, access: str) -> AgentIdentity:
    found = await session.scalars(select(AuthSession).where(AuthSession.access_hash == token_hash(access)))
    auth = found.first()
    if auth is None or auth.revoked or as_utc(auth.access_expires_at) < datetime.now(UTC):
        raise DomainError(ErrorCode.INVALID_TOKEN, "The access token is invalid or expired.")
    agent = await session.get(Agent, auth.agent_id)
    if agent is None or not agent.active:
        raise DomainError(ErrorCode.INVALID_TOKEN, "The account is deactivated.")
    return AgentIdentity(agent.id, auth.id, agent.name, agent.email, agent.role)


async def revoke_session(session: AsyncSession, session_id: str) -> None:
    await session.execute(update(AuthSession).where(AuthSession.id == session_id).values(revoked=True))

"""Agents, passwords (argon2), opaque tokens stored as hashes, and login throttling."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, AuthSession
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.rest import TokenPair

ROLES = ("agent", "supervisor", "admin")
_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so that a wrong e-mail costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password")


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


async def create_agent(session: AsyncSession, email: str, name: str, password: str, role: str) -> Agent:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    agent = Agent(
        id=str(uuid.uuid4()),
        email=email.strip().lower(),
        name=name.strip(),
        password_hash=_hasher.hash(password),
        role=role,
        status="not_accepting",
        active=True,
    )
    session.add(agent)
    await session.flush()
    return agent


async def set_password(session: AsyncSession, agent: Agent, password: str) -> None:
    agent.password_hash = _hasher.hash(password)
    await session.flush()


async def find_agent(session: AsyncSession, email: str) -> Agent | None:
    found = await session.scalars(select(Agent).where(Agent.email == email.strip().lower()))
    return found.first()


def verify_password(agent: Agent | None, password: str) -> bool:
    try:
        return _hasher.verify(agent.password_hash if agent else _DUMMY_HASH, password) and agent is not None
    except (VerificationError, InvalidHashError):
        return False


async def issue_tokens(session: AsyncSession, agent: Agent, access_ttl: int, refresh_ttl: int) -> TokenPair:
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.add(
        AuthSession(
            id=str(uuid.uuid4()),
            agent_id=agent.id,
            access_hash=token_hash(access),
            refresh_hash=token_hash(refresh),
            access_expires_at=now + timedelta(seconds=access_ttl),
            refresh_expires_at=now + timedelta(seconds=refresh_ttl),
        )
    )
    await session.flush()
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=access_ttl)


async def refresh_tokens(session: AsyncSession, refresh: str, access_ttl: int, refresh_ttl: int) -> TokenPair:
    """Rotate: the old session is revoked and a new pair issued."""
    found = await session.scalars(select(AuthSession).where(AuthSession.refresh_hash == token_hash(refresh)))
    old = found.first()
    now = datetime.now(UTC)
    if old is None or old.revoked or as_utc(old.refresh_expires_at) < now:
        raise DomainError(ErrorCode.INVALID_TOKEN, "The session has expired. Please log in again.")
    agent = await session.get(Agent, old.agent_id)
    if agent is None or not agent.active:
        raise DomainError(ErrorCode.INVALID_TOKEN, "The account is deactivated.")
    old.revoked = True
    return await issue_tokens(session, agent, access_ttl, refresh_ttl)


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


class LoginThrottle:
    """At most `limit` failed logins per key (IP, and e-mail) in `window` seconds."""

    def __init__(self, limit: int = 10, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            failures = self._failures.get(key)
            if not failures:
                continue
            while failures and failures[0] < now - self.window:
                failures.popleft()
            if len(failures) >= self.limit:
                retry = failures[0] + self.window - now
                raise DomainError(
                    ErrorCode.RATE_LIMITED, "Too many failed logins. Try again later.", retry_after=retry
                )

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)

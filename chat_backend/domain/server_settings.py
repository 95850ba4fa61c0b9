"""Admin-set values kept as one JSON document per key in `server_settings`, read as their protocol
model (its defaults when the key was never saved), and an admin's audited replacement of one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import ServerSetting
from chat_backend.domain import audit
from chat_backend.domain.auth import AgentIdentity

M = TypeVar("M", bound=BaseModel)


async def load(session: AsyncSession, key: str, model: type[M]) -> M:
    row = await session.get(ServerSetting, key)
    return model.model_validate(row.value) if row else model()


async def save(session: AsyncSession, key: str, value: BaseModel) -> None:
    row = await session.get(ServerSetting, key)
    if row is None:
        session.add(ServerSetting(key=key, value=value.model_dump(mode="json")))
    else:
        row.value = value.model_dump(mode="json")


Load = Callable[[AsyncSession], Awaitable[M]]
Save = Callable[[AsyncSession, M], Awaitable[None]]


async def replace(
    session: AsyncSession, identity: AgentIdentity, name: str, load: Load[M], save: Save[M], value: M
) -> None:
    """An admin replaces a setting: saved and audited (`settings.<name>`, before and after) together."""
    before = (await load(session)).model_dump(mode="json")
    await save(session, value)
    await audit.record(session, identity, f"settings.{name}", name, before, value.model_dump(mode="json"))

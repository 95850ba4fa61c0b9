"""`/api/v1/supervision/*`: teammates' open chats a supervisor may watch and coach."""

from __future__ import annotations

from fastapi import APIRouter

from chat_backend.api.deps import CurrentActor, State, raise_http
from chat_backend.domain import supervision
from chat_backend.domain.errors import DomainError
from chat_protocol.supervision import SupervisedChat

router = APIRouter(prefix="/api/v1")


@router.get("/supervision/chats")
async def list_supervised(actor: CurrentActor, state: State) -> list[SupervisedChat]:
    """Teammates' open chats in my scope (supervisors: my groups; admins: all)."""
    try:
        async with state.db.read() as session:
            return await supervision.supervised_chats(session, actor)
    except DomainError as exc:
        raise_http(exc)

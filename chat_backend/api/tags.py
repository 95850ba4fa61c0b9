"""`/api/v1/tags*`: chat tags (`chat_protocol.tags`). Every agent lists them; admins define them
(audited). A chat's own tags are under `/api/v1/chats/{chat_id}/tags` (`api.chats`)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from chat_backend.api.deps import CurrentActor, CurrentAgent, State, raise_http, raise_invalid
from chat_backend.domain import tags
from chat_backend.domain.errors import DomainError
from chat_protocol.tags import Tag, TagInput

router = APIRouter(prefix="/api/v1")


@router.get("/tags")
async def list_tags(_agent: CurrentAgent, state: State) -> list[Tag]:
    """Every tag, by name."""
    async with state.db.read() as session:
        return await tags.list_tags(session)


@router.post("/tags", status_code=201)
async def create_tag(body: TagInput, agent: CurrentAgent, actor: CurrentActor, state: State) -> Tag:
    """Admins; a name in use is 409 `already_exists`."""
    try:
        async with state.db.write() as session:
            return await tags.create_tag(session, agent, actor, body)
    except DomainError as exc:
        raise_invalid(exc)


@router.put("/tags/{tag_id}")
async def update_tag(
    tag_id: str, body: TagInput, agent: CurrentAgent, actor: CurrentActor, state: State
) -> Tag:
    """Admins: the name and colour (chats keep the tag)."""
    try:
        async with state.db.write() as session:
            return await tags.update_tag(session, agent, actor, tag_id, body)
    except DomainError as exc:
        raise_invalid(exc)


@router.delete("/tags/{tag_id}", status_code=204)
async def delete_tag(tag_id: str, agent: CurrentAgent, actor: CurrentActor, state: State) -> Response:
    """Admins: the tag goes from every chat too."""
    try:
        async with state.db.write() as session:
            await tags.delete_tag(session, agent, actor, tag_id)
    except DomainError as exc:
        raise_http(exc)
    return Response(status_code=204)

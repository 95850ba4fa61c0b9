"""`/api/v1/canned*`: canned replies, an agent's own and the team's."""

from __future__ import annotations

from fastapi import APIRouter, Response

from chat_backend.api.deps import CurrentAgent, State, raise_http
from chat_backend.domain import canned
from chat_backend.domain.errors import DomainError
from chat_protocol.canned import CannedReply, CannedReplyInput

router = APIRouter(prefix="/api/v1")


@router.get("/canned")
async def list_canned(agent: CurrentAgent, state: State) -> list[CannedReply]:
    async with state.db.read() as session:
        return await canned.visible(session, agent)


@router.post("/canned", status_code=201)
async def create_canned(body: CannedReplyInput, agent: CurrentAgent, state: State) -> CannedReply:
    try:
        async with state.db.write() as session:
            return await canned.create(session, agent, body)
    except DomainError as exc:
        raise_http(exc)


@router.put("/canned/{canned_id}")
async def update_canned(
    canned_id: str, body: CannedReplyInput, agent: CurrentAgent, state: State
) -> CannedReply:
    try:
        async with state.db.write() as session:
            return await canned.update(session, agent, canned_id, body)
    except DomainError as exc:
        raise_http(exc)


@router.delete("/canned/{canned_id}", status_code=204)
async def delete_canned(canned_id: str, agent: CurrentAgent, state: State) -> Response:
    try:
        async with state.db.write() as session:
            await canned.delete(session, agent, canned_id)
    except DomainError as exc:
        raise_http(exc)
    return Response(status_code=204)

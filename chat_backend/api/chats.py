"""`/api/v1`: an agent's snapshot, chat transcripts and the offline messages visitors left."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chat_backend.api.deps import CurrentActor, CurrentAgent, State, raise_http
from chat_backend.domain import chats, handover, routing
from chat_backend.domain.errors import DomainError
from chat_protocol.bounds import DB_INT_MAX
from chat_protocol.rest import OfflineMessage, Snapshot, TranscriptPage

router = APIRouter(prefix="/api/v1")


@router.get("/snapshot")
async def get_snapshot(agent: CurrentAgent, state: State) -> Snapshot:
    async with state.db.read() as session:
        snapshot = await chats.snapshot(session, agent)
        # The app's timings (status circles, idle away, queue reminders) come with the snapshot.
        snapshot.routing = await routing.routing_settings(session)
        return snapshot


@router.get("/chats/{chat_id}/events")
async def get_transcript(
    chat_id: str,
    actor: CurrentActor,
    state: State,
    after_seq: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> TranscriptPage:
    try:
        async with state.db.read() as session:
            return await chats.transcript(session, actor, chat_id, after_seq, limit)
    except DomainError as exc:
        raise_http(exc)


@router.get("/offline-messages")
async def list_offline_messages(_agent: CurrentAgent, state: State) -> list[OfflineMessage]:
    async with state.db.read() as session:
        return await handover.offline_messages(session)

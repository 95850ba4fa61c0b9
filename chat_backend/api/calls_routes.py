"""`/api/v1/settings/calls`: STUN/TURN servers and the recording notice of video calls (admins)."""

from __future__ import annotations

from fastapi import APIRouter

from chat_backend.api.deps import CurrentAgent, State, admin_only
from chat_backend.domain import audit, calls
from chat_protocol.calls import CallSettings

router = APIRouter(prefix="/api/v1")


@router.get("/settings/calls")
async def get_call_settings(agent: CurrentAgent, state: State) -> CallSettings:
    """Admins only: TURN credentials are in here; agents get the ICE servers with each call."""
    admin_only(agent)
    async with state.db.read() as session:
        return await calls.call_settings(session)


@router.put("/settings/calls")
async def put_call_settings(body: CallSettings, agent: CurrentAgent, state: State) -> CallSettings:
    """Admins only; audited (`settings.calls`). Applies to calls started from now on."""
    admin_only(agent)
    async with state.db.write() as session:
        before = (await calls.call_settings(session)).model_dump(mode="json")
        await calls.save_call_settings(session, body)
        await audit.record(session, agent, "settings.calls", "calls", before, body.model_dump(mode="json"))
    return body

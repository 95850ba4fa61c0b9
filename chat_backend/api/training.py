"""`/api/v1/training`: an agent's training mode, and the trainees' results for supervisors and admins."""

from __future__ import annotations

from fastapi import APIRouter

from chat_backend.api.deps import CurrentActor, CurrentAgent, State, raise_http
from chat_backend.domain import training
from chat_backend.domain.errors import DomainError
from chat_protocol.rest import Me
from chat_protocol.training import TrainingMode, TrainingResult

router = APIRouter(prefix="/api/v1")


@router.put("/training")
async def set_training(body: TrainingMode, agent: CurrentAgent, state: State) -> Me:
    """Any agent, for themselves: training mode on (scripted visitors only, of `language` when given)
    or off (real visitors)."""
    try:
        async with state.db.write() as session:
            me = await training.set_mode(session, agent, body.training, body.language)
    except DomainError as exc:
        raise_http(exc)
    state.router.kick()  # routing and availability change with who is in training
    return me


@router.get("/training/results")
async def training_results(actor: CurrentActor, state: State) -> list[TrainingResult]:
    """Supervisors: the trainees of their groups (and themselves); admins: every trainee."""
    try:
        async with state.db.read() as session:
            return await training.results(session, actor)
    except DomainError as exc:
        raise_http(exc)

"""`/api/v1/traffic` and `/api/v1/visitors/*`: the live list of visitors on the site, their profiles,
their spam mark, and (admins) a visitor's data on request: export and deletion."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from chat_backend.api.deps import CurrentActor, CurrentAgent, State, raise_http
from chat_backend.cluster.jobs import sweep_files
from chat_backend.domain import visitor_data, visitors
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_protocol.archive import VisitorDeleted
from chat_protocol.traffic import TrafficSnapshot, VisitorProfile, VisitorUpdate

router = APIRouter(prefix="/api/v1")


@router.get("/traffic", response_model=TrafficSnapshot)
async def get_traffic(_agent: CurrentAgent, state: State) -> Response:
    """Every visitor on the site now. Send `watch_traffic` on the socket first, then apply the
    `traffic` deltas whose `rev` is above this snapshot's."""
    # Built in one go from the rows' cached JSON: no await between reading `rev` and the rows.
    return Response(state.traffic.snapshot_json(), media_type="application/json")


async def _profile(state: State, actor: Actor, visitor_id: str) -> VisitorProfile:
    async with state.db.read() as session:
        return await visitors.profile(session, actor, visitor_id, state.traffic.row(visitor_id))


@router.get("/visitors/{visitor_id}")
async def get_visitor(visitor_id: str, actor: CurrentActor, state: State) -> VisitorProfile:
    """Of the visitor's chats, only those whose transcript the caller may read are listed."""
    try:
        return await _profile(state, actor, visitor_id)
    except DomainError as exc:
        raise_http(exc)


@router.patch("/visitors/{visitor_id}")
async def patch_visitor(
    visitor_id: str, body: VisitorUpdate, actor: CurrentActor, state: State
) -> VisitorProfile:
    """Agents correct name, e-mail, phone and tags; the live row follows."""
    try:
        async with state.db.write() as session:
            visitor = await visitors.update_visitor(session, visitor_id, body)
        state.traffic.identified(visitor)
        return await _profile(state, actor, visitor_id)
    except DomainError as exc:
        raise_http(exc)


@router.put("/visitors/{visitor_id}/spam")
async def mark_spam(
    visitor_id: str, agent: CurrentAgent, actor: CurrentActor, state: State
) -> VisitorProfile:
    """Any agent marks the visitor as spam: no new chat, no offline message (`blocked`). Audited."""
    try:
        async with state.db.write() as session:
            await visitors.mark_spam(session, agent, visitor_id)
        return await _profile(state, actor, visitor_id)
    except DomainError as exc:
        raise_http(exc)


@router.delete("/visitors/{visitor_id}/spam")
async def unmark_spam(
    visitor_id: str, agent: CurrentAgent, actor: CurrentActor, state: State
) -> VisitorProfile:
    """Supervisors, admins and the agent who set the mark take it back. Audited."""
    try:
        async with state.db.write() as session:
            await visitors.unmark_spam(session, agent, actor, visitor_id)
        return await _profile(state, actor, visitor_id)
    except DomainError as exc:
        raise_http(exc)


@router.get("/visitors/{visitor_id}/data")
async def export_visitor_data(
    visitor_id: str, agent: CurrentAgent, actor: CurrentActor, state: State
) -> dict[str, Any]:
    """Admins: everything held about the visitor (profile, visits, page views, chats with their events
    and notes, offline messages, invitations, calls), as a JSON download. Audited."""
    try:
        async with state.db.write_quiet() as session:
            data = await visitor_data.export_visitor(session, agent, actor, visitor_id)
    except DomainError as exc:
        raise_http(exc)
    return data


@router.delete("/visitors/{visitor_id}")
async def delete_visitor(
    visitor_id: str, agent: CurrentAgent, actor: CurrentActor, state: State
) -> VisitorDeleted:
    """Admins: the visitor and everything about them go, audited (counts only). Refused (`forbidden`)
    while the visitor is on the website or has a chat open."""
    online = state.hub.visitor_connection_count(visitor_id) > 0
    try:
        async with state.db.write_quiet() as session:
            deleted = await visitor_data.delete_visitor(session, agent, actor, visitor_id, online)
    except DomainError as exc:
        raise_http(exc)
    if state.files is not None:
        await sweep_files(state.db, state.files)  # their files now (a store that is down: next pass)
    return deleted

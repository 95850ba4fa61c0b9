"""`/api/v1/sites*`: the websites the widget runs on, with their allowed origins and embed snippet."""

from __future__ import annotations

from fastapi import APIRouter, Request

from chat_backend.api.deps import AppState, CurrentActor, CurrentAgent, State, raise_invalid
from chat_backend.domain import sites
from chat_backend.domain.errors import DomainError
from chat_protocol.admin import SiteInfo, SiteInput

router = APIRouter(prefix="/api/v1")


def _server_url(state: AppState, request: Request) -> str:
    """The public URL for the widget snippet: CHAT_PUBLIC_URL, else the URL this request came to."""
    return state.settings.public_url or str(request.base_url)


@router.get("/sites")
async def list_sites(_agent: CurrentAgent, state: State, request: Request) -> list[SiteInfo]:
    async with state.db.read() as session:
        found = await sites.list_sites(session)
    return [sites.site_info(_server_url(state, request), s) for s in found]


@router.post("/sites", status_code=201)
async def create_site(
    body: SiteInput, agent: CurrentAgent, actor: CurrentActor, state: State, request: Request
) -> SiteInfo:
    """Admins. Origins are normalised (`scheme://host[:port]`); one that is not is 422."""
    try:
        async with state.db.write() as session:
            site = await sites.add_site(session, agent, actor, body)
    except DomainError as exc:
        raise_invalid(exc)
    return sites.site_info(_server_url(state, request), site)


@router.put("/sites/{site_id}")
async def update_site(
    site_id: str, body: SiteInput, agent: CurrentAgent, actor: CurrentActor, state: State, request: Request
) -> SiteInfo:
    """Admins. New visitor sockets and page pushes use the new origins at once."""
    try:
        async with state.db.write() as session:
            site = await sites.update_site(session, agent, actor, site_id, body)
    except DomainError as exc:
        raise_invalid(exc)
    return sites.site_info(_server_url(state, request), site)

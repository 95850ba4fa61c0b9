"""`/api/v1/settings/*`: server-wide settings (routing, page-view retention, business hours, video
calls). Writes are admins' and audited; `settings/calls` is read by admins only."""

from __future__ import annotations

from fastapi import APIRouter

from chat_backend.api.deps import CurrentAgent, State, admin_only, raise_http
from chat_backend.cluster.jobs import purge_now
from chat_backend.domain import audit, calls, greetings, routing, traffic
from chat_backend.domain.errors import DomainError
from chat_protocol.calls import CallSettings
from chat_protocol.rest import RoutingSettings
from chat_protocol.traffic import BusinessHours, TrafficSettings

router = APIRouter(prefix="/api/v1")


@router.get("/settings/routing")
async def get_routing(_agent: CurrentAgent, state: State) -> RoutingSettings:
    async with state.db.read() as session:
        return await routing.routing_settings(session)


@router.put("/settings/routing")
async def put_routing(body: RoutingSettings, agent: CurrentAgent, state: State) -> RoutingSettings:
    admin_only(agent)
    async with state.db.write() as session:
        before = (await routing.routing_settings(session)).model_dump(mode="json")
        await routing.save_routing_settings(session, body)
        await audit.record(
            session, agent, "settings.routing", "routing", before, body.model_dump(mode="json")
        )
    state.router.kick()
    return body


@router.get("/settings/traffic")
async def get_traffic_settings(_agent: CurrentAgent, state: State) -> TrafficSettings:
    async with state.db.read() as session:
        return await traffic.traffic_settings(session)


@router.put("/settings/traffic")
async def put_traffic_settings(body: TrafficSettings, agent: CurrentAgent, state: State) -> TrafficSettings:
    """Admins only: how many days of page-view history are kept (purged hourly)."""
    admin_only(agent)
    async with state.db.write() as session:
        before = (await traffic.traffic_settings(session)).model_dump(mode="json")
        await traffic.save_traffic_settings(session, body)
        await audit.record(
            session, agent, "settings.traffic", "traffic", before, body.model_dump(mode="json")
        )
    await purge_now(state.db)  # a shorter retention takes effect now, not in an hour
    return body


@router.get("/settings/business-hours")
async def get_business_hours(_agent: CurrentAgent, state: State) -> BusinessHours:
    async with state.db.read() as session:
        return await greetings.business_hours(session)


@router.put("/settings/business-hours")
async def put_business_hours(body: BusinessHours, agent: CurrentAgent, state: State) -> BusinessHours:
    admin_only(agent)
    try:
        async with state.db.write() as session:
            before = (await greetings.business_hours(session)).model_dump(mode="json")
            await greetings.save_business_hours(session, body)
            await audit.record(
                session,
                agent,
                "settings.business_hours",
                "business_hours",
                before,
                body.model_dump(mode="json"),
            )
    except DomainError as exc:
        raise_http(exc)
    return body


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

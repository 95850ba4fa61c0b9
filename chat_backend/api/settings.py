"""`/api/v1/settings/*`: server-wide settings (routing, page-view retention, the team's time zone,
business hours, video calls, the operator app's versions, the tag rule, the retention of closed
chats, the limits of attachments). Writes are admins' and audited; `settings/calls` is read by admins only."""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter
from pydantic import BaseModel

from chat_backend.api.deps import AppState, CurrentAgent, State, admin_only, raise_http, raise_invalid
from chat_backend.cluster.jobs import purge_now, sweep_files
from chat_backend.domain import (
    app_updates,
    attachments,
    audit,
    calls,
    greetings,
    mail_out,
    routing,
    server_settings,
    tag_rule,
    team_zone,
    traffic,
    visitor_data,
)
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.errors import DomainError
from chat_protocol.archive import RetentionSettings
from chat_protocol.attachments import AttachmentSettings
from chat_protocol.calls import CallSettings
from chat_protocol.rest import AppUpdateSettings, RoutingSettings, TeamSettings
from chat_protocol.tags import TagSettings
from chat_protocol.tickets import SmtpSettings
from chat_protocol.traffic import BusinessHours, TrafficSettings

M = TypeVar("M", bound=BaseModel)

router = APIRouter(prefix="/api/v1")


async def _replace(
    agent: AgentIdentity,
    state: AppState,
    name: str,
    load: server_settings.Load[M],
    save: server_settings.Save[M],
    body: M,
) -> M:
    admin_only(agent)
    async with state.db.write() as session:
        await server_settings.replace(session, agent, name, load, save, body)
    return body


@router.get("/settings/routing")
async def get_routing(_agent: CurrentAgent, state: State) -> RoutingSettings:
    async with state.db.read() as session:
        return await routing.routing_settings(session)


@router.put("/settings/routing")
async def put_routing(body: RoutingSettings, agent: CurrentAgent, state: State) -> RoutingSettings:
    await _replace(agent, state, "routing", routing.routing_settings, routing.save_routing_settings, body)
    state.router.kick()
    return body


@router.get("/settings/traffic")
async def get_traffic_settings(_agent: CurrentAgent, state: State) -> TrafficSettings:
    async with state.db.read() as session:
        return await traffic.traffic_settings(session)


@router.put("/settings/traffic")
async def put_traffic_settings(body: TrafficSettings, agent: CurrentAgent, state: State) -> TrafficSettings:
    """Admins only: how many days of page-view history are kept (purged hourly)."""
    await _replace(agent, state, "traffic", traffic.traffic_settings, traffic.save_traffic_settings, body)
    await purge_now(state.db)  # a shorter retention takes effect now, not in an hour
    if state.files is not None:
        await sweep_files(state.db, state.files)
    return body


@router.get("/settings/team")
async def get_team_settings(_agent: CurrentAgent, state: State) -> TeamSettings:
    async with state.db.read() as session:
        return await team_zone.team_settings(session)


@router.put("/settings/team")
async def put_team_settings(body: TeamSettings, agent: CurrentAgent, state: State) -> TeamSettings:
    """Admins only; audited (`settings.team`). An unknown zone is refused (422)."""
    admin_only(agent)
    try:
        async with state.db.write() as session:
            before = (await team_zone.team_settings(session)).model_dump(mode="json")
            await team_zone.save_team_settings(session, body)
            await audit.record(session, agent, "settings.team", "team", before, body.model_dump(mode="json"))
    except DomainError as exc:
        raise_invalid(exc)
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
            zone_change = await greetings.save_business_hours(session, body)
            if zone_change is not None:
                old, new = zone_change
                await audit.record(
                    session, agent, "settings.team", "team", {"time_zone": old}, {"time_zone": new}
                )
            body = await greetings.business_hours(session)
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
    return await _replace(agent, state, "calls", calls.call_settings, calls.save_call_settings, body)


@router.get("/settings/app-updates")
async def get_app_updates(_agent: CurrentAgent, state: State) -> AppUpdateSettings:
    """Every signed-in agent (the same values are in `GET /info` for everyone)."""
    async with state.db.read() as session:
        return await app_updates.app_update_settings(session)


@router.put("/settings/app-updates")
async def put_app_updates(body: AppUpdateSettings, agent: CurrentAgent, state: State) -> AppUpdateSettings:
    """Admins only; audited (`settings.app_updates`). Apps read it from `GET /info` at their next sign-in."""
    return await _replace(
        agent,
        state,
        "app_updates",
        app_updates.app_update_settings,
        app_updates.save_app_update_settings,
        body,
    )


@router.get("/settings/tags")
async def get_tag_settings(_agent: CurrentAgent, state: State) -> TagSettings:
    async with state.db.read() as session:
        return await tag_rule.tag_settings(session)


@router.put("/settings/tags")
async def put_tag_settings(body: TagSettings, agent: CurrentAgent, state: State) -> TagSettings:
    """Admins: whether an agent must tag a chat before closing it."""
    return await _replace(agent, state, "tags", tag_rule.tag_settings, tag_rule.save_tag_settings, body)


@router.get("/settings/retention")
async def get_retention(_agent: CurrentAgent, state: State) -> RetentionSettings:
    async with state.db.read() as session:
        return await visitor_data.retention_settings(session)


@router.put("/settings/retention")
async def put_retention(body: RetentionSettings, agent: CurrentAgent, state: State) -> RetentionSettings:
    """Admins: how many days closed chats are kept (null: kept). The hourly retention job deletes the
    older ones; a shorter retention applies from its next pass."""
    return await _replace(
        agent, state, "retention", visitor_data.retention_settings, visitor_data.save_retention_settings, body
    )


@router.get("/settings/attachments")
async def get_attachment_settings(_agent: CurrentAgent, state: State) -> AttachmentSettings:
    """Whether files may be sent in chats, the largest, and the kinds allowed (every agent reads it)."""
    async with state.db.read() as session:
        return await attachments.attachment_settings(session)


@router.put("/settings/attachments")
async def put_attachment_settings(
    body: AttachmentSettings, agent: CurrentAgent, state: State
) -> AttachmentSettings:
    """Admins: the limits of files sent in chats; uploads check them at once, widgets within seconds."""
    body = AttachmentSettings(
        enabled=body.enabled, max_bytes=body.max_bytes, allowed=sorted(set(body.allowed))
    )
    return await _replace(
        agent,
        state,
        "attachments",
        attachments.attachment_settings,
        attachments.save_attachment_settings,
        body,
    )


@router.get("/settings/email")
async def get_email_settings(agent: CurrentAgent, state: State) -> SmtpSettings:
    """Admins only: the relay, the support mailbox, senders, the daily summary; passwords never shown."""
    admin_only(agent)
    async with state.db.read() as session:
        return mail_out.shown(await mail_out.settings(session))


@router.put("/settings/email")
async def put_email_settings(body: SmtpSettings, agent: CurrentAgent, state: State) -> SmtpSettings:
    """Admins only; audited without passwords. A password left out (null) keeps the stored one."""
    admin_only(agent)
    async with state.db.write() as session:
        shown = await mail_out.replace_settings(session, agent, body)
    state.mail_kick()
    state.inbox_kick()  # the support mailbox is polled at once with the new settings
    return shown

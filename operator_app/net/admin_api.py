"""REST calls of the team view and the admin settings (supervisors and admins; see docs/roles.md).

Kept apart from `api.py` so the agent's everyday client stays small; it shares its `ApiClient`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from chat_protocol.admin import (
    AgentCreate,
    AgentCreated,
    PasswordChange,
    SiteInfo,
    SiteInput,
    TeamMember,
    TemporaryPassword,
)
from chat_protocol.archive import RetentionSettings
from chat_protocol.attachments import AttachmentSettings
from chat_protocol.canned import CannedReply, CannedReplyInput
from chat_protocol.models import RoutingStatus
from chat_protocol.reports import Report, ReportBy
from chat_protocol.rest import AppUpdateSettings, GroupInfo, GroupInput, RoutingSettings, TeamSettings
from chat_protocol.supervision import AgentDetail, AgentStatusInput, AgentUpdate, AuditEntry
from chat_protocol.traffic import BusinessHours, GreetingRule, GreetingRuleInput, TrafficSettings
from operator_app.net.api import ApiClient, list_adapter


def _q(value: str) -> str:
    return quote(value, safe="")


def _body(model: BaseModel, *, exclude_none: bool = False) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=exclude_none)


class AdminApi:
    """Typed calls; each takes the access token first, like `ApiClient`'s, for `AuthSession.call`."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    # --- team (supervisors and admins) -------------------------------------------------------

    async def team(self, token: str, since: datetime) -> list[TeamMember]:
        """`GET /team?since=`: status, load, chats and first-response time since `since`."""
        return await self.api.request_list(
            "GET", "/team", list_adapter(TeamMember), token=token, params={"since": since.isoformat()}
        )

    async def set_agent_status(self, token: str, agent_id: str, status: RoutingStatus) -> AgentDetail:
        body = _body(AgentStatusInput(status=status))
        return await self.api.request_model(
            "PUT", f"/agents/{_q(agent_id)}/status", AgentDetail, token=token, json=body
        )

    # --- reports (supervisors and admins) ------------------------------------------------------

    async def report(self, token: str, since: date, until: date, by: ReportBy | None) -> Report:
        """`GET /reports`: the closed chats created from `since` to `until` (days of the team's zone)."""
        params: dict[str, Any] = {"since": since.isoformat(), "until": until.isoformat()}
        if by is not None:
            params["by"] = by
        return await self.api.request_model("GET", "/reports", Report, token=token, params=params)

    # --- agent accounts (admins) --------------------------------------------------------------

    async def accounts(self, token: str) -> list[AgentDetail]:
        """`GET /agent-accounts`: every account, deactivated ones included."""
        return await self.api.request_list("GET", "/agent-accounts", list_adapter(AgentDetail), token=token)

    async def create_agent(self, token: str, body: AgentCreate) -> AgentCreated:
        return await self.api.request_model("POST", "/agents", AgentCreated, token=token, json=_body(body))

    async def update_agent(self, token: str, agent_id: str, body: AgentUpdate) -> AgentDetail:
        return await self.api.request_model(
            "PATCH", f"/agents/{_q(agent_id)}", AgentDetail, token=token, json=_body(body, exclude_none=True)
        )

    async def reset_password(self, token: str, agent_id: str) -> TemporaryPassword:
        return await self.api.request_model(
            "POST", f"/agents/{_q(agent_id)}/password-reset", TemporaryPassword, token=token
        )

    async def change_password(self, token: str, body: PasswordChange) -> None:
        """`PUT /me/password`: my own password (any role)."""
        await self.api.request_none("PUT", "/me/password", token=token, json=_body(body))

    # --- groups --------------------------------------------------------------------------------

    async def groups(self, token: str) -> list[GroupInfo]:
        return await self.api.request_list("GET", "/groups", list_adapter(GroupInfo), token=token)

    async def create_group(self, token: str, body: GroupInput) -> GroupInfo:
        return await self.api.request_model("POST", "/groups", GroupInfo, token=token, json=_body(body))

    async def update_group(self, token: str, group_id: str, body: GroupInput) -> GroupInfo:
        return await self.api.request_model(
            "PUT", f"/groups/{_q(group_id)}", GroupInfo, token=token, json=_body(body)
        )

    async def delete_group(self, token: str, group_id: str) -> None:
        await self.api.request_none("DELETE", f"/groups/{_q(group_id)}", token=token)

    # --- sites ---------------------------------------------------------------------------------

    async def sites(self, token: str) -> list[SiteInfo]:
        return await self.api.request_list("GET", "/sites", list_adapter(SiteInfo), token=token)

    async def create_site(self, token: str, body: SiteInput) -> SiteInfo:
        return await self.api.request_model("POST", "/sites", SiteInfo, token=token, json=_body(body))

    async def update_site(self, token: str, site_id: str, body: SiteInput) -> SiteInfo:
        return await self.api.request_model(
            "PUT", f"/sites/{_q(site_id)}", SiteInfo, token=token, json=_body(body)
        )

    # --- team canned replies (the `shared` flag of CannedReplyInput) ---------------------------

    async def create_canned(self, token: str, body: CannedReplyInput) -> CannedReply:
        return await self.api.request_model("POST", "/canned", CannedReply, token=token, json=_body(body))

    # --- greeting rules and business hours -----------------------------------------------------

    async def greeting_rules(self, token: str) -> list[GreetingRule]:
        return await self.api.request_list("GET", "/greeting-rules", list_adapter(GreetingRule), token=token)

    async def create_greeting_rule(self, token: str, body: GreetingRuleInput) -> GreetingRule:
        return await self.api.request_model(
            "POST", "/greeting-rules", GreetingRule, token=token, json=_body(body)
        )

    async def update_greeting_rule(self, token: str, rule_id: str, body: GreetingRuleInput) -> GreetingRule:
        return await self.api.request_model(
            "PUT", f"/greeting-rules/{_q(rule_id)}", GreetingRule, token=token, json=_body(body)
        )

    async def delete_greeting_rule(self, token: str, rule_id: str) -> None:
        await self.api.request_none("DELETE", f"/greeting-rules/{_q(rule_id)}", token=token)

    async def team_settings(self, token: str) -> TeamSettings:
        return await self.api.request_model("GET", "/settings/team", TeamSettings, token=token)

    async def save_team_settings(self, token: str, body: TeamSettings) -> TeamSettings:
        return await self.api.request_model(
            "PUT", "/settings/team", TeamSettings, token=token, json=_body(body)
        )

    async def business_hours(self, token: str) -> BusinessHours:
        return await self.api.request_model("GET", "/settings/business-hours", BusinessHours, token=token)

    async def save_business_hours(self, token: str, body: BusinessHours) -> BusinessHours:
        return await self.api.request_model(
            "PUT", "/settings/business-hours", BusinessHours, token=token, json=_body(body)
        )

    # --- routing, timeouts and traffic retention -----------------------------------------------

    async def routing(self, token: str) -> RoutingSettings:
        return await self.api.request_model("GET", "/settings/routing", RoutingSettings, token=token)

    async def save_routing(self, token: str, body: RoutingSettings) -> RoutingSettings:
        return await self.api.request_model(
            "PUT", "/settings/routing", RoutingSettings, token=token, json=_body(body)
        )

    async def traffic_settings(self, token: str) -> TrafficSettings:
        return await self.api.request_model("GET", "/settings/traffic", TrafficSettings, token=token)

    async def save_traffic_settings(self, token: str, body: TrafficSettings) -> TrafficSettings:
        return await self.api.request_model(
            "PUT", "/settings/traffic", TrafficSettings, token=token, json=_body(body)
        )

    async def retention(self, token: str) -> RetentionSettings:
        return await self.api.request_model("GET", "/settings/retention", RetentionSettings, token=token)

    async def save_retention(self, token: str, body: RetentionSettings) -> RetentionSettings:
        return await self.api.request_model(
            "PUT", "/settings/retention", RetentionSettings, token=token, json=_body(body)
        )

    async def app_updates(self, token: str) -> AppUpdateSettings:
        return await self.api.request_model("GET", "/settings/app-updates", AppUpdateSettings, token=token)

    async def save_app_updates(self, token: str, body: AppUpdateSettings) -> AppUpdateSettings:
        return await self.api.request_model(
            "PUT", "/settings/app-updates", AppUpdateSettings, token=token, json=_body(body)
        )

    async def attachment_settings(self, token: str) -> AttachmentSettings:
        return await self.api.request_model("GET", "/settings/attachments", AttachmentSettings, token=token)

    async def save_attachment_settings(self, token: str, body: AttachmentSettings) -> AttachmentSettings:
        return await self.api.request_model(
            "PUT", "/settings/attachments", AttachmentSettings, token=token, json=_body(body)
        )

    # --- audit log -----------------------------------------------------------------------------

    async def audit(self, token: str, *, limit: int = 200, before_id: int | None = None) -> list[AuditEntry]:
        """`GET /audit`: newest first; `before_id` pages back."""
        params: dict[str, Any] = {"limit": limit}
        if before_id is not None:
            params["before_id"] = before_id
        return await self.api.request_list(
            "GET", "/audit", list_adapter(AuditEntry), token=token, params=params
        )

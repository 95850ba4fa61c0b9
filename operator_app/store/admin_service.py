"""What the team view, the password dialog and the admin settings ask of the server: one typed method
per action, each with the signed-in agent's token, refreshed once on expiry (`AuthSession.call`).
Every method raises `operator_app.errors.ApiError` when the server refuses or cannot be reached."""

from __future__ import annotations

from datetime import date, datetime

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
from chat_protocol.supervision import AgentDetail, AgentUpdate, AuditEntry
from chat_protocol.tags import Tag, TagInput, TagSettings
from chat_protocol.tickets import MailStatus, SmtpSettings
from chat_protocol.traffic import BusinessHours, GreetingRule, GreetingRuleInput, TrafficSettings
from operator_app.net.admin_api import AdminApi
from operator_app.net.mail_api import MailApi
from operator_app.net.session import AuthSession
from operator_app.net.tags_api import TagsApi


class AdminService:
    """Typed calls for supervisors and admins (the server checks the role of every one)."""

    def __init__(self, auth: AuthSession) -> None:
        self._auth = auth
        self._admin = AdminApi(auth.api)
        self._tags = TagsApi(auth.api)
        self._mail = MailApi(auth.api)

    # --- team (supervisors and admins) -----------------------------------------------------------

    async def team(self, since: datetime) -> list[TeamMember]:
        """Everyone in my scope with status, load, chats and first-response time since `since`."""
        return await self._auth.call(lambda token: self._admin.team(token, since))

    async def set_agent_status(self, agent_id: str, status: RoutingStatus) -> AgentDetail:
        return await self._auth.call(lambda token: self._admin.set_agent_status(token, agent_id, status))

    # --- reports (supervisors and admins) ----------------------------------------------------------

    async def report(self, since: date, until: date, by: ReportBy | None = None) -> Report:
        """Figures over the closed chats created from `since` to `until` (days of the team's time zone,
        both included); `by` adds one row per agent, group or site."""
        return await self._auth.call(lambda token: self._admin.report(token, since, until, by))

    # --- my own password (any role) --------------------------------------------------------------

    async def change_password(self, body: PasswordChange) -> None:
        await self._auth.call(lambda token: self._admin.change_password(token, body))

    # --- agent accounts --------------------------------------------------------------------------

    async def list_agents(self) -> list[AgentDetail]:
        """Every account, deactivated ones included."""
        return await self._auth.call(self._admin.accounts)

    async def create_agent(self, body: AgentCreate) -> AgentCreated:
        """The new account and its temporary password (shown once)."""
        return await self._auth.call(lambda token: self._admin.create_agent(token, body))

    async def update_agent(self, agent_id: str, body: AgentUpdate) -> AgentDetail:
        """Role, groups, chat limit or active: only the fields set in `body` change."""
        return await self._auth.call(lambda token: self._admin.update_agent(token, agent_id, body))

    async def reset_password(self, agent_id: str) -> TemporaryPassword:
        return await self._auth.call(lambda token: self._admin.reset_password(token, agent_id))

    # --- groups ----------------------------------------------------------------------------------

    async def list_groups(self) -> list[GroupInfo]:
        return await self._auth.call(self._admin.groups)

    async def save_group(self, group_id: str | None, body: GroupInput) -> GroupInfo:
        """Create a group (`group_id` None) or replace the name and members of one."""
        if group_id is None:
            return await self._auth.call(lambda token: self._admin.create_group(token, body))
        return await self._auth.call(lambda token: self._admin.update_group(token, group_id, body))

    async def delete_group(self, group_id: str) -> None:
        await self._auth.call(lambda token: self._admin.delete_group(token, group_id))

    # --- sites -----------------------------------------------------------------------------------

    async def list_sites(self) -> list[SiteInfo]:
        return await self._auth.call(self._admin.sites)

    async def save_site(self, site_id: str | None, body: SiteInput) -> SiteInfo:
        """Create a site (`site_id` None) or replace the name and origins of one."""
        if site_id is None:
            return await self._auth.call(lambda token: self._admin.create_site(token, body))
        return await self._auth.call(lambda token: self._admin.update_site(token, site_id, body))

    # --- chat tags and the rule that a chat needs one before it is closed ------------------------

    async def list_tags(self) -> list[Tag]:
        return await self._auth.call(self._tags.tags)

    async def save_tag(self, tag_id: str | None, body: TagInput) -> Tag:
        """Create a tag (`tag_id` None) or change the name and colour of one (chats keep it)."""
        if tag_id is None:
            return await self._auth.call(lambda token: self._tags.create_tag(token, body))
        return await self._auth.call(lambda token: self._tags.update_tag(token, tag_id, body))

    async def delete_tag(self, tag_id: str) -> None:
        """The tag goes from every chat too."""
        await self._auth.call(lambda token: self._tags.delete_tag(token, tag_id))

    async def tag_settings(self) -> TagSettings:
        return await self._auth.call(self._tags.tag_settings)

    async def save_tag_settings(self, body: TagSettings) -> TagSettings:
        return await self._auth.call(lambda token: self._tags.save_tag_settings(token, body))

    # --- team canned replies ---------------------------------------------------------------------

    async def list_canned(self) -> list[CannedReply]:
        """My personal replies and the team's (the caller keeps the ones it shows)."""
        return await self._auth.call(self._auth.api.list_canned)

    async def save_team_reply(self, canned_id: str | None, body: CannedReplyInput) -> CannedReply:
        """Create a reply (`canned_id` None) or change one; `body.shared` makes it a team reply."""
        if canned_id is None:
            return await self._auth.call(lambda token: self._admin.create_canned(token, body))
        return await self._auth.call(lambda token: self._auth.api.update_canned(token, canned_id, body))

    async def delete_canned(self, canned_id: str) -> None:
        await self._auth.call(lambda token: self._auth.api.delete_canned(token, canned_id))

    # --- greeting rules and business hours -------------------------------------------------------

    async def list_greeting_rules(self) -> list[GreetingRule]:
        return await self._auth.call(self._admin.greeting_rules)

    async def save_greeting_rule(self, rule_id: str | None, body: GreetingRuleInput) -> GreetingRule:
        """Create a rule (`rule_id` None) or replace one."""
        if rule_id is None:
            return await self._auth.call(lambda token: self._admin.create_greeting_rule(token, body))
        return await self._auth.call(lambda token: self._admin.update_greeting_rule(token, rule_id, body))

    async def delete_greeting_rule(self, rule_id: str) -> None:
        await self._auth.call(lambda token: self._admin.delete_greeting_rule(token, rule_id))

    async def team_settings(self) -> TeamSettings:
        """The team's time zone (business hours and reports use it)."""
        return await self._auth.call(self._admin.team_settings)

    async def save_team_settings(self, body: TeamSettings) -> TeamSettings:
        return await self._auth.call(lambda token: self._admin.save_team_settings(token, body))

    async def business_hours(self) -> BusinessHours:
        return await self._auth.call(self._admin.business_hours)

    async def save_business_hours(self, body: BusinessHours) -> BusinessHours:
        return await self._auth.call(lambda token: self._admin.save_business_hours(token, body))

    # --- routing, timeouts and traffic retention -------------------------------------------------

    async def routing(self) -> RoutingSettings:
        return await self._auth.call(self._admin.routing)

    async def save_routing(self, body: RoutingSettings) -> RoutingSettings:
        return await self._auth.call(lambda token: self._admin.save_routing(token, body))

    async def traffic_settings(self) -> TrafficSettings:
        return await self._auth.call(self._admin.traffic_settings)

    async def save_traffic_settings(self, body: TrafficSettings) -> TrafficSettings:
        return await self._auth.call(lambda token: self._admin.save_traffic_settings(token, body))

    async def retention(self) -> RetentionSettings:
        return await self._auth.call(self._admin.retention)

    async def save_retention(self, body: RetentionSettings) -> RetentionSettings:
        return await self._auth.call(lambda token: self._admin.save_retention(token, body))

    async def app_updates(self) -> AppUpdateSettings:
        return await self._auth.call(self._admin.app_updates)

    async def save_app_updates(self, body: AppUpdateSettings) -> AppUpdateSettings:
        return await self._auth.call(lambda token: self._admin.save_app_updates(token, body))

    # --- e-mail: the relay, the support mailbox, senders, the daily summary; the outbox ----------

    async def attachment_settings(self) -> AttachmentSettings:
        """Whether files may be sent in chats, the largest file and the kinds allowed."""
        return await self._auth.call(self._admin.attachment_settings)

    async def save_attachment_settings(self, body: AttachmentSettings) -> AttachmentSettings:
        return await self._auth.call(lambda token: self._admin.save_attachment_settings(token, body))

    async def email_settings(self) -> SmtpSettings:
        """Passwords are never sent back: `password_set` says whether one is stored."""
        return await self._auth.call(self._mail.email_settings)

    async def save_email_settings(self, body: SmtpSettings) -> SmtpSettings:
        """A password of None keeps the stored one; an empty string removes it."""
        return await self._auth.call(lambda token: self._mail.save_email_settings(token, body))

    async def mail_outbox(self) -> list[MailStatus]:
        return await self._auth.call(self._mail.outbox)

    async def retry_mail(self, mail_id: str) -> None:
        await self._auth.call(lambda token: self._mail.retry(token, mail_id))

    # --- audit log -------------------------------------------------------------------------------

    async def audit(self, *, limit: int, before_id: int | None = None) -> list[AuditEntry]:
        """Newest first; `before_id` pages back."""
        return await self._auth.call(lambda token: self._admin.audit(token, limit=limit, before_id=before_id))

"""Team and administration REST bodies: the team view, agent accounts, passwords and sites
(see docs/roles.md for who may call what)."""

from pydantic import Field

from chat_protocol.base import ProtocolModel
from chat_protocol.models import RoutingStatus
from chat_protocol.preview import PreviewMode
from chat_protocol.supervision import AgentDetail, Role

MIN_PASSWORD_CHARS = 10


class TeamMember(ProtocolModel):
    """`GET /api/v1/team?since=...` (supervisors: the agents of their groups and themselves; admins:
    every active agent). "Today" is everything since `since`, which the app sets to the operator's
    local midnight."""

    agent_id: str
    name: str
    email: str
    role: Role
    status: RoutingStatus
    online: bool = Field(description="At least one agent socket is connected.")
    load: int = Field(ge=0, description="Open chats the agent holds now.")
    max_chats: int = Field(ge=1, description="The agent's limit, or the default limit.")
    group_ids: list[str]
    chats_today: int = Field(ge=0, description="Chats the agent took or was given since `since`.")
    answered_today: int = Field(ge=0, description="Of those, chats the agent answered.")
    first_response_today: float | None = Field(
        default=None,
        description="Mean seconds from the visitor's first message (or the chat's start) to this "
        "agent's first reply, over the chats they answered since `since`; None if none.",
    )


class AgentCreate(ProtocolModel):
    """`POST /api/v1/agents` (admins): a new account with a temporary password."""

    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=100)
    role: Role = "agent"
    group_ids: list[str] = Field(default_factory=list, max_length=100)
    max_chats: int | None = Field(default=None, ge=1, le=50)


class AgentCreated(ProtocolModel):
    """The new account, and its temporary password: shown once, never stored in clear text."""

    agent: AgentDetail
    temporary_password: str


class TemporaryPassword(ProtocolModel):
    """`POST /api/v1/agents/{agent_id}/password-reset` (admins): every login of the agent ends and
    they must choose a new password after signing in with this one."""

    temporary_password: str


class PasswordChange(ProtocolModel):
    """`PUT /api/v1/me/password`: any agent changes their own password (after a temporary one,
    `must_change_password` is cleared). Other logins of the agent end; this one stays."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=MIN_PASSWORD_CHARS, max_length=1024)


class SiteInput(ProtocolModel):
    """`POST /api/v1/sites`, `PUT /api/v1/sites/{site_id}` (admins). Origins are `scheme://host[:port]`,
    normalised by the server; the widget and page push accept exactly these."""

    name: str = Field(min_length=1, max_length=200)
    origins: list[str] = Field(default_factory=list, max_length=50)
    default_group_id: str | None = Field(
        default=None, max_length=36, description="Tickets from the site's offline form go to this group."
    )
    preview: PreviewMode = Field(
        default="consent", description="Live page preview: ask the visitor, allowed without asking, or off."
    )


class SiteInfo(ProtocolModel):
    """`GET /api/v1/sites`: a website that embeds the widget."""

    site_id: str
    name: str
    origins: list[str]
    default_group_id: str | None = None
    preview: PreviewMode = "consent"
    embed_snippet: str = Field(description="The `<script>` tag to paste into the site's pages.")

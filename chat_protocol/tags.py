"""Chat tags: labels admins define (name, colour) and agents put on chats, open or closed; filters in
the archives and dimensions in the reports. An admin may require at least one tag before an agent
closes a chat (`TagSettings`; `close_chat` is then refused with `tag_required`)."""

from pydantic import Field

from chat_protocol.base import ProtocolModel

MAX_TAGS_PER_CHAT = 20
COLOUR = r"^#[0-9a-fA-F]{6}$"


class TagInput(ProtocolModel):
    """`POST /api/v1/tags`, `PUT /api/v1/tags/{tag_id}` (admins)."""

    name: str = Field(min_length=1, max_length=50)
    colour: str = Field(default="#607d8b", pattern=COLOUR, description="`#rrggbb`.")


class Tag(ProtocolModel):
    tag_id: str
    name: str
    colour: str


class ChatTags(ProtocolModel):
    """`GET`/`PUT /api/v1/chats/{chat_id}/tags`: the chat's tags (a PUT replaces them all)."""

    tag_ids: list[str] = Field(default_factory=list, max_length=MAX_TAGS_PER_CHAT)


class TagSettings(ProtocolModel):
    """`/api/v1/settings/tags`."""

    require_tag_to_close: bool = Field(
        default=False,
        description="An agent's `close_chat` is refused (`tag_required`) while the chat has no tag.",
    )

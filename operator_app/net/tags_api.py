"""REST calls of chat tags (`chat_protocol.tags`): the tags every agent lists, a chat's own tags, and
what admins define (tags, the rule that a chat needs a tag before it is closed). See docs/roles.md."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from operator_app.net.api import ApiClient, list_adapter

if TYPE_CHECKING:
    from chat_protocol.tags import ChatTags, Tag, TagInput, TagSettings


def _q(value: str) -> str:
    return quote(value, safe="")


class TagsApi:
    """Typed calls; each takes the access token first, like `ApiClient`'s, for `AuthSession.call`."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def tags(self, token: str) -> list[Tag]:
        """`GET /tags`: every tag, by name (any agent)."""
        from chat_protocol.tags import Tag

        return await self.api.request_list("GET", "/tags", list_adapter(Tag), token=token)

    async def chat_tags(self, token: str, chat_id: str) -> ChatTags:
        from chat_protocol.tags import ChatTags

        return await self.api.request_model("GET", f"/chats/{_q(chat_id)}/tags", ChatTags, token=token)

    async def set_chat_tags(self, token: str, chat_id: str, body: ChatTags) -> ChatTags:
        """`PUT /chats/{id}/tags`: replaces the chat's tags (whoever may read the chat)."""
        from chat_protocol.tags import ChatTags

        return await self.api.request_model(
            "PUT", f"/chats/{_q(chat_id)}/tags", ChatTags, token=token, json=body.model_dump(mode="json")
        )

    # --- admins --------------------------------------------------------------------------------

    async def create_tag(self, token: str, body: TagInput) -> Tag:
        from chat_protocol.tags import Tag

        return await self.api.request_model(
            "POST", "/tags", Tag, token=token, json=body.model_dump(mode="json")
        )

    async def update_tag(self, token: str, tag_id: str, body: TagInput) -> Tag:
        from chat_protocol.tags import Tag

        return await self.api.request_model(
            "PUT", f"/tags/{_q(tag_id)}", Tag, token=token, json=body.model_dump(mode="json")
        )

    async def delete_tag(self, token: str, tag_id: str) -> None:
        await self.api.request_none("DELETE", f"/tags/{_q(tag_id)}", token=token)

    async def tag_settings(self, token: str) -> TagSettings:
        from chat_protocol.tags import TagSettings

        return await self.api.request_model("GET", "/settings/tags", TagSettings, token=token)

    async def save_tag_settings(self, token: str, body: TagSettings) -> TagSettings:
        from chat_protocol.tags import TagSettings

        return await self.api.request_model(
            "PUT", "/settings/tags", TagSettings, token=token, json=body.model_dump(mode="json")
        )

"""Chat tags in the client: the tags every agent may put on a chat (loaded from the server, kept by
name) and the tags of the chats shown, set at once on the server (`PUT /chats/{id}/tags` replaces
them). The tag menu of the chat window and of the archives, and the archive's filter, read them here.

Signals: ``tags_changed()`` when the list of tags was loaded again; ``chat_tags_changed(chat_id)``
when the server confirmed (or reported) a chat's tags. Every method raises
`operator_app.errors.ApiError` when the server refuses or cannot be reached.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from operator_app.net.session import AuthSession
from operator_app.net.tags_api import TagsApi

if TYPE_CHECKING:
    from chat_protocol.tags import Tag


def by_name(tags: list[Tag]) -> list[Tag]:
    return sorted(tags, key=lambda tag: (tag.name.casefold(), tag.tag_id))


class TagsService(QObject):
    """`tags` by name; `of_chat[chat_id]` the tag ids the server last gave for a chat."""

    tags_changed = Signal()
    chat_tags_changed = Signal(str)

    def __init__(self, auth: AuthSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._auth = auth
        self._api = TagsApi(auth.api)
        self.tags: list[Tag] = []
        self.loaded = False
        self.of_chat: dict[str, list[str]] = {}
        self._writes: dict[str, asyncio.Lock] = {}

    def tag(self, tag_id: str) -> Tag | None:
        return next((tag for tag in self.tags if tag.tag_id == tag_id), None)

    def known(self, tag_ids: list[str]) -> list[Tag]:
        """The tags of `tag_ids` that are listed, by name (a tag deleted meanwhile is left out)."""
        wanted = set(tag_ids)
        return [tag for tag in self.tags if tag.tag_id in wanted]

    async def load_tags(self) -> list[Tag]:
        """Every tag from the server, by name."""
        tags = await self._auth.call(self._api.tags)
        self.set_tags(tags)
        return self.tags

    def set_tags(self, tags: list[Tag]) -> None:
        """The list of tags as the server gave it (after a load, or an admin's change)."""
        self.tags = by_name(tags)
        self.loaded = True
        self.tags_changed.emit()

    async def chat_tags(self, chat_id: str) -> list[str]:
        """The chat's tag ids, from the server."""
        found = await self._auth.call(lambda token: self._api.chat_tags(token, chat_id))
        self._keep(chat_id, found.tag_ids)
        return found.tag_ids

    async def set_chat_tags(self, chat_id: str, tag_ids: list[str]) -> list[str]:
        """Replace the chat's tags; the ids the server kept. Writes for one chat go in order."""
        from chat_protocol.tags import ChatTags

        lock = self._writes.setdefault(chat_id, asyncio.Lock())
        async with lock:
            body = ChatTags(tag_ids=list(dict.fromkeys(tag_ids)))
            saved = await self._auth.call(lambda token: self._api.set_chat_tags(token, chat_id, body))
        self._keep(chat_id, saved.tag_ids)
        return saved.tag_ids

    def _keep(self, chat_id: str, tag_ids: list[str]) -> None:
        self.of_chat[chat_id] = list(tag_ids)
        self.chat_tags_changed.emit(chat_id)

"""What the archives workspace asks of the server (every agent; docs/roles.md says which chats each
role finds): searches (`POST /api/v1/archives/search`), the agents, groups, sites and tags to filter
by, read-only transcripts, and exports (a transcript as text or HTML, the results as CSV).

A transcript is loaded through ``GET /api/v1/chats/{chat_id}/events``, as the visitor panel's past
chats are, into a private `ChatStore` (``store``, changes on ``signals``) so that a `TranscriptModel`
shows it with notes, calls, page pushes and the rating; my chats are not touched. Only the last few
opened transcripts are kept. Every method raises `operator_app.errors.ApiError` when the server
refuses or cannot be reached.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from chat_protocol.archive import ArchivePage, ArchiveQuery
from chat_protocol.tags import Tag
from operator_app.net.export_api import ExportApi, ExportFile, ExportFormat
from operator_app.store.chat_session import ChatSession
from operator_app.store.chat_state import ChatStore
from operator_app.store.store_signals import SignalForwarder, StoreSignals

__all__ = ["ArchiveChoices", "ArchivesService", "ExportFile", "ExportFormat"]

KEPT_TRANSCRIPTS = 3
MAX_TRANSCRIPT_PAGES = 50

Choices = list[tuple[str, str]]  # (id, name) sorted by name


@dataclass(frozen=True)
class ArchiveChoices:
    """What the filters offer: agents, groups and sites as ``(id, name)``, sorted by name; the tags."""

    agents: Choices
    groups: Choices
    sites: Choices
    tags: list[Tag] = field(default_factory=list)


def _sorted(pairs: list[tuple[str, str]]) -> Choices:
    return sorted(((key, " ".join(name.split())) for key, name in pairs), key=lambda p: p[1].casefold())


class ArchivesService:
    """Typed calls with the signed-in agent's token (refreshed once on expiry)."""

    def __init__(self, session: ChatSession) -> None:
        self._session = session
        self.signals = StoreSignals()
        self.store = ChatStore(SignalForwarder(self.signals))
        me = session.store.me
        self.store.me = me
        self.store.agent_id = me.agent_id if me is not None else None  # my lines on the right
        self._opened: list[str] = []
        self.tags = session.tags  # the tag menu of the chat shown
        self.attachments = session.attachments  # files in the transcript shown (thumbnails, Save as)

    async def search(self, query: ArchiveQuery, *, cursor: str | None = None) -> ArchivePage:
        """One page of closed chats matching `query`, newest first (`cursor`: the next, older page)."""
        if cursor is not None:
            query = query.model_copy(update={"cursor": cursor})
        auth = self._session.auth
        return await auth.call(lambda token: auth.api.archives(token, query))

    async def choices(self) -> ArchiveChoices:
        """Every agent, group, site and tag (any agent may list them)."""
        agents, groups, sites, tags = await asyncio.gather(
            self._session.agents(),
            self._session.groups(),
            self._session.admin.list_sites(),
            self._session.tags.load_tags(),
        )
        return ArchiveChoices(
            agents=_sorted([(a.agent_id, a.name) for a in agents]),
            groups=_sorted([(g.group_id, g.name) for g in groups]),
            sites=_sorted([(s.site_id, s.name) for s in sites]),
            tags=list(tags),
        )

    async def export_chat(self, chat_id: str, fmt: ExportFormat, *, lang: str, tz: str) -> ExportFile:
        """A closed chat's transcript as a text or HTML file (the server writes it in `lang`, times
        in the IANA zone `tz`)."""
        auth = self._session.auth
        return await auth.call(lambda token: ExportApi(auth.api).chat(token, chat_id, fmt, lang=lang, tz=tz))

    async def export_results(self, query: ArchiveQuery, *, lang: str, tz: str) -> ExportFile:
        """Every chat `query` finds (not only the pages loaded) as CSV."""
        auth = self._session.auth
        return await auth.call(lambda token: ExportApi(auth.api).archives(token, query, lang=lang, tz=tz))

    async def load_transcript(self, chat_id: str, *, showing: str | None = None) -> None:
        """Every event of a closed chat into `store` (merged by seq: loading twice is harmless).

        Transcripts opened before the last few are forgotten, except `showing` (the one on screen)."""
        self._forget_old(chat_id, showing)
        after = 0
        for _ in range(MAX_TRANSCRIPT_PAGES):
            page = await self._session.auth.transcript(chat_id, after_seq=after)
            self.store.apply_transcript_page(page)
            if not page.has_more or page.next_after_seq <= after:
                break
            after = page.next_after_seq

    def _forget_old(self, chat_id: str, showing: str | None) -> None:
        if chat_id in self._opened:
            self._opened.remove(chat_id)
        self._opened.append(chat_id)
        old = [c for c in self._opened[:-KEPT_TRANSCRIPTS] if c != showing]
        for gone in old:
            self.store.chats.pop(gone, None)
            self._opened.remove(gone)

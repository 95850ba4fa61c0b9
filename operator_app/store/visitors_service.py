"""Visitors on the site for the signed-in agent: the live traffic table, profiles, edits, the spam
mark, invitations.

The table follows the server through a `TrafficFeed` once `watch()` is called, and again after every
reconnect. Profiles, edits and transcripts are REST calls; an invitation is a socket request.

Signals: ``feed_state_changed(state)`` (idle / loading / live / failed).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from chat_protocol.models import AnyEvent
from chat_protocol.rest import TranscriptPage
from operator_app.net.traffic_feed import FeedState, TrafficFeed
from operator_app.store.chat_session import ChatSession
from operator_app.store.traffic_model import TrafficModel

if TYPE_CHECKING:
    from chat_protocol.archive import VisitorDeleted
    from chat_protocol.traffic import (
        InviteResult,
        SpamMark,
        TrafficSnapshot,
        VisitorProfile,
        VisitorUpdate,
    )

# The view shows the feed's state: it is re-exported here so that widgets name it through the store.
__all__ = ["MAX_TRANSCRIPT_PAGES", "FeedState", "VisitorsService"]

log = logging.getLogger(__name__)

MAX_TRANSCRIPT_PAGES = 50


class VisitorsService(QObject):
    """What the traffic view and the visitor sidebar ask of the server."""

    feed_state_changed = Signal(str)

    def __init__(self, session: ChatSession, parent: QObject | None = None, *, flush_ms: int = 150) -> None:
        super().__init__(parent)
        self.session = session
        self.model = TrafficModel(self, flush_ms=flush_ms)
        self.feed = TrafficFeed(session.realtime, self._snapshot, self.model, on_state=self._feed_state)
        session.signals.connection_state_changed.connect(self._connection_changed)

    @property
    def feed_state(self) -> FeedState:
        return self.feed.state

    def watch(self) -> None:
        """Follow the live list (from now on, and after every reconnect)."""
        self.feed.start()

    async def stop(self) -> None:
        await self.feed.stop()

    def _connection_changed(self, state: str) -> None:
        if state == "connected":
            self.feed.connected()

    def _feed_state(self, state: FeedState) -> None:
        self.feed_state_changed.emit(state.value)

    async def _snapshot(self) -> TrafficSnapshot:
        auth = self.session.auth
        return await auth.call(auth.api.traffic_snapshot)

    # --- one visitor ------------------------------------------------------------------------

    async def profile(self, visitor_id: str) -> VisitorProfile:
        auth = self.session.auth
        return await auth.call(lambda token: auth.api.visitor_profile(token, visitor_id))

    async def update_visitor(self, visitor_id: str, update: VisitorUpdate) -> VisitorProfile:
        auth = self.session.auth
        return await auth.call(lambda token: auth.api.update_visitor(token, visitor_id, update))

    async def mark_spam(self, visitor_id: str) -> VisitorProfile:
        """Mark the visitor as spam (no new chat, no offline message); the profile with the mark."""
        auth = self.session.auth
        return await auth.call(lambda token: auth.api.mark_spam(token, visitor_id))

    async def unmark_spam(self, visitor_id: str) -> VisitorProfile:
        """Take the spam mark back; the profile without it."""
        auth = self.session.auth
        return await auth.call(lambda token: auth.api.unmark_spam(token, visitor_id))

    def is_admin(self) -> bool:
        me = self.session.store.me
        return me is not None and me.role == "admin"

    async def visitor_data(self, visitor_id: str) -> bytes:
        """Admins: everything held about the visitor, as JSON bytes to save."""
        auth = self.session.auth
        return await auth.call(lambda token: auth.api.visitor_data(token, visitor_id))

    async def delete_visitor(self, visitor_id: str) -> VisitorDeleted:
        """Admins: the visitor and all their data go (refused while they are on the site)."""
        auth = self.session.auth
        return await auth.call(lambda token: auth.api.delete_visitor(token, visitor_id))

    def may_unmark_spam(self, mark: SpamMark) -> bool:
        """Supervisors and admins may take any mark back; an agent only their own (docs/roles.md)."""
        me = self.session.store.me
        if me is None:
            return False
        return me.role in ("supervisor", "admin") or mark.agent_id == me.agent_id

    async def invite(self, visitor_id: str, text: str, client_id: str) -> InviteResult:
        """Invite a visitor on the site to chat; raises `RealtimeError` (`already_invited`, `not_found`).

        Keep `client_id` for a retry of the same invitation: the server makes it idempotent."""
        from chat_protocol.traffic import InviteRequest, InviteResult

        request = InviteRequest(visitor_id=visitor_id, client_id=client_id, text=text)
        return InviteResult.model_validate(await self.session.realtime.request("invite_visitor", request))

    async def transcript(self, chat_id: str) -> tuple[TranscriptPage, list[AnyEvent]]:
        """A past chat's first page (its summary) and all of its events, in seq order."""
        after = 0
        events: list[AnyEvent] = []
        first: TranscriptPage | None = None
        for _ in range(MAX_TRANSCRIPT_PAGES):
            page = await self.session.auth.transcript(chat_id, after_seq=after)
            first = first or page
            events.extend(page.events)
            if not page.has_more or page.next_after_seq <= after:
                break
            after = page.next_after_seq
        assert first is not None
        return first, events

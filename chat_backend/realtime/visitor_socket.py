"""`/ws/visitor`: the website widget's connection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chat_backend.domain import (
    attachments,
    calls,
    chats,
    delivery,
    ephemeral,
    handover,
    invitations,
    page_push,
    traffic,
)
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import max_event_id
from chat_backend.domain.login_reads import returning_login
from chat_backend.domain.traffic import LoginRead
from chat_backend.domain.visitors import new_token, site_for_origin, visitor_by_id
from chat_backend.realtime import ticket_news
from chat_backend.realtime.connection import Connection, event_frames
from chat_backend.realtime.event_tail import Frame
from chat_backend.realtime.hub import Topic
from chat_backend.realtime.preview_relay import VISITOR_PREVIEW_ACTIONS, VisitorPreview
from chat_backend.realtime.visitor_actions import VISITOR_ACTIONS, email_transcript, visitor_action
from chat_protocol import PROTOCOL_VERSION, Envelope, ErrorCode, Event
from chat_protocol import socket_payloads as p
from chat_protocol.traffic import TrafficState

# A transcript page is cut to this many bytes of JSON (and to a quarter of the send queue), keeping at
# least one event: the widget asks again after its last event while `has_more` is set.
TRANSCRIPT_PAGE_BYTES = 512 * 1024
# What a visitor refused for a full site is told to wait, in seconds.
SITE_FULL_RETRY_AFTER = 30.0
# After registering, a visitor's availability is read again this much later (`_recheck_availability`).
AVAILABILITY_RECHECK_AFTER = 0.5

VISITOR_CALL_ACTIONS = (
    "call_ringing",
    "call_answer",
    "call_signal",
    "call_media",
    "call_state_report",
    "call_hangup",
)


@dataclass(frozen=True)
class _CallsToEnd:
    """A login that must first end calls of its visitor (a reloaded page)."""

    visitor_id: str


class _Turns:
    """One lock per key, kept while someone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        if not key:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            users = self._locks[key][1] - 1
            if users:
                self._locks[key] = (lock, users)
            else:
                del self._locks[key]


# Logins with the same visitor token, on this node.
_LOGIN_TURNS = _Turns()
# Logins reading at once on this node: fewer than the pool's connections, so that in a reconnect storm
# the rest of the node (resumes, messages, agents) still gets connections, and each login, once in,
# holds its connection for a few queries' time instead of waiting on an event loop full of others.
_LOGIN_READS = asyncio.Semaphore(6)


class VisitorConnection(Connection):
    socket = "visitor"
    _told_available = True
    _recheck: asyncio.Task[None] | None = None
    site_id: str | None = None  # counted in the site's visitor sockets from login to the end
    reloaded_call_id: str | None = None  # the call this tab ran before its page changed
    _preview: VisitorPreview | None = None  # made by the first preview frame

    def idle_timeout(self) -> float:
        return self.settings.visitor_idle_timeout

    async def login(self, envelope: Envelope, payload: Any) -> None:
        assert isinstance(payload, p.VisitorLoginRequest)
        if payload.protocol != PROTOCOL_VERSION:
            raise DomainError(
                ErrorCode.UNSUPPORTED_VERSION, f"This server speaks protocol {PROTOCOL_VERSION}."
            )
        if not self.limits.join_site(payload.site_id):
            raise DomainError(
                ErrorCode.RATE_LIMITED,
                "Too many visitors are connected to this site; try again later.",
                retry_after=SITE_FULL_RETRY_AFTER,
            )
        self.site_id = payload.site_id  # the site's id itself: `site_for_origin` finds it by id
        self.reloaded_call_id = None if payload.call_id else payload.reloaded_call_id
        token = payload.visitor_token
        # Two tabs of one visitor logging in at once on this node take turns (one visit, not two).
        async with _LOGIN_TURNS.hold(token or ""):
            async with _LOGIN_READS:
                found = await self._read_login(payload)
            if isinstance(found, _CallsToEnd):
                # The rare login that writes events (a reloaded page ends its call): the ordered path.
                async with self.db.write() as session:
                    await calls.visitor_logged_in(
                        session,
                        found.visitor_id,
                        running=payload.call_id,
                        reloaded=payload.reloaded_call_id,
                        other_sockets=self.hub.visitor_connection_count(found.visitor_id) > 0,
                    )
                async with _LOGIN_READS:
                    found = await self._read_login(payload, calls_ended=True)
            assert not isinstance(found, _CallsToEnd)
            read, result = found
            # New rows (visitor, visit, page view) are committed before the answer; "last seen"
            # times alone are written with a later batch.
            await self.router.writes.logins.write(read.writes)
        visitor, invitation = read.visitor, read.invitation
        self.visitor_id = visitor.id
        # No await from here to the hub registration: the row and the socket appear together.
        self.traffic.visitor_arrived(visitor, read.arrival, read.link)
        if invitation is not None:
            self.traffic.set_invited(visitor.id, invitation.agent_id, True)
        self._told_available = result.agents_available
        self.send(Envelope.response("login", result, envelope.req_id))

    async def _read_login(
        self, payload: p.VisitorLoginRequest, *, calls_ended: bool = False
    ) -> tuple[LoginRead, p.VisitorLoginResult] | _CallsToEnd:
        """Everything a login answers, read in one session outside any write lock, and what it
        changes (written by the caller in a batch); or the calls the login must end first."""
        now = datetime.now(UTC)
        agents_available = await self.router.agents_available()
        origin = self.ws.headers.get("origin")
        async with self.db.read() as session:
            # The cursor first: whatever commits after it is replayed on `resume`, so an event that
            # the reads below miss is never lost (at worst it is also reflected in the summary). The
            # event tail's position is such a cursor (every event up to it is committed) and costs no
            # query; it may lag the log by a moment, which only means a few more events replayed.
            cursor = self.tail.position
            if cursor is None:
                cursor = await max_event_id(session)
            returning = None
            if payload.visitor_token:
                returning = await returning_login(session, payload.site_id, origin, payload.visitor_token)
                site, visitor = returning.site, returning.visitor
                token = None
                other_sockets = self.hub.visitor_connection_count(visitor.id) > 0
                if (
                    not calls_ended
                    and returning.live_call
                    and await calls.ends_at_login(
                        session,
                        visitor.id,
                        running=payload.call_id,
                        reloaded=payload.reloaded_call_id,
                        other_sockets=other_sockets,
                    )
                ):
                    return _CallsToEnd(visitor.id)
            else:
                site = await site_for_origin(session, payload.site_id, origin)
                token, hashed = new_token()
                visitor = traffic.unsaved_visitor(site, hashed, now)
            chat = (
                await chats.open_chat_of(session, visitor.id) if returning and returning.open_chat else None
            )
            arrival, writes = traffic.plan_visit(
                visitor,
                site,
                payload.page,
                payload.device,
                now=now,
                gap=self.settings.visit_gap,
                live=self.traffic.is_here(visitor.id),
                facts=returning.facts if returning else None,
            )
            link = await traffic.chat_link(session, chat)
            invitation = None
            if chat is None and returning and returning.shown_invitation:
                invitation, stale = await invitations.shown_at_login(session, visitor.id, arrival.visit.id)
                if stale:
                    writes.expire_invitations = arrival.visit.id
            result = p.VisitorLoginResult(
                visitor_id=visitor.id,
                visitor_token=token or payload.visitor_token,
                name=visitor.name,
                chat=await chats.summary(session, chat) if chat else None,
                cursor=cursor,
                server_protocol=PROTOCOL_VERSION,
                agents_available=agents_available,
                site_origins=list(site.origins or []),
                invitation=invitations.push_of(invitation) if invitation else None,
                attachments=await attachments.cached_settings(session),
            )
        return LoginRead(visitor, arrival, link, invitation, writes), result

    def on_registered(self) -> None:
        assert self.visitor_id is not None
        self.calls.party_back("visitor", self.visitor_id)
        if self.reloaded_call_id:
            # The page of an accepted page push: its call goes on, now that pushes reach this socket.
            self.calls.page_reloaded(self.visitor_id, self.reloaded_call_id)
        self.router.visitor_connected(self.visitor_id)
        self._recheck = asyncio.get_running_loop().create_task(self._recheck_availability())

    async def _recheck_availability(self) -> None:
        """Availability may have changed between computing the login answer and registering: read
        again, begun after the registration (a burst of logins shares one read)."""
        registered = time.monotonic()
        await asyncio.sleep(AVAILABILITY_RECHECK_AFTER)
        available = await self.router.agents_available(not_before=registered)
        if available != self._told_available:
            self.send_ephemeral(Envelope.push("availability", p.AvailabilityPush(agents_available=available)))

    def on_unregistered(self) -> None:
        assert self.visitor_id is not None
        self.router.visitor_disconnected(self.visitor_id)
        self.calls.party_gone("visitor", self.visitor_id)

    def on_ended(self) -> None:
        if self.site_id is not None:
            self.limits.leave_site(self.site_id)
            self.site_id = None

    async def read_events(self, cursor: int, limit: int, *, with_newest: bool = False) -> delivery.Batch:
        assert self.visitor_id is not None
        async with self.db.read() as session:
            return await delivery.visitor_batch(
                session, self.visitor_id, cursor, limit, with_newest=with_newest
            )

    async def replay_after(self, cursor: int, limit: int) -> tuple[list[Frame], int]:
        """From the event tail when it reaches back to `cursor` (a login storm then costs no query per
        resume); from the log when not, or when the cursor is newer than what this node's tail has
        read (another node's tail may be a moment ahead: the log decides whether it is valid)."""
        assert self.visitor_id is not None
        reached = self.tail.position
        if reached is not None and cursor <= reached:
            frames = self.tail.visitor_events(self.visitor_id, cursor, limit)
            if frames is not None:
                return frames, reached
        return await super().replay_after(cursor, limit)

    async def next_events(self, cursor: int, limit: int) -> tuple[list[Frame], int]:
        """From the event tail, with no query; from the log once when the cursor is older than what
        the tail holds. A visitor sees the same events whatever happens later, so once all are sent
        the cursor moves up to where the read was complete (keeping it inside the tail's window)."""
        assert self.visitor_id is not None
        reached = self.tail.position  # taken before the read: every event up to it is committed
        events = self.tail.visitor_events(self.visitor_id, cursor, limit)
        if events is None:
            events = event_frames((await self.read_events(cursor, limit)).events)
        last = events[-1].event_id if events else cursor
        if reached is None or len(events) == limit:
            return events, last
        return events, max(last, reached)

    def _greeting_shown(self, visitor_id: str) -> bool:
        """An invitation is on the visitor's screen (their live row says so)."""
        row = self.traffic.row(visitor_id)
        return row is not None and row.state == TrafficState.INVITED

    @property
    def _logged_in_visitor(self) -> str:
        assert self.visitor_id is not None
        return self.visitor_id

    async def handle(self, envelope: Envelope, payload: Any) -> None:
        action, req_id = envelope.action, envelope.req_id
        if action == "send_message":
            async with self.db.write() as session:
                visitor = await visitor_by_id(session, self._logged_in_visitor)
                if await chats.would_open_chat(session, visitor, payload.client_id):
                    wait = await self.limits.new_chat_everywhere(self.ip, visitor.site_id)
                    self.rate_limited(wait, "Too many new chats from here; try again later.")
                accepted, withdrawn = None, False
                if payload.invitation_id:
                    event, accepted = await invitations.reply(
                        session,
                        visitor,
                        payload.client_id,
                        payload.text,
                        payload.name,
                        payload.invitation_id,
                        self.hub.online_agents(),
                    )
                else:
                    event = await chats.visitor_send(
                        session, visitor, payload.client_id, payload.text, payload.name
                    )
                    if self._greeting_shown(visitor.id):  # no extra write for every other message
                        withdrawn = await invitations.withdraw_shown(session, visitor.id)
            self.send(Envelope.response(action, p.MessageResult(event=event), req_id))
            if accepted is not None or withdrawn:
                self.traffic.set_invited(visitor.id, None, False)
            self.traffic.message_sent(visitor.id, event.event_id)
            self.traffic.identified(visitor)  # a name given with the message
            self.router.kick()
        elif action in VISITOR_CALL_ACTIONS:
            await self.calls.visitor_request(self, action, payload, req_id)
        elif action in VISITOR_PREVIEW_ACTIONS:
            if self._preview is None:
                self._preview = VisitorPreview()
            await self._preview.handle(self, action, payload, req_id)
        elif action == "sneak_peek":
            assert self.visitor_id is not None
            async with self.db.read() as session:
                chat = await ephemeral.chat_of_visitor_with_agent(session, self.visitor_id)
            if chat is not None and chat.agent_id is not None:
                push = p.SneakPeekPush(chat_id=chat.id, text=payload.text)
                self.hub.push(
                    Topic.agent(chat.agent_id), Envelope.push("sneak_peek", push), f"peek:{chat.id}"
                )
                self.hub.push(Topic.chat(chat.id), Envelope.push("sneak_peek", push), f"peek:{chat.id}")
        elif action == "transcript":
            async with self.db.read() as session:
                visitor = await visitor_by_id(session, self._logged_in_visitor)
                summary, events = await chats.visitor_transcript(
                    session, visitor, payload.after_seq, payload.limit
                )
            kept, more = self._transcript_page(events)
            transcript = p.VisitorTranscript(chat=summary, events=kept, has_more=more)
            self.send(Envelope.response(action, transcript, req_id))
        elif action == "close_chat":
            async with self.db.write() as session:
                visitor = await visitor_by_id(session, self._logged_in_visitor)
                state_event, summary = await chats.visitor_close(session, visitor, payload.client_id)
            self.send(Envelope.response(action, p.ChatActionResult(event=state_event, chat=summary), req_id))
            self.router.kick()
        elif action == "rate_chat":
            async with self.db.write() as session:
                visitor = await visitor_by_id(session, self._logged_in_visitor)
                rating = await handover.rate(
                    session, visitor, payload.client_id, payload.rating, payload.comment, payload.chat_id
                )
            self.send(Envelope.response(action, p.RatingResult(event=rating), req_id))
        elif action == "mark_read":
            async with self.db.read() as session:
                chat = await chats.open_chat_of(session, self._logged_in_visitor)
            if chat is None:
                return
            self.router.writes.read_mark(  # written coalesced, then pushed to the agent
                chat.id, "visitor", payload.seq, stored=chat.visitor_read_seq, last_seq=chat.last_seq
            )
        elif action in VISITOR_ACTIONS:
            assert self.visitor_id is not None
            await visitor_action(self.db, self.traffic, self.visitor_id, action, payload)
            if action == "page_view":
                self.greeter.kick()  # a rule may match the new page
        elif action == "activity":
            assert self.visitor_id is not None
            self.traffic.set_active(self.visitor_id, payload.active)
            self.router.set_presence(self.visitor_id, "active" if payload.active else "inactive")
        elif action == "dismiss_invitation":
            async with self.db.write() as session:
                visitor = await visitor_by_id(session, self._logged_in_visitor)
                await invitations.dismiss(session, visitor, payload.invitation_id)
            self.traffic.set_invited(visitor.id, None, False)
        elif action == "answer_page_push":
            async with self.db.write() as session:
                visitor = await visitor_by_id(session, self._logged_in_visitor)
                answer = await page_push.answer(
                    session, visitor, payload.client_id, payload.seq, payload.accept
                )
                if answer.state == "accepted":
                    # A running call waits for the pushed page (`calls.carry_over`).
                    await calls.page_push_accepted(session, answer.chat_id, visitor.id, self.calls.push_grace)
            self.send(Envelope.response(action, p.PagePushResult(event=answer), req_id))
        elif action == "offline_message":
            assert self.site_id is not None
            wait = await self.limits.offline_message_everywhere(self.ip, self.site_id)
            self.rate_limited(wait, "Too many offline messages from here; try again later.")
            async with self.db.write() as session:
                visitor = await visitor_by_id(session, self._logged_in_visitor)
                message_id, ticket_id, created = await handover.leave_offline_message(
                    session,
                    visitor,
                    payload.client_id,
                    payload.name,
                    payload.email,
                    payload.text,
                    payload.group_id,
                )
            self.send(Envelope.response(action, p.OfflineMessageResult(message_id=message_id), req_id))
            if created:
                await ticket_news.announce(self.db, self.hub, ticket_id, "created")
        elif action == "email_transcript":
            assert self.site_id is not None
            result = await email_transcript(
                self.db, self.limits, self.ip, self.site_id, self._logged_in_visitor, payload
            )
            self.send(Envelope.response(action, result, req_id))

    def _transcript_page(self, events: list[Event]) -> tuple[list[Event], bool]:
        """The events that fit a transcript page's byte budget (at least one), and whether any were
        left out."""
        budget = min(TRANSCRIPT_PAGE_BYTES, self.settings.send_queue_bytes // 4)
        for count, event in enumerate(events):
            budget -= len(event.model_dump_json().encode()) + 1
            if budget < 0 and count > 0:
                return events[:count], True
        return events, False

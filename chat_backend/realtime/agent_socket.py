"""`/ws/agent`: the operator app's connection."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel

from chat_backend.domain import (
    authz,
    chats,
    delivery,
    ephemeral,
    handover,
    invitations,
    page_push,
    supervision,
)
from chat_backend.domain.auth import resolve_access_token
from chat_backend.domain.errors import DomainError
from chat_backend.realtime.connection import CLOSE_INVALID_TOKEN, Connection
from chat_backend.realtime.event_tail import scope_topics
from chat_backend.realtime.hub import Topic
from chat_backend.realtime.preview_relay import AGENT_PREVIEW_ACTIONS, agent_gone, agent_preview
from chat_protocol import PROTOCOL_VERSION, Envelope, ErrorCode
from chat_protocol import socket_payloads as p
from chat_protocol.supervision import WatchChatResult
from chat_protocol.traffic import InviteResult

CALL_ACTIONS = ("call_invite", "call_signal", "call_media", "call_state_report", "call_hangup")


class AgentConnection(Connection):
    socket = "agent"
    _close_task: asyncio.Task[None] | None = None
    _previews: dict[str, str] | None = None  # the chats whose visitor page I watch -> their visitor

    async def login(self, envelope: Envelope, payload: Any) -> None:
        assert isinstance(payload, p.AgentLoginRequest)
        origin = self.ws.headers.get("origin")
        if origin and origin not in self.settings.agent_origins:
            raise DomainError(ErrorCode.ORIGIN_NOT_ALLOWED, "Agents connect from the desktop app.")
        if payload.protocol != PROTOCOL_VERSION:
            raise DomainError(
                ErrorCode.UNSUPPORTED_VERSION, f"This server speaks protocol {PROTOCOL_VERSION}."
            )
        async with self.db.read() as session:
            self.agent = await resolve_access_token(session, payload.token)
            me = await chats.me(session, self.agent)
        result = p.AgentLoginResult(
            agent_id=me.agent_id,
            name=me.name,
            role=me.role,
            status=me.status,
            server_protocol=PROTOCOL_VERSION,
        )
        self.send(Envelope.response("login", result, envelope.req_id))

    def on_registered(self) -> None:
        assert self.agent is not None
        self.calls.party_back("agent", self.agent.agent_id)
        self.router.kick()

    def on_unregistered(self) -> None:
        assert self.agent is not None
        self.traffic.unwatch(self)
        self.calls.party_gone("agent", self.agent.agent_id)
        if self._previews:
            agent_gone(self, self._previews)
        self.router.kick()

    async def read_events(self, cursor: int, limit: int, *, with_newest: bool = False) -> delivery.Batch:
        """Role and groups are read again for every batch, so a change applies at once: the socket
        then follows the scope topics of its role, which the event tail wakes."""
        assert self.agent is not None
        async with self.db.read() as session:
            batch = await delivery.agent_batch(
                session,
                self.agent.agent_id,
                self.hub.watched_chats(self),
                cursor,
                limit,
                with_newest=with_newest,
            )
        if batch.deactivated and self._close_task is None:  # kept referenced until done
            self._close_task = asyncio.create_task(self.close(CLOSE_INVALID_TOKEN, "account deactivated"))
        for chat_id in batch.unwatched:
            self.hub.unsubscribe(Topic.chat(chat_id), self)
        self._follow_scope(batch)
        return batch

    def _follow_scope(self, batch: delivery.Batch) -> None:
        """Follow the scope topics of the role and groups just read. After a change, one more batch:
        an event the tail handed out before this socket followed its topic is not missed."""
        wanted = scope_topics(batch.actor)
        followed = {topic for topic in self.hub.topics_of(self) if topic.kind == "scope"}
        if wanted == followed or self._closed:
            return
        for topic in followed - wanted:
            self.hub.unsubscribe(topic, self)
        for topic in wanted - followed:
            self.hub.subscribe(topic, self)
        self.wake()

    async def handle(self, envelope: Envelope, payload: Any) -> None:
        agent = self.agent
        assert agent is not None
        action, req_id = envelope.action, envelope.req_id
        if action == "send_message":
            async with self.db.write() as session:
                event = await supervision.send_message(
                    session,
                    agent,
                    await authz.load_actor(session, agent.agent_id),
                    payload.chat_id,
                    payload.client_id,
                    payload.text,
                )
            self.send(Envelope.response(action, p.MessageResult(event=event), req_id))
        elif action in ("watch_chat", "whisper", "join_chat", "take_over"):
            await self._supervise(action, payload, req_id)
        elif action in ("take_chat", "close_chat"):
            operation = chats.take_chat if action == "take_chat" else chats.agent_close
            async with self.db.write() as session:
                state_event, summary = await operation(session, agent, payload.chat_id, payload.client_id)
            self.send(Envelope.response(action, p.ChatActionResult(event=state_event, chat=summary), req_id))
            self.router.kick()
        elif action == "transfer_chat":
            async with self.db.write() as session:
                state_event, summary = await handover.transfer(
                    session,
                    agent,
                    payload.chat_id,
                    payload.client_id,
                    to_agent_id=payload.to_agent_id,
                    to_group_id=payload.to_group_id,
                    note=payload.note,
                    online=self.hub.online_agents(),
                )
            self.send(Envelope.response(action, p.ChatActionResult(event=state_event, chat=summary), req_id))
            self.router.kick()
        elif action == "send_note":
            async with self.db.write() as session:
                note = await handover.add_note(
                    session, agent, payload.chat_id, payload.client_id, payload.text
                )
            self.send(Envelope.response(action, p.NoteResult(event=note), req_id))
        elif action == "mark_read":
            async with self.db.read() as session:
                held = await chats.held_chat(session, agent, payload.chat_id or "")
            self.router.writes.read_mark(  # written coalesced, then pushed to the visitor
                held.id, "agent", payload.seq, stored=held.agent_read_seq, last_seq=held.last_seq
            )
        elif action == "set_status":
            async with self.db.write() as session:
                await chats.set_status(session, agent, payload.status)
            status = p.StatusPush(status=payload.status)
            self.send(Envelope.response(action, status, req_id))
            # The agent's other sockets, on every node.
            self.hub.publish(Topic.agent(agent.agent_id), Envelope.push("status", status), exclude=self)
            self.router.kick()
        elif action == "invite_visitor":
            await self._invite(payload.visitor_id, payload.client_id, payload.text, req_id)
        elif action == "push_page":
            async with self.db.write() as session:
                offer = await page_push.offer(session, agent, payload.chat_id, payload.client_id, payload.url)
            self.send(Envelope.response(action, p.PagePushResult(event=offer), req_id))
        elif action == "watch_traffic":
            # Answered (with `{}`) so the app knows deltas flow before it loads the snapshot.
            self.traffic.watch(self, payload.watch)
            self.send(Envelope.response(action, {}, req_id))
        elif action in CALL_ACTIONS:
            await self.calls.agent_request(self, action, payload, req_id)
        elif action in AGENT_PREVIEW_ACTIONS:
            if self._previews is None:
                self._previews = {}
            await agent_preview(self, self._previews, action, payload, req_id)
        elif action == "typing":
            async with self.db.read() as session:
                chat = await ephemeral.typing_chat(session, agent.agent_id, payload.chat_id)
            push = p.TypingPush(chat_id=chat.id, author=chats.agent_author(agent), typing=payload.typing)
            self.hub.push(Topic.visitor(chat.visitor_id), Envelope.push("typing", push), f"typing:{chat.id}")
            self.hub.push(Topic.chat(chat.id), Envelope.push("typing", push), f"typing:{chat.id}")

    async def _supervise(self, action: str, payload: Any, req_id: str | None) -> None:
        """Supervision actions (docs/roles.md): the scope is checked in the domain functions."""
        agent = self.agent
        assert agent is not None
        result: BaseModel
        async with self.db.write() as session:
            actor = await authz.load_actor(session, agent.agent_id)
            if action == "watch_chat":
                chat = await authz.require_chat_in_scope(session, actor, payload.chat_id)
                result = WatchChatResult(chat=await chats.summary(session, chat))
            elif action == "whisper":
                note = await supervision.whisper(
                    session, agent, actor, payload.chat_id, payload.client_id, payload.text
                )
                result = p.NoteResult(event=note)
            elif action == "join_chat":
                joined = await supervision.join(session, agent, actor, payload.chat_id, payload.client_id)
                result = p.MessageResult(event=joined)
            else:
                state_event, summary = await supervision.take_over(
                    session, agent, actor, payload.chat_id, payload.client_id
                )
                result = p.ChatActionResult(event=state_event, chat=summary)
        if action == "watch_chat":
            if payload.watch:
                self.hub.subscribe(Topic.chat(payload.chat_id), self)
            else:
                self.hub.unsubscribe(Topic.chat(payload.chat_id), self)
        self.send(Envelope.response(action, result, req_id))
        if action == "take_over":
            self.router.kick()

    async def _invite(self, visitor_id: str, client_id: str, text: str, req_id: str | None) -> None:
        assert self.agent is not None
        traffic = self.traffic
        visit_id = traffic.current_visit_id(visitor_id) if traffic.is_here(visitor_id) else None
        async with self.db.write() as session:
            invitation, new = await invitations.invite(
                session, self.agent, visitor_id, visit_id, client_id, text
            )
            push = invitations.push_of(invitation)
        self.send(Envelope.response("invite_visitor", InviteResult(invitation_id=invitation.id), req_id))
        if new:
            self.hub.push(Topic.visitor(visitor_id), Envelope.push("invitation", push))
            traffic.set_invited(visitor_id, self.agent.agent_id, True)
            self.greeter.note_invited(invitation.visit_id)

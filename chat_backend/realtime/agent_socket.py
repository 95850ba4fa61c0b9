"""`/ws/agent`: the operator app's connection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Chat, EventRow
from chat_backend.domain import chats, handover, invitations, page_push
from chat_backend.domain.auth import resolve_access_token
from chat_backend.domain.errors import DomainError
from chat_backend.realtime.connection import Connection
from chat_protocol import PROTOCOL_VERSION, AuthorKind, ChatState, Envelope, ErrorCode
from chat_protocol import socket_payloads as p
from chat_protocol.traffic import InviteResult


class AgentConnection(Connection):
    socket = "agent"

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
        self.router.kick()

    def on_unregistered(self) -> None:
        self.router.tracker.unwatch(self)
        self.router.kick()

    async def fetch_events_in(self, session: AsyncSession, cursor: int, limit: int) -> Sequence[EventRow]:
        assert self.agent is not None
        return await chats.events_for_agent(session, self.agent, cursor, limit)

    async def handle(self, envelope: Envelope, payload: Any) -> None:
        agent = self.agent
        assert agent is not None
        action, req_id = envelope.action, envelope.req_id
        if action == "send_message":
            self.check_rate()
            async with self.db.write() as session:
                event = await chats.agent_send(
                    session, agent, payload.chat_id, payload.client_id, payload.text
                )
            self.send(Envelope.response(action, p.MessageResult(event=event), req_id))
        elif action in ("take_chat", "close_chat"):
            self.check_rate()
            operation = chats.take_chat if action == "take_chat" else chats.agent_close
            async with self.db.write() as session:
                state_event, summary = await operation(session, agent, payload.chat_id, payload.client_id)
            self.send(Envelope.response(action, p.ChatActionResult(event=state_event, chat=summary), req_id))
            self.router.kick()
        elif action == "transfer_chat":
            self.check_rate()
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
            self.check_rate()
            async with self.db.write() as session:
                note = await handover.add_note(
                    session, agent, payload.chat_id, payload.client_id, payload.text
                )
            self.send(Envelope.response(action, p.NoteResult(event=note), req_id))
        elif action == "mark_read":
            async with self.db.write() as session:
                held = await chats.held_chat(session, agent, payload.chat_id or "")
                seq = await handover.mark_read(session, held, "agent", payload.seq)
            read = p.ReadPush(chat_id=held.id, reader=AuthorKind.AGENT, seq=seq)
            self.hub.push_to_visitor(held.visitor_id, Envelope.push("read", read), f"read:{held.id}")
        elif action == "set_status":
            async with self.db.write() as session:
                await chats.set_status(session, agent, payload.status)
            status = p.StatusPush(status=payload.status)
            self.send(Envelope.response(action, status, req_id))
            for conn in self.hub.agent_connections(agent.agent_id):
                if conn is not self:
                    conn.send(Envelope.push("status", status))
            self.router.kick()
        elif action == "invite_visitor":
            self.check_rate()
            await self._invite(payload.visitor_id, payload.client_id, payload.text, req_id)
        elif action == "push_page":
            self.check_rate()
            async with self.db.write() as session:
                offer = await page_push.offer(session, agent, payload.chat_id, payload.client_id, payload.url)
            self.send(Envelope.response(action, p.PagePushResult(event=offer), req_id))
        elif action == "watch_traffic":
            # Answered (with `{}`) so the app knows deltas flow before it loads the snapshot.
            self.router.tracker.watch(self, payload.watch)
            self.send(Envelope.response(action, {}, req_id))
        elif action == "typing":
            async with self.db.read() as session:
                chat = await session.get(Chat, payload.chat_id)
            if chat is None or chat.agent_id != agent.agent_id or chat.state != ChatState.TAKEN.value:
                raise DomainError(ErrorCode.FORBIDDEN, "Not your chat.")
            push = p.TypingPush(chat_id=chat.id, author=chats.agent_author(agent), typing=payload.typing)
            self.hub.push_to_visitor(chat.visitor_id, Envelope.push("typing", push), f"typing:{chat.id}")

    async def _invite(self, visitor_id: str, client_id: str, text: str, req_id: str | None) -> None:
        assert self.agent is not None
        tracker = self.router.tracker
        visit_id = tracker.current_visit_id(visitor_id) if tracker.is_here(visitor_id) else None
        async with self.db.write() as session:
            invitation, new = await invitations.invite(
                session, self.agent, visitor_id, visit_id, client_id, text
            )
            push = invitations.push_of(invitation)
        self.send(Envelope.response("invite_visitor", InviteResult(invitation_id=invitation.id), req_id))
        if new:
            self.hub.push_to_visitor(visitor_id, Envelope.push("invitation", push))
            tracker.set_invited(visitor_id, self.agent.agent_id, True)
            if self.router.greeter is not None:
                self.router.greeter.note_invited(invitation.visit_id)


async def chat_of_visitor_with_agent(session: AsyncSession, visitor_id: str) -> Chat | None:
    found = await session.scalars(
        select(Chat).where(Chat.visitor_id == visitor_id, Chat.state == ChatState.TAKEN.value)
    )
    return found.first()

"""An in-process stand-in for the chat backend: the agent socket on a real port, REST in memory.

It follows the backend's rules (visibility, idempotent client_ids, resume and resync, close codes)
closely enough to drive the real client code fast and deterministically. Integration tests use the
real backend instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from chat_protocol import PROTOCOL_VERSION, Author, AuthorKind, ChatState, VisitorInfo
from chat_protocol.models import ChatStateEvent, ChatSummary, MessageEvent
from chat_protocol.rest import Me, ServerInfo, Snapshot, TokenPair, TranscriptPage

AGENT_ID = "agent-1"


@dataclass
class FakeChat:
    chat_id: str
    visitor: VisitorInfo
    state: ChatState
    created_at: datetime
    queued_at: datetime | None = None
    agent: Author | None = None
    last_seq: int = 0


@dataclass
class AgentSocket:
    ws: ServerConnection
    token: str
    cursor: int | None = None


@dataclass
class FakeChatServer:
    """Agent ``alice@example.com`` / ``secret``. `url` once started; `transport()` for httpx."""

    email: str = "alice@example.com"
    password: str = "secret"
    agent_name: str = "Alice Operator"
    protocol: int = PROTOCOL_VERSION
    expires_in: int = 3600
    max_replay: int = 1000
    status: str = "not_accepting"
    answer_frames: bool = True
    events: list[MessageEvent | ChatStateEvent] = field(default_factory=list)
    chats: dict[str, FakeChat] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    refusals: dict[str, str] = field(default_factory=dict)
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    sockets: list[AgentSocket] = field(default_factory=list)
    rest_calls: list[str] = field(default_factory=list)
    _results: dict[str, dict[str, Any]] = field(default_factory=dict)
    _server: Server | None = None
    _visitors: int = 0
    port: int = 0

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await serve(self._handle, "127.0.0.1", self.port or 0)
        self.port = next(iter(self._server.sockets)).getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop every socket (as when the server goes away)."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self.sockets.clear()

    async def close_sockets(self, code: int = 1011, reason: str = "") -> None:
        for sock in list(self.sockets):
            with contextlib.suppress(Exception):
                await sock.ws.close(code, reason)
        self.sockets.clear()

    def issue_tokens(self) -> TokenPair:
        pair = TokenPair(
            access_token="at-" + uuid.uuid4().hex,
            refresh_token="rt-" + uuid.uuid4().hex,
            expires_in=self.expires_in,
        )
        self.access_tokens.add(pair.access_token)
        self.refresh_tokens.add(pair.refresh_token)
        return pair

    @property
    def cursor(self) -> int:
        return self.events[-1].event_id if self.events else 0

    # --- REST -------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._rest)

    def _error(self, status: int, code: str, message: str) -> httpx.Response:
        return httpx.Response(status, json={"detail": {"code": code, "message": message}})

    def _rest(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1")
        self.rest_calls.append(f"{request.method} {path}")
        if path == "/info":
            return httpx.Response(200, json=ServerInfo(version="test", protocol=self.protocol).model_dump())
        if path == "/auth/login":
            body = json.loads(request.content)
            if body.get("email") != self.email or body.get("password") != self.password:
                return self._error(401, "invalid_credentials", "Wrong e-mail address or password.")
            return httpx.Response(200, json=self.issue_tokens().model_dump())
        if path == "/auth/refresh":
            token = json.loads(request.content).get("refresh_token")
            if token not in self.refresh_tokens:
                return self._error(401, "invalid_token", "Unknown refresh token.")
            self.refresh_tokens.discard(token)
            return httpx.Response(200, json=self.issue_tokens().model_dump())
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.access_tokens:
            return self._error(401, "invalid_token", "Sign in again.")
        if path == "/auth/logout":
            self.access_tokens.discard(token)
            return httpx.Response(204)
        if path == "/me":
            return httpx.Response(200, json=self.me().model_dump(mode="json"))
        if path == "/snapshot":
            return httpx.Response(200, json=self.snapshot().model_dump(mode="json"))
        if path.startswith("/chats/") and path.endswith("/events"):
            chat = self.chats.get(path.split("/")[2])
            if chat is None:
                return self._error(404, "not_found", "No such chat.")
            after = int(request.url.params.get("after_seq", 0))
            limit = int(request.url.params.get("limit", 200))
            events = [e for e in self.events if e.chat_id == chat.chat_id and e.seq > after]
            page = TranscriptPage(
                chat=self.summary(chat),
                events=events[:limit],
                has_more=len(events) > limit,
                next_after_seq=events[:limit][-1].seq if events[:limit] else after,
            )
            return httpx.Response(200, json=page.model_dump(mode="json"))
        return self._error(404, "not_found", "Not found.")

    def me(self) -> Me:
        return Me(agent_id=AGENT_ID, email=self.email, name=self.agent_name, role="agent", status=self.status)

    def summary(self, chat: FakeChat) -> ChatSummary:
        last = next(
            (e for e in reversed(self.events) if e.chat_id == chat.chat_id and isinstance(e, MessageEvent)),
            None,
        )
        return ChatSummary(
            chat_id=chat.chat_id,
            state=chat.state,
            visitor=chat.visitor,
            agent=chat.agent,
            created_at=chat.created_at,
            queued_at=chat.queued_at,
            last_seq=chat.last_seq,
            last_message=last,
        )

    def snapshot(self) -> Snapshot:
        mine = [c for c in self.chats.values() if c.state == ChatState.TAKEN and self._is_mine(c)]
        queue = [c for c in self.chats.values() if c.state == ChatState.QUEUED]
        return Snapshot(
            cursor=self.cursor,
            me=self.me(),
            my_chats=[self.summary(c) for c in mine],
            queue=[self.summary(c) for c in queue],
        )

    # --- the agent socket -------------------------------------------------------------------

    @staticmethod
    def _is_mine(chat: FakeChat) -> bool:
        return chat.agent is not None and chat.agent.id == AGENT_ID

    def _visible(self, event: MessageEvent | ChatStateEvent) -> bool:
        chat = self.chats[event.chat_id]
        return (
            isinstance(event, ChatStateEvent)
            or self._is_mine(chat)
            or chat.state in (ChatState.INCOMING, ChatState.QUEUED)
        )

    async def _send(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        with contextlib.suppress(Exception):
            await ws.send(json.dumps({"v": 1, **frame}))

    async def _handle(self, ws: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._serve(ws)

    async def _serve(self, ws: ServerConnection) -> None:
        sock: AgentSocket | None = None
        try:
            async for raw in ws:
                frame = json.loads(raw)
                self.received.append(frame)
                if not self.answer_frames:
                    continue
                action, req_id, payload = frame["action"], frame.get("req_id"), frame.get("payload", {})
                if sock is None:
                    if action != "login" or payload.get("token") not in self.access_tokens:
                        await self._send(
                            ws,
                            {
                                "type": "err",
                                "action": "login",
                                "req_id": req_id,
                                "payload": {"code": "invalid_token", "message": "Sign in again."},
                            },
                        )
                        await ws.close(4001, "invalid_token")
                        return
                    sock = AgentSocket(ws, payload["token"])
                    self.logins.append(payload["token"])
                    result = {
                        "agent_id": AGENT_ID,
                        "name": self.agent_name,
                        "role": "agent",
                        "status": self.status,
                        "server_protocol": self.protocol,
                    }
                    await self._send(
                        ws, {"type": "res", "action": "login", "req_id": req_id, "payload": result}
                    )
                    continue
                await self._request(sock, action, req_id, payload)
        finally:
            if sock in self.sockets:
                self.sockets.remove(sock)

    async def _request(
        self, sock: AgentSocket, action: str, req_id: str | None, payload: dict[str, Any]
    ) -> None:
        async def answer(body: dict[str, Any], name: str | None = None) -> None:
            await self._send(
                sock.ws, {"type": "res", "action": name or action, "req_id": req_id, "payload": body}
            )

        async def refuse(code: str, message: str = "refused") -> None:
            await self._send(
                sock.ws,
                {
                    "type": "err",
                    "action": action,
                    "req_id": req_id,
                    "payload": {"code": code, "message": message},
                },
            )

        if action == "ping":
            await answer({}, "pong")
        elif action == "resume":
            cursor = int(payload["cursor"])
            replay = [e for e in self.events if e.event_id > cursor and self._visible(e)]
            if cursor > self.cursor or len(replay) > self.max_replay:
                await refuse("resync_required", "The cursor is too old; load a snapshot.")
                return
            for event in replay:
                await self._send(sock.ws, self._push(event))
            sock.cursor = replay[-1].event_id if replay else cursor
            self.sockets.append(sock)
            await answer({"cursor": sock.cursor, "replayed": len(replay)})
        elif action in self.refusals:
            await refuse(self.refusals[action])
        elif action in ("send_message", "take_chat", "close_chat"):
            client_id = payload["client_id"]
            if client_id in self._results:
                await answer(self._results[client_id])
                return
            result = await self._mutation(action, payload)
            if isinstance(result, str):
                await refuse(result)
                return
            self._results[client_id] = result
            await answer(result)
        elif action == "set_status":
            self.status = payload["status"]
            await answer({"status": self.status})
        elif action == "typing":
            pass
        else:
            await refuse("unknown_action")

    async def _mutation(self, action: str, payload: dict[str, Any]) -> dict[str, Any] | str:
        chat = self.chats.get(payload["chat_id"])
        if chat is None:
            return "not_found"
        me = Author(kind=AuthorKind.AGENT, id=AGENT_ID, name=self.agent_name)
        if action == "send_message":
            if chat.state == ChatState.CLOSED:
                return "chat_closed"
            if not self._is_mine(chat):
                return "forbidden"
            event = await self._append_message(chat, me, payload["text"], payload["client_id"])
            return {"event": event.model_dump(mode="json")}
        if action == "take_chat":
            if self.status != "accepting":
                return "not_accepting"
            if chat.state != ChatState.QUEUED:
                return "chat_closed" if chat.state == ChatState.CLOSED else "chat_already_taken"
            chat.agent = me
            state = await self._append_state(chat, ChatState.TAKEN, me, me, payload["client_id"])
        else:
            if not self._is_mine(chat):
                return "forbidden"
            if chat.state == ChatState.CLOSED:
                return "chat_closed"
            state = await self._append_state(chat, ChatState.CLOSED, me, me, payload["client_id"])
        return {"event": state.model_dump(mode="json"), "chat": self.summary(chat).model_dump(mode="json")}

    @staticmethod
    def _push(event: MessageEvent | ChatStateEvent) -> dict[str, Any]:
        return {"type": "push", "action": "event", "payload": {"event": event.model_dump(mode="json")}}

    async def _publish(self, event: MessageEvent | ChatStateEvent) -> None:
        self.events.append(event)
        if self._visible(event):
            for sock in list(self.sockets):
                await self._send(sock.ws, self._push(event))
                sock.cursor = event.event_id

    async def _append_message(
        self, chat: FakeChat, author: Author, text: str, client_id: str | None = None
    ) -> MessageEvent:
        chat.last_seq += 1
        event = MessageEvent(
            event_id=self.cursor + 1,
            chat_id=chat.chat_id,
            seq=chat.last_seq,
            created_at=datetime.now(UTC),
            author=author,
            text=text,
            client_id=client_id,
        )
        await self._publish(event)
        return event

    async def _append_state(
        self,
        chat: FakeChat,
        state: ChatState,
        author: Author,
        agent: Author | None,
        client_id: str | None = None,
    ) -> ChatStateEvent:
        chat.last_seq += 1
        chat.state = state
        event = ChatStateEvent(
            event_id=self.cursor + 1,
            chat_id=chat.chat_id,
            seq=chat.last_seq,
            created_at=datetime.now(UTC),
            author=author,
            client_id=client_id,
            state=state,
            agent=agent,
            visitor=chat.visitor,
        )
        await self._publish(event)
        return event

    # --- what visitors and other agents do --------------------------------------------------

    async def visitor_opens_chat(self, text: str, name: str = "", waited: float = 0.0) -> str:
        """A new visitor writes: the chat goes incoming -> queued, then the message."""
        self._visitors += 1
        now = datetime.now(UTC) - timedelta(seconds=waited)
        visitor = VisitorInfo(visitor_id=f"visitor-{self._visitors}", number=self._visitors, name=name)
        chat = FakeChat(uuid.uuid4().hex, visitor, ChatState.INCOMING, now)
        self.chats[chat.chat_id] = chat
        author = Author(kind=AuthorKind.VISITOR, id=visitor.visitor_id, name=name)
        await self._append_state(chat, ChatState.INCOMING, author, None)
        chat.queued_at = now
        await self._append_state(chat, ChatState.QUEUED, Author(kind=AuthorKind.SYSTEM), None)
        await self._append_message(chat, author, text)
        return chat.chat_id

    async def visitor_says(self, chat_id: str, text: str) -> MessageEvent:
        chat = self.chats[chat_id]
        author = Author(kind=AuthorKind.VISITOR, id=chat.visitor.visitor_id, name=chat.visitor.name)
        return await self._append_message(chat, author, text)

    async def visitor_types(self, chat_id: str, text: str) -> None:
        frame = {"type": "push", "action": "sneak_peek", "payload": {"chat_id": chat_id, "text": text}}
        for sock in list(self.sockets):
            await self._send(sock.ws, frame)

    async def visitor_leaves(self, chat_id: str) -> None:
        chat = self.chats[chat_id]
        author = Author(kind=AuthorKind.VISITOR, id=chat.visitor.visitor_id, name=chat.visitor.name)
        await self._append_state(chat, ChatState.CLOSED, author, chat.agent)

    async def colleague_takes(self, chat_id: str) -> None:
        chat = self.chats[chat_id]
        bob = Author(kind=AuthorKind.AGENT, id="agent-2", name="Bob")
        chat.agent = bob
        await self._append_state(chat, ChatState.TAKEN, bob, bob)

    async def take_for_me(self, chat_id: str) -> None:
        chat = self.chats[chat_id]
        me = Author(kind=AuthorKind.AGENT, id=AGENT_ID, name=self.agent_name)
        chat.agent = me
        await self._append_state(chat, ChatState.TAKEN, me, me)

    def frames(self, action: str) -> list[dict[str, Any]]:
        return [f for f in self.received if f["action"] == action]


async def eventually(predicate: Any, within: float = 5.0, step: float = 0.01) -> None:
    """Wait (without a nested event loop) until `predicate()` is true."""
    async with asyncio.timeout(within):
        while True:
            if predicate():
                return
            await asyncio.sleep(step)

"""The agent socket owner against a fake server: login, resume, matching, liveness, reconnects."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from chat_protocol import MessageEvent
from chat_protocol.models import ChatStateEvent
from chat_protocol.socket_payloads import AgentLoginResult, SneakPeekPush, StatusPush, TypingPush
from operator_app.net.api import ApiError, ApiErrorKind
from operator_app.net.realtime import (
    ConnectionLost,
    ConnectionState,
    RealtimeConnection,
    RealtimeError,
    RequestTimeout,
    backoff_delay,
)
from tests.widgets.fake_chat_server import FakeChatServer, eventually


class Recorder:
    """A `RealtimeListener` that records what it is told; `cursor` follows applied events."""

    def __init__(self, server: FakeChatServer) -> None:
        self.server = server
        self.cursor = 0
        self.events: list[MessageEvent | ChatStateEvent] = []
        self.peeks: list[SneakPeekPush] = []
        self.states: list[ConnectionState] = []
        self.resumed = 0
        self.resyncs = 0
        self.fatal: list[Exception] = []
        self.logged_in: list[AgentLoginResult] = []
        self.statuses: list[str] = []

    def get_cursor(self) -> int:
        return self.cursor

    def on_logged_in(self, result: AgentLoginResult) -> None:
        self.logged_in.append(result)

    def on_event(self, event: MessageEvent | ChatStateEvent) -> None:
        self.events.append(event)
        self.cursor = max(self.cursor, event.event_id)

    def on_sneak_peek(self, push: SneakPeekPush) -> None:
        self.peeks.append(push)

    def on_typing(self, push: TypingPush) -> None:
        pass

    def on_status(self, push: StatusPush) -> None:
        self.statuses.append(push.status.value)

    def on_state(self, state: ConnectionState) -> None:
        self.states.append(state)

    async def resync(self) -> None:
        self.resyncs += 1
        self.cursor = self.server.snapshot().cursor

    def on_resumed(self) -> None:
        self.resumed += 1

    def on_fatal(self, error: Exception) -> None:
        self.fatal.append(error)


class Tokens:
    """A token provider: a fresh token from the server when forced (like a refresh)."""

    def __init__(self, server: FakeChatServer) -> None:
        self.server = server
        self.token = server.issue_tokens().access_token
        self.forced = 0
        self.refuse_refresh = False

    async def __call__(self, force_refresh: bool) -> str:
        if force_refresh:
            self.forced += 1
            if self.refuse_refresh:
                raise ApiError(ApiErrorKind.SESSION_EXPIRED, "refresh refused")
            self.token = self.server.issue_tokens().access_token
        return self.token


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeChatServer]:
    fake = FakeChatServer()
    await fake.start()
    yield fake
    await fake.stop()


def connection(
    server: FakeChatServer, listener: Recorder, tokens: Tokens, **options: Any
) -> RealtimeConnection:
    options.setdefault("backoff", lambda attempt: 0.05)
    return RealtimeConnection(f"ws://127.0.0.1:{server.port}/ws/agent", listener, tokens, **options)


@pytest.mark.asyncio
async def test_login_sends_the_token_in_the_first_frame_never_in_the_url(server: FakeChatServer) -> None:
    listener, tokens = Recorder(server), Tokens(server)
    conn = connection(server, listener, tokens)
    assert "at-" not in conn.url
    assert "?" not in conn.url
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 5)
        assert server.received[0]["action"] == "login"
        assert server.received[0]["payload"] == {"token": tokens.token, "protocol": 1}
        assert server.received[1]["action"] == "resume"
        assert listener.states == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
        assert listener.logged_in[0].agent_id == "agent-1"
    finally:
        await conn.stop()
    assert listener.states[-1] == ConnectionState.OFFLINE


@pytest.mark.asyncio
async def test_replayed_events_arrive_before_resume_completes(server: FakeChatServer) -> None:
    first = await server.visitor_opens_chat("hello")
    await server.visitor_says(first, "anyone?")
    listener, tokens = Recorder(server), Tokens(server)
    listener.cursor = 1
    conn = connection(server, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 5)
        assert [e.event_id for e in listener.events] == [2, 3, 4]
        assert server.frames("resume")[0]["payload"] == {"cursor": 1}
        await server.visitor_says(first, "live")
        await eventually(lambda: len(listener.events) == 4)
        assert isinstance(listener.events[-1], MessageEvent)
        assert listener.events[-1].text == "live"
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_resync_required_loads_a_snapshot_then_resumes_from_its_cursor(server: FakeChatServer) -> None:
    for n in range(3):
        await server.visitor_opens_chat(f"chat {n}")
    server.max_replay = 2
    listener, tokens = Recorder(server), Tokens(server)
    conn = connection(server, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 5)
        assert listener.resyncs == 1
        assert [f["payload"]["cursor"] for f in server.frames("resume")] == [0, server.cursor]
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_responses_are_matched_by_req_id_and_errors_carry_their_code(server: FakeChatServer) -> None:
    listener, tokens = Recorder(server), Tokens(server)
    conn = connection(server, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 5)
        pong, status = await asyncio.gather(
            conn.request("ping", {}), conn.request("set_status", {"status": "accepting"})
        )
        assert pong == {}
        assert status == {"status": "accepting"}
        with pytest.raises(RealtimeError) as refused:
            await conn.request("take_chat", {"chat_id": "nope", "client_id": "c" * 16})
        assert refused.value.code == "not_found"
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_request_times_out_and_requests_need_a_connection(server: FakeChatServer) -> None:
    listener, tokens = Recorder(server), Tokens(server)
    conn = connection(server, listener, tokens, request_timeout=0.2)
    with pytest.raises(ConnectionLost):
        await conn.request("ping", {})
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 5)
        server.answer_frames = False
        with pytest.raises(RequestTimeout):
            await conn.request("ping", {})
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_pings_keep_the_link_and_silence_means_dead(server: FakeChatServer) -> None:
    listener, tokens = Recorder(server), Tokens(server)
    conn = connection(server, listener, tokens, ping_interval=0.1, silence_timeout=0.6)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 5)
        await eventually(lambda: len(server.frames("ping")) >= 3)
        assert server.logins == [tokens.token]
        server.answer_frames = False
        await eventually(lambda: ConnectionState.RECONNECTING in listener.states, within=5)
        server.answer_frames = True
        await eventually(lambda: len(server.logins) == 2 and conn.is_connected, within=5)
        assert listener.states[-1] == ConnectionState.CONNECTED
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_send_queue_overflow_4008_reconnects_and_resumes_from_the_cursor(
    server: FakeChatServer,
) -> None:
    listener, tokens = Recorder(server), Tokens(server)
    conn = connection(server, listener, tokens, backoff=lambda attempt: 10.0)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 5)
        chat = await server.visitor_opens_chat("hi")
        await eventually(lambda: len(listener.events) == 3)
        await server.close_sockets(4008, "send queue overflow")
        await server.visitor_says(chat, "while you were away")
        # Reconnects at once (not after the 10 s backoff) and replays the missed message.
        await eventually(lambda: len(listener.events) == 4, within=3)
        assert server.frames("resume")[-1]["payload"] == {"cursor": 3}
        assert tokens.forced == 0
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_close_4001_refreshes_the_token_once_then_gives_up(server: FakeChatServer) -> None:
    listener, tokens = Recorder(server), Tokens(server)
    conn = connection(server, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 5)
        await server.close_sockets(4001, "logged out")
        await eventually(lambda: len(server.logins) == 2 and conn.is_connected)
        assert tokens.forced == 1
        assert server.logins[1] == tokens.token
        tokens.refuse_refresh = True
        await server.close_sockets(4001, "logged out")
        await eventually(lambda: bool(listener.fatal))
        assert isinstance(listener.fatal[0], ApiError)
        assert listener.fatal[0].kind is ApiErrorKind.SESSION_EXPIRED
        assert listener.states[-1] == ConnectionState.OFFLINE
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_an_unknown_token_is_refreshed_before_giving_up(server: FakeChatServer) -> None:
    listener, tokens = Recorder(server), Tokens(server)
    server.access_tokens.clear()
    tokens.refuse_refresh = True
    conn = connection(server, listener, tokens)
    conn.start()
    try:
        await eventually(lambda: bool(listener.fatal))
        assert tokens.forced == 1
        assert len(server.frames("login")) == 1
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_reconnects_after_the_server_comes_back(server: FakeChatServer) -> None:
    listener, tokens = Recorder(server), Tokens(server)
    conn = connection(server, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 5)
        await server.stop()
        await eventually(lambda: listener.states[-1] == ConnectionState.OFFLINE, within=5)
        assert ConnectionState.RECONNECTING in listener.states
        await server.start()
        await eventually(lambda: conn.is_connected, within=5)
        assert listener.resumed == 2
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_sneak_peek_and_status_pushes_reach_the_listener(server: FakeChatServer) -> None:
    listener, tokens = Recorder(server), Tokens(server)
    conn = connection(server, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 5)
        chat = await server.visitor_opens_chat("hi")
        await server.visitor_types(chat, "I would like to ord")
        await eventually(lambda: bool(listener.peeks))
        assert listener.peeks[0].text == "I would like to ord"
    finally:
        await conn.stop()


def test_backoff_is_full_jitter_between_half_a_second_and_thirty() -> None:
    rng = random.Random(7)
    delays = [[backoff_delay(attempt, rng=rng) for _ in range(200)] for attempt in range(12)]
    assert all(0.5 <= d <= 30.0 for row in delays for d in row)
    assert max(delays[0]) == 0.5
    assert max(delays[3]) <= 4.0
    assert max(delays[11]) > 20.0
    assert min(delays[11]) < 10.0


def test_a_url_with_a_query_is_refused() -> None:
    with pytest.raises(ValueError, match="query"):
        RealtimeConnection("ws://host/ws/agent?token=x", Recorder(FakeChatServer()), Tokens(FakeChatServer()))

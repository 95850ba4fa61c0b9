"""The agent socket owner against the real backend: login, resume, matching, liveness, reconnects.

Faults the backend cannot produce on demand (silence, a chosen close code, a lost frame) come from
a `FaultProxy` between the connection and the backend; everything answered comes from the backend.

One backend serves the module (`module_backend`); each test signs in as an agent of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from chat_protocol import MessageEvent
from chat_protocol.models import AnyEvent
from chat_protocol.socket_payloads import (
    AgentLoginResult,
    ReadPush,
    SneakPeekPush,
    StatusPush,
    TypingPush,
    VisitorPresencePush,
)
from operator_app.errors import ApiError, ApiErrorKind, ConnectionLost, RealtimeError, RequestTimeout
from operator_app.net.api import ApiClient, websocket_url
from operator_app.net.realtime import ConnectionState, RealtimeConnection
from tests.support.backend import BackendProcess
from tests.support.fault_proxy import FaultProxy
from tests.support.sharing import Account, admin_of, own_agent
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id
from tests.widgets.fixtures import eventually


@pytest.fixture
def backend(module_backend: BackendProcess) -> BackendProcess:
    return module_backend


@pytest.fixture
def me(request: pytest.FixtureRequest, backend: BackendProcess) -> Account:
    """The agent whose connection a test drives: its own, so no other test's sessions or status matter
    (on a backend of the test's own, the demo agent)."""
    return own_agent(request, backend)


class Tokens:
    """A token provider like the session's: the real server's tokens, refreshed over REST when forced."""

    def __init__(self, backend: BackendProcess, account: Account | None = None) -> None:
        """Signed in as `account`, or as the backend's demo agent."""
        self.backend = backend
        pair = backend.login_tokens(account.email, account.password) if account else backend.login_tokens()
        self.token, self.refresh_token = pair["access_token"], pair["refresh_token"]
        self.first_token = self.token
        self.forced = 0

    async def __call__(self, force_refresh: bool) -> str:
        if force_refresh:
            self.forced += 1
            api = ApiClient(self.backend.url)
            try:
                pair = await api.refresh(self.refresh_token)  # ApiError(SESSION_EXPIRED) when refused
            finally:
                await api.aclose()
            self.token, self.refresh_token = pair.access_token, pair.refresh_token
        return self.token

    async def revoke(self) -> None:
        """Log this session out on the server: its sockets close with 4001, its refresh token dies."""
        async with httpx.AsyncClient(base_url=self.backend.url) as http:
            response = await http.post(
                "/api/v1/auth/logout", headers={"Authorization": f"Bearer {self.token}"}
            )
            assert response.status_code == 204

    async def snapshot_cursor(self) -> int:
        snapshot = await http_get(self.backend, "/api/v1/snapshot", self.token)
        return int(snapshot["cursor"])


class Recorder:
    """A `RealtimeListener` that records what it is told; `cursor` follows applied events."""

    def __init__(self, load_cursor: Callable[[], Awaitable[int]] | None = None) -> None:
        self._load_cursor = load_cursor
        self.cursor = 0
        self.events: list[AnyEvent] = []
        self.peeks: list[SneakPeekPush] = []
        self.states: list[ConnectionState] = []
        self.resumed = 0
        self.resyncs = 0
        self.fatal: list[Exception] = []
        self.logged_in: list[AgentLoginResult] = []
        self.statuses: list[str] = []

    def texts(self) -> list[str]:
        return [e.text for e in self.events if isinstance(e, MessageEvent)]

    def get_cursor(self) -> int:
        return self.cursor

    def on_logged_in(self, result: AgentLoginResult) -> None:
        self.logged_in.append(result)

    def on_event(self, event: AnyEvent) -> None:
        self.events.append(event)
        self.cursor = max(self.cursor, event.event_id)

    def on_sneak_peek(self, push: SneakPeekPush) -> None:
        self.peeks.append(push)

    def on_typing(self, push: TypingPush) -> None:
        pass

    def on_status(self, push: StatusPush) -> None:
        self.statuses.append(push.status.value)

    def on_read(self, push: ReadPush) -> None:
        pass

    def on_visitor_presence(self, push: VisitorPresencePush) -> None:
        pass

    def on_state(self, state: ConnectionState) -> None:
        self.states.append(state)

    async def resync(self) -> None:
        assert self._load_cursor is not None
        self.resyncs += 1
        self.cursor = await self._load_cursor()

    def on_resumed(self) -> None:
        self.resumed += 1

    def on_fatal(self, error: Exception) -> None:
        self.fatal.append(error)


@pytest.fixture
def proxy(backend: BackendProcess) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(backend.url)
    fault_proxy.start()
    yield fault_proxy
    fault_proxy.stop()


def connection(server_url: str, listener: Recorder, tokens: Tokens, **options: Any) -> RealtimeConnection:
    """The connection as the session builds it, to `server_url` (the backend or a proxy before it)."""
    options.setdefault("backoff", lambda attempt: 0.05)
    return RealtimeConnection(websocket_url(server_url), listener, tokens, **options)


async def visitor_writes(backend: BackendProcess, text: str) -> tuple[WireClient, dict[str, Any]]:
    """A new visitor's first message (a queued chat): the client and the message event."""
    visitor, _ = await connect_visitor(backend)
    event = (await visitor.ok("send_message", {"client_id": new_id(), "text": text}))["event"]
    return visitor, event


@pytest.mark.asyncio
async def test_login_sends_the_token_in_the_first_frame_never_in_the_url(
    backend: BackendProcess, proxy: FaultProxy, me: Account
) -> None:
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    conn = connection(proxy.url, listener, tokens)
    assert tokens.token not in conn.url
    assert "?" not in conn.url
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        frames = proxy.frames()
        assert frames[0]["action"] == "login"
        assert frames[0]["payload"] == {"token": tokens.token, "protocol": 1}
        assert frames[1]["action"] == "resume"
        assert listener.states == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
        me = await http_get(backend, "/api/v1/me", tokens.token)
        assert listener.logged_in[0].agent_id == me["agent_id"]
    finally:
        await conn.stop()
    assert listener.states[-1] == ConnectionState.OFFLINE


@pytest.mark.asyncio
async def test_replayed_events_arrive_before_resume_completes(
    backend: BackendProcess, proxy: FaultProxy, me: Account
) -> None:
    visitor, hello = await visitor_writes(backend, "hello")
    await visitor.ok("send_message", {"client_id": new_id(), "text": "anyone?"})
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    listener.cursor = hello["event_id"]
    conn = connection(proxy.url, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        assert listener.texts() == ["anyone?"]  # only what came after the cursor, before `resumed`
        ids = [e.event_id for e in listener.events]
        assert ids == sorted(ids)
        assert ids[0] > hello["event_id"]
        assert proxy.frames("resume")[0]["payload"] == {"cursor": hello["event_id"]}
        await visitor.ok("send_message", {"client_id": new_id(), "text": "live"})
        await eventually(lambda: listener.texts() == ["anyone?", "live"])
    finally:
        await conn.stop()
        await visitor.close()


@pytest.mark.asyncio
async def test_resync_required_loads_a_snapshot_then_resumes_from_its_cursor(
    backend: BackendProcess, proxy: FaultProxy, me: Account
) -> None:
    for n in range(3):
        visitor, _ = await visitor_writes(backend, f"chat {n}")
        await visitor.close()
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    listener.cursor = 10**9  # a cursor this server never issued (e.g. its database was restored)
    conn = connection(proxy.url, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        assert listener.resyncs == 1
        fresh = await tokens.snapshot_cursor()
        assert [f["payload"]["cursor"] for f in proxy.frames("resume")] == [10**9, fresh]
        assert listener.cursor == fresh
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_responses_are_matched_by_req_id_and_errors_carry_their_code(
    backend: BackendProcess, me: Account
) -> None:
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    conn = connection(backend.url, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        pong, status = await asyncio.gather(
            conn.request("ping", {}), conn.request("set_status", {"status": "accepting"})
        )
        assert pong == {}
        assert status == {"status": "accepting"}
        with pytest.raises(RealtimeError) as refused:
            await conn.request("take_chat", {"chat_id": new_id(), "client_id": new_id()})
        assert refused.value.code == "not_found"
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_request_times_out_and_requests_need_a_connection(
    backend: BackendProcess, proxy: FaultProxy, me: Account
) -> None:
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    conn = connection(proxy.url, listener, tokens)
    with pytest.raises(ConnectionLost):
        await conn.request("ping", {})
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        proxy.drop_next("ping")  # lost on the way: nothing will answer it
        with pytest.raises(RequestTimeout):
            await conn.request("ping", {}, answer_within=0.5)
        assert await conn.request("ping", {}) == {}  # the link itself is fine
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_pings_keep_the_link_and_silence_means_dead(
    backend: BackendProcess, proxy: FaultProxy, me: Account
) -> None:
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    conn = connection(
        proxy.url, listener, tokens, ping_interval=0.2, silence_timeout=2.0, request_timeout=3.0
    )
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        await eventually(lambda: len(proxy.frames("ping")) >= 3)
        assert len(proxy.frames("login")) == 1
        assert ConnectionState.RECONNECTING not in listener.states
        proxy.pause()  # the server goes silent (its answers no longer arrive)
        await eventually(lambda: ConnectionState.RECONNECTING in listener.states, within=15)
        proxy.resume()
        await eventually(lambda: len(proxy.frames("login")) >= 2 and conn.is_connected, within=30)
        assert listener.states[-1] == ConnectionState.CONNECTED
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_send_queue_overflow_4008_reconnects_and_resumes_from_the_cursor(
    backend: BackendProcess, proxy: FaultProxy, me: Account
) -> None:
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    conn = connection(proxy.url, listener, tokens, backoff=lambda attempt: 10.0)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        visitor, _ = await visitor_writes(backend, "hi")
        await eventually(lambda: listener.texts() == ["hi"])
        cursor = listener.cursor
        await proxy.close_all(4008, "send queue overflow")
        await visitor.ok("send_message", {"client_id": new_id(), "text": "while you were away"})
        # Reconnects at once (not after the 10 s backoff) and gets the missed message.
        await eventually(lambda: listener.texts() == ["hi", "while you were away"], within=8)
        assert proxy.frames("resume")[-1]["payload"] == {"cursor": cursor}
        assert tokens.forced == 0
        await visitor.close()
    finally:
        await conn.stop()


@pytest.mark.asyncio
@pytest.mark.parametrize("code", [1001, 1012])
async def test_a_node_going_away_reconnects_after_the_short_drain_delay_not_the_backoff(
    backend: BackendProcess, proxy: FaultProxy, me: Account, code: int
) -> None:
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    drain_delays: list[float] = []

    def drain_delay() -> float:
        drain_delays.append(0.2)
        return 0.2

    conn = connection(proxy.url, listener, tokens, backoff=lambda attempt: 10.0, drain_delay=drain_delay)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        await proxy.close_all(code, "going away: this node is stopping")
        # Back within the drain delay, not after the 10 s backoff.
        await eventually(lambda: len(proxy.frames("login")) == 2 and conn.is_connected, within=5)
        assert drain_delays == [0.2]
        assert tokens.forced == 0
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_close_4001_refreshes_the_token_once_then_gives_up(
    backend: BackendProcess, proxy: FaultProxy, me: Account
) -> None:
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    conn = connection(proxy.url, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        await proxy.close_all(4001, "invalid_token")
        await eventually(lambda: len(proxy.frames("login")) == 2 and conn.is_connected)
        assert tokens.forced == 1
        assert tokens.token != tokens.first_token
        assert proxy.frames("login")[1]["payload"]["token"] == tokens.token
        await tokens.revoke()  # the real server closes with 4001 and refuses the refresh
        await eventually(lambda: bool(listener.fatal))
        assert isinstance(listener.fatal[0], ApiError)
        assert listener.fatal[0].kind is ApiErrorKind.SESSION_EXPIRED
        assert tokens.forced == 2
        assert listener.states[-1] == ConnectionState.OFFLINE
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_an_unknown_token_is_refreshed_before_giving_up(
    backend: BackendProcess, proxy: FaultProxy, me: Account
) -> None:
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    await tokens.revoke()  # neither token is valid any more
    conn = connection(proxy.url, listener, tokens)
    conn.start()
    try:
        await eventually(lambda: bool(listener.fatal))
        assert tokens.forced == 1
        assert len(proxy.frames("login")) == 1
        assert isinstance(listener.fatal[0], ApiError)
        assert listener.fatal[0].kind is ApiErrorKind.SESSION_EXPIRED
    finally:
        await conn.stop()


@pytest.mark.asyncio
@pytest.mark.own_backend
async def test_reconnects_after_the_server_comes_back(backend: BackendProcess, me: Account) -> None:
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    conn = connection(backend.url, listener, tokens)
    conn.start()
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        await asyncio.to_thread(backend.kill)
        await eventually(lambda: listener.states[-1] == ConnectionState.OFFLINE, within=15)
        assert ConnectionState.RECONNECTING in listener.states
        await asyncio.to_thread(backend.start)
        await eventually(lambda: conn.is_connected, within=30)
        assert listener.resumed == 2
    finally:
        await conn.stop()


@pytest.mark.asyncio
async def test_sneak_peek_and_status_pushes_reach_the_listener(backend: BackendProcess, me: Account) -> None:
    await asyncio.to_thread(admin_of(backend).set_routing, auto_assign=False)
    tokens = Tokens(backend, me)
    listener = Recorder(tokens.snapshot_cursor)
    conn = connection(backend.url, listener, tokens)
    conn.start()
    other_device = await connect_agent(backend, me.email, me.password)
    visitor, first = await visitor_writes(backend, "hi")
    try:
        await asyncio.wait_for(conn.wait_connected(), 10)
        await other_device.ok("set_status", {"status": "accepting"})  # my status, from my other device
        await eventually(lambda: listener.statuses == ["accepting"])
        await other_device.ok("take_chat", {"chat_id": first["chat_id"], "client_id": new_id()})
        await visitor.next_event(kind="chat_state", state="taken")
        await visitor.send("sneak_peek", {"text": "I would like to ord"})
        await eventually(lambda: bool(listener.peeks))
        assert listener.peeks[0].chat_id == first["chat_id"]
        assert listener.peeks[0].text == "I would like to ord"
    finally:
        await conn.stop()
        await other_device.close()
        await visitor.close()


def test_a_url_with_a_query_is_refused() -> None:
    async def no_token(force_refresh: bool) -> str:
        raise AssertionError("never asked")

    with pytest.raises(ValueError, match="query"):
        RealtimeConnection("ws://host/ws/agent?token=x", Recorder(), no_token)

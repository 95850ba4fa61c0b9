"""Hostile payloads against every socket action and every REST route, with a fixed seed.

Each socket action (both sockets) and each route of `/openapi.json` gets at least `EXAMPLES` generated
requests: shaped by the action's or route's schema, with any value replaced by something hostile (huge
integers, NUL bytes, lone surrogates, deep nesting, 70 kB strings), ids drawn from real ones half the
time so the code behind the first lookup runs too. Every answer must be an answer: never HTTP 500, never
an `internal` error, never a close for an internal error; and the conftest's log check fails the test
on any error or traceback the backend logged meanwhile.

It runs on one database: PostgreSQL when CHAT_TEST_DATABASE_URL names one, the stricter of the two with
hostile values (it refuses NUL characters in text and integers beyond 64 bits, where SQLite stores
anything), else SQLite. The validation under test runs before any query, the same on both; the other
backend tests cover each database's behaviour.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as _connect

from chat_protocol.actions import ACTIONS
from tests.conftest import _backend_on, _db_params
from tests.support.backend import BackendProcess
from tests.support.hostile import EDGE_STRINGS, SchemaStrategies, deep_text, hostile_json

EXAMPLES = int(os.environ.get("CHAT_FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # a fixed seed: the same examples on every run
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
SOCKET_ACTIONS = sorted((a.socket, a.name) for a in ACTIONS if a.kind == "req" and a.name != "login")
# Path segments a URL can carry (a 70 kB one is refused by the client library itself).
PATH_STRINGS = [text for text in EDGE_STRINGS if len(text) < 2000]
# A 70 kB example is the point; Hypothesis warns that printing it is slow.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
ADMIN_EMAIL, ADMIN_PASSWORD = "fuzz-admin@example.com", "fuzz-admin-password-1"
# Limits stay on; these documented settings only give one test client room for thousands of frames.
FUZZ_ENV = {
    name: "100000"
    for name in (
        "CHAT_CONNECT_BURST",
        "CHAT_CONNECT_RATE",
        "CHAT_FRAME_BURST",
        "CHAT_FRAME_RATE",
        "CHAT_NEW_CHATS_PER_IP_BURST",
        "CHAT_NEW_CHATS_PER_SITE_BURST",
        "CHAT_OFFLINE_MESSAGES_PER_IP_BURST",
        "CHAT_OFFLINE_MESSAGES_PER_SITE_BURST",
        "CHAT_LOGIN_PAIR_FAILURES",
        "CHAT_LOGIN_IP_FAILURES",
        "CHAT_LOGIN_ACCOUNT_FAILURES",
    )
}


@dataclass
class World:
    """A backend with something of every kind in it, and an admin and a visitor to fuzz it with."""

    backend: BackendProcess
    admin_token: str = ""
    pools: dict[str, list[str]] = field(default_factory=dict)
    sockets: dict[str, ClientConnection] = field(default_factory=dict)
    openapi: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.backend.url, timeout=30)

    def login_admin(self) -> None:
        self.admin_token = self.backend.login_tokens(ADMIN_EMAIL, ADMIN_PASSWORD)["access_token"]

    def socket(self, kind: str) -> ClientConnection:
        ws = self.sockets.get(kind)
        if ws is None:
            ws = self.sockets[kind] = self._open(kind)
        return ws

    def drop_socket(self, kind: str) -> None:
        ws = self.sockets.pop(kind, None)
        if ws is not None:
            ws.close()

    def _open(self, kind: str) -> ClientConnection:
        url = f"{self.backend.ws_url}/ws/{kind}"
        if kind == "agent":
            ws = connect(url)
            answer = request(ws, "login", {"token": self.admin_token})
            if answer.get("type") != "res":  # the fuzzing ended the admin's login: sign in again
                ws.close()
                self.login_admin()
                ws = connect(url)
                answer = request(ws, "login", {"token": self.admin_token})
        else:
            ws = connect(url, origin=self.backend.url)  # type: ignore[arg-type]
            answer = request(
                ws, "login", {"site_id": self.backend.site_id, "visitor_token": self.pools["token"][0]}
            )
        assert answer.get("type") == "res", answer
        return ws


def connect(url: str, **options: Any) -> ClientConnection:
    """A blocking client socket (entered as a context manager, as websockets asks)."""
    return _connect(url, max_size=None, **options).__enter__()


def request(ws: ClientConnection, action: str, payload: Any, req_id: str | None = None) -> dict[str, Any]:
    """Send one request and return its answer (skipping pushes)."""
    req_id = req_id or uuid.uuid4().hex
    ws.send(json.dumps({"v": 1, "type": "req", "action": action, "req_id": req_id, "payload": payload}))
    while True:
        frame = json.loads(ws.recv(timeout=20))
        if frame.get("req_id") == req_id:
            return frame  # type: ignore[no-any-return]


def answers_until_pong(ws: ClientConnection, raw: str) -> list[dict[str, Any]]:
    """Send a raw frame, then a ping; every non-push frame that came before the pong."""
    ping = uuid.uuid4().hex
    ws.send(raw)
    ws.send(json.dumps({"v": 1, "type": "req", "action": "ping", "req_id": ping, "payload": {}}))
    answers = []
    while True:
        frame = json.loads(ws.recv(timeout=20))
        if frame.get("req_id") == ping and frame.get("action") == "pong":
            return answers
        if frame.get("type") != "push":
            answers.append(frame)


def _populate(world: World) -> None:
    backend = world.backend
    backend.create_agent(ADMIN_EMAIL, "Fuzz Admin", ADMIN_PASSWORD, role="admin")
    world.login_admin()
    headers = {"Authorization": f"Bearer {world.admin_token}"}
    with world.http() as http:
        me = http.get("/api/v1/agents", headers=headers).json()
        agents = (
            [a["agent_id"] for a in me["agents"] if a.get("email") != ADMIN_EMAIL]
            if isinstance(me, dict)
            else []
        )
        group = http.post(
            "/api/v1/groups", headers=headers, json={"name": "Fuzz", "agent_ids": agents}
        ).json()
        canned = http.post(
            "/api/v1/canned", headers=headers, json={"shortcut": "fuzz", "title": "Fuzz", "text": "Hello"}
        ).json()
        world.openapi = http.get("/openapi.json").json()
    visitor = connect(f"{backend.ws_url}/ws/visitor", origin=backend.url)  # type: ignore[arg-type]
    login = request(visitor, "login", {"site_id": backend.site_id})["payload"]
    sent = request(visitor, "send_message", {"client_id": str(uuid.uuid4()), "text": "こんにちは"})
    visitor.close()
    world.pools = {
        "agent": agents,
        "group": [group.get("group_id", "")],
        "canned": [canned.get("canned_id", "")],
        "chat": [sent.get("payload", {}).get("chat_id", "")],
        "visitor": [login["visitor_id"]],
        "site": [backend.site_id],
        "token": [login["visitor_token"]],
    }


@pytest.fixture(scope="module", params=_db_params()[-1:])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    patch = pytest.MonkeyPatch()
    for name, value in FUZZ_ENV.items():
        patch.setenv(name, value)
    try:
        for backend in _backend_on(request.param, tmp_path_factory.mktemp(f"fuzz-{request.param}")):
            world = World(backend)
            _populate(world)
            yield world
            for kind in list(world.sockets):
                world.drop_socket(kind)
    finally:
        patch.undo()


def _model_schema(socket: str, action: str) -> tuple[dict[str, Any], dict[str, Any]]:
    model = next(a.payload for a in ACTIONS if (a.socket, a.name, a.kind) == (socket, action, "req"))
    schema = model.model_json_schema()
    return schema, schema.get("$defs", {})


@pytest.mark.parametrize(("socket", "action"), SOCKET_ACTIONS, ids=[f"{s}:{a}" for s, a in SOCKET_ACTIONS])
def test_socket_action_answers_hostile_payloads(world: World, socket: str, action: str) -> None:
    schema, definitions = _model_schema(socket, action)
    payloads = st.one_of(SchemaStrategies(definitions, world.pools).object(schema), hostile_json)
    key = f"{socket}:{action}"
    world.counts[key] = 0

    @FUZZ
    @given(
        payload=payloads,
        envelope_extra=st.sampled_from([{}, {}, {}, {"v": 2}, {"req_id": None}, {"type": "res"}]),
    )
    def run(payload: Any, envelope_extra: dict[str, Any]) -> None:
        world.counts[key] += 1
        frame = {"v": 1, "type": "req", "action": action, "req_id": uuid.uuid4().hex, "payload": payload}
        raw = json.dumps({**frame, **envelope_extra})
        ws = world.socket(socket)
        try:
            answers = answers_until_pong(ws, raw)
        except ConnectionClosed as closed:
            world.drop_socket(socket)
            code = closed.rcvd.code if closed.rcvd else None
            assert code not in (1011, None), f"{key} closed the socket with {code} on {raw[:300]}"
            return
        internal = [a for a in answers if a.get("type") == "err" and a.get("code") == "internal"]
        assert not internal, f"{key} answered internal to {raw[:300]}"

    run()
    assert world.counts[key] >= EXAMPLES


@pytest.mark.parametrize("kind", ["agent", "visitor"])
def test_broken_frames_are_answered_and_the_socket_stays(world: World, kind: str) -> None:
    raws = st.one_of(
        st.text(max_size=200),
        hostile_json.map(json.dumps),
        st.sampled_from(EDGE_STRINGS).map(
            lambda s: json.dumps({"v": 1, "type": "req", "action": s, "payload": {}})
        ),
        st.integers(min_value=30, max_value=20_000).map(deep_text),
        st.integers(min_value=30, max_value=20_000).map(
            lambda n: (
                '{"v": 1, "type": "req", "action": "ping", "req_id": "d", "payload": ' + deep_text(n) + "}"
            )
        ),
    )
    world.counts[f"frames:{kind}"] = 0

    @FUZZ
    @given(raw=raws)
    def run(raw: str) -> None:
        world.counts[f"frames:{kind}"] += 1
        try:
            answers = answers_until_pong(world.socket(kind), raw)
        except ConnectionClosed as closed:
            world.drop_socket(kind)
            raise AssertionError(f"the {kind} socket closed ({closed}) on {raw[:300]}") from None
        assert all(a.get("code") != "internal" for a in answers), raw[:300]

    run()
    assert world.counts[f"frames:{kind}"] >= EXAMPLES


def _routes() -> list[tuple[str, str]]:
    """Every (method, path) of the REST API, from the app itself (no backend needed to collect)."""
    from chat_backend.app import create_app
    from chat_backend.settings import Settings

    spec = create_app(Settings(database_url="sqlite:///:memory:")).openapi()
    return sorted((method.upper(), path) for path, ops in spec["paths"].items() for method in ops)


ROUTES = _routes()


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_rest_route_answers_hostile_requests(world: World, method: str, path: str) -> None:
    operation = world.openapi["paths"][path][method.lower()]
    definitions = world.openapi.get("components", {}).get("schemas", {})
    schemas = SchemaStrategies(definitions, world.pools)
    params = operation.get("parameters", [])
    body_schema = (
        operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    )
    path_values = {
        p["name"]: st.one_of(schemas.value(p.get("schema", {}), p["name"]), st.sampled_from(PATH_STRINGS))
        for p in params
        if p["in"] == "path"
    }
    query_values = {
        p["name"]: schemas.value(p.get("schema", {}), p["name"]) for p in params if p["in"] == "query"
    }
    bodies = st.one_of(
        schemas.object(body_schema) if body_schema else st.just(None),
        hostile_json,
        st.sampled_from([b"{", b"\xff\xfe", b"[" * 5000, b"{}" * 10]),
    )
    key = f"{method} {path}"
    world.counts[key] = 0

    @FUZZ
    @given(
        path_args=st.fixed_dictionaries(path_values),
        query=st.fixed_dictionaries({}, optional=query_values),
        body=bodies,
        who=st.sampled_from(["admin", "admin", "admin", "nobody", "garbage"]),
    )
    def run(path_args: dict[str, Any], query: dict[str, Any], body: Any, who: str) -> None:
        world.counts[key] += 1
        url = path
        for name, value in path_args.items():
            url = url.replace(
                "{" + name + "}", quote(str(value)[:2000].encode("utf-8", "surrogatepass"), safe="") or "%20"
            )
        headers = {"Authorization": "Bearer " + ("x" * 600 if who == "garbage" else world.admin_token)}
        if who == "nobody":
            headers = {}
        content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8", "surrogatepass")
        # Cut like the path arguments: a URL past httpx's limit never leaves the client.
        query_text = {k: (json.dumps(v) if not isinstance(v, str) else v)[:2000] for k, v in query.items()}
        with world.http() as http:
            response = http.request(
                method,
                url,
                params={
                    k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                    for k, v in query_text.items()
                },
                content=content if method in ("POST", "PUT", "PATCH") else None,
                headers={**headers, "Content-Type": "application/json"},
            )
        if response.status_code == 401 and who == "admin":
            world.login_admin()  # e.g. the example was a logout
        assert response.status_code < 500 or (
            response.status_code == 503 and "retry-after" in response.headers
        ), f"{key} answered {response.status_code} to {url} {query} {content[:300]!r}: {response.text[:300]}"

    run()
    assert world.counts[key] >= EXAMPLES

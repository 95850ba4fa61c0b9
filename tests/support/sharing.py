"""One backend shared by the tests of a module (`shared_backend` in tests/conftest.py), made to look
fresh to each test.

Each backend gets one test administrator (`admin_of`), made once with `chat-backend create-agent`;
everything else goes over its REST API and agent socket, which costs milliseconds instead of a Python
process: agents of a test's own (`Admin.new_agent`), routing settings, and `fresh_start`, which gives a
test what a new backend would show it: no agent online, no chat waiting in the queue, the default
routing settings. What a test must still do itself: make its own visitors and its own agents, and put
back any other setting it changes.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from chat_protocol.rest import RoutingSettings
from tests.support.backend import BackendProcess

DEFAULT_ROUTING: dict[str, Any] = RoutingSettings().model_dump(mode="json")


@dataclass(frozen=True)
class Account:
    """An agent account made for one test."""

    agent_id: str
    email: str
    password: str
    name: str
    role: str


class Admin:
    """The test administrator of one backend: makes accounts and changes settings over REST."""

    def __init__(self, backend: BackendProcess) -> None:
        self.backend = backend
        self.email = f"test-admin-{uuid.uuid4().hex[:12]}@example.com"
        self.password = "pw-" + uuid.uuid4().hex
        backend.create_agent(self.email, "Test Admin", self.password, role="admin")
        self.token = backend.login_tokens(self.email, self.password)["access_token"]
        self.account = Account(
            self.call("GET", "/me")["agent_id"], self.email, self.password, "Test Admin", "admin"
        )

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """`/api/v1{path}` as the administrator (or as `token`); raises on an error status."""
        response = httpx.request(
            method,
            f"{self.backend.url}/api/v1{path}",
            json=body,
            headers={"Authorization": f"Bearer {token or self.token}"},
            timeout=20,
            verify=self.backend.verify(),
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def new_agent(
        self,
        name: str = "Agent",
        role: str = "agent",
        group_ids: tuple[str, ...] = (),
        max_chats: int | None = None,
        settled: bool = False,
    ) -> Account:
        """A new account with a unique e-mail, made by the administrator with a temporary password.

        The server lets such an agent work; only the operator app asks it for a new password first. So
        for the app, `settled` has the agent replace it (as its first sign-in would): three password
        hashes more on the server, which costs about as much as the account itself."""
        email = f"{role}-{uuid.uuid4().hex[:12]}@example.com"
        body = {
            "email": email,
            "name": name,
            "role": role,
            "group_ids": list(group_ids),
            "max_chats": max_chats,
        }
        created = self.call("POST", "/agents", body)
        password = created["temporary_password"]
        if settled:
            first = self.backend.login_tokens(email, password)["access_token"]
            chosen = "pw-" + uuid.uuid4().hex
            self.call(
                "PUT", "/me/password", {"current_password": password, "new_password": chosen}, token=first
            )
            self.call("POST", "/auth/logout", token=first)
            password = chosen
        return Account(created["agent"]["agent_id"], email, password, name, role)

    def routing(self) -> dict[str, Any]:
        settings: dict[str, Any] = self.call("GET", "/settings/routing")
        return settings

    def set_routing(self, **changes: Any) -> dict[str, Any]:
        """Change some routing settings (the others stay); `fresh_start` puts the defaults back."""
        settings: dict[str, Any] = self.call("PUT", "/settings/routing", {**self.routing(), **changes})
        return settings

    def online_agents(self) -> list[str]:
        """E-mails of the agents with a socket connected now."""
        return [member["email"] for member in self.call("GET", "/team") if member["online"]]

    def wait_until_nobody_online(self, within: float = 15.0) -> None:
        deadline = time.monotonic() + within
        while online := self.online_agents():
            if time.monotonic() > deadline:
                raise AssertionError(f"agents still online after the previous test: {online}")
            time.sleep(0.05)

    def close_queued_chats(self) -> bool:
        """Take every chat waiting in the queue and close it (the administrator accepts chats on its
        own socket meanwhile); its visitors, if still connected, see it closed. Whether there were any."""
        queue = self.call("GET", "/snapshot")["queue"]
        if not queue:
            return False
        with connect(f"{self.backend.ws_url}/ws/agent", open_timeout=20) as ws:
            _request(ws, "login", {"token": self.token})
            _request(ws, "set_status", {"status": "accepting"})
            for _ in range(10):
                for chat in queue:  # a chat its visitor closed meanwhile is refused: no matter
                    _request(
                        ws, "take_chat", {"chat_id": chat["chat_id"], "client_id": str(uuid.uuid4())}, False
                    )
                for chat in self.call("GET", "/snapshot")["my_chats"]:
                    _request(
                        ws, "close_chat", {"chat_id": chat["chat_id"], "client_id": str(uuid.uuid4())}, False
                    )
                queue = self.call("GET", "/snapshot")["queue"]
                if not queue:
                    break
            _request(ws, "set_status", {"status": "not_accepting"})
        if queue:
            raise AssertionError(f"chats left in the queue by earlier tests could not be closed: {queue}")
        return True

    def fresh_start(self) -> None:
        """What a new backend shows a test: no agent online, no chat queued, default routing settings."""
        self.wait_until_nobody_online()
        if self.close_queued_chats():
            self.wait_until_nobody_online()
        if self.routing() != DEFAULT_ROUTING:
            self.call("PUT", "/settings/routing", DEFAULT_ROUTING)


def _request(ws: ClientConnection, action: str, payload: dict[str, Any], must: bool = True) -> dict[str, Any]:
    """Send a request and wait for its answer (pushes in between are skipped); with `must`, raises on
    `err`."""
    req_id = uuid.uuid4().hex
    ws.send(json.dumps({"v": 1, "type": "req", "action": action, "req_id": req_id, "payload": payload}))
    deadline = time.monotonic() + 20
    while True:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if frame.get("req_id") == req_id:
            if must and frame["type"] != "res":
                raise AssertionError(f"{action} refused: {frame}")
            answer: dict[str, Any] = frame["payload"]
            return answer


def demo_account(backend: BackendProcess) -> Account:
    """The demo agent of `serve --demo` ("佐藤 花子"), for a test whose backend is its own."""
    token = backend.login_tokens()["access_token"]
    response = httpx.get(f"{backend.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=20)
    response.raise_for_status()
    me = response.json()
    return Account(me["agent_id"], backend.agent_email, backend.agent_password, me["name"], me["role"])


def own_agent(request: Any, backend: BackendProcess, settled: bool = False) -> Account:
    """The agent a test signs in as: a new one named like the demo agent on a shared backend (see
    `Admin.new_agent` for `settled`), the demo agent itself on a backend of the test's own (marked
    `own_backend`, where a new one would cost an administrator first)."""
    if request.node.get_closest_marker("own_backend"):
        return demo_account(backend)
    return admin_of(backend).new_agent("佐藤 花子", settled=settled)


_ADMINS: dict[str, Admin] = {}


def admin_of(backend: BackendProcess) -> Admin:
    """The backend's test administrator, made on first use (one per database)."""
    admin = _ADMINS.get(backend.database_url)
    if admin is None or admin.backend is not backend:
        admin = _ADMINS[backend.database_url] = Admin(backend)
    return admin

"""The real app controller against the real backend, and the people around the operator.

`backend` (tests/conftest.py) is the real server on 127.0.0.1; `proxy` puts a `FaultProxy` in front
of it for tests that break the link; `people` plays visitors and a colleague over the real protocol.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from operator_app.app import AppController
from operator_app.settings import SettingsFile
from tests.support.backend import BackendProcess
from tests.support.fault_proxy import FaultProxy
from tests.support.sharing import Account, admin_of
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id
from tests.widgets.fixtures import eventually, run

__all__ = [
    "People",
    "controller",
    "eventually",
    "make_controller",
    "people",
    "proxy",
    "run",
]


@pytest.fixture
def proxy(backend: BackendProcess) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the real backend: give the app `proxy.url`."""
    fault_proxy = FaultProxy(backend.url)
    fault_proxy.start()
    yield fault_proxy
    fault_proxy.stop()


def make_controller(**options: Any) -> AppController:
    return AppController(
        settings=SettingsFile(), realtime_options={"backoff": lambda attempt: 0.05, **options}
    )


@pytest.fixture
def controller(qloop: asyncio.AbstractEventLoop) -> Iterator[AppController]:
    app = make_controller()
    yield app
    run(qloop, app.shutdown())


class People:
    """Visitors and agents other than the app, each a protocol-level client of the real backend.

    Automatic routing is off, so a chat is taken only when a test says so. `me` is the app's own
    agent (by default the demo agent).
    """

    def __init__(self, backend: BackendProcess, me: Account | None = None) -> None:
        self.backend = backend
        self.me = me
        self.visitors: dict[str, WireClient] = {}
        self._clients: list[WireClient] = []
        self._me: WireClient | None = None
        self._colleague: WireClient | None = None

    async def visitor_opens_chat(self, text: str, name: str | None = None) -> str:
        """A new visitor writes its first message: a queued chat. Returns its id."""
        visitor, _ = await connect_visitor(self.backend)
        self._clients.append(visitor)
        payload = {"client_id": new_id(), "text": text} | ({"name": name} if name else {})
        chat_id: str = (await visitor.ok("send_message", payload))["event"]["chat_id"]
        self.visitors[chat_id] = visitor
        return chat_id

    async def visitor_says(self, chat_id: str, text: str) -> dict[str, Any]:
        return await self.visitors[chat_id].ok("send_message", {"client_id": new_id(), "text": text})

    async def visitor_types(self, chat_id: str, text: str) -> None:
        await self.visitors[chat_id].send("sneak_peek", {"text": text})

    async def _take(self, agent: WireClient, chat_id: str) -> None:
        await agent.ok("set_status", {"status": "accepting"})
        await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
        await agent.ok("set_status", {"status": "not_accepting"})

    async def take_for_me(self, chat_id: str) -> None:
        """The app's own agent takes the chat from another device (its status is left as it was)."""
        if self._me is None:
            email, password = (self.me.email, self.me.password) if self.me else (None, None)
            self._me = await connect_agent(self.backend, email, password)
            self._clients.append(self._me)
        await self._take(self._me, chat_id)

    async def colleague_takes(self, chat_id: str) -> None:
        if self._colleague is None:
            bob = await asyncio.to_thread(admin_of(self.backend).new_agent, "Bob Colleague")
            self._colleague = await connect_agent(self.backend, bob.email, bob.password)
            self._clients.append(self._colleague)
        await self._take(self._colleague, chat_id)

    async def close(self) -> None:
        for client in self._clients:
            await client.close()


@pytest.fixture
def people(qloop: asyncio.AbstractEventLoop, backend: BackendProcess) -> Iterator[People]:
    backend.cli("routing", "--auto-assign", "off")
    crowd = People(backend)
    yield crowd
    run(qloop, crowd.close())

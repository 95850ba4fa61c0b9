"""A video call carried across a page push the visitor accepted (chat_protocol/calls.py), on the wire:
the same call goes `reconnecting` (page_push) -> `connecting` -> `connected` once the pushed page logs
in; a plain reload still ends it; a pushed page that never comes back ends it after the grace."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio

from tests.support.backend import BackendProcess
from tests.support.databases import create_postgres_database, drop_postgres_database, sqlite_database
from tests.support.sharing import admin_of
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id

pytestmark = pytest.mark.asyncio

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")
PUSH_GRACE_S = 2.0
SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


@pytest.fixture(scope="module", params=["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"])
def push_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackendProcess]:
    """One backend for the module with a short page-push grace (and a shorter disconnect grace, which
    must not end a call waiting for its pushed page)."""
    workdir = tmp_path_factory.mktemp(f"call-push-{request.param}")
    env = {"CHAT_CALL_PAGE_PUSH_GRACE": str(PUSH_GRACE_S), "CHAT_CALL_DISCONNECT_GRACE": "0.5"}
    name = ""
    if request.param == "sqlite":
        url = sqlite_database(workdir)
    else:
        name, url = create_postgres_database(POSTGRES_URL)
    proc = BackendProcess(database_url=url, workdir=workdir, env=env)
    try:
        proc.start()
        yield proc
    finally:
        proc.stop()
        if name:
            drop_postgres_database(POSTGRES_URL, name)


@pytest_asyncio.fixture
async def opened() -> AsyncIterator[list[WireClient]]:
    clients: list[WireClient] = []
    yield clients
    for client in clients:
        await client.close()


async def _connected_call(
    backend: BackendProcess, opened: list[WireClient]
) -> tuple[WireClient, WireClient, str, str, str]:
    """A chat of a fresh agent with a fresh visitor, and a connected call in it."""
    admin = admin_of(backend)
    admin.fresh_start()  # no agent of an earlier test online: the chat goes to this one
    account = admin.new_agent("佐藤 花子")
    agent = await connect_agent(backend, account.email, account.password)
    opened.append(agent)
    await agent.ok("set_status", {"status": "accepting"})
    visitor, login = await connect_visitor(backend)
    opened.append(visitor)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "この商品を見せてください"})
    chat_id = sent["event"]["chat_id"]
    await visitor.next_event(kind="chat_state", state="taken")
    call_id = (await agent.ok("call_invite", {"chat_id": chat_id, "client_id": new_id()}))["call_id"]
    await visitor.next_push("call_incoming")
    await visitor.ok("call_answer", {"call_id": call_id, "accept": True})
    await _state(agent, "connecting")
    await visitor.ok("call_state_report", {"call_id": call_id, "state": "connected"})
    await _state(agent, "connected")
    await _state(visitor, "connected")
    return agent, visitor, chat_id, call_id, login["visitor_token"]


async def _state(client: WireClient, state: str, within: float = 10) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            payload: dict[str, Any] = (await client.next_push("call_state"))["payload"]
            if payload["state"] == state:
                return payload


async def _push_accepted(
    backend: BackendProcess, agent: WireClient, visitor: WireClient, chat_id: str
) -> str:
    url = f"{backend.url}/demo/cart.html"
    offer = (await agent.ok("push_page", {"chat_id": chat_id, "client_id": new_id(), "url": url}))["event"]
    await visitor.next_event(kind="page_push", state="offered")
    await visitor.ok("answer_page_push", {"client_id": new_id(), "seq": offer["seq"], "accept": True})
    return url


async def _call_events(
    backend: BackendProcess, agent: WireClient, chat_id: str
) -> list[tuple[str, str, str]]:
    page = await http_get(backend, f"/api/v1/chats/{chat_id}/events", agent.token)  # type: ignore[attr-defined]
    return [(e["call_id"], e["state"], e.get("reason") or "") for e in page["events"] if e["kind"] == "call"]


async def test_an_accepted_page_push_keeps_the_call(
    push_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, call_id, token = await _connected_call(push_backend, opened)
    url = await _push_accepted(push_backend, agent, visitor, chat_id)
    for side in (agent, visitor):
        waiting = await _state(side, "reconnecting")
        assert (waiting["call_id"], waiting["page_push"]) == (call_id, True)
    # The old page's connection failing while it goes away does not end the call.
    await visitor.ok("call_state_report", {"call_id": call_id, "state": "failed", "detail": "ice failed"})
    # The browser leaves the page (its socket closes, longer than the disconnect grace), and the pushed
    # page's widget logs in naming the call.
    await visitor.close()
    await asyncio.sleep(0.8)
    pushed, _ = await connect_visitor(push_backend, token=token, reloaded_call_id=call_id, page={"url": url})
    opened.append(pushed)
    for side in (agent, pushed):
        again = await _state(side, "connecting")
        assert (again["call_id"], again["page_push"]) == (call_id, False)
    # A fresh offer and answer on the same call, then connected.
    await agent.ok("call_signal", {"call_id": call_id, "kind": "offer", "sdp": SDP})
    assert (await pushed.next_push("call_signal"))["payload"]["kind"] == "offer"
    await pushed.ok("call_signal", {"call_id": call_id, "kind": "answer", "sdp": SDP})
    assert (await agent.next_push("call_signal"))["payload"]["kind"] == "answer"
    await pushed.ok("call_state_report", {"call_id": call_id, "state": "connected"})
    assert (await _state(agent, "connected"))["call_id"] == call_id
    # One call in the transcript, started once and not ended.
    assert await _call_events(push_backend, agent, chat_id) == [(call_id, "started", "")]

    # Once only: a reload of the pushed page ends the call as usual.
    await pushed.close()
    reloaded, _ = await connect_visitor(push_backend, token=token, reloaded_call_id=call_id)
    opened.append(reloaded)
    ended = await _state(agent, "ended")
    assert (ended["call_id"], ended["reason"]) == (call_id, "page_reloaded")
    assert await _call_events(push_backend, agent, chat_id) == [
        (call_id, "started", ""),
        (call_id, "ended", "page_reloaded"),
    ]


async def test_a_reload_without_a_push_still_ends_the_call(
    push_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, call_id, token = await _connected_call(push_backend, opened)
    # An offer the visitor declined does not carry the call either.
    offer = (
        await agent.ok(
            "push_page", {"chat_id": chat_id, "client_id": new_id(), "url": f"{push_backend.url}/demo/"}
        )
    )["event"]
    await visitor.ok("answer_page_push", {"client_id": new_id(), "seq": offer["seq"], "accept": False})
    await visitor.close()
    reloaded, _ = await connect_visitor(push_backend, token=token, reloaded_call_id=call_id)
    opened.append(reloaded)
    ended = await _state(agent, "ended")
    assert (ended["call_id"], ended["reason"], ended["ended_by"]) == (call_id, "page_reloaded", "visitor")


async def test_a_pushed_page_that_never_comes_back_ends_the_call_after_the_grace(
    push_backend: BackendProcess, opened: list[WireClient]
) -> None:
    agent, visitor, chat_id, call_id, _ = await _connected_call(push_backend, opened)
    await _push_accepted(push_backend, agent, visitor, chat_id)
    await _state(agent, "reconnecting")
    await visitor.close()
    started = asyncio.get_running_loop().time()
    ended = await _state(agent, "ended", within=PUSH_GRACE_S + 8)
    waited = asyncio.get_running_loop().time() - started
    assert (ended["call_id"], ended["reason"], ended["ended_by"]) == (call_id, "disconnected", "visitor")
    # Not at the (shorter) disconnect grace: the page push's grace, give or take the 1 s sweep.
    assert waited > PUSH_GRACE_S - 0.8
    assert await _call_events(push_backend, agent, chat_id) == [
        (call_id, "started", ""),
        (call_id, "ended", "disconnected"),
    ]

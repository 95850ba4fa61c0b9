"""Invitations over the real sockets: at most one per visit unless replied to, the reply starts the chat
with the inviting agent (greeting first), dismissing, surviving page loads."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.support.backend import BackendProcess
from tests.support.databases import sqlite_database
from tests.support.wire import WireClient, connect_agent, http_get, new_id

pytestmark = pytest.mark.asyncio

ALREADY = "This visitor was already invited during this visit."


async def _visitor(
    backend: BackendProcess, token: str | None = None, page: str = "/demo/index.html"
) -> tuple[WireClient, dict[str, Any]]:
    """A visitor socket opened on a page of the demo shop (the widget's login)."""
    ws = await websockets.connect(f"{backend.ws_url}/ws/visitor", origin=backend.url)  # type: ignore[arg-type]
    client = WireClient(ws)
    login = await client.ok(
        "login",
        {
            "site_id": backend.site_id,
            "visitor_token": token,
            "page": {"url": f"{backend.url}{page}", "title": "Shop"},
            "device": {"device_class": "desktop", "language": "ja-JP", "time_zone": "Asia/Tokyo"},
        },
    )
    await client.ok("resume", {"cursor": login["cursor"]})
    return client, login


async def _invite(agent: WireClient, visitor_id: str, text: str = "何かお探しですか？", **extra: Any) -> Any:
    payload = {"visitor_id": visitor_id, "client_id": extra.pop("client_id", new_id()), "text": text}
    return await agent.request("invite_visitor", payload)


async def _row(backend: BackendProcess, agent: WireClient, visitor_id: str) -> dict[str, Any] | None:
    """The visitor's row in the live traffic list."""
    snapshot = await http_get(backend, "/api/v1/traffic", agent.token)  # type: ignore[attr-defined]
    rows = [r for r in snapshot["rows"] if r["visitor_id"] == visitor_id]
    return rows[0] if rows else None


async def _until_state(
    backend: BackendProcess, agent: WireClient, visitor_id: str, state: str
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        row = await _row(backend, agent, visitor_id)
        if row is not None and row["state"] == state:
            return row
        assert asyncio.get_running_loop().time() < deadline, f"row never became {state}: {row}"
        await asyncio.sleep(0.05)


async def _events(backend: BackendProcess, agent: WireClient, chat_id: str) -> list[dict[str, Any]]:
    page = await http_get(backend, f"/api/v1/chats/{chat_id}/events", agent.token)  # type: ignore[attr-defined]
    events: list[dict[str, Any]] = page["events"]
    return events


async def test_invite_reaches_the_visitor_once_per_visit(backend: BackendProcess) -> None:
    agent = await connect_agent(backend)
    visitor, login = await _visitor(backend)
    second_tab, _ = await _visitor(backend, login["visitor_token"], "/demo/cart.html")
    client_id = new_id()
    sent = await _invite(agent, login["visitor_id"], client_id=client_id)
    assert sent["type"] == "res", sent
    invitation_id = sent["payload"]["invitation_id"]
    for socket in (visitor, second_tab):
        push = (await socket.next_push("invitation"))["payload"]
        assert push == {
            "invitation_id": invitation_id,
            "text": "何かお探しですか？",
            "agent_name": "佐藤 花子",
            "agent_initials": "佐",
        }
    me = await http_get(backend, "/api/v1/me", agent.token)  # type: ignore[attr-defined]
    row = await _until_state(backend, agent, login["visitor_id"], "invited")
    assert row["agent_id"] == me["agent_id"]
    retried = await _invite(agent, login["visitor_id"], client_id=client_id)
    assert retried["payload"]["invitation_id"] == invitation_id

    again = await _invite(agent, login["visitor_id"], "Hello?")
    assert again["type"] == "err"
    assert again["payload"] == {"code": "already_invited", "message": ALREADY, "retry_after": None}
    # Another agent is refused too: the limit is per visitor, not per agent.
    backend.create_agent("kato@example.com", "Kato Ken", "kato-password")
    other = await connect_agent(backend, "kato@example.com", "kato-password")
    assert (await _invite(other, login["visitor_id"]))["payload"]["code"] == "already_invited"
    for client in (agent, other, visitor, second_tab):
        await client.close()


@pytest.fixture
def quick_leave(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BackendProcess]:
    """A backend that counts a visitor as gone 0.3 s after their last socket closed, and starts a new
    visit when they come back more than a second later."""
    monkeypatch.setenv("CHAT_VISITOR_LEAVE_GRACE", "0.3")
    monkeypatch.setenv("CHAT_VISIT_GAP", "1")
    proc = BackendProcess(database_url=sqlite_database(tmp_path), workdir=tmp_path)
    proc.start()
    yield proc
    proc.stop()


async def test_only_visitors_on_the_site_can_be_invited(quick_leave: BackendProcess) -> None:
    agent = await connect_agent(quick_leave)
    refused = await _invite(agent, new_id())
    assert refused["payload"]["code"] == "not_found"
    assert refused["payload"]["message"] == "This visitor is not on the site now."
    visitor, login = await _visitor(quick_leave)
    first = await _invite(agent, login["visitor_id"], "Still there?")
    assert first["type"] == "res"
    await visitor.close()
    await _until_state(quick_leave, agent, login["visitor_id"], "left")
    gone = await _invite(agent, login["visitor_id"])
    assert gone["payload"]["message"] == "This visitor is not on the site now."

    # Back after the visit ended: the unanswered invitation expired with it, and a new visit may be
    # invited again.
    await asyncio.sleep(1.5)
    back, relogin = await _visitor(quick_leave, login["visitor_token"])
    assert relogin["invitation"] is None
    again = await _invite(agent, login["visitor_id"], "Welcome back")
    assert again["type"] == "res", again
    assert (await back.next_push("invitation"))["payload"]["text"] == "Welcome back"
    await back.close()
    await agent.close()


async def test_reply_starts_the_chat_with_the_inviting_agent_greeting_first(
    db_backend: BackendProcess,
) -> None:
    db_backend.cli("routing", "--auto-assign", "off")  # the chat must come from the invitation, not routing
    agent = await connect_agent(db_backend)  # not accepting chats: an invitation still reaches them
    visitor, login = await _visitor(db_backend)
    visitor_id = login["visitor_id"]
    invitation_id = (await _invite(agent, visitor_id, "<b>こんにちは</b>"))["payload"]["invitation_id"]
    await visitor.next_push("invitation")

    client_id = new_id()
    reply = {
        "client_id": client_id,
        "text": "送料はいくらですか？",
        "name": "山田",
        "invitation_id": invitation_id,
    }
    sent = (await visitor.ok("send_message", reply))["event"]
    again = (await visitor.ok("send_message", reply))["event"]
    assert again["event_id"] == sent["event_id"]
    chat_id = sent["chat_id"]

    taken = await agent.next_event(kind="chat_state", state="taken", chat_id=chat_id)
    assert taken["agent"]["name"] == "佐藤 花子"
    greeting = await agent.next_event(kind="message", chat_id=chat_id)
    assert (greeting["text"], greeting["author"]["kind"], greeting["author"]["name"]) == (
        "<b>こんにちは</b>",
        "agent",
        "佐藤 花子",
    )
    events = await _events(db_backend, agent, chat_id)
    messages = [(e["author"]["kind"], e["text"]) for e in events if e["kind"] == "message"]
    assert messages == [("agent", "<b>こんにちは</b>"), ("visitor", "送料はいくらですか？")]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    snapshot = await http_get(db_backend, "/api/v1/snapshot", agent.token)  # type: ignore[attr-defined]
    assert [c["chat_id"] for c in snapshot["my_chats"]] == [chat_id]
    assert snapshot["my_chats"][0]["state"] == "taken"
    assert snapshot["my_chats"][0]["visitor"]["name"] == "山田"
    transcript = await visitor.ok("transcript", {"after_seq": 0})
    assert [e["text"] for e in transcript["events"] if e["kind"] == "message"] == [
        "<b>こんにちは</b>",
        "送料はいくらですか？",
    ]

    await _until_state(db_backend, agent, visitor_id, "chatting")
    # While the chat is open the visitor cannot be invited; once it ended a new invitation is fine
    # (the first one was replied to).
    busy = await _invite(agent, visitor_id)
    assert busy["payload"]["code"] == "forbidden"
    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    after = await _invite(agent, visitor_id, "またどうぞ")
    assert after["type"] == "res", after
    assert (await visitor.next_push("invitation"))["payload"]["text"] == "またどうぞ"
    await agent.close()
    await visitor.close()


async def test_reply_when_the_inviting_agent_went_offline_is_queued(backend: BackendProcess) -> None:
    backend.cli("routing", "--auto-assign", "off")
    agent = await connect_agent(backend)
    visitor, login = await _visitor(backend)
    invitation_id = (await _invite(agent, login["visitor_id"], "Hi!"))["payload"]["invitation_id"]
    await agent.close()
    await asyncio.sleep(0.3)
    sent = await visitor.ok(
        "send_message", {"client_id": new_id(), "text": "hello", "invitation_id": invitation_id}
    )
    chat_id = sent["event"]["chat_id"]
    back = await connect_agent(backend)
    snapshot = await http_get(backend, "/api/v1/snapshot", back.token)  # type: ignore[attr-defined]
    assert [c["chat_id"] for c in snapshot["queue"]] == [chat_id]
    assert snapshot["my_chats"] == []
    events = await _events(backend, back, chat_id)
    assert [e["text"] for e in events if e["kind"] == "message"] == ["Hi!", "hello"]
    await back.close()
    await visitor.close()


async def test_dismissed_invitation_still_counts_for_the_visit(backend: BackendProcess) -> None:
    agent = await connect_agent(backend)
    visitor, login = await _visitor(backend)
    invitation_id = (await _invite(agent, login["visitor_id"]))["payload"]["invitation_id"]
    await visitor.next_push("invitation")
    await visitor.send("dismiss_invitation", {"invitation_id": invitation_id})
    await visitor.ok("ping")  # answered after the dismissal was handled
    await _until_state(backend, agent, login["visitor_id"], "browsing")
    # The reload after dismissing shows no greeting, and a second invitation is still refused.
    reloaded, relogin = await _visitor(backend, login["visitor_token"])
    assert relogin["invitation"] is None
    assert (await _invite(agent, login["visitor_id"]))["payload"]["code"] == "already_invited"
    # A reply to the dismissed invitation is an ordinary message: the chat waits in the queue.
    sent = await reloaded.ok(
        "send_message", {"client_id": new_id(), "text": "later", "invitation_id": invitation_id}
    )
    snapshot = await http_get(backend, "/api/v1/snapshot", agent.token)  # type: ignore[attr-defined]
    assert snapshot["my_chats"] == []
    events = await _events(backend, agent, sent["event"]["chat_id"])
    assert [e["text"] for e in events if e["kind"] == "message"] == ["later"]
    for client in (agent, visitor, reloaded):
        await client.close()


async def test_invitation_survives_page_loads_of_the_visit(backend: BackendProcess) -> None:
    agent = await connect_agent(backend)
    visitor, login = await _visitor(backend)
    invitation_id = (await _invite(agent, login["visitor_id"], "Can I help?"))["payload"]["invitation_id"]
    await visitor.close()
    reloaded, relogin = await _visitor(backend, login["visitor_token"], "/demo/cart.html")
    assert relogin["invitation"] == {
        "invitation_id": invitation_id,
        "text": "Can I help?",
        "agent_name": "佐藤 花子",
        "agent_initials": "佐",
    }
    await agent.close()
    await reloaded.close()


async def test_another_visitors_invitation_does_not_start_a_chat_with_the_agent(
    backend: BackendProcess,
) -> None:
    backend.cli("routing", "--auto-assign", "off")
    agent = await connect_agent(backend)
    invited, login = await _visitor(backend)
    invitation_id = (await _invite(agent, login["visitor_id"]))["payload"]["invitation_id"]
    intruder, _ = await _visitor(backend)
    sent = await intruder.ok(
        "send_message", {"client_id": new_id(), "text": "mine now", "invitation_id": invitation_id}
    )
    snapshot = await http_get(backend, "/api/v1/snapshot", agent.token)  # type: ignore[attr-defined]
    assert snapshot["my_chats"] == []
    assert [c["chat_id"] for c in snapshot["queue"]] == [sent["event"]["chat_id"]]
    # The invited visitor can still reply to it.
    reply = await invited.ok(
        "send_message", {"client_id": new_id(), "text": "hi", "invitation_id": invitation_id}
    )
    await agent.next_event(kind="chat_state", state="taken", chat_id=reply["event"]["chat_id"])
    wrong = await intruder.request("dismiss_invitation", {"invitation_id": invitation_id})
    assert wrong["type"] == "err"
    assert wrong["payload"]["code"] == "not_found"
    for client in (agent, invited, intruder):
        await client.close()


async def test_writing_without_the_greeting_answers_it(backend: BackendProcess) -> None:
    """A visitor who opens a chat from the launcher while a greeting shows has answered it: it is not
    shown again after the chat, and a new invitation later in the visit is allowed."""
    backend.cli("routing", "--auto-assign", "off")
    agent = await connect_agent(backend)
    visitor, login = await _visitor(backend)
    assert (await _invite(agent, login["visitor_id"]))["type"] == "res"
    await visitor.next_push("invitation")
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "質問があります"})
    chat_id = sent["event"]["chat_id"]
    await _until_state(backend, agent, login["visitor_id"], "queued")
    await agent.ok("set_status", {"status": "accepting"})
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    reloaded, again = await _visitor(backend, login["visitor_token"], "/demo/cart.html")
    assert again["invitation"] is None
    await _until_state(backend, agent, login["visitor_id"], "browsing")
    assert (await _invite(agent, login["visitor_id"], "ほかにご質問は？"))["type"] == "res"
    for client in (agent, visitor, reloaded):
        await client.close()

"""Page push over the real sockets: only the chat's agent, only the site's own origins, and the
visitor's answer recorded as a durable event the agent sees."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.backend import BackendProcess
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id

pytestmark = pytest.mark.asyncio


@pytest.fixture
def backend(shared_backend: BackendProcess) -> BackendProcess:
    """These tests make their own visitors and agents and leave the server as it was: one backend
    serves the whole module."""
    return shared_backend


async def _chat_taken(backend: BackendProcess) -> tuple[WireClient, WireClient, str]:
    agent = await connect_agent(backend)
    await agent.ok("set_status", {"status": "accepting"})
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "どの商品がおすすめ？"})
    chat_id = sent["event"]["chat_id"]
    await visitor.next_event(kind="chat_state", state="taken")  # auto-assigned to the only agent
    return agent, visitor, chat_id


async def _transcript(backend: BackendProcess, agent: WireClient, chat_id: str) -> list[dict[str, Any]]:
    page = await http_get(backend, f"/api/v1/chats/{chat_id}/events", agent.token)  # type: ignore[attr-defined]
    events: list[dict[str, Any]] = page["events"]
    return events


async def test_push_to_the_shop_is_offered_answered_and_seen_by_the_agent(db_backend: BackendProcess) -> None:
    agent, visitor, chat_id = await _chat_taken(db_backend)
    url = f"{db_backend.url}/demo/cart.html"
    client_id = new_id()
    offered = (await agent.ok("push_page", {"chat_id": chat_id, "client_id": client_id, "url": url}))["event"]
    assert (offered["kind"], offered["state"], offered["url"]) == ("page_push", "offered", url)
    assert offered["author"]["kind"] == "agent"
    again = await agent.ok("push_page", {"chat_id": chat_id, "client_id": client_id, "url": url})
    assert again["event"]["event_id"] == offered["event_id"]

    seen = await visitor.next_event(kind="page_push")
    assert (seen["seq"], seen["url"], seen["state"]) == (offered["seq"], url, "offered")

    answer_id = new_id()
    accepted = await visitor.ok(
        "answer_page_push", {"client_id": answer_id, "seq": offered["seq"], "accept": True}
    )
    assert accepted["event"]["state"] == "accepted"
    assert accepted["event"]["offer_seq"] == offered["seq"]
    assert accepted["event"]["url"] == url
    heard = await agent.next_event(kind="page_push", state="accepted")
    assert heard["offer_seq"] == offered["seq"]
    assert heard["author"]["kind"] == "visitor"

    # Answering the same offer again (a second tab, a changed mind) returns the first answer.
    second = await visitor.ok(
        "answer_page_push", {"client_id": new_id(), "seq": offered["seq"], "accept": False}
    )
    assert second["event"]["event_id"] == accepted["event"]["event_id"]
    assert second["event"]["state"] == "accepted"

    # A declined offer is recorded as such.
    other = await agent.ok(
        "push_page", {"chat_id": chat_id, "client_id": new_id(), "url": f"{db_backend.url}/demo/index.html"}
    )
    declined = await visitor.ok(
        "answer_page_push", {"client_id": new_id(), "seq": other["event"]["seq"], "accept": False}
    )
    assert declined["event"]["state"] == "declined"
    await agent.next_event(kind="page_push", state="declined")

    pushes = [e for e in await _transcript(db_backend, agent, chat_id) if e["kind"] == "page_push"]
    assert [(e["state"], e["offer_seq"]) for e in pushes] == [
        ("offered", None),
        ("accepted", offered["seq"]),
        ("offered", None),
        ("declined", other["event"]["seq"]),
    ]
    # A reconnecting visitor gets them in its transcript too.
    replay = await visitor.ok("transcript", {"after_seq": 0})
    assert [e["state"] for e in replay["events"] if e["kind"] == "page_push"] == [
        "offered",
        "accepted",
        "offered",
        "declined",
    ]
    await agent.close()
    await visitor.close()


async def test_push_outside_the_site_is_refused_and_nothing_is_written(backend: BackendProcess) -> None:
    agent, visitor, chat_id = await _chat_taken(backend)
    host_port = backend.url.removeprefix("http://")  # 127.0.0.1:<port>
    look_alikes = [
        "//evil.example/demo/cart.html",
        f"http://{host_port.replace(':', '.evil.example:')}/demo/cart.html",  # 127.0.0.1.evil.example
        f"http://{host_port}.evil/demo/cart.html",
        f"http://{host_port}@evil.example/demo/cart.html",
        f"https://{host_port}/demo/cart.html",  # another scheme is another origin
        "javascript:alert(1)",
        "/demo/cart.html",
        f"http://{host_port}\\@evil.example/",
    ]
    before = await _transcript(backend, agent, chat_id)
    for url in look_alikes:
        refused = await agent.request("push_page", {"chat_id": chat_id, "client_id": new_id(), "url": url})
        assert refused["type"] == "err", url
        assert refused["payload"]["code"] == "page_not_allowed", url
        message = refused["payload"]["message"]
        assert message.startswith("Pages can only be pushed to this site's own addresses (")
        assert backend.url in message
    assert await _transcript(backend, agent, chat_id) == before
    await agent.close()
    await visitor.close()


async def test_only_the_agent_holding_the_chat_may_push(backend: BackendProcess) -> None:
    backend.create_agent("other@example.com", "Other", "other-password")
    agent, visitor, chat_id = await _chat_taken(backend)
    other = await connect_agent(backend, "other@example.com", "other-password")
    url = f"{backend.url}/demo/cart.html"
    refused = await other.request("push_page", {"chat_id": chat_id, "client_id": new_id(), "url": url})
    assert refused["payload"]["code"] == "forbidden"
    missing = await other.request("push_page", {"chat_id": new_id(), "client_id": new_id(), "url": url})
    assert missing["payload"]["code"] == "not_found"
    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    closed = await agent.request("push_page", {"chat_id": chat_id, "client_id": new_id(), "url": url})
    assert closed["payload"]["code"] == "forbidden"
    await other.close()
    await agent.close()
    await visitor.close()


async def test_a_visitor_cannot_answer_another_chats_offer(backend: BackendProcess) -> None:
    agent, first, chat_id = await _chat_taken(backend)
    url = f"{backend.url}/demo/cart.html"
    # Pad the chat so the offer's seq is one the second visitor's chat does not have.
    for text in ("a", "b", "c"):
        await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": text})
    offer = (await agent.ok("push_page", {"chat_id": chat_id, "client_id": new_id(), "url": url}))["event"]

    second, _ = await connect_visitor(backend)
    await second.ok("send_message", {"client_id": new_id(), "text": "hello"})
    for seq in (offer["seq"], 1, 3):  # the other chat's offer; own chat's state change and message
        refused = await second.request(
            "answer_page_push", {"client_id": new_id(), "seq": seq, "accept": True}
        )
        assert refused["type"] == "err"
        assert refused["payload"]["code"] == "not_found"
    events = await _transcript(backend, agent, chat_id)
    assert [e["state"] for e in events if e["kind"] == "page_push"] == ["offered"]
    # Without any open chat there is nothing to answer.
    third, _ = await connect_visitor(backend)
    nothing = await third.request("answer_page_push", {"client_id": new_id(), "seq": 1, "accept": True})
    assert nothing["payload"]["code"] == "chat_closed"
    for client in (agent, first, second, third):
        await client.close()

"""The hub's topics: who gets a push, a frame or a wake-up, and what a closed socket leaves behind."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from chat_backend.domain.auth import AgentIdentity
from chat_backend.realtime.hub import QUEUE, Hub, Topic
from chat_protocol import Envelope


@dataclass(eq=False)
class FakeSocket:
    agent: AgentIdentity | None = None
    visitor_id: str | None = None
    woken: int = 0
    sent: list[str] = field(default_factory=list)
    ephemeral: list[tuple[str, str | None]] = field(default_factory=list)
    closed: tuple[int, str] | None = None

    def wake(self) -> None:
        self.woken += 1

    def send(self, envelope: Envelope) -> None:
        self.sent.append(envelope.action)

    def send_ephemeral(self, envelope: Envelope, coalesce_key: str | None = None) -> None:
        self.ephemeral.append((envelope.action, coalesce_key))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


def _agent(agent_id: str, session_id: str = "s1") -> AgentIdentity:
    return AgentIdentity(agent_id=agent_id, session_id=session_id, name="", email="", role="agent")


def _push(action: str) -> Envelope:
    return Envelope.push(action, {})


def test_a_push_reaches_only_the_sockets_of_its_topic() -> None:
    hub = Hub()
    alice, alice_too, bob = FakeSocket(_agent("a")), FakeSocket(_agent("a")), FakeSocket(_agent("b"))
    visitor = FakeSocket(visitor_id="v")
    for sock in (alice, alice_too, bob, visitor):
        hub.register(sock)

    hub.push(Topic.agent("a"), _push("sneak_peek"), "peek:c")
    hub.publish(Topic.visitor("v"), _push("call_state"))
    hub.push(QUEUE, _push("visitor_presence"))

    assert alice.ephemeral == alice_too.ephemeral == [("sneak_peek", "peek:c"), ("visitor_presence", None)]
    assert bob.ephemeral == [("visitor_presence", None)]
    assert visitor.sent == ["call_state"]
    assert visitor.ephemeral == []
    assert hub.online_agents() == {"a", "b"}
    assert hub.visitor_connection_count("v") == 1
    assert set(hub.agent_connections("a")) == {alice, alice_too}


def test_watchers_of_a_chat_follow_subscribe_and_unsubscribe() -> None:
    hub = Hub()
    supervisor = FakeSocket(_agent("sup"))
    hub.register(supervisor)
    hub.subscribe(Topic.chat("c1"), supervisor)
    hub.subscribe(Topic.chat("c2"), supervisor)
    assert sorted(hub.watched_chats(supervisor)) == ["c1", "c2"]

    hub.push(Topic.chat("c1"), _push("typing"), "typing:c1")
    hub.unsubscribe(Topic.chat("c1"), supervisor)
    hub.push(Topic.chat("c1"), _push("typing"), "typing:c1")

    assert supervisor.ephemeral == [("typing", "typing:c1")]
    assert hub.watched_chats(supervisor) == ["c2"]


@pytest.mark.asyncio
async def test_a_closed_socket_leaves_every_topic_and_wakes_no_more() -> None:
    hub = Hub()
    agent, visitor = FakeSocket(_agent("a", "s9")), FakeSocket(visitor_id="v")
    hub.register(agent)
    hub.register(visitor)
    hub.subscribe(Topic.chat("c"), agent)
    hub.wake_all()  # roles or groups changed: agents only (a visitor's events never depend on them)
    hub.wake(Topic.visitor("v"))
    assert (agent.woken, visitor.woken) == (1, 1)

    await hub.close_session("s9", 4001, "logged out")
    assert agent.closed == (4001, "logged out")
    hub.unregister(agent)
    hub.wake_all()
    hub.push(QUEUE, _push("visitor_presence"))

    assert agent.woken == 1
    assert agent.ephemeral == []
    assert hub.topics_of(agent) == []
    assert hub.online_agents() == set()
    assert hub.subscribers(Topic.chat("c")) == []
    assert hub.connection_count == 1

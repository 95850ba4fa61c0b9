"""Live sockets of this node, subscribed to topics: wake-ups after commits and ephemeral pushes.

A topic names what a socket follows: `Topic.agent(id)` and `Topic.visitor(id)` (every socket of that
user), `QUEUE` (every agent socket), `Topic.chat(id)` (sockets watching the chat: supervisors, who get its
typing and sneak peek), `Topic.scope(group_id)` (supervisors of that group) and `EVERY_CHAT` (admins).
The node's event tail (`event_tail.py`) wakes the topics that may see each committed event. The hub
carries no durable data: delivery reads the event log, so a lost wake-up costs latency only.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from chat_backend.realtime.rate_limit import SocketLimits
from chat_backend.realtime.subscriber import Subscriber
from chat_backend.realtime.traffic_frames import PreparedFrame
from chat_protocol import Envelope

TopicKind = Literal["chat", "agent", "queue", "visitor", "scope"]


class Topic(NamedTuple):
    kind: TopicKind
    key: str = ""

    @classmethod
    def chat(cls, chat_id: str) -> Topic:
        return cls("chat", chat_id)

    @classmethod
    def agent(cls, agent_id: str) -> Topic:
        return cls("agent", agent_id)

    @classmethod
    def visitor(cls, visitor_id: str) -> Topic:
        return cls("visitor", visitor_id)

    @classmethod
    def scope(cls, group_id: str) -> Topic:
        """Supervisors of this group: their scope holds its members' chats and its queue."""
        return cls("scope", group_id)


QUEUE = Topic("queue")
EVERY_CHAT = Topic("scope", "*")  # admins: every chat is in their scope


class Hub:
    def __init__(self, limits: SocketLimits | None = None) -> None:
        self.limits = limits or SocketLimits()  # every per-IP, per-site and per-user limit
        self._registered: set[Subscriber] = set()
        # kind -> key -> subscribers, so "every agent" or "every visitor" never scans the other kinds.
        self._topics: dict[TopicKind, dict[str, set[Subscriber]]] = {}
        self._subscribed: dict[Subscriber, set[Topic]] = {}

    # --- subscriptions ----------------------------------------------------------------------

    def register(self, sub: Subscriber) -> None:
        """A socket logged in: it follows its user's topic (and an agent's, the queue)."""
        self._registered.add(sub)
        if sub.agent is not None:
            self.subscribe(Topic.agent(sub.agent.agent_id), sub)
            self.subscribe(QUEUE, sub)
        if sub.visitor_id is not None:
            self.subscribe(Topic.visitor(sub.visitor_id), sub)

    def unregister(self, sub: Subscriber) -> None:
        self._registered.discard(sub)
        for topic in list(self._subscribed.get(sub, ())):
            self.unsubscribe(topic, sub)

    def subscribe(self, topic: Topic, sub: Subscriber) -> None:
        self._topics.setdefault(topic.kind, {}).setdefault(topic.key, set()).add(sub)
        self._subscribed.setdefault(sub, set()).add(topic)

    def unsubscribe(self, topic: Topic, sub: Subscriber) -> None:
        keys = self._topics.get(topic.kind, {})
        subs = keys.get(topic.key)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del keys[topic.key]
        topics = self._subscribed.get(sub)
        if topics is not None:
            topics.discard(topic)
            if not topics:
                del self._subscribed[sub]

    def subscribers(self, topic: Topic) -> list[Subscriber]:
        return list(self._topics.get(topic.kind, {}).get(topic.key, ()))

    def topics_of(self, sub: Subscriber) -> list[Topic]:
        return list(self._subscribed.get(sub, ()))

    def watched_chats(self, sub: Subscriber) -> list[str]:
        """The chats this socket watches (supervision)."""
        return [topic.key for topic in self.topics_of(sub) if topic.kind == "chat"]

    # --- wake-ups and pushes ----------------------------------------------------------------

    def wake_all(self) -> None:
        """Roles, groups or accounts changed: every agent socket runs a delivery batch, which re-reads
        the agent's role, groups and account (and follows its new scope). What a visitor may see never
        depends on them, so visitor sockets are left alone: thousands of them would each read the log."""
        self.wake(QUEUE)  # every agent socket follows the queue

    def wake(self, topic: Topic) -> None:
        """Events of this topic were committed: its sockets look at the log again."""
        for sub in self.subscribers(topic):
            sub.wake()

    def push(self, topic: Topic, envelope: Envelope, coalesce_key: str | None = None) -> None:
        """An ephemeral push to the topic's sockets: coalesced by key, dropped first under load.

        To a chat's watchers: each connection checks its scope again on every delivery batch
        (`AgentConnection.read_events`), which drops a watch out of scope."""
        subs = self.subscribers(topic)
        frame = _prepared(envelope) if len(subs) > 1 else envelope
        for sub in subs:
            sub.send_ephemeral(frame, coalesce_key)

    def publish(self, topic: Topic, envelope: Envelope) -> None:
        """A frame to the topic's sockets that is not dropped under load (a call's state, an incoming
        call, an agent's status)."""
        subs = self.subscribers(topic)
        frame = _prepared(envelope) if len(subs) > 1 else envelope
        for sub in subs:
            sub.send(frame)

    def push_to_all_visitors(self, envelope: Envelope) -> None:
        frame = _prepared(envelope)
        for subs in list(self._topics.get("visitor", {}).values()):
            for sub in list(subs):
                sub.send_ephemeral(frame)

    async def close_session(self, session_id: str, code: int, reason: str) -> None:
        for sub in [s for s in self._registered if s.agent and s.agent.session_id == session_id]:
            await sub.close(code, reason)

    # --- who is here ------------------------------------------------------------------------

    @property
    def connection_count(self) -> int:
        return len(self._registered)

    def online_agents(self) -> set[str]:
        """Agents with at least one live socket on this node."""
        return set(self._topics.get("agent", {}))

    def visitor_connection_count(self, visitor_id: str) -> int:
        return len(self._topics.get("visitor", {}).get(visitor_id, ()))

    def agent_connections(self, agent_id: str) -> list[Subscriber]:
        return self.subscribers(Topic.agent(agent_id))


def _prepared(envelope: Envelope) -> Envelope:
    """The envelope serialized once for all the sockets it goes to."""
    return (
        envelope
        if isinstance(envelope, PreparedFrame)
        else PreparedFrame.of(envelope.action, envelope.dumps())
    )

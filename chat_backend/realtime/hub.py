"""Live sockets of this node, subscribed to topics: wake-ups after commits and ephemeral pushes.

A topic names what a socket follows: `Topic.agent(id)` and `Topic.visitor(id)` (every socket of that
user), `QUEUE` (every agent socket), `Topic.chat(id)` (sockets watching the chat: supervisors, who get its
typing and sneak peek). The hub carries no durable data: delivery reads the event log, so a lost wake-up
costs latency only.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from chat_backend.realtime.rate_limit import TokenBucket, prune
from chat_backend.realtime.subscriber import Subscriber
from chat_protocol import Envelope

TopicKind = Literal["chat", "agent", "queue", "visitor"]


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


QUEUE = Topic("queue")


class Hub:
    def __init__(self, connect_burst: int = 300, connect_rate: float = 30.0) -> None:
        self.connect_burst = connect_burst
        self.connect_rate = connect_rate
        self._registered: set[Subscriber] = set()
        # kind -> key -> subscribers, so "every agent" or "every visitor" never scans the other kinds.
        self._topics: dict[TopicKind, dict[str, set[Subscriber]]] = {}
        self._subscribed: dict[Subscriber, set[Topic]] = {}
        self._connect_rate: dict[str, TokenBucket] = {}
        self._mutation_rate: dict[str, TokenBucket] = {}

    # --- rate limits ------------------------------------------------------------------------

    def allow_connection(self, ip: str) -> bool:
        """New sockets per IP: bursts of 300, then 30 a second by default (a shop behind one NAT stays
        served); `Settings.connect_burst`/`connect_rate` change it."""
        prune(self._connect_rate)
        bucket = self._connect_rate.get(ip)
        if bucket is None:
            bucket = self._connect_rate[ip] = TokenBucket(self.connect_burst, self.connect_rate)
        return bucket.take() is None

    def mutation_bucket(self, user: str) -> TokenBucket:
        """Messages and chat actions per user, across all of that user's connections: a burst of 250
        (a pasted list, an outbox flushed after an outage), then 20 a second."""
        prune(self._mutation_rate)
        return self._mutation_rate.setdefault(user, TokenBucket(capacity=250, per_second=20))

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
        """A transaction with events committed: every connection looks at the log again."""
        for sub in list(self._registered):
            sub.wake()

    def wake(self, topic: Topic) -> None:
        """Events of this topic were committed: its sockets look at the log again."""
        for sub in self.subscribers(topic):
            sub.wake()

    def push(self, topic: Topic, envelope: Envelope, coalesce_key: str | None = None) -> None:
        """An ephemeral push to the topic's sockets: coalesced by key, dropped first under load.

        To a chat's watchers: each connection checks its scope again on every delivery batch
        (`AgentConnection.read_events`), which drops a watch out of scope."""
        for sub in self.subscribers(topic):
            sub.send_ephemeral(envelope, coalesce_key)

    def publish(self, topic: Topic, envelope: Envelope) -> None:
        """A frame to the topic's sockets that is not dropped under load (a call's state, an incoming
        call, an agent's status)."""
        for sub in self.subscribers(topic):
            sub.send(envelope)

    def push_to_all_visitors(self, envelope: Envelope) -> None:
        for subs in list(self._topics.get("visitor", {}).values()):
            for sub in list(subs):
                sub.send_ephemeral(envelope)

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

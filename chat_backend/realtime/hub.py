"""Live sockets of this node, subscribed to topics: wake-ups after commits and ephemeral pushes.

A topic names what a socket follows: `Topic.agent(id)` and `Topic.visitor(id)` (every socket of that
user), `QUEUE` (every agent socket), `Topic.chat(id)` (sockets watching the chat: supervisors, who get its
typing and sneak peek), `Topic.scope(group_id)` (supervisors of that group) and `EVERY_CHAT` (admins).
The node's event tail (`event_tail.py`) wakes the topics that may see each committed event. The hub
carries no durable data: delivery reads the event log, so a lost wake-up costs latency only.

With several nodes (`chat_backend.cluster`) a `ClusterLink` is attached: pushes, publishes and socket
closes go to the other nodes too, which deliver them to their own sockets (`deliver_*`), and who is
online counts every node's sockets.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, Protocol

from chat_backend.realtime.rate_limit import SocketLimits
from chat_backend.realtime.subscriber import Subscriber
from chat_backend.realtime.traffic_frames import PreparedFrame
from chat_protocol import Envelope

TopicKind = Literal["chat", "agent", "queue", "visitor", "scope", "preview"]


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
    def preview(cls, chat_id: str) -> Topic:
        """Agents watching the chat visitor's page (`chat_backend.realtime.preview_relay`)."""
        return cls("preview", chat_id)

    @classmethod
    def scope(cls, group_id: str) -> Topic:
        """Supervisors of this group: their scope holds its members' chats and its queue."""
        return cls("scope", group_id)


QUEUE = Topic("queue")
EVERY_CHAT = Topic("scope", "*")  # admins: every chat is in their scope
# The kinds of topic that pushes to other nodes name (scope topics only ever get local wake-ups).
TOPIC_KINDS: frozenset[str] = frozenset({"chat", "agent", "queue", "visitor", "preview"})
ForwardKind = Literal["push", "publish", "all_visitors"]


class ClusterLink(Protocol):
    """What the hub needs of the other nodes (`chat_backend.cluster.ClusterNode`)."""

    def forward(
        self, kind: ForwardKind, topic: Topic | None, frame: PreparedFrame, coalesce_key: str | None
    ) -> None:
        """Send a push or publish to the other nodes, which deliver it to their own sockets."""

    def forward_close(
        self,
        code: int,
        reason: str,
        *,
        agent_id: str | None,
        sessions: frozenset[str] | None,
        keep_session: str | None,
    ) -> None:
        """Close agent sockets on the other nodes too (see `Hub.close_agent_sockets`)."""

    def local_presence(self, kind: TopicKind, user_id: str, online: bool) -> None:
        """An agent or visitor got a first socket on this node, or lost the last one."""

    def remote_agents(self) -> set[str]:
        """Agents with a live socket on another node."""

    def remote_visitor_nodes(self, visitor_id: str) -> int:
        """On how many other nodes the visitor has a live socket."""


class Hub:
    def __init__(self, limits: SocketLimits | None = None) -> None:
        self.limits = limits or SocketLimits()  # every per-IP, per-site and per-user limit
        self.cluster: ClusterLink | None = None  # the other nodes, when there are (CHAT_REDIS_URL)
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
        self._presence(sub)

    def unregister(self, sub: Subscriber) -> None:
        was_registered = sub in self._registered
        self._registered.discard(sub)
        for topic in list(self._subscribed.get(sub, ())):
            self.unsubscribe(topic, sub)
        if was_registered:
            self._presence(sub)

    def _presence(self, sub: Subscriber) -> None:
        """Tell the other nodes whether the socket's user still has a socket here."""
        if self.cluster is None:
            return
        if sub.agent is not None:
            agent_id = sub.agent.agent_id
            self.cluster.local_presence("agent", agent_id, bool(self.agent_connections(agent_id)))
        if sub.visitor_id is not None:
            visitor_id = sub.visitor_id
            self.cluster.local_presence(
                "visitor", visitor_id, bool(self.subscribers(Topic.visitor(visitor_id)))
            )

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
        """An ephemeral push to the topic's sockets (on every node): coalesced by key, dropped first
        under load.

        To a chat's watchers: each connection checks its scope again on every delivery batch
        (`AgentConnection.read_events`), which drops a watch out of scope."""
        if self.cluster is not None:
            envelope = _prepared(envelope)
            self.cluster.forward("push", topic, envelope, coalesce_key)
        self.deliver_push(topic, envelope, coalesce_key)

    def publish(self, topic: Topic, envelope: Envelope, exclude: Subscriber | None = None) -> None:
        """A frame to the topic's sockets (on every node; but `exclude`) that is not dropped under
        load (a call's state, an incoming call, an agent's status)."""
        if self.cluster is not None:
            envelope = _prepared(envelope)
            self.cluster.forward("publish", topic, envelope, None)
        self.deliver_publish(topic, envelope, exclude)

    def push_to_all_visitors(self, envelope: Envelope) -> None:
        frame = _prepared(envelope)
        if self.cluster is not None:
            self.cluster.forward("all_visitors", None, frame, None)
        self.deliver_to_all_visitors(frame)

    # This node's sockets only: what `push`, `publish` and `push_to_all_visitors` do here, and what
    # the cluster calls for the other nodes' ones.

    def deliver_push(self, topic: Topic, envelope: Envelope, coalesce_key: str | None = None) -> None:
        subs = self.subscribers(topic)
        frame = _prepared(envelope) if len(subs) > 1 else envelope
        for sub in subs:
            sub.send_ephemeral(frame, coalesce_key)

    def deliver_publish(self, topic: Topic, envelope: Envelope, exclude: Subscriber | None = None) -> None:
        subs = [sub for sub in self.subscribers(topic) if sub is not exclude]
        frame = _prepared(envelope) if len(subs) > 1 else envelope
        for sub in subs:
            sub.send(frame)

    def deliver_to_all_visitors(self, envelope: Envelope) -> None:
        frame = _prepared(envelope)
        for subs in list(self._topics.get("visitor", {}).values()):
            for sub in list(subs):
                sub.send_ephemeral(frame)

    async def close_session(self, session_id: str, code: int, reason: str) -> None:
        """Close the sockets of one agent login (a logout), on every node."""
        await self.close_agent_sockets(code, reason, sessions=frozenset({session_id}))

    async def close_agent_sockets(
        self,
        code: int,
        reason: str,
        *,
        agent_id: str | None = None,
        sessions: frozenset[str] | None = None,
        keep_session: str | None = None,
    ) -> None:
        """Close agent sockets on every node: the agent's (`agent_id`), those of the logins `sessions`,
        or both narrowed together; never those of the login `keep_session`."""
        if self.cluster is not None:
            self.cluster.forward_close(
                code, reason, agent_id=agent_id, sessions=sessions, keep_session=keep_session
            )
        await self.close_local(code, reason, agent_id=agent_id, sessions=sessions, keep_session=keep_session)

    async def close_local(
        self,
        code: int,
        reason: str,
        *,
        agent_id: str | None = None,
        sessions: frozenset[str] | None = None,
        keep_session: str | None = None,
    ) -> None:
        """`close_agent_sockets` for this node's sockets."""
        candidates = self.agent_connections(agent_id) if agent_id is not None else list(self._registered)
        for sub in candidates:
            agent = sub.agent
            if agent is None or agent.session_id == keep_session:
                continue
            if sessions is not None and agent.session_id not in sessions:
                continue
            await sub.close(code, reason)

    # --- who is here ------------------------------------------------------------------------

    @property
    def connection_count(self) -> int:
        return len(self._registered)

    def online_agents(self) -> set[str]:
        """Agents with at least one live socket (on any node)."""
        local = set(self._topics.get("agent", {}))
        return local | self.cluster.remote_agents() if self.cluster is not None else local

    def agent_online(self, agent_id: str) -> bool:
        """Whether the agent has a live socket on any node."""
        if agent_id in self._topics.get("agent", {}):
            return True
        return self.cluster is not None and agent_id in self.cluster.remote_agents()

    def visitor_connection_count(self, visitor_id: str, everywhere: bool = True) -> int:
        """The visitor's live sockets on this node, plus (`everywhere`) one for every other node
        holding some."""
        local = len(self._topics.get("visitor", {}).get(visitor_id, ()))
        if everywhere and self.cluster is not None:
            return local + self.cluster.remote_visitor_nodes(visitor_id)
        return local

    def agent_connections(self, agent_id: str) -> list[Subscriber]:
        """The agent's sockets on this node."""
        return self.subscribers(Topic.agent(agent_id))


def _prepared(envelope: Envelope) -> PreparedFrame:
    """The envelope serialized once for all the sockets it goes to."""
    return (
        envelope
        if isinstance(envelope, PreparedFrame)
        else PreparedFrame.of(envelope.action, envelope.dumps())
    )

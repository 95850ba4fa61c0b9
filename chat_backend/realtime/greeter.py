"""The greeter: every `tick` seconds (and after `kick()`, e.g. a page view) it checks the enabled
greeting rules against the live rows of browsing visitors and greets the first match.

A cluster-wide job: it runs on the node holding the `greeting` lease (`chat_backend.cluster.lease`), and
each greeting's transaction is fenced by it. A visit is greeted at most once, and never when it already
had an invitation from an agent (both read from the database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from chat_backend.cluster.lease import ClusterJob, Lease
from chat_backend.db.engine import Database
from chat_backend.db.tables import GreetingRuleRow
from chat_backend.domain import greetings, invitations
from chat_backend.realtime.hub import Hub, Topic
from chat_protocol import Envelope
from chat_protocol.traffic import TrafficRow, TrafficState


class LiveTraffic(Protocol):
    """What the greeter needs of the live traffic list."""

    def rows(self) -> list[TrafficRow]: ...

    def current_visit_id(self, visitor_id: str) -> str | None: ...

    def set_invited(self, visitor_id: str, agent_id: str | None, invited: bool) -> None: ...


class Greeter:
    def __init__(
        self, db: Database, hub: Hub, traffic: LiveTraffic, tick: float = 2.0, lease: Lease | None = None
    ) -> None:
        self.db = db
        self.hub = hub
        self.traffic = traffic
        self.tick = tick
        self.lease = lease or Lease("greeting", "", single_node=True)
        self.job = ClusterJob(self.lease, self.greet_once, tick)
        self._done: set[str] = set()  # visits that had an invitation: never greeted (again)
        self._facts: dict[str, tuple[str, str]] = {}  # visit id -> (site id, referrer)

    def kick(self) -> None:
        self.job.kick()

    async def run(self) -> None:
        await self.job.run()

    async def greet_once(self, now: datetime | None = None) -> int:
        """One pass; returns how many visitors were greeted. The database is read for the rules, once
        per visit for its site and referrer, and for visits a rule matches."""
        visits: dict[str, TrafficRow] = {}
        for row in self.traffic.rows():
            if row.state != TrafficState.BROWSING:
                continue
            visit_id = self.traffic.current_visit_id(row.visitor_id)
            if visit_id is not None:
                visits[visit_id] = row
        self._forget_except(set(visits))
        candidates = [v for v in visits if v not in self._done]
        if not candidates:
            return 0
        async with self.db.read() as session:
            rules = await greetings.rules(session, enabled_only=True)
            if not rules:
                return 0
            hours = await greetings.business_hours(session)
            unknown = [v for v in candidates if v not in self._facts]
            for chunk in _chunks(unknown):
                self._facts.update(await greetings.visit_facts(session, chunk))
        moment = now or datetime.now(UTC)
        matched: dict[str, GreetingRuleRow] = {}
        for visit_id in candidates:
            if visit_id in self._facts:
                site_id, referrer = self._facts[visit_id]
                rule = greetings.first_match(rules, site_id, visits[visit_id], referrer, moment, hours)
                if rule is not None:
                    matched[visit_id] = rule
        if not matched:
            return 0
        async with self.db.read() as session:
            for chunk in _chunks(list(matched)):
                self._done |= await greetings.greeted_visits(session, chunk)
        greeted = 0
        for visit_id, rule in matched.items():
            if visit_id in self._done:
                continue
            self._done.add(visit_id)
            visitor_id = visits[visit_id].visitor_id
            async with self.db.write() as session:
                await self.lease.check(session)
                invitation = await invitations.greet(session, rule, visitor_id, visit_id)
                push = invitations.push_of(invitation) if invitation else None
            if push is None:
                continue
            self.hub.push(Topic.visitor(visitor_id), Envelope.push("invitation", push))
            self.traffic.set_invited(visitor_id, None, True)
            greeted += 1
        return greeted

    def note_invited(self, visit_id: str) -> None:
        """An agent invited this visit: rules leave it alone."""
        self._done.add(visit_id)

    def _forget_except(self, live: set[str]) -> None:
        self._done &= live
        for visit_id in [v for v in self._facts if v not in live]:
            del self._facts[visit_id]


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    """Keep `IN (...)` lists short (SQLite caps the number of bound parameters)."""
    return [items[i : i + size] for i in range(0, len(items), size)]

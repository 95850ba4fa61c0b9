"""The live traffic list of this node: one `TrafficRow` per visitor on the site, and its watchers.

Every change bumps the node-wide `rev` and stamps the row with it. Watching agent sockets get the
changed rows (and the ids of rows gone) about every 250 ms, coalesced into `traffic` pushes of at most
`MAX_DELTA_BYTES` each; `snapshot()` is built without an await, so a snapshot plus every delta whose
`rev` is above the snapshot's is exactly the list (see `TrafficSnapshot`).

State: `left` once the router's leave grace passed without a socket, else `chatting`/`queued` from the
visitor's open chat (kept current by `sync_chats()` after every router pass), else `invited` (set by
invitations through `set_invited`), else `browsing`. Rows that left are removed after
`Settings.traffic_forget_after` seconds.

Its loop also writes when visitors were last seen. Page views past the admins' retention
(`TrafficSettings`) are purged by a cluster-wide job (`chat_backend.cluster.jobs`).

With several nodes (`chat_backend.cluster.traffic_sync`) every node holds every row: a `replica` is
attached, each flush hands it what changed here (the changed fields and live attributes of each row, so
that changes to different fields made on two nodes at once both survive), and `apply_remote` takes the
other nodes' changes like local ones, without sending them back. A row whose visitor has no socket on any
node for longer than the leave grace (the node holding it died) is marked as left.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from chat_backend.db.engine import Database
from chat_backend.db.outage import report_failure
from chat_backend.db.tables import Visitor
from chat_backend.domain import traffic, visitors
from chat_backend.domain.auth import as_utc
from chat_backend.domain.errors import DomainError
from chat_backend.domain.location import approximate_location
from chat_backend.domain.traffic import Arrival, ChatLink
from chat_backend.realtime.hub import Hub, Topic
from chat_backend.realtime.subscriber import Subscriber
from chat_backend.realtime.traffic_frames import delta_frames
from chat_backend.realtime.traffic_rows import (
    LiveRow,
    TrafficReplica,
    change_of,
    live_state,
    parse_change,
    set_live_attributes,
)
from chat_backend.settings import Settings
from chat_protocol.traffic import TrafficRow, TrafficSnapshot, TrafficState

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.25
TOUCH_INTERVAL = 2.0


def _now() -> datetime:
    return datetime.now(UTC)


class TrafficList:
    def __init__(self, db: Database, hub: Hub, settings: Settings) -> None:
        self.db = db
        self.hub = hub
        self.settings = settings
        self.rev = 0
        self._live: dict[str, LiveRow] = {}
        self._dirty: set[str] = set()
        self._removed: set[str] = set()
        self._forget: dict[str, float] = {}  # visitor id -> monotonic time to drop the left row
        self._linked: set[str] = set()  # visitors whose row shows a chat
        self._touch: dict[str, datetime] = {}  # visit id -> last seen, written in batches
        self._watchers: set[Subscriber] = set()
        self.replica: TrafficReplica | None = None  # the other nodes, when there are
        self._outgoing: dict[str, set[str]] = {}  # visitor id -> row fields changed here ("*": all)
        self._nowhere_since: dict[str, float] = {}  # visitor id -> when no node had a socket of theirs

    # --- reading ----------------------------------------------------------------------------

    def row(self, visitor_id: str) -> TrafficRow | None:
        live = self._live.get(visitor_id)
        return live.row if live else None

    def rows(self) -> list[TrafficRow]:
        return [live.row for live in self._live.values()]

    def current_visit_id(self, visitor_id: str) -> str | None:
        live = self._live.get(visitor_id)
        return live.visit_id if live else None

    def is_here(self, visitor_id: str) -> bool:
        """On the site now (a row that has not left)."""
        live = self._live.get(visitor_id)
        return live is not None and not live.left

    def snapshot(self) -> TrafficSnapshot:
        return TrafficSnapshot(rev=self.rev, rows=self.rows(), generated_at=_now())

    def snapshot_json(self) -> str:
        """`snapshot()` as JSON text from the cached rows (no await: rev and rows agree)."""
        rows = ",".join(self._text(live) for live in self._live.values())
        generated = json.dumps(_now().isoformat().replace("+00:00", "Z"))
        return f'{{"rev":{self.rev},"rows":[{rows}],"generated_at":{generated}}}'

    # --- changes from the visitor's sockets -------------------------------------------------

    def visitor_arrived(self, visitor: Visitor, arrival: Arrival, chat: ChatLink | None) -> None:
        """A visitor socket logged in (call with no await between it and the hub registration)."""
        visit = arrival.visit
        live = self._live.get(visitor.id)
        self._forget.pop(visitor.id, None)
        fields: dict[str, Any] = {
            "name": visitor.name[:100],
            "email": visitor.email[:100],
            "visit_started_at": as_utc(visit.started_at),
            "pages_viewed": visit.pages_viewed,
            "visits": max(visitor.visit_count, 1),
            "returning": visitor.visit_count > 1,
            "language": visitor.language,
            "time_zone": visitor.time_zone,
            "location": approximate_location(visitor.time_zone),
            "device_class": traffic.device_class_of(visit),
            "os": visit.os,
            "browser": visit.browser,
            "source": visit.source,
            "left_at": None,
        }
        fields["cart_value"], fields["cart_currency"] = visitors.cart_value(visitors.stored_cart(visitor))
        page = arrival.page
        same_page = live is not None and page is not None and page.url == live.row.page_url
        if (page is not None and not same_page) or live is None or live.visit_id != visit.id:
            fields.update(
                page_url=page.url if page else "",
                page_title=page.title if page else "",
                page_started_at=arrival.at,
            )
        if live is None or live.visit_id != visit.id:
            # A new visit (or a visitor back after the row was dropped): a fresh row, not invited.
            fields.update(messages_sent=arrival.messages_sent, active=True)
            row = TrafficRow(visitor_id=visitor.id, number=visitor.number, **fields)
            live = LiveRow(row, visit.id, chat=chat, last_message_event=arrival.last_message_event)
            self._live[visitor.id] = live
            self._changed(live, {}, force=True)
            return
        live.left = False
        live.chat = chat
        self._changed(live, fields)

    def page_viewed(self, visitor_id: str, url: str, title: str, pages_viewed: int) -> None:
        live = self._live.get(visitor_id)
        if live is not None:
            fields = {"page_url": url, "page_title": title, "page_started_at": _now()}
            self._changed(live, {**fields, "pages_viewed": pages_viewed})

    def identified(self, visitor: Visitor) -> None:
        """Name or e-mail changed (the site's `identify()`, a name in a message, an agent's edit)."""
        live = self._live.get(visitor.id)
        if live is not None:
            self._changed(live, {"name": visitor.name[:100], "email": visitor.email[:100]})

    def cart_changed(self, visitor_id: str, value: float, currency: str) -> None:
        live = self._live.get(visitor_id)
        if live is not None:
            self._changed(live, {"cart_value": value, "cart_currency": currency})

    def set_active(self, visitor_id: str, active: bool) -> None:
        live = self._live.get(visitor_id)
        if live is not None:
            self._changed(live, {"active": active})

    def message_sent(self, visitor_id: str, event_id: int) -> None:
        """The visitor wrote; a retried send (an older event id) is not counted twice."""
        live = self._live.get(visitor_id)
        if live is not None and event_id > live.last_message_event:
            live.last_message_event = event_id
            self._changed(live, {"messages_sent": live.row.messages_sent + 1})

    def visitor_left(self, visitor_id: str) -> None:
        """The router's leave grace passed and no socket of the visitor is open on any node (with
        several nodes every node lists every visitor: one who moved to another node stays)."""
        live = self._live.get(visitor_id)
        if live is None or live.left or self.hub.visitor_connection_count(visitor_id):
            return
        live.left = True
        now = _now()
        self._touch[live.visit_id] = now
        self._forget[visitor_id] = time.monotonic() + self.settings.traffic_forget_after
        self._changed(live, {"left_at": now})

    # --- changes from chats and invitations -------------------------------------------------

    def set_invited(self, visitor_id: str, agent_id: str | None, invited: bool) -> None:
        """An invitation is shown (`invited`, by `agent_id` or None for a greeting rule) or answered."""
        live = self._live.get(visitor_id)
        if live is not None:
            live.invited, live.invited_by = invited, agent_id if invited else None
            self._changed(live, {})

    def set_chat(self, visitor_id: str, chat: ChatLink | None) -> None:
        live = self._live.get(visitor_id)
        if live is not None and live.chat != chat:
            live.chat = chat
            self._changed(live, {})

    async def sync_chats(self) -> None:
        """Bring every row's chat state in line with the database (after each router pass)."""
        if not self._live:
            return
        async with self.db.read() as session:
            links = await traffic.chat_links(session)
        for visitor_id in self._linked | (links.keys() & self._live.keys()):
            self.set_chat(visitor_id, links.get(visitor_id))

    async def refresh(self, visitor_id: str) -> None:
        """Reload the visitor's row from the database: name, e-mail, cart, chat state and messages.

        For changes made outside the list's own hooks (an invitation answered, a chat started)."""
        live = self._live.get(visitor_id)
        if live is None:
            return
        visit_id, since = live.visit_id, live.row.visit_started_at
        async with self.db.read() as session:
            try:
                visitor = await visitors.visitor_by_id(session, visitor_id)
            except DomainError:
                return
            links = await traffic.chat_links(session, [visitor_id])
            messages, newest = await traffic.messages_in_visit(session, visitor_id, since)
        live = self._live.get(visitor_id)
        if live is None or live.visit_id != visit_id:
            return
        live.chat = links.get(visitor_id)
        live.last_message_event = max(live.last_message_event, newest)
        value, currency = visitors.cart_value(visitors.stored_cart(visitor))
        fields = {"name": visitor.name[:100], "email": visitor.email[:100], "messages_sent": messages}
        self._changed(live, {**fields, "cart_value": value, "cart_currency": currency})

    # --- bookkeeping ------------------------------------------------------------------------

    def _derived(self, live: LiveRow) -> dict[str, Any]:
        chat = live.chat
        if live.left:
            state = TrafficState.LEFT
        elif chat is not None:
            state = chat.state
        elif live.invited:
            return {"state": TrafficState.INVITED, "chat_id": None, "agent_id": live.invited_by}
        else:
            state = TrafficState.BROWSING
        return {
            "state": state,
            "chat_id": chat.chat_id if chat else None,
            "agent_id": chat.agent_id if chat else None,
        }

    def _changed(
        self, live: LiveRow, fields: dict[str, Any], force: bool = False, remote: bool = False
    ) -> None:
        fields = {**fields, **self._derived(live)}
        row = live.row
        update = {key: value for key, value in fields.items() if getattr(row, key) != value}
        visitor_id = row.visitor_id
        if live.chat is not None:
            self._linked.add(visitor_id)
        else:
            self._linked.discard(visitor_id)
        if self.replica is not None and not remote:
            pending = self._outgoing.setdefault(visitor_id, set())
            pending.update(update)
            if force:
                pending.add("*")
        if not update and not force:
            return
        self.rev += 1
        live.row = row.model_copy(update={**update, "rev": self.rev})
        live.text = None
        self._dirty.add(visitor_id)
        self._removed.discard(visitor_id)

    def _text(self, live: LiveRow) -> str:
        if live.text is None:
            live.text = live.row.model_dump_json()
        return live.text

    def _remove(self, visitor_id: str) -> None:
        if self._live.pop(visitor_id, None) is None:
            return
        self.rev += 1
        self._linked.discard(visitor_id)
        self._dirty.discard(visitor_id)
        self._removed.add(visitor_id)

    def expire(self, now: float | None = None) -> None:
        """Drop rows that left more than `traffic_forget_after` seconds ago."""
        now = time.monotonic() if now is None else now
        for visitor_id in [v for v, deadline in self._forget.items() if deadline <= now]:
            del self._forget[visitor_id]
            live = self._live.get(visitor_id)
            if live is not None and live.left:
                self._remove(visitor_id)

    # --- watchers ---------------------------------------------------------------------------

    def watch(self, conn: Subscriber, watch: bool = True) -> None:
        if watch:
            self._watchers.add(conn)
        else:
            self._watchers.discard(conn)

    def unwatch(self, conn: Subscriber) -> None:
        self._watchers.discard(conn)

    @property
    def watcher_count(self) -> int:
        return len(self._watchers)

    # --- the other nodes --------------------------------------------------------------------

    def take_changes(self) -> list[dict[str, Any]]:
        """What changed here since the last call, for the other nodes: per row its JSON, the fields
        changed (or all) and the live attributes they have not heard of yet."""
        changes = []
        for visitor_id, keys in self._outgoing.items():
            live = self._live.get(visitor_id)
            if live is None:
                continue
            state = live_state(live)
            known = live.synced or {}
            attrs = {
                key: value for key, value in state.items() if live.synced is None or known.get(key) != value
            }
            live.synced = state
            if keys or attrs:
                changes.append(change_of(live, sorted(keys) if "*" not in keys else None, attrs))
        self._outgoing.clear()
        return changes

    def owned_changes(self) -> list[dict[str, Any]]:
        """Every row of a visitor with a socket on this node, whole (for a node that joins or comes
        back after a Redis outage)."""
        return [
            change_of(live, None, live_state(live))
            for visitor_id, live in self._live.items()
            if not live.left and self.hub.subscribers(Topic.visitor(visitor_id))
        ]

    def apply_remote(self, changes: list[dict[str, Any]]) -> None:
        """Changes made on another node (`take_changes` there), applied like local ones but not sent
        back. A row this node does not hold (or of another visit) is taken whole."""
        for change in changes:
            parsed = parse_change(change)
            if parsed is None:
                log.warning("ignored a malformed traffic change from another node")
                continue
            row, visit_id, keys, attrs = parsed
            live = self._live.get(row.visitor_id)
            fresh = live is None or live.visit_id != visit_id
            if live is None or fresh:
                live = LiveRow(row, visit_id)
                self._live[row.visitor_id] = live
                keys = None
                attrs = {**dict(change.get("state") or {}), **attrs}
            self._apply_live(live, attrs)
            names = row.model_fields_set - {"rev", "visitor_id"} if keys is None else set(keys)
            fields = {
                key: getattr(row, key) for key in names if key in TrafficRow.model_fields and key != "rev"
            }
            self._changed(live, fields, force=fresh, remote=True)

    def _apply_live(self, live: LiveRow, attrs: dict[str, Any]) -> None:
        synced = dict(live.synced or live_state(live))
        visitor_id = live.row.visitor_id
        if attrs.get("left") and self.hub.visitor_connection_count(visitor_id, everywhere=False):
            # Another node saw them leave, but they are connected here (moved between nodes): here
            # they are, and the other nodes are told so with the next flush.
            del attrs["left"]
            synced["left"] = True
            self._outgoing.setdefault(visitor_id, set())
        set_live_attributes(live, attrs)
        if "left" in attrs:
            if live.left:
                self._forget.setdefault(visitor_id, time.monotonic() + self.settings.traffic_forget_after)
            else:
                self._forget.pop(visitor_id, None)
        synced.update({key: value for key, value in live_state(live).items() if key in attrs})
        live.synced = synced

    def sweep_nowhere(self, now: float | None = None) -> None:
        """With several nodes: a visitor shown here but with no socket on any node for longer than the
        leave grace has left (the node that held them died, or its leave never reached us)."""
        now = time.monotonic() if now is None else now
        grace = self.settings.visitor_leave_grace
        nowhere = {
            v for v, live in self._live.items() if not live.left and not self.hub.visitor_connection_count(v)
        }
        for visitor_id in list(self._nowhere_since):
            if visitor_id not in nowhere:
                del self._nowhere_since[visitor_id]
        for visitor_id in nowhere:
            since = self._nowhere_since.setdefault(visitor_id, now)
            if now - since >= grace:
                del self._nowhere_since[visitor_id]
                self.visitor_left(visitor_id)

    def flush(self) -> None:
        """Send what changed since the last flush to every watcher, in frames under the size cap."""
        if self.replica is not None and self._outgoing:
            self.replica.send(self.take_changes())
        if not self._dirty and not self._removed:
            return
        upserts = [self._text(self._live[v]) for v in self._dirty if v in self._live]
        removed = [json.dumps(v) for v in self._removed]
        self._dirty.clear()
        self._removed.clear()
        if not self._watchers:
            return
        frames = delta_frames(self.rev, upserts, removed)
        # Each frame gets its own, higher `rev`: the app skips a delta whose `rev` is not above the last.
        self.rev += len(frames) - 1
        for conn in list(self._watchers):
            for frame in frames:
                conn.send(frame)

    async def save_touches(self) -> None:
        if not self._touch:
            return
        seen, self._touch = self._touch, {}
        try:
            async with self.db.write() as session:
                await traffic.touch_visits(session, seen)
        except Exception as exc:
            report_failure(log, f"recording when {len(seen)} visitors left", exc)

    async def run(self) -> None:
        """Flush deltas about every 250 ms; write visits' last-seen times every 2 s."""
        last_touch = time.monotonic()
        while True:
            await asyncio.sleep(FLUSH_INTERVAL)
            try:
                self.expire()
                self.flush()
                if time.monotonic() - last_touch >= TOUCH_INTERVAL:
                    last_touch = time.monotonic()
                    if self.replica is not None:
                        self.sweep_nowhere()
                    await self.save_touches()
            except Exception as exc:
                report_failure(log, "traffic flush", exc)

    async def close(self) -> None:
        """On a clean shutdown: record when the visitors still here were last seen."""
        now = _now()
        for live in self._live.values():
            if not live.left:
                self._touch[live.visit_id] = now
        await self.save_touches()

"""The live list's replication between nodes (`TrafficList.take_changes` / `apply_remote`): two lists
exchange what changed on each, as the bus carries it between nodes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from chat_backend.domain.traffic import ChatLink
from chat_backend.realtime.hub import Hub
from chat_backend.realtime.traffic_list import TrafficList
from chat_backend.settings import Settings
from chat_protocol.traffic import TrafficRow, TrafficState


class _Outbox:
    """The bus, for one node: what it published, as JSON text (as Redis carries it)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, changes: list[dict[str, Any]]) -> None:
        self.sent.append(json.dumps(changes))


def _node() -> tuple[TrafficList, _Outbox]:
    traffic = TrafficList(None, Hub(), Settings())  # type: ignore[arg-type]  # no database needed here
    outbox = _Outbox()
    traffic.replica = outbox
    return traffic, outbox


def _deliver(source: tuple[TrafficList, _Outbox], target: TrafficList) -> None:
    traffic, outbox = source
    traffic.flush()
    for text in outbox.sent:
        target.apply_remote(json.loads(text))
    outbox.sent.clear()


def _arrival(visitor_id: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    row = TrafficRow(
        visitor_id=visitor_id,
        number=7,
        page_url="https://shop.example/",
        page_title="Home",
        visit_started_at=now,
        page_started_at=now,
    )
    state = {"left": False, "invited": False, "invited_by": None, "chat": None, "last_message_event": 0}
    return {
        "visit": "visit-1",
        "row": row.model_dump(mode="json"),
        "keys": None,
        "live": state,
        "state": state,
    }


def test_a_row_from_another_node_is_listed_and_not_sent_back() -> None:
    a, outbox_a = _node()
    a.apply_remote([_arrival("v1")])
    row = a.row("v1")
    assert row is not None
    assert row.page_title == "Home"
    assert row.rev == a.rev > 0
    a.flush()
    assert outbox_a.sent == []  # the other node's own change does not travel back


def test_changes_to_different_fields_on_two_nodes_at_once_both_survive() -> None:
    a, b = _node(), _node()
    for traffic, _ in (a, b):
        traffic.apply_remote([_arrival("v1")])
    # At the same time: the visitor's node sees a new page, the routing node links the chat.
    a[0].page_viewed("v1", "https://shop.example/cart", "Cart", 2)
    b[0].set_chat("v1", ChatLink(TrafficState.CHATTING, "chat-1", "agent-1"))
    _deliver(a, b[0])
    _deliver(b, a[0])
    for traffic, _ in (a, b):
        row = traffic.row("v1")
        assert row is not None
        assert (row.page_title, row.pages_viewed) == ("Cart", 2)
        assert (row.state, row.chat_id, row.agent_id) == (TrafficState.CHATTING, "chat-1", "agent-1")
    # A later change on the visitor's node keeps the chat the other node linked.
    a[0].set_active("v1", False)
    _deliver(a, b[0])
    row = b[0].row("v1")
    assert row is not None
    assert row.active is False
    assert row.state == TrafficState.CHATTING


def test_a_visitor_with_no_socket_on_any_node_leaves_after_the_grace() -> None:
    a, _ = _node()
    a.apply_remote([_arrival("v1")])
    grace = a.settings.visitor_leave_grace
    a.sweep_nowhere(now=100.0)
    assert a.is_here("v1")
    a.sweep_nowhere(now=100.0 + grace - 1)
    assert a.is_here("v1")
    a.sweep_nowhere(now=100.0 + grace)
    assert not a.is_here("v1")
    row = a.row("v1")
    assert row is not None
    assert row.state == TrafficState.LEFT


def test_malformed_changes_are_ignored() -> None:
    a, _ = _node()
    a.apply_remote([{"row": {"visitor_id": "v1"}}, {"visit": 1}, {}])
    assert a.rows() == []


class _Socket:
    """A visitor's live socket on the node, as the hub lists it."""

    agent = None

    def __init__(self, visitor_id: str) -> None:
        self.visitor_id = visitor_id


def test_a_leave_seen_on_another_node_is_refused_while_the_visitor_is_connected_here() -> None:
    """The visitor moved from the other node to this one: the other node's leave does not apply here,
    and the other nodes are told that the visitor is here."""
    a, outbox = _node()
    a.apply_remote([_arrival("v1")])
    a.hub.register(_Socket("v1"))  # type: ignore[arg-type]
    left = _arrival("v1")
    left.update(keys=["state"], live={"left": True})
    a.apply_remote([left])
    assert a.is_here("v1")
    a.flush()
    [sent] = [change for text in outbox.sent for change in json.loads(text)]
    assert sent["live"] == {"left": False}

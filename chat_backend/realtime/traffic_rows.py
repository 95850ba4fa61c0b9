"""A row of the live traffic list with what the list keeps beside it, and how a row's change travels
between nodes (`TrafficList.take_changes` -> the bus -> `TrafficList.apply_remote`).

A change carries the row whole (JSON), the names of the fields changed (`keys`, None for all), the live
attributes changed (`live`: left, invited, invited_by, chat, last_message_event) and all of them
(`state`, for a node that takes the row whole). Only what changed is applied on the other nodes, so
changes of different fields made on two nodes at once both survive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from chat_backend.domain.traffic import ChatLink
from chat_protocol.traffic import TrafficRow, TrafficState


@dataclass(eq=False)
class LiveRow:
    row: TrafficRow
    visit_id: str
    chat: ChatLink | None = None
    invited: bool = False
    invited_by: str | None = None
    left: bool = False
    last_message_event: int = 0
    text: str | None = None  # the row's JSON, cached until it changes
    synced: dict[str, Any] | None = None  # the live attributes as the other nodes last heard them


class TrafficReplica(Protocol):
    """The other nodes, for the list (`chat_backend.cluster.traffic_sync.TrafficSync`)."""

    def send(self, changes: list[dict[str, Any]]) -> None:
        """Publish changes of rows (`TrafficList.take_changes`), in order."""


def live_state(live: LiveRow) -> dict[str, Any]:
    chat = live.chat
    return {
        "left": live.left,
        "invited": live.invited,
        "invited_by": live.invited_by,
        "chat": [chat.state.value, chat.chat_id, chat.agent_id] if chat else None,
        "last_message_event": live.last_message_event,
    }


def change_of(live: LiveRow, keys: list[str] | None, attrs: dict[str, Any]) -> dict[str, Any]:
    row = live.row.model_dump(mode="json", exclude={"rev"})
    return {"visit": live.visit_id, "row": row, "keys": keys, "live": attrs, "state": live_state(live)}


def parse_change(
    change: dict[str, Any],
) -> tuple[TrafficRow, str, list[str] | None, dict[str, Any]] | None:
    """(row, visit id, changed keys, changed live attributes), or None when malformed."""
    try:
        row = TrafficRow.model_validate({**change["row"], "rev": 0})
        keys = change.get("keys")
        if keys is not None and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
            return None
        return row, str(change["visit"]), keys, dict(change.get("live") or {})
    except (KeyError, TypeError, ValueError):
        return None


def set_live_attributes(live: LiveRow, attrs: dict[str, Any]) -> None:
    """Set the live attributes a change carries (and only those)."""
    if "left" in attrs:
        live.left = bool(attrs["left"])
    if "invited" in attrs:
        live.invited = bool(attrs["invited"])
    if "invited_by" in attrs:
        live.invited_by = attrs["invited_by"] if isinstance(attrs["invited_by"], str) else None
    if "chat" in attrs:
        chat = attrs["chat"]
        live.chat = (
            ChatLink(TrafficState(chat[0]), str(chat[1]), chat[2] if isinstance(chat[2], str) else None)
            if isinstance(chat, list) and len(chat) == 3
            else None
        )
    if isinstance(attrs.get("last_message_event"), int):
        live.last_message_event = max(live.last_message_event, attrs["last_message_event"])

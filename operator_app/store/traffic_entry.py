"""One visitor's row as the traffic table keeps it, and the ordering helpers of that table.

`Entry` caches what a row shows and how it sorts, computed once per change; `out_of_order` finds
the fewest rows to move to restore an order.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chat_protocol.enums import TrafficState
from operator_app.store.traffic_text import (
    cart_text,
    cell,
    device_text,
    language_place_text,
    row_search_text,
    source_text,
    state_text,
    visitor_label,
)

if TYPE_CHECKING:
    from chat_protocol.traffic import TrafficRow

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICRO = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch, exactly (as `timedelta.total_seconds()` counts them)."""
    return (moment - _EPOCH) // _ONE_MICRO


class Entry:
    """A row and what the table needs of it, computed once per change."""

    __slots__ = (
        "cart",
        "exact",
        "haystack",
        "key",
        "messages",
        "number",
        "pages",
        "pre",
        "returning",
        "row",
        "score",
        "start",
        "texts",
        "vid",
    )

    def __init__(self, row: TrafficRow) -> None:
        self.row = row
        self.vid = row.visitor_id
        self.number = row.number
        self.start = micros(row.visit_started_at)
        self.texts = (
            visitor_label(row.name, row.number),
            state_text(row.state),
            cell(row.page_title) or cell(row.page_url),
            "",
            str(row.pages_viewed),
            str(row.visits),
            cart_text(row.cart_value, row.cart_currency),
            language_place_text(row.language, row.location, row.location_approximate),
            device_text(row.device_class, row.os, row.browser),
            source_text(row.source),
        )
        self.haystack = row_search_text(row) + f"\n#{row.number}"
        # The terms of `priority()` that do not move with time, added in the same order it adds them.
        pre = 0.0
        if row.state == TrafficState.QUEUED:
            pre += 1000
        elif row.state == TrafficState.CHATTING:
            pre += 100
        if row.active:
            pre += 60
        self.pre = pre
        self.messages = min(row.messages_sent, 10) * 8
        self.pages = min(row.pages_viewed, 15) * 3
        self.cart = 40 + min(row.cart_value, 100_000) ** 0.5 / 5 if row.cart_value > 0 else None
        self.returning = row.returning
        self.score = 0.0  # as shown: `priority()`, rounded
        self.exact = 0.0  # as sorted: not rounded, so equal gains in time never swap two rows
        self.key: tuple[Any, ...] = ()

    def score_at(self, now_us: int) -> float:
        """Exactly `chat_protocol.traffic.priority(row, now)`, without building datetimes; keeps the
        unrounded value in `exact`."""
        if self.row.state == TrafficState.LEFT:
            self.exact = 0.0
            return 0.0
        score = self.pre
        minutes = max(0.0, ((now_us - self.start) / 10**6) / 60)
        score += min(minutes, 30) * 2
        score += self.messages
        score += self.pages
        if self.cart is not None:
            score += self.cart
        if self.returning:
            score += 10
        self.exact = score
        return round(score, 1)


def descending_text(text: str) -> tuple[int, ...]:
    """A key whose ascending order is `text`'s descending order (the trailing 1 orders prefixes)."""
    return (*(-ord(ch) for ch in text), 1)


def entry_key(entry: Entry) -> tuple[Any, ...]:
    return entry.key


def ranges(rows: list[int]) -> list[tuple[int, int]]:
    """``[1, 2, 3, 7, 9, 10]`` -> ``[(1, 3), (7, 7), (9, 10)]`` (rows ascending, no duplicates)."""
    out: list[tuple[int, int]] = []
    for row in rows:
        if out and out[-1][1] == row - 1:
            out[-1] = (out[-1][0], row)
        else:
            out.append((row, row))
    return out


def out_of_order(keys: list[tuple[Any, ...]]) -> list[int]:
    """Positions outside one longest increasing run of `keys`: the fewest rows to move."""
    tails: list[tuple[Any, ...]] = []
    tail_at: list[int] = []
    parent = [-1] * len(keys)
    for n, key in enumerate(keys):
        at = bisect.bisect_left(tails, key)
        if at == len(tails):
            tails.append(key)
            tail_at.append(n)
        else:
            tails[at] = key
            tail_at[at] = n
        parent[n] = tail_at[at - 1] if at > 0 else -1
    keep: set[int] = set()
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        keep.add(n)
        n = parent[n]
    return [n for n in range(len(keys)) if n not in keep]

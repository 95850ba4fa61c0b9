"""Bounded integer types for anything a client sends (socket payloads, REST parameters).

An unbounded `int` accepts `10**30`, which no database column holds: the query fails deep inside the
server instead of the request being refused. Ids, cursors and sequence numbers are at most
`MAX_SAFE_INT`, the largest integer a JavaScript number (the widget, JSON in browsers) holds exactly.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

MAX_SAFE_INT = 2**53 - 1

# A non-negative id, cursor, sequence number or count: 0 <= x <= 2**53 - 1. The bounds are plain
# `annotated_types` metadata, so the type works in pydantic models and FastAPI parameters alike.
SafeInt = Annotated[int, Interval(ge=0, le=MAX_SAFE_INT)]

"""Bounded integers: every integer a client sends (socket payloads, REST query parameters and bodies)
has a range, so a huge one is refused (`invalid_payload`, HTTP 422) instead of overflowing a database
column or a timer deep inside the server.

`DbInt` fits the SQL `integer` columns (PostgreSQL's is 32-bit) that ids, cursors, seqs and event ids
are kept in; `SafeInt` is any integer JavaScript (the widget, JSON in browsers) holds exactly;
`SECONDS_DAY`/`SECONDS_WEEK` cap durations. The bounds are plain `annotated_types` metadata, so the
types work in pydantic models and FastAPI parameters alike.
"""

from typing import Annotated

from annotated_types import Interval

DB_INT_MAX = 2**31 - 1
JS_SAFE_MAX = MAX_SAFE_INT = 2**53 - 1
SECONDS_DAY = 24 * 3600
SECONDS_WEEK = 7 * SECONDS_DAY

# A non-negative id, cursor, sequence number or version: 0 <= x <= 2**31 - 1.
DbInt = Annotated[int, Interval(ge=0, le=DB_INT_MAX)]
# Any integer a JavaScript number holds exactly.
SafeInt = Annotated[int, Interval(ge=-JS_SAFE_MAX, le=JS_SAFE_MAX)]

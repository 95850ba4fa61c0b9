"""Bounded integers: every integer a client sends (REST query parameters and bodies) has a range, so a
huge one is refused with 422 instead of overflowing a database column or a timer.

`DbInt` fits the SQL `integer` columns (PostgreSQL's is 32-bit) that ids, seqs and event ids are kept
in; `SafeInt` is any integer JavaScript holds exactly; `SECONDS_DAY`/`SECONDS_WEEK` cap durations.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

DB_INT_MAX = 2**31 - 1
JS_SAFE_MAX = 2**53 - 1
SECONDS_DAY = 24 * 3600
SECONDS_WEEK = 7 * SECONDS_DAY

DbInt = Annotated[int, Field(ge=0, le=DB_INT_MAX)]
SafeInt = Annotated[int, Field(ge=-JS_SAFE_MAX, le=JS_SAFE_MAX)]

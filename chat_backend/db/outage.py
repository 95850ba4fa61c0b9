"""Failures while the database cannot be reached: expected during a PostgreSQL restart or fail-over.

They are logged as one warning per place and outage (`report_failure`), not as an error with a
traceback every time a socket asks or a job runs: an operator reading the log sees "the database is
unavailable" once, and the error count (`chat_log_errors_total`) keeps meaning "a bug".
"""

from __future__ import annotations

import logging
import time

import sqlalchemy.exc


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) says the database cannot be reached right now: refused or
    lost connections, a server shutting down or starting up, a connect timeout. Such failures are
    expected while PostgreSQL restarts; callers log them as a warning, not as a bug."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, OSError | TimeoutError):
            return True
        if type(current).__module__.startswith("asyncpg") and any(
            kind.__name__ in _ASYNCPG_UNAVAILABLE for kind in type(current).__mro__
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


# asyncpg's names for "no server to talk to" (matched by name: asyncpg is PostgreSQL's optional driver).
_ASYNCPG_UNAVAILABLE = frozenset(
    {
        "CannotConnectNowError",
        "PostgresConnectionError",
        "AdminShutdownError",
        "CrashShutdownError",
    }
)


# Seconds between two warnings of the same place while the database stays unavailable.
WARN_EVERY = 30.0
_last_warned: dict[str, float] = {}


def report_failure(log: logging.Logger, what: str, exc: BaseException) -> None:
    """Log a failed `what`: a warning (at most one per `WARN_EVERY` seconds for `what`) when the
    database is unavailable, else the error with its traceback."""
    if not database_unavailable(exc):
        log.error("%s failed", what, exc_info=exc)
        return
    now = time.monotonic()
    if now - _last_warned.get(what, -WARN_EVERY) >= WARN_EVERY:
        _last_warned[what] = now
        log.warning("%s failed: the database is unavailable (%r)", what, exc)

"""A database outage is told from a bug: one warning per place and outage, never a traceback."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy.exc

from chat_backend.db import outage
from chat_backend.db.outage import database_unavailable, report_failure


class CannotConnectNowError(Exception):
    """Stands in for asyncpg's class of that name (matched by module and name)."""


CannotConnectNowError.__module__ = "asyncpg.exceptions"


def _wrapped(cause: BaseException) -> sqlalchemy.exc.DBAPIError:
    try:
        try:
            raise cause
        except BaseException as exc:
            raise sqlalchemy.exc.OperationalError("SELECT 1", {}, exc) from exc
    except sqlalchemy.exc.DBAPIError as wrapped:
        return wrapped


def test_refused_lost_and_starting_up_databases_are_outages_and_bugs_are_not() -> None:
    assert database_unavailable(ConnectionRefusedError(111, "Connection refused"))
    assert database_unavailable(_wrapped(ConnectionResetError()))
    assert database_unavailable(_wrapped(CannotConnectNowError("the database system is starting up")))
    assert database_unavailable(TimeoutError())
    # A failed query on a live database, or a plain bug, is not an outage.
    assert not database_unavailable(_wrapped(ValueError("no such table: chats")))
    assert not database_unavailable(KeyError("chat"))


def test_an_outage_is_one_warning_per_place_and_a_bug_is_an_error_with_its_traceback(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outage, "_last_warned", {})
    log = logging.getLogger("test.outage")
    with caplog.at_level(logging.DEBUG, logger="test.outage"):
        for _ in range(50):
            report_failure(log, "routing pass", ConnectionRefusedError(111, "Connection refused"))
        report_failure(log, "traffic flush", ConnectionRefusedError(111, "Connection refused"))
        report_failure(log, "routing pass", KeyError("chat"))
    records = [(r.levelname, r.getMessage()[:40], r.exc_info is not None) for r in caplog.records]
    assert records == [
        ("WARNING", "routing pass failed: the database is una", False),
        ("WARNING", "traffic flush failed: the database is un", False),
        ("ERROR", "routing pass failed", True),
    ]

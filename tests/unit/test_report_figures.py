"""The pure parts of reports: median and 90th percentile as documented, the figures of a set of chats,
and hours and weekdays counted per quarter of an hour exactly as instant by instant, in zones with
half-hour offsets and daylight-saving changes."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from chat_backend.domain.reports import LocalClock, durations, figures_of


def test_median_and_nearest_rank_percentile() -> None:
    assert durations([]).model_dump() == {"count": 0, "median": None, "p90": None}
    assert durations([5.0]).model_dump() == {"count": 1, "median": 5.0, "p90": 5.0}
    assert durations([30.0, 120.0, 60.0]).model_dump() == {"count": 3, "median": 60.0, "p90": 120.0}
    assert durations([1.0, 2.0, 3.0, 4.0]).median == 2.5
    ten = [float(n) for n in range(1, 11)]
    assert durations(ten).p90 == 9.0  # 9 of 10 values are at most 9
    assert durations([*ten, 11.0]).p90 == 10.0  # ceil(9.9) = 10th value


def test_figures_of_a_few_chats() -> None:
    rows = [
        # site, group, agent, created, closed, first visitor, first agent, rating, call
        ("s", None, "a", 0.0, 600.0, 0.0, 30.0, "good", True),
        ("s", None, "a", 0.0, 300.0, 10.0, 130.0, "bad", False),
        ("s", "g", None, 0.0, 900.0, 0.0, None, None, False),
        ("s", None, "b", 0.0, 1200.0, None, 60.0, "good", False),  # the agent wrote first
    ]
    figures = figures_of(rows)
    assert (figures.chats, figures.missed, figures.good, figures.bad, figures.calls) == (4, 1, 2, 1, 1)
    assert figures.first_response.model_dump() == {"count": 2, "median": 75.0, "p90": 120.0}
    assert figures.duration.median == 750.0
    assert figures.good_share == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "zone", ["UTC", "Asia/Tokyo", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Asia/Kathmandu"]
)
def test_hours_counted_per_quarter_are_the_exact_hours(zone: str) -> None:
    where = ZoneInfo(zone)
    rng = random.Random(zone)
    start = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    instants = [start + rng.uniform(0, 366 * 86400) for _ in range(20_000)]
    # and every minute around each change of offset in the year
    for day in range(366):
        midnight = start + day * 86400
        if where.utcoffset(datetime.fromtimestamp(midnight, UTC)) != where.utcoffset(
            datetime.fromtimestamp(midnight + 86400, UTC)
        ):
            instants += [midnight + minute * 60 + 7 for minute in range(24 * 60)]
    hours, weekdays = [0] * 24, [0] * 7
    for epoch in instants:
        local = datetime.fromtimestamp(epoch, where)
        hours[local.hour] += 1
        weekdays[local.weekday()] += 1
    assert LocalClock(where).count(instants) == (hours, weekdays)


def test_an_offset_of_odd_seconds_is_counted_instant_by_instant() -> None:
    """Monrovia was 44 minutes 30 seconds behind UTC until 1972: no quarter of an hour is steady."""
    where = ZoneInfo("Africa/Monrovia")
    start = datetime(1971, 6, 1, tzinfo=UTC).timestamp()
    instants = [start + n * 61.0 for n in range(5000)]
    hours = [0] * 24
    for epoch in instants:
        hours[datetime.fromtimestamp(epoch, where).hour] += 1
    assert LocalClock(where).count(instants)[0] == hours

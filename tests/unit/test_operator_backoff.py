"""Reconnect backoff of the agent socket (no server needed)."""

from __future__ import annotations

import random

from operator_app.net.realtime import backoff_delay
from operator_app.net.realtime_types import drain_reconnect_delay


def test_backoff_is_full_jitter_between_half_a_second_and_thirty() -> None:
    rng = random.Random(7)
    delays = [[backoff_delay(attempt, rng=rng) for _ in range(200)] for attempt in range(12)]
    assert all(0.5 <= d <= 30.0 for row in delays for d in row)
    assert max(delays[0]) == 0.5
    assert max(delays[3]) <= 4.0
    assert max(delays[11]) > 20.0
    assert min(delays[11]) < 10.0


def test_after_a_node_going_away_the_delay_is_spread_over_two_seconds() -> None:
    rng = random.Random(7)
    delays = [drain_reconnect_delay(rng=rng) for _ in range(500)]
    assert all(0.0 <= d <= 2.0 for d in delays)
    assert min(delays) < 0.1
    assert max(delays) > 1.9
    assert 0.8 < sum(delays) / len(delays) < 1.2

"""Reconnect backoff of the agent socket (no server needed)."""

from __future__ import annotations

import random

from operator_app.net.realtime import backoff_delay


def test_backoff_is_full_jitter_between_half_a_second_and_thirty() -> None:
    rng = random.Random(7)
    delays = [[backoff_delay(attempt, rng=rng) for _ in range(200)] for attempt in range(12)]
    assert all(0.5 <= d <= 30.0 for row in delays for d in row)
    assert max(delays[0]) == 0.5
    assert max(delays[3]) <= 4.0
    assert max(delays[11]) > 20.0
    assert min(delays[11]) < 10.0

"""Rate limits (protocol rule 11): token buckets for connections per IP and mutations per user."""

from __future__ import annotations

import time


class TokenBucket:
    """`capacity` at once, refilled at `per_second`."""

    def __init__(self, capacity: float, per_second: float) -> None:
        self.capacity = capacity
        self.rate = per_second
        self.tokens = capacity
        self.stamp = time.monotonic()

    def is_full(self) -> bool:
        return self.tokens + (time.monotonic() - self.stamp) * self.rate >= self.capacity

    def take(self) -> float | None:
        """None if allowed, else the seconds to wait."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate


def prune(buckets: dict[str, TokenBucket], limit: int = 10_000) -> None:
    """Forget buckets that have refilled completely, so the maps stay small on a long-running node."""
    if len(buckets) > limit:
        for key in [k for k, bucket in buckets.items() if bucket.is_full()]:
            del buckets[key]

"""Failed logins and password changes, counted in this node's memory: every limit on them is here.

Failures within `window` seconds count three ways:
- per IP and account: `pair_failures` lock that pair (someone guessing one account from one place);
- per IP, over all accounts: `ip_failures` throttle the IP (one place guessing many accounts);
- per account, from anywhere: past `account_failures`, attempts on it from IPs that have failed take
  turns, one every `account_interval` seconds (many places guessing one account). An IP with no failure
  is never slowed, so a stranger can slow an account down but never lock its owner out.
IPv6 clients count by /64 (`net.limit_key`). Every map is bounded: old entries are forgotten first.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from chat_backend.domain.errors import DomainError
from chat_backend.net import limit_key
from chat_protocol import ErrorCode

_MAX_KEYS = 100_000


@dataclass(frozen=True)
class LoginPolicy:
    window: float = 300.0
    pair_failures: int = 10
    ip_failures: int = 30
    account_failures: int = 10
    account_interval: float = 2.0


def _limited(retry_after: float) -> DomainError:
    return DomainError(
        ErrorCode.RATE_LIMITED, "Too many failed logins. Try again later.", retry_after=max(retry_after, 0.1)
    )


class _Failures:
    """The latest `limit` failure times per key, within `window`."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = max(1, limit)
        self.window = window
        self._times: dict[Hashable, deque[float]] = {}

    def count(self, key: Hashable, now: float) -> int:
        times = self._times.get(key)
        if times is None:
            return 0
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._times[key]
            return 0
        return len(times)

    def retry_after(self, key: Hashable, now: float) -> float | None:
        """Seconds until the key is under its limit again; None if it is under it now."""
        if self.count(key, now) < self.limit:
            return None
        return self._times[key][0] + self.window - now

    def add(self, key: Hashable, now: float) -> None:
        times = self._times.pop(key, None) or deque(maxlen=self.limit)
        times.append(now)
        self._times[key] = times  # re-inserted: the dict stays in order of the latest failure
        if len(self._times) > _MAX_KEYS:
            self._forget(now)

    def clear(self, key: Hashable) -> None:
        self._times.pop(key, None)

    def _forget(self, now: float) -> None:
        for key in [k for k, times in self._times.items() if times[-1] <= now - self.window]:
            del self._times[key]
        while len(self._times) > _MAX_KEYS:  # the least recently failing keys go first
            del self._times[next(iter(self._times))]


class LoginLimits:
    """Checks before a password is verified, and the bookkeeping after."""

    def __init__(self, policy: LoginPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self.clock = clock
        self._pairs = _Failures(policy.pair_failures, policy.window)
        self._ips = _Failures(policy.ip_failures, policy.window)
        self._accounts = _Failures(policy.account_failures, policy.window)
        self._turns: dict[str, float] = {}  # account -> when an IP that failed may try it next
        self._changes = _Failures(policy.pair_failures, policy.window)

    def check_login(self, ip: str, account: str) -> None:
        """DomainError `rate_limited` (with retry_after) if this attempt must not be checked now."""
        now, ip = self.clock(), limit_key(ip)
        for failures, key in ((self._pairs, (ip, account)), (self._ips, ip)):
            retry = failures.retry_after(key, now)
            if retry is not None:
                raise _limited(retry)
        if self._accounts.retry_after(account, now) is not None and self._ips.count(ip, now):
            turn = self._turns.get(account, 0.0)
            if now < turn:
                raise _limited(turn - now)
            self._turns[account] = now + self.policy.account_interval
            if len(self._turns) > _MAX_KEYS:
                self._turns = {k: t for k, t in self._turns.items() if t > now}

    def login_failed(self, ip: str, account: str) -> None:
        now, ip = self.clock(), limit_key(ip)
        self._pairs.add((ip, account), now)
        self._ips.add(ip, now)
        self._accounts.add(account, now)

    def login_succeeded(self, ip: str, account: str) -> None:
        """Only this pair starts afresh: the IP's failures on other accounts and the account's failures
        from other IPs still count."""
        self._pairs.clear((limit_key(ip), account))

    def check_password_change(self, agent_id: str) -> None:
        retry = self._changes.retry_after(agent_id, self.clock())
        if retry is not None:
            raise _limited(retry)

    def password_change_failed(self, agent_id: str) -> None:
        self._changes.add(agent_id, self.clock())

    def password_change_succeeded(self, agent_id: str) -> None:
        self._changes.clear(agent_id)

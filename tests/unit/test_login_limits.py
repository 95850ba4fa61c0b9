"""Failed-login limits per IP and account, per IP and per account, on a fake clock."""

from __future__ import annotations

import pytest

from chat_backend.domain.errors import DomainError
from chat_backend.domain.login_limits import LoginLimits, LoginPolicy
from chat_protocol import ErrorCode

POLICY = LoginPolicy(
    window=300.0, pair_failures=10, ip_failures=30, account_failures=10, account_interval=2.0
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused(limits: LoginLimits, ip: str, account: str) -> float | None:
    """The retry_after of a refusal, or None if the attempt may go ahead."""
    try:
        limits.check_login(ip, account)
    except DomainError as exc:
        refusal = exc
    else:
        return None
    assert refusal.code == ErrorCode.RATE_LIMITED
    assert refusal.retry_after is not None
    return refusal.retry_after


def fail(limits: LoginLimits, ip: str, account: str, times: int) -> None:
    for _ in range(times):
        assert refused(limits, ip, account) is None
        limits.login_failed(ip, account)


def test_ten_failures_lock_the_pair_only_until_the_window_passes() -> None:
    clock = Clock()
    limits = LoginLimits(POLICY, clock)
    fail(limits, "198.51.100.7", "ann@example.com", 10)
    assert refused(limits, "198.51.100.7", "ann@example.com") == pytest.approx(300.0)
    # The same IP on another account, and another IP on this account, are not locked.
    assert refused(limits, "198.51.100.7", "bob@example.com") is None
    assert refused(limits, "203.0.113.9", "ann@example.com") is None
    clock.now += 300.5
    assert refused(limits, "198.51.100.7", "ann@example.com") is None


def test_an_ip_failing_on_many_accounts_is_throttled_on_every_account() -> None:
    limits = LoginLimits(POLICY, Clock())
    for n in range(30):
        fail(limits, "198.51.100.7", f"user{n}@example.com", 1)
    assert refused(limits, "198.51.100.7", "someone-else@example.com") is not None
    assert refused(limits, "203.0.113.9", "someone-else@example.com") is None


def test_an_account_attacked_from_many_ips_is_slowed_but_its_owner_still_gets_in() -> None:
    clock = Clock()
    limits = LoginLimits(POLICY, clock)
    for n in range(40):  # forty IPs, one guess each: no pair and no IP reaches its own limit
        fail(limits, f"198.51.100.{n}", "ann@example.com", 1)
    # The attackers now take turns: one attempt every 2 s, whichever of them asks.
    assert refused(limits, "198.51.100.1", "ann@example.com") is None
    assert refused(limits, "198.51.100.2", "ann@example.com") == pytest.approx(2.0)
    assert refused(limits, "198.51.100.3", "ann@example.com") is not None
    # The owner, from an IP that has not failed, goes straight through every time.
    for _ in range(5):
        assert refused(limits, "203.0.113.50", "ann@example.com") is None
    clock.now += 2.0
    assert refused(limits, "198.51.100.2", "ann@example.com") is None


def test_a_success_clears_only_its_own_pair() -> None:
    limits = LoginLimits(LoginPolicy(pair_failures=10, ip_failures=15, account_failures=100), Clock())
    fail(limits, "198.51.100.7", "ann@example.com", 9)
    limits.login_succeeded("198.51.100.7", "ann@example.com")
    fail(limits, "198.51.100.7", "ann@example.com", 5)
    assert refused(limits, "198.51.100.7", "ann@example.com") is None
    limits.login_failed("198.51.100.7", "ann@example.com")
    # The pair has 6 failures now, but the IP's 15 still count: it is throttled.
    assert refused(limits, "198.51.100.7", "ann@example.com") is not None


def test_ipv6_clients_count_by_their_slash_64() -> None:
    limits = LoginLimits(POLICY, Clock())
    for n in range(10):
        fail(limits, f"2001:db8:1:2::{n + 1:x}", "ann@example.com", 1)
    assert refused(limits, "2001:db8:1:2:ffff::1", "ann@example.com") is not None
    assert refused(limits, "2001:db8:1:3::1", "ann@example.com") is None


def test_wrong_current_passwords_lock_password_changes_of_that_agent() -> None:
    limits = LoginLimits(POLICY, Clock())
    for _ in range(10):
        limits.check_password_change("agent-1")
        limits.password_change_failed("agent-1")
    with pytest.raises(DomainError):
        limits.check_password_change("agent-1")
    limits.check_password_change("agent-2")

"""Every limit of this node's sockets, in one place (protocol rule 11): new and open sockets per IP,
visitor sockets per site, frames per user, new chats, offline messages and e-mailed transcripts per IP
and per site.

They count in this node's memory, except new chats, offline messages and transcript mails with several
nodes: those count
in a `SharedBuckets` store (Redis, `chat_backend.cluster.limits`) so that a client spreading its requests
over the nodes gets no more than from one; while the store is unreachable they count per node again."""

from __future__ import annotations

import time
from collections import Counter
from typing import Protocol

from chat_backend.settings import Settings

# (name of the bucket, capacity, refill per second)
SharedBucket = tuple[str, float, float]


class SharedBucketsDown(Exception):
    """The shared store cannot be asked now: count on this node."""


class SharedBuckets(Protocol):
    async def take_all(self, buckets: list[SharedBucket], cost: float = 1) -> float | None:
        """`take_all` over buckets shared by every node; raises `SharedBucketsDown`."""


class TokenBucket:
    """`capacity` at once, refilled at `per_second`."""

    def __init__(self, capacity: float, per_second: float) -> None:
        self.capacity = capacity
        self.rate = per_second
        self.tokens = capacity
        self.stamp = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def is_full(self) -> bool:
        return self.tokens + (time.monotonic() - self.stamp) * self.rate >= self.capacity

    def wait(self, cost: float = 1) -> float | None:
        """None if `cost` tokens are there now, else the seconds until they are (nothing taken)."""
        self._refill()
        cost = min(cost, self.capacity)  # a cost above the burst would never pass
        if self.tokens >= cost:
            return None
        return (cost - self.tokens) / self.rate if self.rate > 0 else 3600.0

    def take(self, cost: float = 1) -> float | None:
        """None if allowed (the tokens are taken), else the seconds to wait."""
        wait = self.wait(cost)
        if wait is None:
            self.tokens -= min(cost, self.capacity)
        return wait


def take_all(buckets: list[TokenBucket], cost: float = 1) -> float | None:
    """Take `cost` from every bucket, or from none: None if allowed, else the longest wait."""
    waits = [wait for bucket in buckets if (wait := bucket.wait(cost)) is not None]
    if waits:
        return max(waits)
    for bucket in buckets:
        bucket.take(cost)
    return None


def prune(buckets: dict[str, TokenBucket], limit: int = 10_000) -> None:
    """Forget buckets that have refilled completely, so the maps stay small on a long-running node."""
    if len(buckets) > limit:
        for key in [k for k, bucket in buckets.items() if bucket.is_full()]:
            del buckets[key]


class _Buckets:
    """One token bucket per key, all with the same burst and rate."""

    def __init__(self, burst: float, per_second: float) -> None:
        self.burst = burst
        self.per_second = per_second
        self._buckets: dict[str, TokenBucket] = {}

    def __call__(self, key: str) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            prune(self._buckets)
            bucket = self._buckets[key] = TokenBucket(self.burst, self.per_second)
        return bucket


class SocketLimits:
    """The limits of `Settings` (their block "Socket limits"), applied by the sockets of this node."""

    def __init__(self, settings: Settings | None = None) -> None:
        s = settings or Settings()
        self.max_sockets_per_ip = s.max_sockets_per_ip
        self.max_visitor_sockets_per_site = s.max_visitor_sockets_per_site
        self.coalesce_writes_every = s.coalesce_writes_every  # presence and read marks (`CoalescedWrites`)
        self._connects = _Buckets(s.connect_burst, s.connect_rate)
        self._frames = _Buckets(s.frame_burst, s.frame_rate)
        self._new_chats_ip = _Buckets(s.new_chats_per_ip_burst, s.new_chats_per_ip_per_minute / 60)
        self._new_chats_site = _Buckets(s.new_chats_per_site_burst, s.new_chats_per_site_per_minute / 60)
        self._offline_ip = _Buckets(
            s.offline_messages_per_ip_burst, s.offline_messages_per_ip_per_minute / 60
        )
        self._offline_site = _Buckets(
            s.offline_messages_per_site_burst, s.offline_messages_per_site_per_minute / 60
        )
        self._transcript_ip = _Buckets(
            s.transcript_mails_per_ip_burst, s.transcript_mails_per_ip_per_minute / 60
        )
        self._transcript_site = _Buckets(
            s.transcript_mails_per_site_burst, s.transcript_mails_per_site_per_minute / 60
        )
        self._uploads_user = _Buckets(s.uploads_per_visitor_burst, s.uploads_per_visitor_per_minute / 60)
        self._uploads_ip = _Buckets(s.uploads_per_ip_burst, s.uploads_per_ip_per_minute / 60)
        self._open_per_ip: Counter[str] = Counter()
        self._visitors_per_site: Counter[str] = Counter()
        self.shared: SharedBuckets | None = None  # with several nodes (CHAT_REDIS_URL)

    # --- sockets ------------------------------------------------------------------------------

    def open_socket(self, ip: str) -> str | None:
        """Count a new socket from `ip`, or the reason to refuse it: too many open at once from there,
        or too many new ones lately (bursts of 300, then 30 a second by default)."""
        if self._open_per_ip[ip] >= self.max_sockets_per_ip:
            return "too many sockets from this address"
        if self._connects(ip).take() is not None:
            return "too many new connections from this address"
        self._open_per_ip[ip] += 1
        return None

    def close_socket(self, ip: str) -> None:
        _decrement(self._open_per_ip, ip)

    def sockets_from(self, ip: str) -> int:
        return self._open_per_ip[ip]

    def join_site(self, site_id: str) -> bool:
        """Count a visitor socket logging in to the site, unless the site has its maximum already."""
        if self._visitors_per_site[site_id] >= self.max_visitor_sockets_per_site:
            return False
        self._visitors_per_site[site_id] += 1
        return True

    def leave_site(self, site_id: str) -> None:
        _decrement(self._visitors_per_site, site_id)

    # --- frames and what they create ----------------------------------------------------------

    def charge(self, user: str, cost: float) -> float | None:
        """Take a frame's cost from the user's budget (all their sockets): None, or seconds to wait."""
        return self._frames(user).take(cost)

    def new_chat(self, ip: str, site_id: str) -> float | None:
        """A visitor opens a chat: None, or the seconds to wait (per IP and per site)."""
        return take_all([self._new_chats_ip(ip), self._new_chats_site(site_id)])

    def offline_message(self, ip: str, site_id: str) -> float | None:
        """A visitor leaves an offline message: None, or the seconds to wait (per IP and per site)."""
        return take_all([self._offline_ip(ip), self._offline_site(site_id)])

    def transcript_mail(self, ip: str, site_id: str) -> float | None:
        """A visitor has a chat transcript e-mailed: None, or the seconds to wait (per IP and per site)."""
        return take_all([self._transcript_ip(ip), self._transcript_site(site_id)])

    def upload(self, user: str, ip: str) -> float | None:
        """A file is sent (`user`: `visitor:<id>` or `agent:<id>`): None, or the seconds to wait (per
        sender and per IP)."""
        return take_all([self._uploads_user(user), self._uploads_ip(ip)])

    # The same, counted across the nodes when they share a store.

    async def new_chat_everywhere(self, ip: str, site_id: str) -> float | None:
        shared = [
            _shared("new-chat-ip", ip, self._new_chats_ip),
            _shared("new-chat-site", site_id, self._new_chats_site),
        ]
        return await self._take_shared(shared) if self.shared else self.new_chat(ip, site_id)

    async def offline_message_everywhere(self, ip: str, site_id: str) -> float | None:
        shared = [
            _shared("offline-ip", ip, self._offline_ip),
            _shared("offline-site", site_id, self._offline_site),
        ]
        return await self._take_shared(shared) if self.shared else self.offline_message(ip, site_id)

    async def transcript_mail_everywhere(self, ip: str, site_id: str) -> float | None:
        shared = [
            _shared("transcript-ip", ip, self._transcript_ip),
            _shared("transcript-site", site_id, self._transcript_site),
        ]
        return await self._take_shared(shared) if self.shared else self.transcript_mail(ip, site_id)

    async def upload_everywhere(self, user: str, ip: str) -> float | None:
        shared = [
            _shared("upload-user", user, self._uploads_user),
            _shared("upload-ip", ip, self._uploads_ip),
        ]
        return await self._take_shared(shared) if self.shared else self.upload(user, ip)

    async def _take_shared(self, buckets: list[tuple[SharedBucket, TokenBucket]]) -> float | None:
        assert self.shared is not None
        try:
            return await self.shared.take_all([bucket for bucket, _local in buckets])
        except SharedBucketsDown:
            return take_all([local for _bucket, local in buckets])


def _shared(name: str, key: str, buckets: _Buckets) -> tuple[SharedBucket, TokenBucket]:
    """A bucket in the shared store, and its counterpart on this node (used while the store is down)."""
    return (f"{name}:{key}", buckets.burst, buckets.per_second), buckets(key)


def _decrement(counter: Counter[str], key: str) -> None:
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]

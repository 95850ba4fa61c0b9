"""The client's IP: X-Forwarded-For is believed only from a trusted proxy, and only its right-most hop
that is not a proxy."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from chat_backend.net import TrustedProxyHeaders, client_ip, limit_key, parse_networks

PROXIES = parse_networks(["10.0.0.0/8", "192.0.2.1"])


def seen_by_app(peer: str, headers: list[tuple[bytes, bytes]], kind: str = "http") -> dict[str, Any]:
    """The scope the app gets behind `TrustedProxyHeaders`."""
    seen: dict[str, Any] = {}

    async def app(scope: Any, _receive: Any, _send: Any) -> None:
        seen.update(scope)

    scope = {"type": kind, "client": (peer, 5000), "headers": headers, "scheme": "http"}
    asyncio.run(TrustedProxyHeaders(app, PROXIES)(scope, None, None))  # type: ignore[arg-type]
    return seen


def test_forwarded_for_from_a_trusted_proxy_names_the_right_most_untrusted_hop() -> None:
    # The client claims 1.1.1.1; the edge proxy 192.0.2.1 appended the real peer, the inner proxy
    # 10.1.1.1 appended the edge proxy's address.
    headers = [(b"x-forwarded-for", b"1.1.1.1, 203.0.113.7, 192.0.2.1")]
    assert client_ip(seen_by_app("10.1.1.1", headers)) == "203.0.113.7"


def test_forwarded_for_from_any_other_peer_is_ignored() -> None:
    headers = [(b"x-forwarded-for", b"203.0.113.7"), (b"x-forwarded-proto", b"https")]
    scope = seen_by_app("198.51.100.20", headers)
    assert client_ip(scope) == "198.51.100.20"
    assert scope["scheme"] == "http"


def test_a_malformed_hop_stops_at_the_last_real_address() -> None:
    headers = [(b"x-forwarded-for", b"203.0.113.7, not-an-ip")]
    assert client_ip(seen_by_app("10.1.1.1", headers)) == "10.1.1.1"


def test_several_headers_and_the_scheme_of_a_websocket() -> None:
    headers = [
        (b"x-forwarded-for", b"203.0.113.7"),
        (b"x-forwarded-for", b"10.2.2.2"),
        (b"x-forwarded-proto", b"https"),
    ]
    scope = seen_by_app("10.1.1.1", headers, kind="websocket")
    assert client_ip(scope) == "203.0.113.7"
    assert scope["scheme"] == "wss"


def test_addresses_are_normalised_and_ipv6_is_limited_by_its_slash_64() -> None:
    assert client_ip({"client": ("::ffff:198.51.100.4", 1)}) == "198.51.100.4"
    assert client_ip({"client": ("2001:DB8::1", 1)}) == "2001:db8::1"
    assert client_ip({"client": None}) == "unknown"
    assert limit_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert limit_key("198.51.100.4") == "198.51.100.4"


def test_a_proxy_entry_that_is_no_address_stops_the_start() -> None:
    with pytest.raises(ValueError, match="proxy.example"):
        parse_networks(["10.0.0.1", "proxy.example"])

"""The client's IP address of a request or WebSocket, in one place, and the trusted reverse proxies.

Behind a reverse proxy every connection comes from the proxy. `TrustedProxyHeaders` (ASGI middleware)
replaces the peer by the client named in `X-Forwarded-For`, but only when the peer is a configured
proxy (`CHAT_TRUSTED_PROXIES`) and only with the right-most address that is not a proxy itself: every
proxy appends the address it saw, so entries left of it are whatever the client chose to send.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """`10.0.0.5`, `10.0.0.0/8`, `::1`: ValueError naming an entry that is neither address nor network."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"not an IP address or network: {entry!r}") from exc
    return tuple(networks)


def parse_address(text: str) -> IPAddress | None:
    """An address as it appears in X-Forwarded-For or a socket peer: bare, `v4:port`, `[v6]` or
    `[v6]:port`; IPv4-mapped IPv6 becomes IPv4. None if it is not one."""
    value = text.strip()
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(scope: MutableMapping[str, Any]) -> str:
    """The client's IP of this request or WebSocket (after `TrustedProxyHeaders`), normalised; `unknown`
    when the server has none (a Unix socket)."""
    client = scope.get("client")
    if not client:
        return UNKNOWN
    address = parse_address(str(client[0]))
    return str(address) if address is not None else UNKNOWN


def limit_key(ip: str) -> str:
    """What rate limits count a client under: its IPv4 address, or its IPv6 /64 (one subscriber's
    network hands out a whole /64, so single addresses would cost an attacker nothing)."""
    address = parse_address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return ip


def forwarded_client(forwarded_for: str, trusted: tuple[Network, ...], peer: IPAddress) -> IPAddress:
    """The right-most hop of `X-Forwarded-For` that is not a trusted proxy. A malformed hop ends the
    walk at the last address known to be real (the proxy that wrote it)."""
    nearest = peer
    for hop in reversed(forwarded_for.split(",")):
        address = parse_address(hop)
        if address is None:
            return nearest
        if not any(address in network for network in trusted):
            return address
        nearest = address
    return nearest


class TrustedProxyHeaders:
    """ASGI middleware: for connections from a trusted proxy, the client address and scheme it
    forwards (`X-Forwarded-For`, `X-Forwarded-Proto`); for every other peer, the headers are ignored."""

    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted:
            self._rewrite(scope)
        await self.app(scope, receive, send)

    def _rewrite(self, scope: Scope) -> None:
        client = scope.get("client")
        peer = parse_address(str(client[0])) if client else None
        if peer is None or not any(peer in network for network in self.trusted):
            return
        forwarded_for: list[str] = []
        proto = ""
        for name, value in scope["headers"]:
            if name == b"x-forwarded-for":
                forwarded_for.append(value.decode("latin-1"))
            elif name == b"x-forwarded-proto":
                proto = value.decode("latin-1").strip().lower()
        if forwarded_for:
            scope["client"] = (str(forwarded_client(",".join(forwarded_for), self.trusted, peer)), 0)
        if proto in ("http", "https"):
            scope["scheme"] = proto if scope["type"] == "http" else proto.replace("http", "ws")

"""Sites that embed the widget, and the exact origins each one allows.

The origins are read from the database for every visitor login (the `Origin` check) and every page
push, never cached, so an admin's change applies at once."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Group, Site
from chat_backend.domain import audit, authz
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.training_site import TRAINING_SITE_ID
from chat_protocol import ErrorCode
from chat_protocol.admin import SiteInfo, SiteInput
from chat_protocol.hosts import ascii_host

_DEFAULT_PORTS = {"http": 80, "https": 443}
# A DNS name or an IPv4 address as browsers put it in `Origin` (IDN hosts in their xn-- form).
_HOST = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$")


def _host_of(hostname: str) -> str:
    """The host as a browser serialises it in `Origin` (`chat_protocol.hosts`)."""
    if ":" in hostname:  # IPv6, already validated by urlsplit
        return f"[{hostname.lower()}]"
    try:
        host = ascii_host(hostname)
    except ValueError as exc:
        raise ValueError(f"not a host name: {hostname[:300]!r}") from exc
    if not _HOST.match(host):
        raise ValueError(f"not a host name: {hostname!r}")
    return host


def normalize_origin(url: str) -> str:
    """`HTTPS://Shop.Example:443/path` -> `https://shop.example`. Raises ValueError if not http(s)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        raise ValueError(f"not an http(s) origin: {url!r}")
    host = _host_of(parts.hostname)
    port = parts.port
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[parts.scheme] else "")


def origin_allowed(site: Site, origin: str | None) -> bool:
    """Exact match of the browser's Origin header against the site's list."""
    if not origin:
        return False
    try:
        return normalize_origin(origin) in site.origins
    except ValueError:
        return False


def clean_origins(origins: Sequence[str]) -> list[str]:
    """Normalised, without duplicates, sorted; `invalid_payload` naming the first one that is not an
    http(s) origin."""
    cleaned = set()
    for origin in origins:
        try:
            cleaned.add(normalize_origin(origin))
        except ValueError as exc:
            raise DomainError(
                ErrorCode.INVALID_PAYLOAD, f"Not an http(s) origin (scheme://host[:port]): {origin!r}."
            ) from exc
    return sorted(cleaned)


async def create_site(
    session: AsyncSession, name: str, origins: list[str], site_id: str | None = None
) -> Site:
    site = Site(
        id=site_id or secrets.token_urlsafe(9),
        name=name.strip(),
        origins=sorted({normalize_origin(o) for o in origins}),
    )
    session.add(site)
    await session.flush()
    return site


def embed_snippet(server_url: str, site: Site) -> str:
    base = server_url.rstrip("/")
    return f'<script src="{base}/widget.js" data-site="{site.id}" async></script>'


def site_info(server_url: str, site: Site) -> SiteInfo:
    return SiteInfo(
        site_id=site.id,
        name=site.name,
        origins=list(site.origins or []),
        default_group_id=site.default_group_id,
        preview=site.preview or "consent",
        embed_snippet=embed_snippet(server_url, site),
    )


def _dump(site: Site) -> dict[str, Any]:
    return {
        "name": site.name,
        "origins": list(site.origins or []),
        "default_group_id": site.default_group_id,
        "preview": site.preview,
    }


def _checked(body: SiteInput) -> tuple[str, list[str]]:
    name = body.name.strip()
    if not name:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "The site name is empty.")
    return name, clean_origins(body.origins)


async def _group(session: AsyncSession, group_id: str | None) -> str | None:
    if not group_id:
        return None
    if await session.get(Group, group_id) is None:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "No such group.")
    return group_id


async def list_sites(session: AsyncSession) -> list[Site]:
    """The real sites: the training site (`TRAINING_SITE_ID`) is never listed."""
    query = select(Site).where(Site.id != TRAINING_SITE_ID).order_by(Site.name, Site.id)
    return list((await session.scalars(query)).all())


async def add_site(session: AsyncSession, identity: AgentIdentity, actor: Actor, body: SiteInput) -> Site:
    authz.require_admin(actor)
    name, origins = _checked(body)
    site = await create_site(session, name, origins)
    site.default_group_id = await _group(session, body.default_group_id)
    site.preview = body.preview
    await session.flush()
    await audit.record(session, identity, "site.create", site.id, None, _dump(site))
    return site


async def update_site(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, site_id: str, body: SiteInput
) -> Site:
    """A new name and origins; visitor logins and page pushes from now on use them."""
    authz.require_admin(actor)
    site = await session.get(Site, site_id)
    if site is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such site.")
    name, origins = _checked(body)
    before = _dump(site)
    site.name, site.origins = name, origins
    site.default_group_id = await _group(session, body.default_group_id)
    site.preview = body.preview
    await session.flush()
    await audit.record(session, identity, "site.update", site.id, before, _dump(site))
    return site

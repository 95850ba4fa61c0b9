"""Sites that embed the widget, and the exact origins each one allows."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Site

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(url: str) -> str:
    """`HTTPS://Shop.Example:443/path` -> `https://shop.example`. Raises ValueError if not http(s)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        raise ValueError(f"not an http(s) origin: {url!r}")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
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

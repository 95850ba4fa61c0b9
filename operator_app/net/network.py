"""How the app reaches its server on a corporate network: the proxy and the trust store.

The caller (the launcher, the controller) passes the values of the ``proxy_url`` and ``ca_bundle``
settings in; nothing here reads a file of settings. ``proxy_url`` is "" for the system's proxy (the
environment's ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``, on Windows the registry's Internet Options,
on macOS the System Settings, all read by `urllib.request.getproxies`), "none" for a direct
connection, or ``http://user:password@host:port`` for that proxy. The REST client and the socket use
the same proxy (the socket tunnels ``wss`` through ``CONNECT``) and the same TLS context.
"""

from __future__ import annotations

import logging
import ssl
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from operator_app.errors import ApiError, ApiErrorKind

log = logging.getLogger(__name__)

PROXY_SYSTEM = ""
PROXY_NONE = "none"
MAX_PROXY_URL = 2048
PROXY_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Route:
    """How to reach one server: its TLS context (None for plain http), the proxy (None: direct) and
    the proxy's own TLS context (an ``https://`` proxy only)."""

    ssl_context: ssl.SSLContext | None
    proxy: str | None
    proxy_ssl_context: ssl.SSLContext | None


def normalize_server_url(raw: str) -> str:
    """``chat.example.com/`` -> ``https://chat.example.com``; raises `ApiError` INVALID_URL."""
    text = raw.strip()
    if not text:
        raise ApiError(ApiErrorKind.INVALID_URL, "empty server URL")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(ApiErrorKind.INVALID_URL, f"not an http(s) URL: {raw!r}")
    if parts.query or parts.fragment:
        raise ApiError(ApiErrorKind.INVALID_URL, f"a server URL has no query or fragment: {raw!r}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def make_ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The system trust store, plus the administrator's CA bundle (a PEM file) when one is set."""
    context = ssl.create_default_context()
    if ca_bundle:
        try:
            context.load_verify_locations(cafile=ca_bundle)
        except (OSError, ssl.SSLError, ValueError) as exc:
            raise ApiError(ApiErrorKind.TLS, f"cannot use the CA bundle {ca_bundle!r}: {exc}") from exc
    return context


def redact(proxy_url: str) -> str:
    """The proxy URL without its password, for logs and messages."""
    parts = urlsplit(proxy_url)
    if parts.password is None:
        return proxy_url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def validate_proxy_url(raw: str) -> str:
    """``proxy:3128`` -> ``http://proxy:3128``; raises `ApiError` PROXY for anything else."""
    text = raw.strip()
    if len(text) > MAX_PROXY_URL:
        raise ApiError(ApiErrorKind.PROXY, "the proxy URL is too long", details={"proxy": text[:80]})
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname or port == -1:
        shown = redact(text) if port != -1 else text.split("@")[-1]
        raise ApiError(
            ApiErrorKind.PROXY,
            f"not an http(s) proxy URL: {shown!r} (use http://user:password@host:port)",
            details={"proxy": shown},
        )
    return urlunsplit((parts.scheme.lower(), parts.netloc, "", "", ""))


def system_proxy(server_url: str) -> str | None:
    """The system's proxy for this server (None: direct, also for a host in the bypass list)."""
    parts = urlsplit(server_url)
    proxies = urllib.request.getproxies()
    chosen = proxies.get(parts.scheme) or proxies.get("all")
    if not chosen or not parts.hostname:
        return None
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    if urllib.request.proxy_bypass(host):
        return None
    try:
        return validate_proxy_url(chosen)
    except ApiError as exc:
        log.warning("the system's proxy is not usable (%s): connecting directly", exc.message)
        return None


def proxy_for(server_url: str, proxy_setting: str) -> str | None:
    """The proxy to reach `server_url` through under the ``proxy_url`` setting, None for direct."""
    setting = proxy_setting.strip()
    if setting.lower() == PROXY_NONE:
        return None
    if setting:
        return validate_proxy_url(setting)
    return system_proxy(server_url)


def route_to(server_url: str, *, proxy_setting: str = "", ca_bundle: str | None = None) -> Route:
    """The route to a normalized server URL: TLS only where it is spoken (the trust store costs ~25 ms)."""
    proxy = proxy_for(server_url, proxy_setting)
    server_tls = server_url.startswith("https:")
    proxy_tls = proxy is not None and proxy.startswith("https:")
    context = make_ssl_context(ca_bundle) if server_tls or proxy_tls else None
    if proxy is not None:
        log.info("connecting to %s through the proxy %s", server_url, redact(proxy))
    return Route(
        ssl_context=context if server_tls else None,
        proxy=proxy,
        proxy_ssl_context=context if proxy_tls else None,
    )


def proxy_authorization(proxy_url: str) -> str | None:
    """The ``Proxy-Authorization`` header value for a proxy URL with a user name, else None."""
    import base64

    parts = urlsplit(proxy_url)
    if parts.username is None:
        return None
    user_pass = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return "Basic " + base64.b64encode(user_pass.encode()).decode("ascii")

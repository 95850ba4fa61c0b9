"""What the network layer raises, importable by every layer (net raises them, store and ui tell the
user about them) without the ui importing the network client."""

from __future__ import annotations

from enum import StrEnum


class ApiErrorKind(StrEnum):
    """What went wrong, in the terms the user is told about."""

    INVALID_URL = "invalid_url"
    INVALID_CREDENTIALS = "invalid_credentials"
    SESSION_EXPIRED = "session_expired"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    TLS = "tls"
    PROXY = "proxy"
    OUTDATED = "outdated"
    INCOMPATIBLE = "incompatible"
    RATE_LIMITED = "rate_limited"
    HTTP = "http"
    BAD_RESPONSE = "bad_response"


class ApiError(Exception):
    """A failed REST call. `code` is the server's error code when it sent one.

    `details` carries what the user is told beyond the kind: for TLS ``subject``, ``issuer`` and
    ``reason`` of a certificate that is not trusted; for PROXY ``proxy`` (without its password);
    for OUTDATED ``min_version`` and ``download_url``.
    """

    def __init__(
        self,
        kind: ApiErrorKind,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        server_protocol: int | None = None,
        details: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.server_protocol = server_protocol
        self.details: dict[str, str] = details or {}

    def __repr__(self) -> str:
        return f"ApiError({self.kind.value!r}, {self.message!r}, status={self.status}, code={self.code})"


class RealtimeError(Exception):
    """An `err` frame answering one of our requests."""

    def __init__(self, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retry_after = retry_after


class ConnectionLost(Exception):
    """The socket is not connected, or closed before the answer came."""


class RequestTimeout(Exception):
    """No answer within the request's timeout."""


class AuthRejected(Exception):
    """The server refused our access token (login err or close code 4001)."""

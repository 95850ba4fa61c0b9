"""The one exception domain functions raise; handlers turn it into an `err` frame or an HTTP error."""

from __future__ import annotations

from chat_protocol import ErrorCode


class DomainError(Exception):
    def __init__(self, code: ErrorCode, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after

"""Failures turned into one translated sentence for the user (details go to the log, not the screen)."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

from chat_protocol import ErrorCode
from operator_app.errors import ApiError, ApiErrorKind, ConnectionLost, RealtimeError, RequestTimeout


def describe_api_error(error: ApiError) -> str:
    kind = error.kind
    if kind is ApiErrorKind.INVALID_URL:
        return QCoreApplication.translate(
            "ErrorText", "The server address is not valid. Enter it like https://chat.example.com."
        )
    if kind is ApiErrorKind.INVALID_CREDENTIALS:
        return QCoreApplication.translate("ErrorText", "Wrong e-mail address or password.")
    if kind is ApiErrorKind.SESSION_EXPIRED:
        return QCoreApplication.translate("ErrorText", "Your session has expired. Please sign in again.")
    if kind is ApiErrorKind.UNREACHABLE:
        return QCoreApplication.translate(
            "ErrorText", "Cannot reach the server. Check the address and your network connection."
        )
    if kind is ApiErrorKind.TIMEOUT:
        return QCoreApplication.translate("ErrorText", "The server did not answer in time. Please try again.")
    if kind is ApiErrorKind.TLS:
        return _tls_text(error.details)
    if kind is ApiErrorKind.PROXY:
        proxy = error.details.get("proxy", "")
        if error.status == 407:
            return QCoreApplication.translate(
                "ErrorText",
                "The proxy server %1 refused the user name or password. Check the proxy in Settings > Network or ask your administrator.",
            ).replace("%1", proxy)
        return QCoreApplication.translate(
            "ErrorText",
            "Cannot connect through the proxy server %1. Check the proxy in Settings > Network or ask your administrator.",
        ).replace("%1", proxy)
    if kind is ApiErrorKind.OUTDATED:
        text = QCoreApplication.translate(
            "ErrorText",
            "This version of the app is too old for this server: version %1 or later is required.",
        ).replace("%1", error.details.get("min_version", "?"))
        url = error.details.get("download_url", "")
        if url:
            text += " " + QCoreApplication.translate("ErrorText", "Download it from %1").replace("%1", url)
        return text
    if kind is ApiErrorKind.INCOMPATIBLE:
        if error.server_protocol is not None:
            return QCoreApplication.translate(
                "ErrorText",
                "This server uses a different version of the chat protocol. Please update the app.",
            )
        return QCoreApplication.translate(
            "ErrorText", "This address does not answer like a chat server. Check the server address."
        )
    if kind is ApiErrorKind.RATE_LIMITED:
        if error.retry_after:
            seconds = str(max(1, round(error.retry_after)))
            return QCoreApplication.translate(
                "ErrorText", "Too many attempts. Please wait %1 seconds and try again."
            ).replace("%1", seconds)
        return QCoreApplication.translate(
            "ErrorText", "Too many attempts. Please wait a moment and try again."
        )
    if kind is ApiErrorKind.BAD_RESPONSE:
        return QCoreApplication.translate(
            "ErrorText", "The server sent an answer this app does not understand."
        )
    return QCoreApplication.translate("ErrorText", "The server reported an error (HTTP %1).").replace(
        "%1", str(error.status or "?")
    )


def _fill(template: str, *values: str) -> str:
    """Qt's %1, %2 placeholders filled in one pass (a value holding "%2" stays as it is)."""
    return re.sub(
        r"%([1-9])", lambda m: values[int(m[1]) - 1] if int(m[1]) <= len(values) else m[0], template
    )


def _tls_text(details: dict[str, str]) -> str:
    """Never a silent fallback: the user reads that the certificate is not trusted, and whose it is."""
    subject, issuer = details.get("subject"), details.get("issuer")
    if subject is None:
        return QCoreApplication.translate(
            "ErrorText",
            "The secure connection to the server failed: its certificate is not trusted. Ask your administrator for the certificate authority file.",
        )
    text = _fill(
        QCoreApplication.translate(
            "ErrorText",
            "The server's certificate is not trusted: %1, issued by %2. Ask your administrator for the certificate of the authority that issued it and set it in Settings > Network (Extra certificates).",
        ),
        subject or "?",
        issuer or "?",
    )
    reason = details.get("reason")
    if reason:
        text += " (" + reason + ")"
    return text


def describe_action_error(code: str) -> str:
    """The result of a refused reply, take or close (`tag_required`: the chat needs a tag first)."""
    messages: dict[str, str] = {
        ErrorCode.CHAT_ALREADY_TAKEN: QCoreApplication.translate(
            "ErrorText", "Another operator has already taken this chat."
        ),
        ErrorCode.CHAT_CLOSED: QCoreApplication.translate("ErrorText", "This chat is already closed."),
        ErrorCode.NOT_ACCEPTING: QCoreApplication.translate(
            "ErrorText", "You are not accepting chats. Switch your status to accepting first."
        ),
        ErrorCode.FORBIDDEN: QCoreApplication.translate(
            "ErrorText", "You are not allowed to do this in this chat."
        ),
        ErrorCode.NOT_FOUND: QCoreApplication.translate("ErrorText", "This chat no longer exists."),
        ErrorCode.RATE_LIMITED: QCoreApplication.translate(
            "ErrorText", "You are sending too fast. Please wait a moment."
        ),
        ErrorCode.INVALID_PAYLOAD: QCoreApplication.translate(
            "ErrorText", "The server refused this request as invalid."
        ),
        ErrorCode.ALREADY_INVITED: QCoreApplication.translate(
            "ErrorText", "This visitor has already been invited during this visit."
        ),
        ErrorCode.PAGE_NOT_ALLOWED: QCoreApplication.translate(
            "ErrorText", "This page is not on the website's own addresses, so it cannot be sent."
        ),
        ErrorCode.BLOCKED: QCoreApplication.translate(
            "ErrorText", "This visitor is marked as spam and cannot chat."
        ),
        ErrorCode.TAG_REQUIRED: QCoreApplication.translate("ErrorText", "Tag this chat before closing it."),
    }
    return messages.get(
        code,
        QCoreApplication.translate("ErrorText", "The server refused the request (%1).").replace("%1", code),
    )


def describe_invite_error(error: BaseException) -> str:
    """A refused invitation: `not_found` means the visitor is no longer on the site."""
    if isinstance(error, RealtimeError) and error.code == ErrorCode.NOT_FOUND:
        return QCoreApplication.translate("ErrorText", "This visitor is no longer on the website.")
    return describe_error(error)


def describe_error(error: BaseException) -> str:
    if isinstance(error, ApiError):
        return describe_api_error(error)
    if isinstance(error, RealtimeError):
        return describe_action_error(error.code)
    if isinstance(error, ConnectionLost):
        return QCoreApplication.translate(
            "ErrorText", "You are offline. Please wait until the connection is back."
        )
    if isinstance(error, RequestTimeout):
        return QCoreApplication.translate("ErrorText", "The server did not answer in time. Please try again.")
    return QCoreApplication.translate("ErrorText", "Something went wrong. The details are in the log file.")


def is_expected(error: BaseException) -> bool:
    """Failures that are part of normal operation: logged without a traceback."""
    return isinstance(error, ApiError | RealtimeError | ConnectionLost | RequestTimeout)

"""A refused or failed server call as one translated sentence, with the server's own message as detail."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from chat_protocol import ErrorCode
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.ui.error_text import describe_error


def _code_text(code: str) -> str | None:
    texts: dict[str, str] = {
        ErrorCode.ALREADY_EXISTS.value: QCoreApplication.translate("AdminRefusal", "This already exists."),
        ErrorCode.FORBIDDEN.value: QCoreApplication.translate(
            "AdminRefusal", "The server refused this change."
        ),
        ErrorCode.NOT_FOUND.value: QCoreApplication.translate(
            "AdminRefusal", "This no longer exists on the server. Reload the page."
        ),
        ErrorCode.INVALID_PAYLOAD.value: QCoreApplication.translate(
            "AdminRefusal", "The server refused these values."
        ),
        ErrorCode.INVALID_CREDENTIALS.value: QCoreApplication.translate(
            "AdminRefusal", "The password is wrong."
        ),
    }
    return texts.get(code)


def refusal_text(error: BaseException) -> str:
    """ "This already exists. (Server: An agent with this e-mail exists.)"; other failures as
    `describe_error` says them."""
    if isinstance(error, ApiError) and error.code and error.kind is not ApiErrorKind.RATE_LIMITED:
        text = _code_text(error.code)
        if text is not None:
            if error.message:
                return (
                    QCoreApplication.translate("AdminRefusal", "%1 (Server: %2)")
                    .replace("%1", text)
                    .replace("%2", error.message)
                )
            return text
    if isinstance(error, ApiError) and error.kind is ApiErrorKind.HTTP and error.message:
        return (
            QCoreApplication.translate("AdminRefusal", "%1 (Server: %2)")
            .replace("%1", describe_error(error))
            .replace("%2", error.message)
        )
    return describe_error(error)

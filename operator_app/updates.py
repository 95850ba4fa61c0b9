"""Is this app older than the server's minimum, or than the latest release? (`GET /info` says.)

Versions are dotted numbers (``1.4`` or ``1.4.2``), the only form the server accepts for its settings
(`chat_protocol.versions.APP_VERSION_PATTERN`), so a small parser compares them: ``1.4 == 1.4.0 < 1.10``.
The app never replaces itself: it only says where the installer is. An administrator's
``update_url`` on the workstation wins over the server's download link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chat_protocol.versions import APP_VERSION_PATTERN
from operator_app import __version__
from operator_app.errors import ApiError, ApiErrorKind

if TYPE_CHECKING:  # without pydantic: the early sign-in checks the version before the models are imported
    from chat_protocol.rest import ServerInfo

_VERSION = re.compile(APP_VERSION_PATTERN)


def parse_version(text: str) -> tuple[int, ...] | None:
    """``"1.4.2"`` -> ``(1, 4, 2)`` without trailing zeros; None for anything else."""
    text = text.strip()
    if not _VERSION.fullmatch(text):
        return None
    numbers = [int(part) for part in text.split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def is_older(version: str, than: str) -> bool:
    """True when `version` comes before `than`; False when either is not a dotted version."""
    mine, other = parse_version(version), parse_version(than)
    return mine is not None and other is not None and mine < other


@dataclass(frozen=True)
class UpdateStatus:
    """What the server says about this app's version. Empty strings: not set."""

    current: str
    min_version: str = ""
    latest_version: str = ""
    download_url: str = ""

    @property
    def required(self) -> bool:
        """This version is below the server's minimum: it must not sign in."""
        return is_older(self.current, self.min_version)

    @property
    def available(self) -> bool:
        """A newer release than this one is published."""
        return is_older(self.current, self.latest_version)


def update_status(info: ServerInfo, *, update_url: str = "", current: str = __version__) -> UpdateStatus:
    """The status from `/info`; a workstation's `update_url` (admin policy) wins over the server's URL."""
    return UpdateStatus(
        current=current,
        min_version=info.app_min_version,
        latest_version=info.app_latest_version,
        download_url=update_url.strip() or info.app_download_url,
    )


def refuse_if_outdated(status: UpdateStatus) -> None:
    """Raise `ApiError` OUTDATED (with the minimum and the link) for a version below the minimum."""
    if status.required:
        raise ApiError(
            ApiErrorKind.OUTDATED,
            f"this app ({status.current}) is older than the server's minimum {status.min_version}",
            details={
                "current": status.current,
                "min_version": status.min_version,
                "download_url": status.download_url,
            },
        )

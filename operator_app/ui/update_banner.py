"""'Update available' in the main window's status bar, and the texts the login dialog shows about
the app's version (an update available, or a version below the server's minimum).

The app never replaces itself: these only link to where the installers are published.
Objects: ``updateBanner``.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from operator_app.updates import UpdateStatus


def _link(url: str, text: str) -> str:
    """An HTML link for an http(s) URL; any other text is shown as plain text, never as a link."""
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'
    return html.escape(url)


def update_available_html(status: UpdateStatus) -> str:
    """ "Update available (version X): Download" as rich text (the version and link escaped)."""
    text = html.escape(
        QCoreApplication.translate("UpdateBanner", "Update available (version %1)").replace(
            "%1", status.latest_version
        )
    )
    if status.download_url:
        download = QCoreApplication.translate("UpdateBanner", "Download")
        text += ": " + _link(status.download_url, download)
    return text


def update_required_html(status: UpdateStatus) -> str:
    """Why this version may not sign in, and where the new one is (rich text, escaped)."""
    text = html.escape(
        QCoreApplication.translate(
            "UpdateBanner",
            "This version of the app (%1) is too old for this server: version %2 or later is required.",
        )
        .replace("%1", status.current)
        .replace("%2", status.min_version)
    )
    if status.download_url:
        text += " " + html.escape(QCoreApplication.translate("UpdateBanner", "Install the new version from:"))
        text += " " + _link(status.download_url, status.download_url)
    else:
        text += " " + html.escape(
            QCoreApplication.translate("UpdateBanner", "Ask your administrator for the new version.")
        )
    return text


class UpdateBanner(QLabel):
    """A link in the status bar; it never blocks the work."""

    def __init__(self, status: UpdateStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("updateBanner")
        self.status = status
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.setOpenExternalLinks(True)
        self.setStyleSheet("color: #1d4ed8; padding: 0 6px;")
        self.setText(update_available_html(status))
        self.setToolTip(
            QCoreApplication.translate("UpdateBanner", "You use version %1.").replace("%1", status.current)
        )


def show_update_banner(window: QMainWindow, status: UpdateStatus | None) -> UpdateBanner | None:
    """Add the banner to the window's status bar when a newer release is published."""
    if status is None or not status.available:
        return None
    banner = UpdateBanner(status, window)
    window.statusBar().addPermanentWidget(banner)
    return banner

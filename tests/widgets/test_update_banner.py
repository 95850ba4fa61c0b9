"""The update notice: links only to http(s) addresses, everything escaped, no banner without an update."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from operator_app.ui.update_banner import (
    UpdateBanner,
    show_update_banner,
    update_available_html,
    update_required_html,
)
from operator_app.updates import UpdateStatus


def test_links_are_escaped_and_only_for_http(qtbot: QtBot) -> None:
    hostile = UpdateStatus(
        current="1.0", latest_version="2.0", download_url='https://x.example/"><img src=x onerror=alert(1)>'
    )
    text = update_available_html(hostile)
    assert text.startswith("Update available (version 2.0): <a href=")
    assert "<img" not in text
    assert "&quot;&gt;&lt;img" in text
    other = UpdateStatus(current="1.0", min_version="2.0", download_url="file:///c:/setup.exe")
    required = update_required_html(other)
    assert "<a " not in required
    assert "file:///c:/setup.exe" in required
    assert "version 2.0 or later is required" in required


def test_the_banner_shows_only_when_a_newer_release_exists(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    assert show_update_banner(window, None) is None
    assert show_update_banner(window, UpdateStatus(current="2.0", latest_version="2.0")) is None
    banner = show_update_banner(window, UpdateStatus(current="1.9", latest_version="2.0", download_url=""))
    assert isinstance(banner, UpdateBanner)
    assert banner.text() == "Update available (version 2.0)"
    assert window.statusBar().findChild(UpdateBanner, "updateBanner") is banner
    assert banner.toolTip() == "You use version 1.9."

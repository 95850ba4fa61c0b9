"""App versions against the real backend: the admin sets the minimum and latest app version and the
download link (the routing page, `PUT /settings/app-updates`); every app reads them from `GET /info`
before sign-in. Below the minimum the login dialog refuses, with the link; below the latest it says an
update is available (and so does the main window's status bar); a workstation's `update_url` wins.

One backend serves the module; each test puts the versions back as they were.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from operator_app import __version__
from operator_app.app import AppController
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.ui.admin.routing_page import RoutingPage
from operator_app.ui.login_dialog import LoginDialog
from operator_app.ui.update_banner import UpdateBanner
from tests.support.backend import BackendProcess
from tests.support.sharing import Admin, admin_of
from tests.widgets.app_harness import eventually, run
from tests.widgets.test_operator_login_dialog import sign_in_and_wait

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

DOWNLOADS = "https://downloads.example.com/operator-app/"
NONE_SET = {"app_min_version": "", "app_latest_version": "", "app_download_url": ""}


@pytest.fixture
def backend(shared_backend: BackendProcess) -> BackendProcess:
    return shared_backend


@pytest.fixture
def admin(backend: BackendProcess) -> Iterator[Admin]:
    """The backend's administrator; the versions are unset again after the test."""
    admin = admin_of(backend)
    yield admin
    admin.call("PUT", "/settings/app-updates", NONE_SET)


def _set_versions(admin: Admin, minimum: str = "", latest: str = "", url: str = DOWNLOADS) -> None:
    body = {"app_min_version": minimum, "app_latest_version": latest, "app_download_url": url}
    admin.call("PUT", "/settings/app-updates", body)


def _info(backend: BackendProcess) -> dict[str, Any]:
    info: dict[str, Any] = httpx.get(f"{backend.url}/api/v1/info", timeout=10).json()
    return info


def test_an_app_below_the_minimum_is_refused_before_sign_in_with_the_link(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, admin: Admin, controller: AppController
) -> None:
    _set_versions(admin, minimum="99.0", latest="99.2")
    assert _info(backend)["app_min_version"] == "99.0"

    async def scenario() -> LoginDialog:
        dialog = controller.show_login(server=backend.url)
        await eventually(lambda: dialog.outdated)
        return dialog

    dialog = run(qloop, scenario())
    text = dialog.update_label.text()
    assert dialog.update_label.isVisible()
    assert f"This version of the app ({__version__}) is too old for this server" in text
    assert "version 99.0 or later is required" in text
    assert f'<a href="{DOWNLOADS}">' in text
    assert dialog.update_label.openExternalLinks()
    assert not dialog.sign_in_button.isEnabled()

    # Even without the check (signed in from the command line, say) no password is sent: refused.
    with pytest.raises(ApiError) as refused:
        run(qloop, controller.login(backend.url, backend.agent_email, backend.agent_password))
    assert refused.value.kind is ApiErrorKind.OUTDATED
    assert refused.value.details["download_url"] == DOWNLOADS
    assert controller.main_window is None


def test_signing_in_below_the_minimum_is_refused_in_the_dialog(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    admin: Admin,
    controller: AppController,
    qtbot: QtBot,
) -> None:
    _set_versions(admin, minimum="99.0", url="")

    async def scenario() -> LoginDialog:
        dialog = controller.show_login(server="")
        # Typed in without leaving the field (no check yet), then Sign in.
        dialog.server_edit.setText(backend.url)
        dialog.email_edit.setText(backend.agent_email)
        dialog.password_edit.setText(backend.agent_password)
        await sign_in_and_wait(qtbot, dialog)
        return dialog

    dialog = run(qloop, scenario())
    assert dialog.outdated
    assert not dialog.sign_in_button.isEnabled()
    assert "version 99.0 or later is required" in dialog.update_label.text()
    assert "Ask your administrator for the new version." in dialog.update_label.text()
    assert controller.main_window is None
    # Another server may accept this version: editing the address enables signing in again.
    qtbot.keyClick(dialog.server_edit, Qt.Key.Key_Backspace)
    assert dialog.sign_in_button.isEnabled()
    assert not dialog.outdated


def test_an_update_available_is_shown_in_the_login_dialog_and_the_main_window(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, admin: Admin, controller: AppController
) -> None:
    _set_versions(admin, latest="99.1")

    async def scenario() -> LoginDialog:
        dialog = controller.show_login(server=backend.url)
        await eventually(lambda: dialog.update_label.isVisible())
        return dialog

    dialog = run(qloop, scenario())
    assert (
        f'Update available (version 99.1): <a href="{DOWNLOADS}">Download</a>' in dialog.update_label.text()
    )
    assert dialog.sign_in_button.isEnabled()  # it never blocks

    window = run(qloop, controller.login(backend.url, backend.agent_email, backend.agent_password))
    banner = window.statusBar().findChild(UpdateBanner, "updateBanner")
    assert banner is not None
    assert banner.isVisible()
    assert f'<a href="{DOWNLOADS}">Download</a>' in banner.text()
    assert "99.1" in banner.text()


def test_the_workstations_update_url_wins_over_the_servers(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, admin: Admin, controller: AppController
) -> None:
    _set_versions(admin, latest="99.1")
    intranet = "https://intranet.example.local/software/operator-app"
    controller.settings.set("update_url", intranet)  # as an administrator's policy sets it
    window = run(qloop, controller.login(backend.url, backend.agent_email, backend.agent_password))
    banner = window.statusBar().findChild(UpdateBanner, "updateBanner")
    assert banner is not None
    assert f'<a href="{intranet}">' in banner.text()
    assert DOWNLOADS not in banner.text()


def test_no_banner_when_this_is_the_latest_version(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, admin: Admin, controller: AppController
) -> None:
    _set_versions(admin, minimum=__version__, latest=__version__ + ".0")
    window = run(qloop, controller.login(backend.url, backend.agent_email, backend.agent_password))
    assert window.statusBar().findChild(UpdateBanner) is None


def test_the_admin_sets_the_versions_on_the_routing_page(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, admin: Admin, controller: AppController
) -> None:
    async def scenario() -> None:
        await controller.login(backend.url, admin.email, admin.password)
        session = controller.session
        assert session is not None
        host = QWidget()  # kept alive while the page is used
        page = RoutingPage(session.admin, host)
        await page.reload()
        assert page.min_version.text() == ""
        message = page.findChild(QLabel, "routingMessage")
        assert message is not None

        for minimum, latest, url, refusal in (
            ("1.x", "", "", "numbers with dots"),
            ("2.0", "1.9", "", "must not be above the latest"),
            ("", "", "javascript:alert(1)", "must start with https://"),
        ):
            page.min_version.setText(minimum)
            page.latest_version.setText(latest)
            page.download_url.setText(url)
            assert not await page.save()
            assert refusal in message.text()
        assert _info(backend)["app_min_version"] == ""

        page.min_version.setText("1.2")
        page.latest_version.setText("1.10.1")
        page.download_url.setText(DOWNLOADS)
        assert await page.save()
        info = _info(backend)
        assert (info["app_min_version"], info["app_latest_version"], info["app_download_url"]) == (
            "1.2",
            "1.10.1",
            DOWNLOADS,
        )
        audit = admin.call("GET", "/audit")
        assert any(entry["action"] == "settings.app_updates" for entry in audit)

    run(qloop, scenario())


def test_the_server_refuses_invalid_versions_and_links(backend: BackendProcess, admin: Admin) -> None:
    for body in (
        {"app_min_version": "1.2-beta"},
        {"app_min_version": "3", "app_latest_version": "2.9"},
        {"app_download_url": "file:///etc/passwd"},
        {"app_download_url": "https://x.example/" + "a" * 3000},
        {"app_latest_version": "1." * 40 + "1"},
    ):
        response = httpx.put(
            f"{backend.url}/api/v1/settings/app-updates",
            json=body,
            headers={"Authorization": f"Bearer {admin.token}"},
            timeout=10,
        )
        assert response.status_code == 422, body
    assert _info(backend)["app_download_url"] == ""

"""Signing in against the real backend: clear, translated failures; "remember me" only with a real keyring.

One backend serves the module: the tests sign the demo agent in and out (each session its own) and
change nothing else on the server.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from operator_app.app import AppController
from operator_app.net import answers as answers_module
from operator_app.paths import app_dirs
from operator_app.ui.login_dialog import LoginDialog
from tests.support.backend import BackendProcess
from tests.widgets.app_harness import eventually, make_controller, run
from tests.widgets.fixtures import MemoryKeyring
from tests.widgets.test_operator_login_dialog import fill, sign_in_and_wait

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def backend(shared_backend: BackendProcess) -> BackendProcess:
    return shared_backend


def test_a_wrong_password_is_explained_and_the_form_is_usable_again(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController, qtbot: QtBot
) -> None:
    async def scenario() -> LoginDialog:
        dialog = controller.show_login()
        fill(qtbot, dialog, backend.url, backend.agent_email, "not-the-password")
        await sign_in_and_wait(qtbot, dialog)
        return dialog

    dialog = run(qloop, scenario())
    assert dialog.isVisible()
    assert dialog.error_label.text() == "Wrong e-mail address or password."
    assert dialog.error_label.textFormat() == Qt.TextFormat.PlainText
    assert "Traceback" not in dialog.error_label.text()
    assert dialog.password_edit.isEnabled()
    assert controller.main_window is None


def test_a_server_of_another_protocol_version_is_refused(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    controller: AppController,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The real server speaks protocol 1 and cannot be told otherwise: this app is built for protocol 2.
    monkeypatch.setattr(answers_module, "PROTOCOL_VERSION", 2)

    async def scenario() -> LoginDialog:
        dialog = controller.show_login()
        fill(qtbot, dialog, backend.url, backend.agent_email, backend.agent_password)
        await sign_in_and_wait(qtbot, dialog)
        return dialog

    dialog = run(qloop, scenario())
    assert "different version of the chat protocol" in dialog.error_label.text()
    assert controller.main_window is None


def test_remember_me_keeps_only_the_refresh_token_in_the_keyring_and_signs_in_next_time(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    controller: AppController,
    memory_keyring: MemoryKeyring,
    qtbot: QtBot,
) -> None:
    async def first_run() -> None:
        dialog = controller.show_login()
        assert dialog.remember_check.isEnabled()
        fill(qtbot, dialog, backend.url, backend.agent_email, backend.agent_password)
        dialog.remember_check.setChecked(True)
        await sign_in_and_wait(qtbot, dialog)
        assert controller.main_window is not None

    run(qloop, first_run())
    stored = list(memory_keyring.items.values())
    assert len(stored) == 1
    assert controller.session is not None
    assert stored[0] == controller.session.auth.refresh_token
    assert stored[0] != run(qloop, controller.session.auth.access_token())
    settings_text = (app_dirs().config / "settings.json").read_text(encoding="utf-8")
    assert stored[0] not in settings_text
    assert backend.agent_password not in settings_text
    assert json.loads(settings_text)["remember_me"] is True
    run(qloop, controller.shutdown())

    second = make_controller()

    async def second_run() -> None:
        task = asyncio.ensure_future(second.run())
        await eventually(lambda: second.main_window is not None)
        assert second.login_dialog is None
        second.request_quit(0)
        assert await task == 0

    try:
        run(qloop, second_run())
    finally:
        run(qloop, second.shutdown())
    assert list(memory_keyring.items.values()) != stored  # the rotated refresh token replaced it
    # The server rotated it: the old one is spent.
    spent = httpx.post(f"{backend.url}/api/v1/auth/refresh", json={"refresh_token": stored[0]}, timeout=10)
    assert spent.status_code == 401


def test_automatic_sign_in_failure_falls_back_to_the_dialog_with_the_reason(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        task = asyncio.ensure_future(controller.run(backend.url, backend.agent_email, "wrong"))
        await eventually(lambda: controller.login_dialog is not None)
        dialog = controller.login_dialog
        assert dialog is not None
        assert dialog.server_edit.text() == backend.url
        assert dialog.email_edit.text() == backend.agent_email
        assert dialog.error_label.text() == "Wrong e-mail address or password."
        dialog.reject()  # Quit
        assert await task == 0

    run(qloop, scenario())


def test_automatic_sign_in_opens_the_window_without_the_dialog(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        task = asyncio.ensure_future(controller.run(backend.url, backend.agent_email, backend.agent_password))
        await eventually(lambda: controller.main_window is not None)
        assert controller.login_dialog is None
        controller.main_window.close()  # type: ignore[union-attr]
        assert await task == 0

    run(qloop, scenario())


def test_sign_out_forgets_the_session_and_shows_the_dialog(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        await eventually(lambda: window.connection_state.state == "connected")
        assert controller.session is not None
        token = await controller.session.auth.access_token()
        window.sign_out_requested.emit()
        await eventually(lambda: controller.login_dialog is not None)
        assert controller.main_window is None
        async with httpx.AsyncClient(base_url=backend.url) as http:
            refused = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 401  # the server revoked the session

    run(qloop, scenario())

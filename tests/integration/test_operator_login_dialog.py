"""Signing in against the real backend: clear, translated failures; "remember me" only with a real keyring."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from operator_app.app import AppController
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net import api as api_module
from operator_app.paths import app_dirs
from operator_app.ui.login_dialog import LoginDialog
from tests.support.backend import BackendProcess
from tests.widgets.app_harness import eventually, make_controller, run
from tests.widgets.fixtures import MemoryKeyring

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def fill(qtbot: QtBot, dialog: LoginDialog, server: str, email: str, password: str) -> None:
    for edit, text in (
        (dialog.server_edit, server),
        (dialog.email_edit, email),
        (dialog.password_edit, password),
    ):
        edit.clear()
        qtbot.keyClicks(edit, text)


async def sign_in_and_wait(qtbot: QtBot, dialog: LoginDialog) -> None:
    finished: list[bool] = []
    dialog.attempt_finished.connect(finished.append)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    await eventually(lambda: bool(finished))


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
    monkeypatch.setattr(api_module, "PROTOCOL_VERSION", 2)

    async def scenario() -> LoginDialog:
        dialog = controller.show_login()
        fill(qtbot, dialog, backend.url, backend.agent_email, backend.agent_password)
        await sign_in_and_wait(qtbot, dialog)
        return dialog

    dialog = run(qloop, scenario())
    assert "different version of the chat protocol" in dialog.error_label.text()
    assert controller.main_window is None


def test_an_unreachable_server_is_explained(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = AppController()

    async def scenario() -> LoginDialog:
        dialog = controller.show_login()
        fill(qtbot, dialog, f"http://127.0.0.1:{port}", "a@b.c", "pw")
        await sign_in_and_wait(qtbot, dialog)
        return dialog

    try:
        dialog = run(qloop, scenario())
        assert dialog.error_label.text().startswith("Cannot reach the server.")
    finally:
        run(qloop, controller.shutdown())


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (ApiErrorKind.TLS, "certificate is not trusted"),
        (ApiErrorKind.RATE_LIMITED, "Too many attempts"),
        (ApiErrorKind.INVALID_URL, "server address is not valid"),
    ],
)
def test_each_failure_kind_has_its_own_sentence(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, kind: ApiErrorKind, expected: str
) -> None:
    async def fails(server: str, email: str, password: str, remember: bool) -> None:
        raise ApiError(kind, "internal detail that users never see")

    dialog = LoginDialog(fails, server="https://chat.example.com", email="a@b.c")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password_edit.setText("pw")

    async def scenario() -> None:
        await sign_in_and_wait(qtbot, dialog)

    run(qloop, scenario())
    assert expected in dialog.error_label.text()
    assert "internal detail" not in dialog.error_label.text()


def test_a_bug_shows_no_traceback(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    async def crashes(server: str, email: str, password: str, remember: bool) -> None:
        raise KeyError("boom")

    dialog = LoginDialog(crashes, server="https://chat.example.com", email="a@b.c")
    qtbot.addWidget(dialog)
    dialog.password_edit.setText("pw")

    async def scenario() -> None:
        await sign_in_and_wait(qtbot, dialog)

    run(qloop, scenario())
    assert dialog.error_label.text() == "Something went wrong. The details are in the log file."


def test_the_button_is_disabled_while_signing_in(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    release = asyncio.Event()
    seen: list[bool] = []

    async def slow(server: str, email: str, password: str, remember: bool) -> None:
        seen.append(dialog.sign_in_button.isEnabled())
        await release.wait()

    dialog = LoginDialog(slow, server="https://chat.example.com", email="a@b.c")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password_edit.setText("pw")

    async def scenario() -> None:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: bool(seen))
        assert not dialog.password_edit.isEnabled()
        release.set()
        await eventually(lambda: dialog.result() == LoginDialog.DialogCode.Accepted)

    run(qloop, scenario())
    assert seen == [False]


def test_without_a_keyring_remember_me_is_disabled_with_the_reason(
    qloop: asyncio.AbstractEventLoop, no_keyring: None, controller: AppController
) -> None:
    dialog = controller.show_login()
    assert not dialog.remember_check.isEnabled()
    assert not dialog.remember_check.isChecked()
    assert dialog.remember_note.isVisible()
    assert "no password keyring" in dialog.remember_note.text()


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

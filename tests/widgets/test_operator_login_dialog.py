"""The sign-in dialog without a server: unreachable address, one sentence per failure, no traceback, a disabled button, no keyring."""

from __future__ import annotations

import asyncio
import socket

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from operator_app.app import AppController
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.ui.login_dialog import LoginDialog
from tests.widgets.app_harness import eventually, run

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

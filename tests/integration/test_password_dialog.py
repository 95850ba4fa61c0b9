"""Changing my password against the real backend: after a sign-in with a temporary password the dialog
opens by itself; a mismatch, a too short password and a wrong current password are refused inline; the
change works and the new password signs in over REST."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from operator_app.app import AppController
from operator_app.ui.main_window import MainWindow
from operator_app.ui.password_dialog import PasswordDialog
from tests.support.backend import BackendProcess
from tests.support.waiting import until
from tests.widgets.app_harness import controller, run

__all__ = ["controller"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "password-admin"
NEW_EMAIL = "dave@example.com"
NEW_PASSWORD = "my-own-password-7"


async def _can_sign_in(backend: BackendProcess, email: str, password: str) -> bool:
    async with httpx.AsyncClient(base_url=backend.url) as http:
        response = await http.post("/api/v1/auth/login", json={"email": email, "password": password})
    return response.is_success


async def _agent_with_temporary_password(backend: BackendProcess) -> str:
    """An admin creates the account over REST; returns its temporary password."""
    await asyncio.to_thread(backend.create_agent, ADMIN_EMAIL, "Ada Admin", ADMIN_PASSWORD, "admin")
    tokens = await asyncio.to_thread(backend.login_tokens, ADMIN_EMAIL, ADMIN_PASSWORD)
    async with httpx.AsyncClient(base_url=backend.url) as http:
        response = await http.post(
            "/api/v1/agents",
            json={"email": NEW_EMAIL, "name": "Dave New"},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
    assert response.is_success, response.text
    password: str = response.json()["temporary_password"]
    return password


def _field(dialog: PasswordDialog, name: str) -> QLineEdit:
    field = dialog.findChild(QLineEdit, name)
    assert field is not None
    assert field.echoMode() == QLineEdit.EchoMode.Password
    return field


def _fill(dialog: PasswordDialog, current: str, new: str, repeat: str) -> None:
    _field(dialog, "currentPassword").setText(current)
    _field(dialog, "newPassword").setText(new)
    _field(dialog, "repeatPassword").setText(repeat)


async def _scenario(backend: BackendProcess, controller: AppController) -> None:
    temporary = await _agent_with_temporary_password(backend)
    window: MainWindow = await controller.login(backend.url, NEW_EMAIL, temporary)

    # The dialog opens by itself and says why.
    dialog = window.findChild(PasswordDialog, "passwordDialog")
    assert dialog is not None
    assert dialog.isVisible()
    intro = dialog.findChild(QLabel, "passwordIntro")
    assert intro is not None
    assert not intro.isHidden()
    assert "temporary password" in intro.text()
    error = dialog.findChild(QLabel, "passwordError")
    button = dialog.findChild(QPushButton, "changePasswordButton")
    assert error is not None
    assert button is not None

    # Refused before sending: a mismatch, then a too short password.
    _fill(dialog, temporary, NEW_PASSWORD, NEW_PASSWORD + "x")
    button.click()
    await until(lambda: error.text() == "The two new passwords are not the same.", what="the mismatch")
    assert not error.isHidden()
    _fill(dialog, temporary, "short", "short")
    button.click()
    await until(lambda: "too short" in error.text(), what="the short password refused")
    assert await _can_sign_in(backend, NEW_EMAIL, temporary)  # nothing was changed

    # A wrong current password is the server's refusal, shown inline; the dialog stays.
    _fill(dialog, "not-the-password", NEW_PASSWORD, NEW_PASSWORD)
    button.click()
    await until(lambda: error.text() == "The current password is wrong.", what="the wrong password refused")
    assert dialog.isVisible()

    # The change succeeds: the dialog closes, the new password works, the temporary one does not.
    _fill(dialog, temporary, NEW_PASSWORD, NEW_PASSWORD)
    button.click()
    await until(lambda: window.password_dialog is None, what="the dialog closed")
    assert await _can_sign_in(backend, NEW_EMAIL, NEW_PASSWORD)
    assert not await _can_sign_in(backend, NEW_EMAIL, temporary)
    tokens = await asyncio.to_thread(backend.login_tokens, NEW_EMAIL, NEW_PASSWORD)
    async with httpx.AsyncClient(base_url=backend.url) as http:
        me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["must_change_password"] is False
    # This app's own login stays valid after the change.
    assert (await controller.session.auth.me()).email == NEW_EMAIL  # type: ignore[union-attr]

    # Later the operator opens it from the menu, without the explanation.
    action = window.findChild(QAction, "changePasswordAction")
    assert action is not None
    action.trigger()
    again = window.password_dialog
    assert again is not None
    assert again.isVisible()
    shown_intro = again.findChild(QLabel, "passwordIntro")
    assert shown_intro is not None
    assert shown_intro.isHidden()
    again.reject()


def test_temporary_password_is_replaced_after_sign_in(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController
) -> None:
    run(qloop, _scenario(backend, controller), timeout=90)


def test_no_dialog_after_a_normal_sign_in(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        window: MainWindow = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        assert window.password_dialog is None

    run(qloop, scenario(), timeout=60)

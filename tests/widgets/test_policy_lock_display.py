"""What an admin policy looks like in the app: locked options disabled with "Set by your administrator",
remember me refused, the idle-away minutes of a policy, and an app that starts with a broken policy."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMainWindow, QStatusBar, QWidget
from pytestqt.qtbot import QtBot

from chat_protocol.rest import RoutingSettings
from operator_app.app import AppController
from operator_app.credentials import SERVICE
from operator_app.settings import SettingsFile
from operator_app.store.chat_state import ChatStore
from operator_app.ui.idle_away import AwayWhenIdle
from operator_app.ui.login_dialog import LoginDialog
from operator_app.ui.main_menus import MainMenus
from operator_app.ui.notifications import Notifier
from operator_app.ui.settings_dialog import SettingsDialog
from tests.widgets.fixtures import MemoryKeyring, eventually, run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

LOCKED_TEXT = "Set by your administrator"

# Every option of the settings dialog, by the object name of its control.
DIALOG_OPTIONS = {
    "soundMuted": "sound_muted",
    "soundVolume": "sound_volume",
    "soundNewChat": "sound_new_chat",
    "soundNewMessage": "sound_new_message",
    "soundTransfer": "sound_transfer",
    "soundQueueReminder": "sound_queue_reminder",
    "desktopNotifications": "desktop_notifications",
    "languageChoice": "language",
    "idleAwayMinutes": "idle_away_minutes",
    "callCameraChoice": "call_camera",
    "callMicrophoneChoice": "call_microphone",
    "proxyUrlEdit": "proxy_url",
    "caBundleEdit": "ca_bundle",
}
ENFORCED_VALUES = {
    "sound_muted": False,
    "sound_volume": 25,
    "sound_new_chat": False,
    "sound_new_message": True,
    "sound_transfer": True,
    "sound_queue_reminder": False,
    "desktop_notifications": True,
    "language": "en",
    "idle_away_minutes": 12,
    "call_camera": "",
    "call_microphone": "",
    "proxy_url": "http://proxy.example.com:3128",
    "ca_bundle": "/etc/ssl/certs/corp-ca.pem",
}


def write_policy(home: Path, policy: object) -> None:
    (home / "site").mkdir(parents=True, exist_ok=True)
    (home / "site" / "policy.json").write_text(json.dumps(policy), encoding="utf-8")


def open_dialog(qtbot: QtBot, settings: SettingsFile) -> SettingsDialog:
    dialog = SettingsDialog(settings, Notifier(settings))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_every_enforced_option_is_disabled_and_says_so(qtbot: QtBot, app_home: Path) -> None:
    write_policy(app_home, {"enforced": ENFORCED_VALUES})
    dialog = open_dialog(qtbot, SettingsFile())
    for name in DIALOG_OPTIONS:
        widget = dialog.findChild(QWidget, name)
        assert widget is not None, name
        assert not widget.isEnabled(), name
        assert widget.toolTip() == LOCKED_TEXT, name
        note = dialog.findChild(QLabel, f"{name}LockNote")
        assert note is not None, name
        assert note.isVisible(), name
        assert note.text() == LOCKED_TEXT
    assert not dialog.findChild(QWidget, "caBundleBrowse").isEnabled()
    assert dialog.findChild(QLineEdit, "proxyUrlEdit").text() == "http://proxy.example.com:3128"
    assert dialog.idle_away.value() == 12
    # Muting and unmuting (the sounds stay enforced) never enables a locked control.
    dialog.settings.values.sound_muted = True
    dialog._update_enabled()
    dialog.settings.values.sound_muted = False
    dialog._update_enabled()
    assert not dialog.volume.isEnabled()
    assert not dialog.new_chat.isEnabled()


def test_a_default_is_editable_and_only_enforced_options_are_marked(qtbot: QtBot, app_home: Path) -> None:
    write_policy(app_home, {"default": {"sound_volume": 20}, "enforced": {"language": "ja"}})
    dialog = open_dialog(qtbot, SettingsFile())
    assert dialog.volume.value() == 20
    assert dialog.volume.isEnabled()
    assert dialog.findChild(QLabel, "soundVolumeLockNote") is None
    assert not dialog.language.isEnabled()
    assert set(dialog.lock_notes) == {"language"}
    dialog.volume.setValue(55)
    assert SettingsFile().values.sound_volume == 55


def test_the_network_fields_save_only_valid_values(qtbot: QtBot, app_home: Path, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, SettingsFile())
    proxy = dialog.findChild(QLineEdit, "proxyUrlEdit")
    error = dialog.findChild(QLabel, "proxyUrlError")
    proxy.setText("socks://nowhere")
    proxy.editingFinished.emit()
    assert error.isVisible()
    assert "http://" in error.text()
    assert SettingsFile().values.proxy_url == ""
    proxy.setText(" http://user:pw@proxy.example.com:3128 ")
    proxy.editingFinished.emit()
    assert not error.isVisible()
    assert SettingsFile().values.proxy_url == "http://user:pw@proxy.example.com:3128"

    ca = dialog.findChild(QLineEdit, "caBundleEdit")
    ca_error = dialog.findChild(QLabel, "caBundleError")
    ca.setText(str(tmp_path / "missing.pem"))
    ca.editingFinished.emit()
    assert ca_error.isVisible()
    assert SettingsFile().values.ca_bundle == ""
    pem = tmp_path / "corp-ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    dialog.network._file_chosen(str(pem))  # what the file dialog's choice does
    assert not ca_error.isVisible()
    assert SettingsFile().values.ca_bundle == str(pem)

    proxy.setText("none")  # typed, then the dialog closed at once
    dialog.reject()
    assert SettingsFile().values.proxy_url == "none"

    dialog.idle_away.setValue(7)
    assert SettingsFile().values.idle_away_minutes == 7
    dialog.idle_away.setValue(0)
    assert dialog.idle_away.text() == "Team setting"


def test_the_language_menu_is_locked_with_the_setting(qtbot: QtBot, app_home: Path) -> None:
    write_policy(app_home, {"enforced": {"language": "en"}})
    window = QMainWindow()
    qtbot.addWidget(window)
    menus = MainMenus(window, SettingsFile(), admin=False, chat_actions=[])
    menu = menus._language_menu()
    codes = [action for action in menu.actions() if action.data()]
    assert codes
    assert not any(action.isEnabled() for action in codes)
    assert any(action.text() == LOCKED_TEXT for action in menu.actions())


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_locked_server_stays_locked_in_the_login_dialog(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, app_home: Path
) -> None:
    server = f"http://127.0.0.1:{closed_port()}"
    write_policy(app_home, {"enforced": {"server_url": server}})
    (app_home / "config").mkdir(parents=True)
    (app_home / "config" / "settings.json").write_text(
        json.dumps({"server_url": "https://mine.example"}), encoding="utf-8"
    )
    controller = AppController(settings=SettingsFile())
    try:
        dialog = controller.show_login(server="https://from-the-command-line.example")
        assert dialog.server_edit.text() == server
        assert not dialog.server_edit.isEnabled()
        assert dialog.server_edit.isReadOnly()
        assert dialog.server_edit.toolTip() == LOCKED_TEXT
        note = dialog.findChild(QLabel, "serverEditLockNote")
        assert note is not None
        assert note.isVisible()
        assert dialog.focusWidget() is not dialog.server_edit
        dialog.email_edit.setText("a@b.c")
        dialog.password_edit.setText("pw")
        finished: list[bool] = []
        dialog.attempt_finished.connect(finished.append)
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        run(qloop, eventually(lambda: bool(finished)))
        assert dialog.error_label.text().startswith("Cannot reach the server.")
        assert not dialog.server_edit.isEnabled()  # still locked after the attempt
        assert dialog.email_edit.isEnabled()
    finally:
        run(qloop, controller.shutdown())


def test_remember_me_not_allowed_is_off_and_the_kept_session_is_deleted(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, app_home: Path, memory_keyring: MemoryKeyring
) -> None:
    server = f"http://127.0.0.1:{closed_port()}"
    (app_home / "config").mkdir(parents=True)
    (app_home / "config" / "settings.json").write_text(
        json.dumps({"server_url": server, "email": "a@b.c", "remember_me": True}), encoding="utf-8"
    )
    memory_keyring.items[(SERVICE, f"a@b.c@{server}")] = "refresh-token"
    write_policy(app_home, {"enforced": {"remember_me_allowed": False}})
    controller = AppController(settings=SettingsFile())

    async def start_and_quit() -> int:
        running = asyncio.ensure_future(controller.run())
        await eventually(lambda: controller.login_dialog is not None)
        dialog = controller.login_dialog
        assert isinstance(dialog, LoginDialog)
        assert not dialog.remember_check.isEnabled()
        assert not dialog.remember_check.isChecked()
        assert dialog.remember_check.toolTip() == LOCKED_TEXT
        assert dialog.remember_note.text().startswith(LOCKED_TEXT)
        assert not dialog.remember_note.isHidden()
        controller.request_quit(0)
        return await running

    assert run(qloop, start_and_quit()) == 0
    assert memory_keyring.items == {}  # no session kept, none resumed


def test_idle_away_minutes_of_a_policy_win_over_the_servers(qtbot: QtBot, app_home: Path) -> None:
    store = ChatStore()
    store.routing = RoutingSettings(idle_away_after=600)
    bar = QStatusBar()
    qtbot.addWidget(bar)
    write_policy(app_home, {"default": {"idle_away_minutes": 3}})
    settings = SettingsFile()
    away = AwayWhenIdle(store, bar, lambda status: None, settings=settings)
    assert away.monitor.idle_after == 180
    settings.set("idle_away_minutes", 0)  # the user goes back to the team's setting
    assert away.monitor.idle_after == 600
    store.routing = RoutingSettings(idle_away_after=None)
    away.routing_changed()
    assert away.monitor.idle_after is None
    settings.set("idle_away_minutes", 20)
    assert away.monitor.idle_after == 1200
    away.stop()
    settings.set("idle_away_minutes", 1)  # a stopped watcher no longer follows the setting
    assert away.monitor.idle_after == 1200


@pytest.mark.parametrize(
    "content",
    [b'{"enforced": {"server_url": ', b"\x00" * 300_000, json.dumps({"enforced": [1, 2]}).encode()],
)
def test_a_broken_policy_still_shows_the_login_dialog(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    app_home: Path,
    caplog: pytest.LogCaptureFixture,
    content: bytes,
) -> None:
    (app_home / "site").mkdir(parents=True)
    policy = app_home / "site" / "policy.json"
    policy.write_bytes(content)
    caplog.set_level(logging.WARNING)
    controller = AppController(settings=SettingsFile())
    try:
        dialog = controller.show_login()
        assert dialog.isVisible()
        assert dialog.server_edit.isEnabled()
    finally:
        run(qloop, controller.shutdown())
    assert any(str(policy) in record.getMessage() for record in caplog.records)

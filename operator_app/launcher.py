"""`run_app`: the app's life from the QApplication to the exit code, for the command line and the demo.

With a server, an e-mail and a password the sign-in starts first, on a thread of its own, and overlaps
the imports of the protocol, Qt and the widgets (`operator_app.net.early_signin`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from operator_app import startup_gc
from operator_app.import_shortcuts import quick_pyside_module_check, without_pydantic_plugins

if TYPE_CHECKING:
    from operator_app.net.api import ApiClient
    from operator_app.net.early_signin import EarlySignIn
    from operator_app.net.network import Route
    from operator_app.settings import Settings

# Imported before PySide6 (see `_import_before_qt`): what the sign-in and the session need first.
# The early sign-in reads its answers once the first of them are imported (`_SIGN_IN_MODULES`).
# httpx (with httpcore, h11 and anyio) is not among them: it comes with the app's first request,
# after the main window shows (`operator_app.net.api.ApiClient`).
_SIGN_IN_MODULES = ("operator_app.net.signin", "operator_app.updates")
_QT_FREE_MODULES = (
    *_SIGN_IN_MODULES,
    "operator_app.logging_setup",
    "operator_app.settings",
    "operator_app.net.session",
    "operator_app.net.realtime",
    "operator_app.net.outbox",
    # The rest of the Qt-free modules the main window's imports reach (each costs an extra read of its
    # source when imported after PySide6): tests/unit/test_launcher_imports.py keeps them Qt-free.
    "wave",
    "operator_app.atomic_file",
    "operator_app.credentials",
    "operator_app.tasks",
    "operator_app.net.attachments_api",
    "operator_app.net.export_api",
    "operator_app.net.tickets_api",
    "operator_app.net.traffic_feed",
    "operator_app.net.training_api",
    "operator_app.store.canned_cache",
    "operator_app.store.chat_state",
)


def run_app(
    server_url: str | None,
    email: str | None,
    password: str | None,
    on_quit: Callable[[], None] | None = None,
    *,
    log_level: str = "info",
) -> int:
    """Run the app until the user quits; signs in directly when all three are given. Exit code."""
    startup_gc.pause()  # until the first window shows (`AppController`), or `LONGEST_PAUSE` below
    try:
        return _run_app(server_url, email, password, on_quit, log_level=log_level)
    finally:
        startup_gc.resume()


def _run_app(
    server_url: str | None,
    email: str | None,
    password: str | None,
    on_quit: Callable[[], None] | None,
    *,
    log_level: str,
) -> int:
    from operator_app.qt_check import exit_if_qt_platform_unusable

    exit_if_qt_platform_unusable()  # Qt itself would abort with a generic message
    without_pydantic_plugins()
    from operator_app.logging_setup import setup_logging
    from operator_app.paths import app_dirs
    from operator_app.settings import SettingsFile

    dirs = app_dirs()
    log_file = setup_logging(dirs.log, console_level=getattr(logging, log_level.upper(), logging.INFO))
    settings = SettingsFile(dirs)
    locked_server = settings.values.server_url if "server_url" in settings.locked else None
    if server_url and locked_server and server_url != locked_server:
        logging.getLogger("operator_app.startup").warning(
            "--server %s ignored: the server is set by your administrator", server_url
        )
        server_url = locked_server
    _without_httpx_command_line()
    early = _start_sign_in(server_url, email, password, settings.values)
    _import_before_qt(early.models_imported if early is not None else None)
    import qasync
    from PySide6.QtWidgets import QApplication

    quick_pyside_module_check()

    from operator_app.logging_setup import loop_exception_handler
    from operator_app.ui.qt_runtime import install_qt_message_handler, install_translators

    install_qt_message_handler()
    # QtWebEngine (video calls, imported only when a call starts) needs this before the application.
    from PySide6.QtCore import QCoreApplication, Qt, QTimer

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("operator-app")
    app.setApplicationDisplayName("Live Chat Operator")
    app.setOrganizationName("operator-app")
    app.setDesktopFileName("operator-app")
    from operator_app.ui.app_resources import app_icon

    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)
    language = install_translators(app, settings.values.language)
    startup_log = logging.getLogger("operator_app.startup")
    startup_log.info("starting (language %s, log %s)", language, log_file)
    QTimer.singleShot(int(startup_gc.LONGEST_PAUSE * 1000), startup_gc.resume)

    async def run() -> int:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(loop_exception_handler)
        from operator_app.app import AppController

        startup_log.debug("widgets imported")

        controller = AppController(settings=settings)
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, controller.request_quit, 128 + signum)
        early_sign_in = early.signed_in() if early is not None else None
        return await controller.run(server_url, email, password, early_sign_in=early_sign_in)

    try:
        return int(qasync.run(run()))
    finally:
        if on_quit is not None:
            on_quit()


def _without_httpx_command_line() -> None:
    """httpx imports its command line (click, pygments, rich: ~15 ms) when those are installed; the app
    never runs it. A None in `sys.modules` makes that import fail, and httpx then defines a stub `main`."""
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def _import_before_qt(sign_in_modules_imported: Callable[[], None] | None = None) -> None:
    """Import the Qt-free layers (pydantic, the protocol, `net`, `store`'s state) before PySide6.

    Once PySide6 is loaded its import hook reads the source of every module imported after it (to
    find the ones that use Qt), which costs more than importing them. The sign-in needs these first:
    `sign_in_modules_imported` is called as soon as `_SIGN_IN_MODULES` are.
    """
    import importlib

    for name in _QT_FREE_MODULES:
        importlib.import_module(name)
        if name == _SIGN_IN_MODULES[-1] and sign_in_modules_imported is not None:
            sign_in_modules_imported()


def _start_sign_in(
    server_url: str | None, email: str | None, password: str | None, values: Settings
) -> EarlySignIn | None:
    """Automatic sign-in starts at once (info, login, snapshot) on its own thread (`EarlySignIn`)."""
    if not (server_url and email and password):
        return None
    from operator_app.net.early_signin import EarlySignIn

    def make_client(url: str, route: Route | None) -> ApiClient:
        from operator_app.net.api import ApiClient

        return ApiClient(url, ca_bundle=values.ca_bundle or None, proxy=values.proxy_url, route=route)

    return EarlySignIn(
        server_url,
        email,
        password,
        make_client,
        ca_bundle=values.ca_bundle or None,
        proxy=values.proxy_url,
        update_url=values.update_url,
    )

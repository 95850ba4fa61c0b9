"""`run_app`: the app's life from the QApplication to the exit code, for the command line and the demo.

With a server, an e-mail and a password the sign-in starts at once and overlaps the widget imports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from typing import Any

# The longest the widget imports wait for the login request to leave (a slow /info round trip).
EARLY_SIGN_IN_HEAD_START = 0.5

# Imported before PySide6 (see `_import_before_qt`): what the sign-in and the session need first,
# with httpx's transport (httpcore, h11, anyio), which it imports when the first client is made.
_QT_FREE_MODULES = (
    "anyio",
    "h11",
    "httpcore",
    "operator_app.logging_setup",
    "operator_app.settings",
    "operator_app.net.signin",
    "operator_app.net.session",
    "operator_app.net.realtime",
    "operator_app.net.outbox",
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
    _import_before_qt()
    import qasync
    from PySide6.QtWidgets import QApplication

    from operator_app.logging_setup import loop_exception_handler, setup_logging
    from operator_app.paths import app_dirs
    from operator_app.settings import SettingsFile
    from operator_app.ui.qt_runtime import install_qt_message_handler, install_translators

    dirs = app_dirs()
    log_file = setup_logging(dirs.log, console_level=getattr(logging, log_level.upper(), logging.INFO))
    install_qt_message_handler()
    # QtWebEngine (video calls, imported only when a call starts) needs this before the application.
    from PySide6.QtCore import QCoreApplication, Qt

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("operator-app")
    app.setApplicationDisplayName("Live Chat Operator")
    app.setOrganizationName("operator-app")
    app.setQuitOnLastWindowClosed(False)
    settings = SettingsFile(dirs)
    language = install_translators(app, settings.values.language)
    startup_log = logging.getLogger("operator_app.startup")
    startup_log.info("starting (language %s, log %s)", language, log_file)

    async def run() -> int:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(loop_exception_handler)
        logging_in = asyncio.Event()
        early = _start_sign_in(server_url, email, password, settings.values.ca_bundle, logging_in)
        if early is not None:
            # Let the login request go out, then import the widgets (a blocking ~0.1 s) while the
            # server checks the password.
            waiter = asyncio.ensure_future(logging_in.wait())
            await asyncio.wait(
                {early, waiter}, timeout=EARLY_SIGN_IN_HEAD_START, return_when=asyncio.FIRST_COMPLETED
            )
            waiter.cancel()
            await asyncio.sleep(0)
        from operator_app.app import AppController

        startup_log.debug("widgets imported")

        controller = AppController(settings=settings)
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, controller.request_quit, 128 + signum)
        return await controller.run(server_url, email, password, early_sign_in=early)

    try:
        return int(qasync.run(run()))
    finally:
        if on_quit is not None:
            on_quit()


def _import_before_qt() -> None:
    """Import the Qt-free layers (pydantic, httpx, websockets, the protocol, `net`) before PySide6.

    Once PySide6 is loaded its import hook reads the source of every module imported after it (to
    find the ones that use Qt), which costs more than importing them. The sign-in needs these first.
    """
    import importlib

    for name in _QT_FREE_MODULES:
        importlib.import_module(name)


def _start_sign_in(
    server_url: str | None,
    email: str | None,
    password: str | None,
    ca_bundle: str,
    logging_in: asyncio.Event,
) -> asyncio.Future[Any] | None:
    """Automatic sign-in starts at once (info, login, snapshot): it overlaps the widget imports."""
    if not (server_url and email and password):
        return None
    from operator_app.errors import ApiError
    from operator_app.net.api import ApiClient
    from operator_app.net.signin import sign_in

    try:
        api = ApiClient(server_url, ca_bundle=ca_bundle or None)
    except ApiError:
        return None  # the controller signs in again and reports the error
    return asyncio.ensure_future(sign_in(api, email, password, with_snapshot=True, logging_in=logging_in))

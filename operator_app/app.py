"""The composition root: sign-in flow, the signed-in session, the main window, clean shutdown.

Tests and the launcher build it in-process::

    controller = AppController(settings=SettingsFile(dirs))
    await controller.login(server, email, password)
    controller.main_window  # the shown MainWindow, snapshot applied
    await controller.shutdown()
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication

from chat_protocol.rest import Snapshot, TokenPair
from operator_app import startup_gc
from operator_app.credentials import CredentialStore
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.api import ApiClient
from operator_app.net.session import AuthSession
from operator_app.net.signin import SignedIn, sign_in
from operator_app.paths import app_dirs
from operator_app.settings import SettingsFile
from operator_app.store.chat_session import ChatSession
from operator_app.tasks import BackgroundTasks
from operator_app.ui.error_text import describe_error, is_expected
from operator_app.ui.main_window import MainWindow
from operator_app.ui.update_banner import show_update_banner
from operator_app.updates import UpdateStatus, refuse_if_outdated, update_status

if TYPE_CHECKING:  # imported when first shown: a sign-in from the command line or the keyring never needs it
    from operator_app.ui.login_dialog import LoginDialog

log = logging.getLogger(__name__)
startup_log = logging.getLogger("operator_app.startup")
GO_ONLINE_AT_LATEST_MS = 500  # after the window is shown, drawn or not


class AppController(QObject):
    """Owns at most one session and its main window; shows the login dialog when there is none."""

    def __init__(
        self,
        *,
        settings: SettingsFile | None = None,
        credentials: CredentialStore | None = None,
        realtime_options: dict[str, Any] | None = None,
        api_factory: Callable[[str, str | None], ApiClient] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        # The controller decides when the app ends (a closed window may mean "sign out").
        QGuiApplication.setQuitOnLastWindowClosed(False)
        self.settings = settings or SettingsFile()
        self.credentials = credentials or CredentialStore()
        self.realtime_options = realtime_options
        self._api_factory = api_factory or (
            lambda url, ca_bundle: ApiClient(url, ca_bundle=ca_bundle, proxy=self.settings.values.proxy_url)
        )
        self.session: ChatSession | None = None
        self.main_window: MainWindow | None = None
        self.login_dialog: LoginDialog | None = None
        self.tasks = BackgroundTasks()
        self._quit: asyncio.Future[int] | None = None
        self._closing_window = False

    # --- signing in -------------------------------------------------------------------------

    async def login(self, server: str, email: str, password: str, *, remember: bool = False) -> MainWindow:
        """Check the server, sign in, load the snapshot and show the main window.

        Raises `ApiError` (wrong password, unreachable, TLS, incompatible version...).
        """
        api = self._api_factory(server, self.settings.values.ca_bundle or None)
        signed_in = await sign_in(api, email, password, update_url=self.settings.values.update_url)
        return await self.open_signed_in(signed_in, remember=remember)

    async def check_server(self, server: str) -> UpdateStatus:
        """What the server says about this app's version (`GET /info`; before any password)."""
        api = self._api_factory(server, self.settings.values.ca_bundle or None)
        try:
            return update_status(await api.server_info(), update_url=self.settings.values.update_url)
        finally:
            await api.aclose()

    async def open_signed_in(self, signed_in: SignedIn, *, remember: bool | None) -> MainWindow:
        """Open the session of a sign-in. `remember` None leaves the saved session as it is."""
        api, email, tokens = signed_in.api, signed_in.email, signed_in.tokens
        self.settings.set("server_url", api.server_url)
        self.settings.set("email", email)
        remembered = False
        if remember is not None:
            remember = remember and self.settings.values.remember_me_allowed
            remembered = remember and self.credentials.save(api.server_url, email, tokens.refresh_token)
            if not remembered and self.settings.values.remember_me:
                self.credentials.forget(api.server_url, email)
            self.settings.set("remember_me", remembered)
        auth = AuthSession(
            api, tokens, email=email, on_tokens_changed=self._remember_tokens if remembered else None
        )
        window = await self._open(auth, signed_in.snapshot)
        show_update_banner(window, signed_in.update)
        if remember and not remembered:
            window.show_error(
                self.tr("You are signed in, but could not be remembered: no password keyring is available.")
            )
        return window

    async def resume_saved_session(self, server: str, email: str) -> bool:
        """Sign in with the refresh token kept in the keyring; False when there is none or it is refused."""
        api = self._api_factory(server, self.settings.values.ca_bundle or None)
        token = self.credentials.load(api.server_url, email)
        if not token:
            await api.aclose()
            return False
        try:
            update = update_status(await api.server_info(), update_url=self.settings.values.update_url)
            refuse_if_outdated(update)  # the login dialog then says why, with the link
            tokens = await api.refresh(token)
        except ApiError as exc:
            await api.aclose()
            if exc.kind in (ApiErrorKind.SESSION_EXPIRED, ApiErrorKind.INVALID_CREDENTIALS) or exc.status in (
                400,
                401,
                403,
            ):
                self.credentials.forget(api.server_url, email)
            log.info("saved session not resumed: %s", exc)
            return False
        self.credentials.save(api.server_url, email, tokens.refresh_token)
        auth = AuthSession(api, tokens, email=email, on_tokens_changed=self._remember_tokens)
        show_update_banner(await self._open(auth), update)
        return True

    def _remember_tokens(self, tokens: TokenPair) -> None:
        values = self.settings.values
        if values.remember_me:
            self.credentials.save(values.server_url, values.email, tokens.refresh_token)

    async def _open(self, auth: AuthSession, snapshot: Snapshot | None = None) -> MainWindow:
        session = ChatSession(auth, app_dirs().data, realtime_options=self.realtime_options)
        try:
            snapshot = await session.start(snapshot, online=False)
        except BaseException:
            await session.shutdown()
            raise
        self.session = session
        loaded = len(snapshot.my_chats) + len(snapshot.queue)
        window = MainWindow(session, self.settings)
        window.first_shown.connect(lambda: startup_log.info("main window shown with %d chats loaded", loaded))
        window.first_shown.connect(startup_gc.resume)  # the launcher paused it for the start-up
        window.sign_out_requested.connect(self._sign_out_requested)
        window.closed.connect(self._window_closed)
        session.signals.session_ended.connect(lambda reason: self._session_ended(session, reason))
        self.main_window = window
        # The socket, the canned replies' refresh and what follows them start once the window has
        # drawn its first frame (or after `GO_ONLINE_AT_LATEST`, should it not be drawn): their imports
        # and requests would otherwise hold that frame back by ~130 ms.
        window.first_painted.connect(lambda: startup_log.info("main window drawn"))
        window.first_painted.connect(session.go_online)
        QTimer.singleShot(GO_ONLINE_AT_LATEST_MS, window, session.go_online)
        window.show()
        me = session.store.me
        if me is not None and me.must_change_password:  # signed in with a temporary password
            window.open_password_dialog(temporary=True)
        return window

    # --- the interactive flow ---------------------------------------------------------------

    async def run(
        self,
        server: str | None = None,
        email: str | None = None,
        password: str | None = None,
        *,
        early_sign_in: Awaitable[SignedIn] | None = None,
    ) -> int:
        """Sign in (automatically when given credentials), then wait until the user quits.

        `early_sign_in`: the launcher's sign-in with these credentials, already under way.
        """
        self._quit = asyncio.get_running_loop().create_future()
        error: str | None = None
        values = self.settings.values
        if not values.remember_me_allowed and values.email:  # the administrator forbids kept sessions
            self.credentials.forget(values.server_url, values.email)
        if server and email and password:
            try:
                if early_sign_in is not None:
                    await self.open_signed_in(await early_sign_in, remember=None)
                else:
                    await self.login(server, email, password)
            except Exception as exc:
                self._log_failure("automatic sign-in", exc)
                error = describe_error(exc)
        elif values.remember_me and values.email and (server or values.server_url):
            try:
                await self.resume_saved_session(server or values.server_url, values.email)
            except Exception as exc:
                self._log_failure("resuming the saved session", exc)
                error = describe_error(exc)
        if self.main_window is None:
            self.show_login(server or values.server_url, email or values.email, error)
        code = await self._quit
        await self.shutdown()
        return code

    def show_login(self, server: str = "", email: str = "", error: str | None = None) -> LoginDialog:
        """Show the login dialog (not modal, no nested loop); Quit ends the app."""
        from operator_app.ui.login_dialog import LoginDialog

        values = self.settings.values
        if "server_url" in self.settings.locked:  # set by the administrator: never another one
            server = values.server_url
        dialog = LoginDialog(
            self._dialog_sign_in,
            server=server or values.server_url,
            email=email or values.email,
            remember=values.remember_me,
            remember_available=self.credentials.available(),
            server_locked="server_url" in self.settings.locked,
            remember_allowed=values.remember_me_allowed,
            check_server=self.check_server,
        )
        if error:
            dialog.show_error(error)
        dialog.rejected.connect(lambda: self.request_quit(0))
        dialog.finished.connect(lambda result: self._dialog_finished(dialog))
        self.login_dialog = dialog
        dialog.show()
        # An update available, or this version too old for the server: said before sign-in.
        self.tasks.spawn(dialog.check_server(), name="version check")
        # After the event loop's next pass (the dialog's first paint): benchmarks/package.py waits for it.
        QTimer.singleShot(0, lambda: startup_log.info("login dialog shown"))
        QTimer.singleShot(0, startup_gc.resume)  # the launcher paused it for the start-up
        return dialog

    def _dialog_finished(self, dialog: LoginDialog) -> None:
        if self.login_dialog is dialog:
            self.login_dialog = None
        dialog.deleteLater()

    async def _dialog_sign_in(self, server: str, email: str, password: str, remember: bool) -> None:
        await self.login(server, email, password, remember=remember)

    def request_quit(self, code: int = 0) -> None:
        if self._quit is not None and not self._quit.done():
            self._quit.set_result(code)

    def _window_closed(self) -> None:
        if not self._closing_window:
            self.request_quit(0)

    def _sign_out_requested(self) -> None:
        self.tasks.spawn(self.sign_out(), name="sign-out")

    def _session_ended(self, session: ChatSession, reason: str) -> None:
        if session is not self.session:
            return  # a session being signed out reports its own end: already handled
        if reason == "incompatible":
            message = describe_error(ApiError(ApiErrorKind.INCOMPATIBLE, reason, server_protocol=0))
        else:
            message = describe_error(ApiError(ApiErrorKind.SESSION_EXPIRED, reason))
        self.tasks.spawn(self._end_session(message, logout=False), name="session-ended")

    async def sign_out(self) -> None:
        """Sign out on the server, forget the saved session, and go back to the login dialog."""
        values = self.settings.values
        if values.remember_me:
            self.credentials.forget(values.server_url, values.email)
            self.settings.set("remember_me", False)
        await self._end_session(None, logout=True)

    async def _end_session(self, error: str | None, *, logout: bool) -> None:
        session, window = self.session, self.main_window
        self.session, self.main_window = None, None
        if window is not None:
            self._closing_window = True
            try:
                window.close()
            finally:
                self._closing_window = False
            await window.dispose()
            window.deleteLater()
        if session is not None:
            if logout:
                await session.logout()
            else:
                await session.shutdown()
        self.show_login(error=error)

    async def shutdown(self) -> None:
        """Close the socket, the outbox and the HTTP client; close the windows."""
        await self.tasks.cancel_all()
        session, window = self.session, self.main_window
        self.session, self.main_window = None, None
        if window is not None:
            self._closing_window = True
            window.close()
            self._closing_window = False
            await window.dispose()
            window.deleteLater()
        if session is not None:
            await session.shutdown()
        if self.login_dialog is not None:
            dialog, self.login_dialog = self.login_dialog, None
            dialog.blockSignals(True)
            dialog.close()
            dialog.deleteLater()

    @staticmethod
    def _log_failure(what: str, exc: BaseException) -> None:
        if is_expected(exc):
            log.warning("%s failed: %r", what, exc)
        else:
            log.exception("%s failed", what)

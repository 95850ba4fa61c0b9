"""The automatic sign-in on a thread of its own, started before the app imports pydantic and Qt.

The password check is the slowest step of a start with credentials (argon2 on the server: tens to
hundreds of milliseconds of the server's CPU), and the imports of the protocol, Qt and the widgets are
the next. The thread talks plain HTTP/1.1 with the standard library's `http.client` (already imported
for the proxy settings; httpx, httpcore and anyio come later, with the app's first request), so
`/info` leaves as soon as the settings are read. When its answer names this protocol and a minimum
version this app meets (read as plain JSON, `_may_log_in_now`), the login and the snapshot follow at
once, while the main thread imports the models and Qt. The models then read all three answers as the
REST client would (`operator_app.net.answers`), once the main thread has imported them
(`models_imported`): a server whose `/info` they refuse is refused, whatever it answered to the login.
An answer the plain check does not accept waits for the models, and the password leaves only if they
accept it, as in `operator_app.net.signin.sign_in`. `signed_in` hands the result, with a client of the
app's loop, to the controller.

A server behind a proxy, or one the thread cannot reach at all, is signed in to the usual way
(`sign_in` over httpx on the app's loop), which reports unreachable servers and untrusted certificates
as ever: no password has left the thread then.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from chat_protocol.versions import PROTOCOL_VERSION
from operator_app import __version__
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.network import Route, normalize_server_url, route_to
from operator_app.updates import is_older

if TYPE_CHECKING:
    from chat_protocol.rest import Snapshot, TokenPair
    from operator_app.net.api import ApiClient
    from operator_app.net.signin import SignedIn
    from operator_app.updates import UpdateStatus

log = logging.getLogger("operator_app.net.signin")

# The same as `operator_app.net.api` (which needs pydantic): seconds to connect, and to read.
CONNECT_TIMEOUT = 8.0
TIMEOUT = 15.0
USER_AGENT = f"operator-app/{__version__}"
# `chat_protocol.rest.LoginRequest`'s bounds (inclusive), for a login sent before the models are imported.
EMAIL_LENGTHS = (3, 254)
PASSWORD_LENGTHS = (1, 1024)


@dataclass(frozen=True)
class _Outcome:
    server_url: str
    route: Route
    tokens: TokenPair
    snapshot: Snapshot
    update: UpdateStatus


# An answer as `_call` reads it: the fields of `operator_app.net.answers.Answer` (which needs pydantic).
_Raw = tuple[str, str, int, str, bytes, str | None]


class _NotReached(Exception):
    """The thread could not reach the server directly (before any password left)."""


class EarlySignIn:
    """Signs in on a thread; `models_imported()` once the protocol's models are imported (see above).

    `make_client(server_url, route)` makes the app's `ApiClient` on the app's loop (`signed_in`), with
    the thread's `Route` when it has one (its TLS context is not made twice); `ca_bundle` and `proxy`
    are the settings both use.
    """

    def __init__(
        self,
        server_url: str,
        email: str,
        password: str,
        make_client: Callable[[str, Route | None], ApiClient],
        *,
        ca_bundle: str | None = None,
        proxy: str = "",
        update_url: str = "",
    ) -> None:
        self._result: concurrent.futures.Future[_Outcome | None] = concurrent.futures.Future()
        self._models = threading.Event()
        self._make_client = make_client
        self._args = (server_url, email, password)
        self._network = (ca_bundle, proxy)
        self._update_url = update_url  # the workstation's download link (policy), for `SignedIn.update`
        threading.Thread(target=self._run, name="early-sign-in", daemon=True).start()

    def models_imported(self) -> None:
        """The main thread has imported `operator_app.net.answers` and `operator_app.updates`."""
        self._models.set()

    def _run(self) -> None:
        try:
            outcome = self._sign_in()
        except _NotReached as exc:
            log.debug("early sign-in: %s; signing in on the app's loop", exc)
            self._result.set_result(None)
        except BaseException as exc:  # handed to the app's loop, which reports it
            self._result.set_exception(exc)
        else:
            self._result.set_result(outcome)

    def _sign_in(self) -> _Outcome:
        server_url, email, password = self._args
        ca_bundle, proxy = self._network
        try:
            url = normalize_server_url(server_url)
            route = route_to(url, proxy_setting=proxy, ca_bundle=ca_bundle)
        except ApiError as exc:
            raise _NotReached(exc.message) from exc
        if route.proxy is not None:
            raise _NotReached("the server is reached through a proxy")
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
        if route.ssl_context is not None:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=CONNECT_TIMEOUT, context=route.ssl_context
            )
        else:
            conn = http.client.HTTPConnection(host, port, timeout=CONNECT_TIMEOUT)
        base = parts.path + "/api/v1"
        try:
            try:
                conn.connect()
                if conn.sock is not None:
                    conn.sock.settimeout(TIMEOUT)
                info = _call(conn, "GET", base, "/info")
            except (OSError, http.client.HTTPException) as exc:
                raise _NotReached(f"/info: {exc!r}") from exc
            return self._log_in(conn, base, url, route, info)
        finally:
            conn.close()

    def _log_in(
        self, conn: http.client.HTTPConnection, base: str, url: str, route: Route, info: _Raw
    ) -> _Outcome:
        _, email, password = self._args
        login: _Raw | None = None
        snapshot: _Raw | None = None
        if _may_log_in_now(info, email, password):  # the checks below agree, as a rule
            login = _request(conn, "POST", base, "/auth/login", body={"email": email, "password": password})
            token = _access_token(login)
            if token is not None:
                snapshot = _request(conn, "GET", base, "/snapshot", token=token)
        self._models.wait()
        from chat_protocol.rest import LoginRequest, ServerInfo, Snapshot, TokenPair
        from operator_app.net.answers import Answer, model_of, not_our_server, same_protocol
        from operator_app.updates import refuse_if_outdated, update_status

        try:
            server_info = same_protocol(model_of(Answer(*info), ServerInfo))
        except ApiError as exc:
            refusal = not_our_server(exc)
            if refusal is exc:
                raise
            raise refusal from exc
        update = update_status(server_info, update_url=self._update_url)
        refuse_if_outdated(update)
        log.debug("server %s is compatible", url)
        if login is None:
            body = LoginRequest(email=email, password=password).model_dump()
            login = _request(conn, "POST", base, "/auth/login", body=body)
        tokens = model_of(Answer(*login), TokenPair, login=True)
        log.debug("signed in as %s", email)
        if snapshot is None:
            snapshot = _request(conn, "GET", base, "/snapshot", token=tokens.access_token)
        return _Outcome(url, route, tokens, model_of(Answer(*snapshot), Snapshot), update)

    async def signed_in(self) -> SignedIn:
        """The sign-in's result on the caller's loop, with a client of that loop; raises its `ApiError`."""
        from operator_app.net.signin import SignedIn, sign_in

        self.models_imported()  # the caller awaits: it has imported them, or the thread may now
        outcome = await asyncio.wrap_future(self._result)
        server_url, email, password = self._args
        if outcome is None:
            api = self._make_client(server_url, None)
            return await sign_in(api, email, password, with_snapshot=True, update_url=self._update_url)
        api = self._make_client(outcome.server_url, outcome.route)  # the same TLS context, made already
        return SignedIn(api, email, outcome.tokens, outcome.snapshot, outcome.update)


def _may_log_in_now(info: _Raw, email: str, password: str) -> bool:
    """Whether the password may leave before the models can read `/info` and check the login body.

    True only when what the models check later will pass: the answer is a JSON object naming this
    protocol and a minimum app version that is not above this one, and the e-mail and password fit
    `chat_protocol.rest.LoginRequest` (plain text, within its lengths; tests/unit/test_early_signin.py).
    """
    if not 200 <= info[2] < 300:
        return False
    try:
        body = json.loads(info[4])
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    protocol, min_version = body.get("protocol"), body.get("app_min_version", "")
    if type(protocol) is not int or protocol != PROTOCOL_VERSION or not isinstance(min_version, str):
        return False
    if is_older(__version__, min_version):
        return False
    return EMAIL_LENGTHS[0] <= len(email) <= EMAIL_LENGTHS[1] and (
        PASSWORD_LENGTHS[0] <= len(password) <= PASSWORD_LENGTHS[1] and _plain(email) and _plain(password)
    )


def _plain(text: str) -> bool:
    """No NUL and no lone surrogate (`chat_protocol.base.check_text`)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _access_token(login: _Raw) -> str | None:
    """The access token of a successful login answer (read again by `TokenPair` later), else None."""
    if not 200 <= login[2] < 300:
        return None
    try:
        body = json.loads(login[4])
    except ValueError:
        return None
    token = body.get("access_token") if isinstance(body, dict) else None
    return token if isinstance(token, str) and token else None


def _request(
    conn: http.client.HTTPConnection,
    method: str,
    base: str,
    path: str,
    *,
    body: dict[str, str] | None = None,
    token: str | None = None,
) -> _Raw:
    """`_call` once the server was reached: a lost connection is an `ApiError` like the client's."""
    try:
        return _call(conn, method, base, path, body=body, token=token)
    except TimeoutError as exc:
        raise ApiError(ApiErrorKind.TIMEOUT, f"the server did not answer in time: {exc!r}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise ApiError(ApiErrorKind.UNREACHABLE, f"cannot reach the server: {exc!r}") from exc


def _call(
    conn: http.client.HTTPConnection,
    method: str,
    base: str,
    path: str,
    *,
    body: dict[str, str] | None = None,
    token: str | None = None,
) -> _Raw:
    """One request on the kept-alive connection, its answer read to the end."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content: bytes | None = None
    if body is not None:
        content = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, base + path, body=content, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return method, path, response.status, response.reason, data, response.getheader("retry-after")

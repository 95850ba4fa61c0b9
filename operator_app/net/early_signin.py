"""The automatic sign-in on a thread of its own, started before the app imports Qt.

The password check is the slowest step of a start with credentials (argon2 on the server: tens to
hundreds of milliseconds of the server's CPU), and the imports of Qt and the widgets are the next. On a
thread with its own event loop, `/info`, the login and the snapshot go out while the main thread imports
PySide6 and builds the application: the server checks the password on its core while this process
imports on its own. The thread's HTTP client belongs to the thread's loop, so it is closed there and the
session gets a new client on the app's loop, for the same server with the same options.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import threading
from collections.abc import Callable

from operator_app.net.api import ApiClient
from operator_app.net.signin import SignedIn, sign_in


class EarlySignIn:
    """`sent` is set once the login request has left (or the attempt ended before it could).

    `make_client(server_url)` makes an `ApiClient`; it is called on the thread and again on the app's
    loop (`signed_in`), so both clients have the same TLS and proxy options.
    """

    def __init__(
        self,
        server_url: str,
        email: str,
        password: str,
        make_client: Callable[[str], ApiClient],
        *,
        update_url: str = "",
    ) -> None:
        self.sent = threading.Event()
        self._result: concurrent.futures.Future[SignedIn] = concurrent.futures.Future()
        self._make_client = make_client
        self._args = (server_url, email, password)
        self._update_url = update_url  # the workstation's download link (policy), for `SignedIn.update`
        threading.Thread(target=self._run, name="early-sign-in", daemon=True).start()

    def _run(self) -> None:
        try:
            signed = asyncio.run(self._sign_in())
        except BaseException as exc:  # handed to the app's loop, which reports it
            self._result.set_exception(exc)
        else:
            self._result.set_result(signed)
        finally:
            self.sent.set()

    async def _sign_in(self) -> SignedIn:
        server_url, email, password = self._args
        api = self._make_client(server_url)
        signed = await sign_in(
            api, email, password, with_snapshot=True, logging_in=self.sent, update_url=self._update_url
        )
        await api.aclose()
        return signed

    async def signed_in(self) -> SignedIn:
        """The sign-in's result on the caller's loop, with a client of that loop; raises its `ApiError`."""
        signed = await asyncio.wrap_future(self._result)
        return dataclasses.replace(signed, api=self._make_client(signed.api.server_url))

"""The command line's sign-in on its own thread (`operator_app.net.early_signin`) against a real backend:
the same tokens, snapshot and refusals as `operator_app.net.signin.sign_in`, and no password sent before
`/info` says the server speaks this protocol to an app of this version."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from chat_protocol import PROTOCOL_VERSION
from chat_protocol.rest import LoginRequest
from operator_app import __version__
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net import answers, early_signin
from operator_app.net.api import ApiClient
from operator_app.net.early_signin import EMAIL_LENGTHS, PASSWORD_LENGTHS, EarlySignIn, _may_log_in_now
from operator_app.net.signin import SignedIn
from tests.support.backend import BackendProcess, free_port
from tests.support.sharing import Admin, admin_of


@pytest.fixture
def backend(shared_backend: BackendProcess) -> BackendProcess:
    return shared_backend


@pytest.fixture
def admin(backend: BackendProcess) -> Iterator[Admin]:
    admin = admin_of(backend)
    yield admin
    admin.call("PUT", "/settings/app-updates", {"app_min_version": "", "app_latest_version": ""})


def _early_sign_in(server_url: str, email: str, password: str, models_first: bool = False) -> SignedIn:
    """Like the launcher: the thread starts, then the main thread says the models are imported."""

    async def scenario() -> SignedIn:
        early = EarlySignIn(server_url, email, password, lambda url, route: ApiClient(url, route=route))
        if models_first:
            early.models_imported()
        else:
            await asyncio.sleep(0.05)  # the thread's /info (and login) go first, as at start-up
            early.models_imported()
        signed = await early.signed_in()
        await signed.api.aclose()
        return signed

    return asyncio.run(scenario())


@pytest.mark.parametrize("models_first", [False, True])
def test_the_early_sign_in_brings_the_tokens_and_the_snapshot(
    backend: BackendProcess, models_first: bool
) -> None:
    signed = _early_sign_in(backend.url, backend.agent_email, backend.agent_password, models_first)
    assert signed.email == backend.agent_email
    assert signed.tokens.access_token
    assert signed.snapshot is not None
    assert signed.snapshot.me.email == backend.agent_email
    assert signed.api.server_url == backend.url
    assert signed.update is not None
    assert signed.update.current == __version__


def test_a_wrong_password_is_refused_as_invalid_credentials(backend: BackendProcess) -> None:
    with pytest.raises(ApiError) as refused:
        _early_sign_in(backend.url, backend.agent_email, "not-the-password")
    assert refused.value.kind is ApiErrorKind.INVALID_CREDENTIALS


def test_an_app_below_the_servers_minimum_is_refused_before_its_password_leaves(
    backend: BackendProcess, admin: Admin
) -> None:
    admin.call("PUT", "/settings/app-updates", {"app_min_version": "99.0", "app_latest_version": ""})
    with pytest.raises(ApiError) as refused:
        _early_sign_in(backend.url, backend.agent_email, "not-the-password")
    # OUTDATED, not INVALID_CREDENTIALS: the wrong password never reached the server.
    assert refused.value.kind is ApiErrorKind.OUTDATED
    assert refused.value.details["min_version"] == "99.0"


def test_a_server_of_another_protocol_is_refused_before_the_password_leaves(
    backend: BackendProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real server speaks protocol 1 and cannot be told otherwise: this app is built for protocol 2.
    monkeypatch.setattr(early_signin, "PROTOCOL_VERSION", 2)
    monkeypatch.setattr(answers, "PROTOCOL_VERSION", 2)
    with pytest.raises(ApiError) as refused:
        _early_sign_in(backend.url, backend.agent_email, "not-the-password")
    assert refused.value.kind is ApiErrorKind.INCOMPATIBLE  # not INVALID_CREDENTIALS: no login was sent


def test_a_server_that_cannot_be_reached_is_reported_by_the_usual_sign_in() -> None:
    with pytest.raises(ApiError) as refused:
        _early_sign_in(f"http://127.0.0.1:{free_port()}", "someone@example.com", "secret")
    assert refused.value.kind is ApiErrorKind.UNREACHABLE


def _info(**fields: object) -> tuple[str, str, int, str, bytes, str | None]:
    body = {"version": "1.0", "protocol": PROTOCOL_VERSION, **fields}
    return ("GET", "/info", 200, "OK", json.dumps(body).encode(), None)


def test_the_password_leaves_before_the_models_only_for_a_server_of_this_protocol_and_version() -> None:
    ok = ("agent@example.com", "secret")
    assert _may_log_in_now(_info(), *ok)
    assert _may_log_in_now(_info(app_min_version=__version__), *ok)
    assert not _may_log_in_now(_info(app_min_version="99.0"), *ok)
    assert not _may_log_in_now(_info(protocol=PROTOCOL_VERSION + 1), *ok)
    assert not _may_log_in_now(_info(protocol=True), *ok)
    assert not _may_log_in_now(("GET", "/info", 404, "Not Found", b"{}", None), *ok)
    assert not _may_log_in_now(("GET", "/info", 200, "OK", b"<html>", None), *ok)
    assert not _may_log_in_now(_info(), "agent@example.com", "nul\x00")
    assert not _may_log_in_now(_info(), "agent@example.com", "\ud800")


def test_the_early_login_bounds_are_the_login_requests() -> None:
    """What `_may_log_in_now` lets through, `LoginRequest` accepts; one character more or less it refuses."""

    def bounds(field: str) -> tuple[int, int]:
        metadata = LoginRequest.model_fields[field].metadata
        low = next(m.min_length for m in metadata if hasattr(m, "min_length"))
        high = next(m.max_length for m in metadata if hasattr(m, "max_length"))
        return low, high

    assert bounds("email") == EMAIL_LENGTHS
    assert bounds("password") == PASSWORD_LENGTHS
    low, high = EMAIL_LENGTHS
    for length, accepted in ((low - 1, False), (low, True), (high, True), (high + 1, False)):
        assert _may_log_in_now(_info(), "a" * length, "secret") is accepted

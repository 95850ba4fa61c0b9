"""The launcher pauses cyclic garbage collection for the start-up (`operator_app.startup_gc`): the first
window ends the pause, whether it is the main window after a sign-in or the login dialog."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from operator_app import startup_gc
from operator_app.app import AppController
from tests.support.backend import BackendProcess
from tests.support.sharing import own_agent
from tests.widgets.fixtures import app_home, eventually, memory_keyring, qloop, run  # noqa: F401  (fixtures)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def controller(qloop: asyncio.AbstractEventLoop) -> Iterator[AppController]:  # noqa: F811
    app = AppController(realtime_options={"backoff": lambda attempt: 0.2})
    startup_gc.pause()
    assert not gc.isenabled()
    yield app
    startup_gc.resume()  # a failed test must not leave the collector off
    run(qloop, app.shutdown())


def test_the_main_window_shown_ends_the_pause(
    request: pytest.FixtureRequest,
    qloop: asyncio.AbstractEventLoop,  # noqa: F811
    controller: AppController,
    module_backend: BackendProcess,
) -> None:
    me = own_agent(request, module_backend, settled=True)

    async def scenario() -> None:
        window = await controller.login(module_backend.url, me.email, me.password)
        await eventually(window.isVisible, within=10)
        await eventually(gc.isenabled, within=10)

    run(qloop, scenario())
    assert not startup_gc.paused()


def test_the_login_dialog_shown_ends_the_pause(
    qloop: asyncio.AbstractEventLoop,  # noqa: F811
    controller: AppController,
) -> None:
    async def scenario() -> None:
        dialog = controller.show_login("http://127.0.0.1:9", "")
        assert dialog.isVisible()
        await eventually(gc.isenabled, within=10)

    run(qloop, scenario())

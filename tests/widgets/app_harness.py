"""Builds the real app controller against a `FakeChatServer` (REST in memory, socket on a port)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from operator_app.app import AppController
from operator_app.net.api import ApiClient
from operator_app.settings import SettingsFile
from tests.widgets.fake_chat_server import FakeChatServer
from tests.widgets.fixtures import run

__all__ = ["controller", "make_controller", "run", "server"]


@pytest.fixture
def server(qloop: asyncio.AbstractEventLoop) -> Iterator[FakeChatServer]:
    fake = FakeChatServer()
    run(qloop, fake.start())
    yield fake
    run(qloop, fake.stop())


def make_controller(server: FakeChatServer, **options: Any) -> AppController:
    return AppController(
        settings=SettingsFile(),
        api_factory=lambda url, ca_bundle: ApiClient(url, transport=server.transport()),
        realtime_options={"backoff": lambda attempt: 0.05, **options},
    )


@pytest.fixture
def controller(qloop: asyncio.AbstractEventLoop, server: FakeChatServer) -> Iterator[AppController]:
    app = make_controller(server)
    yield app
    run(qloop, app.shutdown())

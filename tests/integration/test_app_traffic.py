"""Waves of visitors against the real backend while the real app watches the traffic list.

1,400 visitors (raw sockets in a child process) arrive, half leave, some come back, newcomers arrive
and some of them leave; meanwhile the app's socket loses deltas and is cut (it must resync). After the
burst the app's table equals a fresh `GET /api/v1/traffic`: same ids, same rows, no ghosts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import TypeAdapter

from benchmarks.visitor_swarm import SwarmProcess
from chat_protocol.traffic import TrafficRow
from operator_app.app import AppController
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.fault_proxy import FaultProxy
from tests.support.wire import http_get
from tests.widgets.fixtures import app_home, eventually, memory_keyring, qloop, run  # noqa: F401  (fixtures)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

_rows: TypeAdapter[list[TrafficRow]] = TypeAdapter(list[TrafficRow])


@pytest.fixture(autouse=True)
def _crowd_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the backend starts: one IP may open thousands of sockets; leavers go quickly."""
    monkeypatch.setenv("CHAT_CONNECT_BURST", "10000")
    monkeypatch.setenv("CHAT_CONNECT_RATE", "5000")
    monkeypatch.setenv("CHAT_MAX_SOCKETS_PER_IP", "10000")
    monkeypatch.setenv("CHAT_VISITOR_LEAVE_GRACE", "1")
    monkeypatch.setenv("CHAT_TRAFFIC_FORGET_AFTER", "4")


@pytest.fixture
def proxy(backend: BackendProcess) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(backend.url)
    fault_proxy.start()
    yield fault_proxy
    fault_proxy.stop()


@pytest.fixture
def controller(qloop: asyncio.AbstractEventLoop) -> Iterator[AppController]:  # noqa: F811
    app = AppController(realtime_options={"backoff": lambda attempt: 0.1})
    yield app
    run(qloop, app.shutdown())


async def server_rows(backend: BackendProcess) -> dict[str, TrafficRow]:
    token = (await asyncio.to_thread(backend.login_tokens))["access_token"]
    snapshot: dict[str, Any] = await http_get(backend, "/api/v1/traffic", token)
    return {row.visitor_id: row for row in _rows.validate_python(snapshot["rows"])}


def app_rows(window: MainWindow) -> dict[str, TrafficRow]:
    model = window.workspaces.service.model
    return {vid: row for vid in model.visitor_ids() if (row := model.get(vid)) is not None}


def test_the_table_equals_the_server_list_after_waves_of_visitors(
    qloop: asyncio.AbstractEventLoop,  # noqa: F811
    backend: BackendProcess,
    proxy: FaultProxy,
    controller: AppController,
) -> None:
    async def scenario() -> None:
        window = await controller.login(proxy.url, backend.agent_email, backend.agent_password)
        await eventually(lambda: window.connection_state.state == "connected")
        window.workspaces.traffic_action.trigger()
        service = window.workspaces.service
        await eventually(lambda: service.feed_state.value == "live")
        resets: list[int] = []
        service.model.modelReset.connect(lambda: resets.append(1))

        swarm = SwarmProcess(backend.url)
        await swarm.start()
        try:
            first = (await swarm.command("arrive", count=700))["ids"]
            second = (await swarm.command("arrive", count=700))["ids"]
            await eventually(lambda: len(service.model.visitor_ids()) >= 1400, within=60)
            assert set(first + second) <= set(service.model.visitor_ids())
            assert resets == []  # deltas by ranges only, after the first snapshot

            gone = (await swarm.command("leave", count=700))["ids"]
            back = (await swarm.command("return", count=200))["ids"]
            # Deltas lost on the way (the app hears nothing), then the socket is cut: a resync.
            proxy.pause()
            newcomers = (await swarm.command("arrive", count=150))["ids"]
            more_gone = (await swarm.command("leave", count=100))["ids"]
            await asyncio.sleep(1.5)
            proxy.resume()
            await proxy.close_all(1012, "restart")
            await eventually(lambda: window.connection_state.state != "connected", within=10)
            await eventually(lambda: window.connection_state.state == "connected", within=30)
            await swarm.command("updates", rate=200, seconds=3)
            here = set((await swarm.command("here"))["ids"])
            assert len(here) == 1400 - 700 + 200 + 150 - 100
            assert set(back) <= set(gone)
            assert newcomers
            assert more_gone

            # Settled: the leavers have been forgotten by the server; the app must agree exactly.
            expected: dict[str, TrafficRow] = {}

            async def settled() -> bool:
                expected.clear()
                expected.update(await server_rows(backend))
                return set(expected) == here and app_rows(window) == expected

            for _attempt in range(60):
                if await settled():
                    break
                await asyncio.sleep(1.0)
            shown = app_rows(window)
            assert set(expected) == here
            ghosts, missing = set(shown) - set(expected), set(expected) - set(shown)
            assert (ghosts, missing) == (set(), set())
            stale = [vid for vid, row in expected.items() if shown[vid] != row]
            assert stale == [], (shown[stale[0]], expected[stale[0]]) if stale else None
            # The view shows them all, sorted by priority, highest first (rows changed by the last
            # batch wait in place for the model's next resort, at most two seconds).
            await eventually(lambda: not service.model.unsorted, within=5)
            view = window.workspaces.traffic
            assert view.proxy.rowCount() == len(here)
            scores = [service.model.score_of(vid) or 0.0 for vid in service.model.visitor_ids()]
            assert scores == sorted(scores, reverse=True)
        finally:
            await swarm.stop()

    run(qloop, scenario(), timeout=240)

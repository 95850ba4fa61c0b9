"""A visitor panel destroyed while its profile loads cancels the load: the answer never reaches widgets
that are gone ("Internal C++ object already deleted" once did, at the end of a test run)."""

from __future__ import annotations

import asyncio

import shiboken6

from chat_protocol.traffic import VisitorProfile
from operator_app.store.traffic_model import TrafficModel
from operator_app.ui.visitor_sidebar import VisitorSidebar
from tests.widgets.fixtures import run


class SlowService:
    """What the panel asks of `VisitorsService` to load a profile, answering only when released."""

    def __init__(self) -> None:
        self.model = TrafficModel()  # the live list the panel follows
        self.asked = asyncio.Event()
        self.release = asyncio.Event()
        self.cancelled = False

    async def profile(self, visitor_id: str) -> VisitorProfile:
        self.asked.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        raise AssertionError("a destroyed panel's load went on")

    def is_admin(self) -> bool:
        return False  # no visitor-data buttons


def test_a_destroyed_panel_cancels_its_load(qloop: asyncio.AbstractEventLoop, qtbot: object) -> None:
    service = SlowService()
    panel = VisitorSidebar(service)  # type: ignore[arg-type]  # duck-typed VisitorsService
    panel.show_visitor("v1")
    load = panel.loading
    assert load is not None
    run(qloop, service.asked.wait())
    shiboken6.delete(panel)
    run(qloop, asyncio.wait([load]))
    assert load.cancelled()
    assert service.cancelled

"""A whole video call: the visitor in headless Chromium (fake camera and microphone) on the demo shop,
the real operator app offscreen with its QtWebEngine call page, the real backend between them.

The operator rings, the visitor accepts, the two Chromium peers connect over loopback; video flows
one way until the visitor turns the camera on, then both ways; the operator mutes and hangs up; both
sides say so, the visitor's devices are released and both transcripts keep the call.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest

# Test-only Chromium flags for the app's QtWebEngine (read when it first loads): fake devices, no
# prompt, plain host candidates (no mDNS names, which nothing on this machine would resolve).
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault(
    "QTWEBENGINE_CHROMIUM_FLAGS",
    "--use-fake-device-for-media-stream --use-fake-ui-for-media-stream --no-sandbox --disable-gpu"
    " --disable-features=WebRtcHideLocalIpsWithMdns",
)

from playwright.sync_api import Page, expect  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QPushButton, QWidget  # noqa: E402

from operator_app.app import AppController  # noqa: E402
from operator_app.ui.main_window import MainWindow  # noqa: E402
from operator_app.ui.video import call_text  # noqa: E402
from tests.e2e.widget_helpers import FAKE_MEDIA_ARGS, media_tracks, record_media_tracks, shadow  # noqa: E402
from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, BrowserThread  # noqa: E402
from tests.support.waiting import until  # noqa: E402
from tests.widgets.fixtures import run  # noqa: E402

pytestmark = [
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints",
        # QtWebEngine on the offscreen platform has no OpenGL; Chromium falls back to software.
        "QRhiGles2: Failed to create",
        "Failed to create RHI",
        "GPUInfo not initialized",
        "This plugin does not support raise",
    ),
]

# The remote <video> of the widget (the operator) and of the app's call page (the visitor).
WIDGET_FRAMES = """const v = root.querySelector('[data-testid="call-remote-video"]');
return v.getVideoPlaybackQuality().totalVideoFrames;"""
APP_FRAMES = "document.getElementById('remote').getVideoPlaybackQuality().totalVideoFrames"


class FakeMediaBrowser(BrowserThread):
    """The shared browser thread, launched with Chromium's fake camera and microphone."""

    def _start(self) -> None:
        self.page_errors = []
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS + FAKE_MEDIA_ARGS + ["--disable-features=WebRtcHideLocalIpsWithMdns"],
        )

    page_errors: list[str]

    def open_visitor(self, url: str) -> Page:
        """A fresh page (in the browser thread) whose camera and microphone tracks are recorded."""
        assert self._browser is not None
        context = self._browser.new_context(locale="en-US", viewport={"width": 1200, "height": 800})
        page = context.new_page()
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        record_media_tracks(page)
        page.goto(url)
        self.page = page
        return page


@pytest.fixture(scope="module")
def browser() -> Iterator[FakeMediaBrowser]:
    browser = FakeMediaBrowser()
    yield browser
    browser.close()


def _child(window: QWidget, kind: type[Any], name: str) -> Any:
    child = window.findChild(kind, name)
    assert child is not None, name
    return child


def _transcript(window: MainWindow) -> list[str]:
    model = _child(window, QListView, "transcriptView").model()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def _click(window: QWidget, name: str) -> None:
    QTest.mouseClick(_child(window, QPushButton, name), Qt.MouseButton.LeftButton)


async def _app_frames(window: MainWindow) -> int:
    """Video frames the app's call page has shown from the visitor."""
    engine = window.video_widget.engine
    assert engine is not None
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def done(value: Any) -> None:
        if not future.done():
            future.set_result(value)

    engine.page.runJavaScript(APP_FRAMES, 0, done)
    return int(await asyncio.wait_for(future, 10) or 0)


async def _until_async(probe: Any, what: str, within: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        if await probe():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def test_video_call_from_the_app_to_the_widget_end_to_end(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess, browser: FakeMediaBrowser
) -> None:
    backend.cli("routing", "--auto-assign", "off")

    async def scenario() -> None:
        controller = AppController()
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        try:
            session = controller.session
            assert session is not None
            assert session.store.me is not None
            agent_name = session.store.me.name
            await until(lambda: _child(window, QLabel, "connectionState").property("state") == "connected")
            _click(window, "statusSwitch")
            await until(lambda: session.store.status == "accepting", what="accepting")

            def visitor_writes() -> Page:
                page = browser.open_visitor(backend.demo_url)
                page.get_by_test_id("launcher").click()
                page.get_by_test_id("name-input").fill("Hanako Yamada")
                page.get_by_test_id("message-input").fill("Can you show me the tea set on video?")
                page.get_by_test_id("send").click()
                return page

            page = await browser.call(visitor_writes)
            queue = _child(window, QListView, "queueList")
            await until(lambda: queue.model().rowCount() == 1, what="the chat in the queue")
            _click(window, "takeButton")
            await until(lambda: "Can you show me the tea set on video?" in _transcript(window), what="taken")

            # The operator rings; the widget names the caller (plain text) and the visitor accepts.
            video_call = _child(window, QPushButton, "videoCallButton")
            await until(video_call.isEnabled, what="video call button enabled")
            QTest.mouseClick(video_call, Qt.MouseButton.LeftButton)

            def accept() -> None:
                expect(page.get_by_test_id("call-panel")).to_have_attribute("data-state", "incoming")
                expect(page.get_by_test_id("call-agent-name")).to_have_text(agent_name)
                page.get_by_test_id("call-accept").click()

            await browser.call(accept)
            state = _child(window, QLabel, "callStateLabel")
            await until(
                lambda: state.text() == call_text.state_text("connected"), within=30, what="app connected"
            )
            await browser.call(
                lambda: expect(page.get_by_test_id("call-panel")).to_have_attribute(
                    "data-state", "connected", timeout=20_000
                )
            )

            # The visitor sees the operator; the operator sees nothing until the camera goes on.
            first = int(await browser.call(shadow, page, WIDGET_FRAMES))

            async def visitor_sees() -> bool:
                frames = int(await browser.call(shadow, page, WIDGET_FRAMES))
                return frames > first + 10

            await _until_async(visitor_sees, "the operator's video in the widget")
            await asyncio.sleep(1.0)
            assert await _app_frames(window) == 0
            await browser.call(lambda: page.get_by_test_id("call-camera").click())

            async def operator_sees() -> bool:
                return await _app_frames(window) > 10

            await _until_async(operator_sees, "the visitor's video in the app")
            seen = await _app_frames(window)

            async def still_flowing() -> bool:
                return await _app_frames(window) > seen + 5

            await _until_async(still_flowing, "more of the visitor's video")

            # The operator mutes: the widget says so.
            _click(window, "callMicrophoneButton")
            await browser.call(
                lambda: expect(page.get_by_test_id("call-state")).to_contain_text(
                    "The operator's microphone is muted"
                )
            )

            # The operator hangs up: both sides say it ended, the visitor's devices are released.
            _click(window, "callHangupButton")
            await until(lambda: state.text() == call_text.ended_text("hangup", "agent"), what="app ended")

            def widget_ended() -> list[dict[str, Any]]:
                expect(page.get_by_test_id("call-panel")).to_have_attribute("data-state", "ended")
                expect(page.get_by_test_id("call-panel")).to_have_attribute("data-reason", "hangup")
                expect(page.get_by_test_id("call-state")).to_have_text("The operator hung up.")
                lines = page.get_by_test_id("call-event")
                expect(lines.filter(has_text="Video call started")).to_have_count(1)
                expect(lines.filter(has_text="Video call ended (0:")).to_have_count(1)
                return media_tracks(page)

            tracks = await browser.call(widget_ended)
            assert sorted(t["kind"] for t in tracks) == ["audio", "video"]
            assert all(t["state"] == "ended" for t in tracks), tracks
            await until(lambda: window.video_widget.engine is None, what="the call page released")
            await until(
                lambda: any("Video call ended by the operator after" in line for line in _transcript(window)),
                what="the ended line in the app",
            )
            assert _transcript(window).count("Video call started") == 1
            assert browser.page_errors == []
        finally:
            await controller.shutdown()

    run(qloop, scenario(), timeout=120)


def test_a_video_call_goes_on_across_a_page_push(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess, browser: FakeMediaBrowser
) -> None:
    """During a call with the visitor's camera on, the operator pushes the cart page and the visitor
    opens it: the browser loads the new page, and the same call connects again there by itself (the
    camera still on), video flows both ways, and both transcripts show one call."""
    backend.cli("routing", "--auto-assign", "off")

    async def scenario() -> None:
        controller = AppController()
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        try:
            session = controller.session
            assert session is not None
            await until(lambda: _child(window, QLabel, "connectionState").property("state") == "connected")
            _click(window, "statusSwitch")
            await until(lambda: session.store.status == "accepting", what="accepting")

            def visitor_writes() -> Page:
                page = browser.open_visitor(backend.demo_url)
                page.get_by_test_id("launcher").click()
                page.get_by_test_id("name-input").fill("Hanako Yamada")
                page.get_by_test_id("message-input").fill("Which cup goes with the matcha?")
                page.get_by_test_id("send").click()
                return page

            page = await browser.call(visitor_writes)
            queue = _child(window, QListView, "queueList")
            await until(lambda: queue.model().rowCount() == 1, what="the chat in the queue")
            _click(window, "takeButton")
            await until(lambda: "Which cup goes with the matcha?" in _transcript(window), what="taken")
            video_call = _child(window, QPushButton, "videoCallButton")
            await until(video_call.isEnabled, what="video call button enabled")
            QTest.mouseClick(video_call, Qt.MouseButton.LeftButton)
            await browser.call(lambda: page.get_by_test_id("call-accept").click())
            state = _child(window, QLabel, "callStateLabel")
            connected = call_text.state_text("connected")
            await until(lambda: state.text() == connected, within=30, what="app connected")
            call_id = session.calls.call_id
            await browser.call(
                lambda: expect(page.get_by_test_id("call-panel")).to_have_attribute(
                    "data-state", "connected", timeout=20_000
                )
            )
            await browser.call(lambda: page.get_by_test_id("call-camera").click())

            async def operator_sees() -> bool:
                return await _app_frames(window) > 10

            await _until_async(operator_sees, "the visitor's video in the app")

            # The operator pushes the cart page; the visitor opens it.
            states: list[str] = []
            session.calls.state_changed.connect(states.append)
            target = f"{backend.url}/demo/cart.html"
            dialog = window.chat_panel.open_page_push_dialog()
            assert dialog is not None
            dialog.findChild(QLineEdit, "pagePushUrl").setText(target)
            QTest.mouseClick(dialog.findChild(QPushButton, "pagePushSubmit"), Qt.MouseButton.LeftButton)

            def visitor_opens() -> None:
                page.get_by_test_id("page-push-open").click()
                page.wait_for_url(target)

            await browser.call(visitor_opens)
            # Reconnecting meanwhile, then connected again by itself: the same call.
            await until(lambda: state.text() == connected, within=30, what="app connected again")
            assert session.calls.call_id == call_id
            assert states == ["reconnecting", "connecting", "connected"]

            def widget_connected_again() -> int:
                panel = page.get_by_test_id("call-panel")
                expect(panel).to_have_attribute("data-state", "connected", timeout=20_000)
                expect(page.get_by_test_id("call-camera")).to_have_attribute("aria-pressed", "true")
                return int(shadow(page, WIDGET_FRAMES))

            first = await browser.call(widget_connected_again)

            async def visitor_sees() -> bool:
                return int(await browser.call(shadow, page, WIDGET_FRAMES)) > first + 10

            await _until_async(visitor_sees, "the operator's video on the new page")
            seen = await _app_frames(window)

            async def operator_still_sees() -> bool:
                return await _app_frames(window) > seen + 10

            await _until_async(operator_still_sees, "the visitor's camera after the page push")

            # One call in both transcripts, still running.
            assert _transcript(window).count("Video call started") == 1
            assert not any("Video call ended" in line for line in _transcript(window))

            def widget_lines() -> None:
                lines = page.get_by_test_id("call-event")
                expect(lines.filter(has_text="Video call started")).to_have_count(1)
                expect(lines.filter(has_text="Video call ended")).to_have_count(0)

            await browser.call(widget_lines)
            _click(window, "callHangupButton")
            await until(lambda: state.text() == call_text.ended_text("hangup", "agent"), what="app ended")
            await browser.call(
                lambda: expect(page.get_by_test_id("call-panel")).to_have_attribute("data-reason", "hangup")
            )
            assert browser.page_errors == []
        finally:
            await controller.shutdown()

    run(qloop, scenario(), timeout=150)

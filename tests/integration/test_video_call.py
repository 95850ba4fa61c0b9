"""1:1 video calls from the app against the real backend.

The visitor is a wire client of the real backend; where real media is needed it answers the app's offer
with a second QtWebEngine page (Chromium's WebRTC with fake camera and microphone), so the two peers
really connect and the app really decodes the visitor's video.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# Test-only Chromium flags: fake camera and microphone, no permission prompt, plain host candidates
# (no mDNS names, which two pages on one machine without multicast could not resolve).
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault(
    "QTWEBENGINE_CHROMIUM_FLAGS",
    "--use-fake-device-for-media-stream --use-fake-ui-for-media-stream --no-sandbox --disable-gpu"
    " --disable-features=WebRtcHideLocalIpsWithMdns",
)

import shiboken6  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAction, QKeySequence  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QLabel, QListView, QPushButton, QWidget  # noqa: E402

from operator_app.app import AppController  # noqa: E402
from operator_app.ui.main_window import MainWindow  # noqa: E402
from operator_app.ui.video import call_text  # noqa: E402
from operator_app.ui.video.engine import unavailable_text, webengine_installed  # noqa: E402
from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402
from tests.support.wire import WireClient  # noqa: E402
from tests.widgets.app_harness import People, controller, people, run  # noqa: E402

__all__ = ["controller", "people"]

ROOT = Path(__file__).resolve().parents[2]

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


@pytest.fixture(autouse=True)
def short_call_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The backend (started after this) rings for 3 s instead of 45."""
    monkeypatch.setenv("CHAT_CALL_RING_TIMEOUT", "3")


def _transcript(window: MainWindow) -> list[str]:
    view = window.findChild(QListView, "transcriptView")
    assert view is not None
    model = view.model()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def _child(window: QWidget, kind: type[Any], name: str) -> Any:
    child = window.findChild(kind, name)
    assert child is not None, name
    return child


async def _open_my_chat(
    controller: AppController, backend: BackendProcess, people: People
) -> tuple[MainWindow, str]:
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    chat_id = await people.visitor_opens_chat("ビデオで相談できますか？", name="Hanako Yamada")
    await people.take_for_me(chat_id)
    session = controller.session
    assert session is not None
    await until(lambda: (chat := session.store.get(chat_id)) is not None and session.store.is_mine(chat))
    window.select_chat(chat_id)
    await until(lambda: window.chat_panel.chat_id == chat_id)
    return window, chat_id


async def _ring(window: MainWindow, visitor: WireClient, *, keyboard: bool = False) -> str:
    """Click "Video call" (or press its shortcut, Ctrl+Shift+V); the visitor's socket gets
    `call_incoming`; returns the call id."""
    button = _child(window, QPushButton, "videoCallButton")
    await until(lambda: button.isEnabled(), what="video call button enabled")
    if keyboard:
        action = window.findChild(QAction, "videoCallAction")
        assert action is not None
        assert action.isEnabled()
        assert action.shortcut() == QKeySequence("Ctrl+Shift+V")
        action.trigger()  # what the shortcut does (offscreen windows get no real key focus)
    else:
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    incoming = (await visitor.next_push("call_incoming"))["payload"]
    assert incoming["agent_name"]
    return str(incoming["call_id"])


class VisitorPeer:
    """The visitor's browser side: a QtWebEngine page that answers an offer with fake devices."""

    SCRIPT = """
    window.out = []; window.answerSdp = ''; window.state = 'new'; window.tracks = 0;
    window.pc = new RTCPeerConnection();
    pc.onicecandidate = (e) => out.push(e.candidate
      ? {candidate: e.candidate.candidate, sdp_mid: e.candidate.sdpMid, sdp_mline_index: e.candidate.sdpMLineIndex}
      : {candidate: ''});
    pc.onconnectionstatechange = () => { window.state = pc.connectionState; };
    pc.ontrack = () => { window.tracks += 1; };
    window.answer = async (sdp) => {
      const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
      await pc.setRemoteDescription({type: 'offer', sdp: sdp});
      for (const t of pc.getTransceivers()) {
        const track = stream.getTracks().find((k) => k.kind === t.receiver.track.kind);
        if (track) { await t.sender.replaceTrack(track); t.direction = 'sendrecv'; }
      }
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      window.answerSdp = pc.localDescription.sdp;
    };
    """

    def __init__(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtWebEngineCore import QWebEnginePage

        self.page = QWebEnginePage()
        self.loaded = False
        self.page.loadFinished.connect(self._loaded)
        self.page.setHtml("<html><body></body></html>", QUrl("file:///visitor-peer.html"))

    def _loaded(self, ok: bool) -> None:
        self.loaded = ok

    async def js(self, code: str) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.page.runJavaScript(code, 0, lambda value: future.done() or future.set_result(value))
        return await asyncio.wait_for(future, 10)

    async def start(self) -> None:
        await until(lambda: self.loaded, what="visitor page loaded")
        await self.js(self.SCRIPT)

    async def answer(self, sdp: str) -> str:
        await self.js(f"answer({json.dumps(sdp)}); 1")
        await until_async(lambda: self.js("window.answerSdp"), what="visitor answer")
        return str(await self.js("window.answerSdp"))

    def close(self) -> None:
        self.page.deleteLater()


async def until_async(probe: Any, what: str, within: float = 15.0) -> Any:
    async with asyncio.timeout(within):
        while True:
            value = await probe()
            if value:
                return value
            await asyncio.sleep(0.05)


async def _relay(visitor: WireClient, peer: VisitorPeer, call_id: str, stop: asyncio.Event) -> None:
    """Carry the signalling both ways: the app's ICE to the visitor page, the page's ICE to the app."""
    sent = 0
    while not stop.is_set():
        try:
            push = await visitor.next_push("call_signal", within=0.1)
        except TimeoutError:
            push = None
        if push is not None and push["payload"]["kind"] == "ice" and push["payload"].get("candidate"):
            p = push["payload"]
            cand = {
                "candidate": p["candidate"],
                "sdpMid": p.get("sdp_mid"),
                "sdpMLineIndex": p.get("sdp_mline_index"),
            }
            await peer.js(f"pc.addIceCandidate({json.dumps(cand)}); 1")
        out = await peer.js("window.out")
        for item in (out or [])[sent:]:
            await visitor.ok("call_signal", {"call_id": call_id, "kind": "ice", **item})
        sent = len(out or [])


def test_call_rings_connects_with_real_media_mutes_minimises_and_hangs_up(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    people: People,
) -> None:
    async def scenario() -> None:
        window, chat_id = await _open_my_chat(controller, backend, people)
        session = controller.session
        assert session is not None
        calls = session.calls
        visitor = people.visitors[chat_id]
        state = _child(window.video_widget, QLabel, "callStateLabel")  # the pane, built on first use
        peer = VisitorPeer()
        await peer.start()

        call_id = await _ring(window, visitor)
        await until(lambda: calls.call_id == call_id)
        assert window.video_dock.isVisible()
        engine = window.video_widget.engine
        assert engine is not None
        await visitor.ok("call_ringing", {"call_id": call_id})
        await until(lambda: state.text() == call_text.state_text("ringing"), what="ringing shown")
        await visitor.ok("call_answer", {"call_id": call_id, "accept": True})
        offer = (await visitor.next_push("call_signal"))["payload"]
        assert offer["kind"] == "offer"
        # One audio and one video transceiver, both send-receive: the visitor can add a camera later.
        assert offer["sdp"].count("m=audio") == 1
        assert offer["sdp"].count("m=video") == 1
        assert offer["sdp"].count("a=sendrecv") == 2
        await until(lambda: calls.state == "connecting")
        answer = await peer.answer(offer["sdp"])
        await visitor.ok("call_signal", {"call_id": call_id, "kind": "answer", "sdp": answer})
        stop = asyncio.Event()
        relay = asyncio.ensure_future(_relay(visitor, peer, call_id, stop))
        try:
            await until(lambda: calls.state == "connected", what="connected", within=30)
            assert state.text() == call_text.state_text("connected")
            await until_async(
                lambda: peer.js("window.state === 'connected' && window.tracks >= 2"), "visitor media"
            )
            # The app decodes the visitor's (fake) camera, and shows a quality figure and the time.
            probes: list[dict[str, Any]] = []
            engine.probed.connect(probes.append)

            async def remote_playing() -> bool:
                engine.send({"type": "probe"})
                await asyncio.sleep(0.2)
                return bool(probes and probes[-1]["remote_playing"])

            await until_async(remote_playing, "remote video decoded", within=20)
            quality = _child(window, QLabel, "callQualityLabel")
            await until(lambda: quality.text() != "", what="quality", within=15)
            duration = _child(window, QLabel, "callDurationLabel")
            await until(lambda: duration.text() not in ("", "0:00"), what="duration ticks", within=5)
            stop.set()  # ICE is done: from here the test reads the visitor's pushes itself
            await relay

            # Microphone and camera toggles reach the visitor as call_media.
            microphone_button = _child(window, QPushButton, "callMicrophoneButton")
            assert microphone_button.text() == "&Microphone on"
            QTest.mouseClick(microphone_button, Qt.MouseButton.LeftButton)
            assert microphone_button.text() == "&Microphone off"
            media = (await visitor.next_push("call_media"))["payload"]
            assert (media["microphone"], media["camera"], media["party"]) == (False, True, "agent")
            QTest.mouseClick(_child(window, QPushButton, "callCameraButton"), Qt.MouseButton.LeftButton)
            media = (await visitor.next_push("call_media"))["payload"]
            assert (media["microphone"], media["camera"]) == (False, False)

            # The visitor's camera goes off: their initials (plain text) replace the video.
            await visitor.ok("call_media", {"call_id": call_id, "microphone": True, "camera": False})
            notice = _child(window, QLabel, "callNoticeLabel")
            await until(lambda: notice.text() == call_text.remote_media_text(True, False))

            async def initials_shown() -> bool:
                engine.send({"type": "probe"})
                await asyncio.sleep(0.1)
                return bool(probes and probes[-1]["initials_shown"] and probes[-1]["initials"] == "HY")

            await until_async(initials_shown, "initials")

            # Minimise into the small always-on-top window, and back.
            QTest.mouseClick(_child(window, QPushButton, "callMinimiseButton"), Qt.MouseButton.LeftButton)
            mini = window.video_widget.mini_window
            assert mini.objectName() == "videoMiniWindow"
            assert mini.isVisible()
            assert mini.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
            assert window.video_widget.video_area.parent() is mini
            assert not window.video_dock.isVisible()
            QTest.mouseClick(_child(mini, QPushButton, "callRestoreButton"), Qt.MouseButton.LeftButton)
            assert not mini.isVisible()
            assert window.video_widget.video_area.parent() is window.video_widget
            assert window.video_dock.isVisible()

            # Hang up: both sides see the end, the page stops its tracks and is deleted.
            view = engine.view
            QTest.mouseClick(_child(window, QPushButton, "callHangupButton"), Qt.MouseButton.LeftButton)
            ended = (await visitor.next_push("call_state"))["payload"]
            while ended["state"] != "ended":
                ended = (await visitor.next_push("call_state"))["payload"]
            assert (ended["reason"], ended["ended_by"]) == ("hangup", "agent")
            await until(lambda: calls.state == "ended")
            assert state.text() == call_text.ended_text("hangup", "agent")
            await until(lambda: engine.released and not shiboken6.isValid(view), what="page deleted")
            assert engine.live_tracks == 0
            assert window.video_widget.engine is None
        finally:
            stop.set()
            await relay
            peer.close()
        lines = _transcript(window)
        await until(lambda: any("Video call ended by the operator" in line for line in _transcript(window)))
        lines = _transcript(window)
        assert "Video call started" in lines
        assert _child(window, QPushButton, "videoCallButton").isEnabled()

    run(qloop, scenario(), timeout=120)


def test_declined_and_unanswered_calls_are_shown(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    people: People,
) -> None:
    async def scenario() -> None:
        window, chat_id = await _open_my_chat(controller, backend, people)
        session = controller.session
        assert session is not None
        visitor = people.visitors[chat_id]
        state = _child(window.video_widget, QLabel, "callStateLabel")  # the pane, built on first use

        call_id = await _ring(window, visitor)
        await visitor.ok("call_ringing", {"call_id": call_id})
        await visitor.ok("call_answer", {"call_id": call_id, "accept": False})
        await until(lambda: state.text() == call_text.ended_text("declined", "visitor"), what="declined")
        await until(lambda: window.video_widget.engine is None, what="page released")
        await until(lambda: "Video call declined" in _transcript(window))

        # Nobody answers: after the (shortened) ring timeout the call is missed.
        await _ring(window, visitor, keyboard=True)
        await until(lambda: session.calls.state == "calling" or session.calls.state == "ringing")
        await until(lambda: state.text() == call_text.ended_text("no_answer", "system"), within=15)
        await until(lambda: "Missed video call" in _transcript(window))
        close = _child(window, QPushButton, "callCloseButton")
        assert close.isVisible()
        QTest.mouseClick(close, Qt.MouseButton.LeftButton)
        assert not window.video_dock.isVisible()

        # Visitor offline: the button says why and stays disabled.
        await visitor.close()
        button = _child(window, QPushButton, "videoCallButton")
        await until(lambda: not button.isEnabled(), what="button disabled when the visitor left", within=30)
        assert "left" in button.toolTip()

        # After the call the idle watch comes back (it pauses while the web engine lives).
        monitor = window.idle_monitor
        await until(lambda: monitor._timer.isActive(), what="idle watch resumed", within=10)
        QTest.mouseMove(window.chat_panel, window.chat_panel.rect().center())
        await asyncio.sleep(1)

    run(qloop, scenario(), timeout=90)


def test_missing_webengine_is_explained_not_a_crash(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    people: People,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        window, chat_id = await _open_my_chat(controller, backend, people)
        button = _child(window, QPushButton, "videoCallButton")
        assert button.isEnabled()
        monkeypatch.setitem(sys.modules, "PySide6.QtWebEngineWidgets", None)
        webengine_installed.cache_clear()
        try:
            window.chat_panel.refresh()
            assert not button.isEnabled()
            assert button.toolTip() == unavailable_text()
            errors: list[str] = []
            window.video_widget.error.connect(errors.append)
            assert not await window.video_widget.start_call(chat_id, "HY")  # a stale click: still no crash
            assert errors == [unavailable_text()]
            assert controller.session is not None
            assert controller.session.calls.state == "idle"
        finally:
            monkeypatch.undo()
            webengine_installed.cache_clear()

    run(qloop, scenario())


_NO_WEBENGINE_AT_START = """
import asyncio, json, os, sys
import qasync
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
app = QApplication([])
from operator_app.app import AppController
from operator_app.settings import SettingsFile

async def main():
    controller = AppController(settings=SettingsFile())
    window = await controller.login(os.environ["T_URL"], os.environ["T_EMAIL"], os.environ["T_PASSWORD"])
    window.show()
    await asyncio.sleep(0.5)
    loaded = sorted(name for name in sys.modules if "WebEngine" in name)
    shown = window.objectName()
    await controller.shutdown()
    print(json.dumps({"loaded": loaded, "shown": shown}))

qasync.run(main())
"""


def test_qtwebengine_is_not_imported_before_a_call(backend: BackendProcess, tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        OPERATOR_APP_HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        T_URL=backend.url,
        T_EMAIL=backend.agent_email,
        T_PASSWORD=backend.agent_password,
    )
    done = subprocess.run(
        [sys.executable, "-c", _NO_WEBENGINE_AT_START],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"loaded": [], "shown": "mainWindow"}

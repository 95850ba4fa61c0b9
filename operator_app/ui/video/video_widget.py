"""The call pane (``videoWidget``): the video, the call controls, and the small always-on-top window.

It joins the call controller (the protocol) and the media engine (the web page): the controller's
pushes go to the page, the page's offer, candidates and connection state go to the controller. The
engine is created when a call starts and deleted when it ends.

Objects: ``videoArea``, ``callStateLabel``, ``callDurationLabel``, ``callQualityLabel``,
``callNoticeLabel``, ``callMicrophoneButton``, ``callCameraButton``, ``callMinimiseButton``,
``callHangupButton``, ``callCloseButton``; the mini window ``videoMiniWindow`` with
``callRestoreButton``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from chat_protocol.calls import CallSignal
from operator_app.settings import SettingsFile
from operator_app.store.call_controller import CallController
from operator_app.tasks import BackgroundTasks
from operator_app.ui.async_tools import reports_errors
from operator_app.ui.video import call_text
from operator_app.ui.video.engine import CallEngine, EngineUnavailable


def _label(name: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class VideoMiniWindow(QWidget):
    """The minimised call: a small frameless-ish window that stays on top. Signal: ``restore()``."""

    restore = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        flags = (
            Qt.WindowType.Tool
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.CustomizeWindowHint
            | Qt.WindowType.WindowTitleHint
        )
        super().__init__(parent, flags)
        self.setObjectName("videoMiniWindow")
        self.setWindowTitle(self.tr("Video call"))
        self.resize(280, 210)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(2, 2, 2, 2)
        self.restore_button = QPushButton(self.tr("&Restore"), self)
        self.restore_button.setObjectName("callRestoreButton")
        self.restore_button.setToolTip(self.tr("Put the call back beside the chat."))
        self.restore_button.clicked.connect(self.restore)
        self.body.addWidget(self.restore_button)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()  # closing the small window restores the call; hanging up is a button
        self.restore.emit()


class VideoWidget(QWidget):
    """Signals: ``wanted(bool)`` show / hide the pane; ``error(text)`` a sentence for the status bar;
    ``engine_alive(bool)`` before the web engine is created (True) and once it was released (False)."""

    wanted = Signal(bool)
    error = Signal(str)
    engine_alive = Signal(bool)

    def __init__(self, calls: CallController, settings: SettingsFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoWidget")
        self.calls = calls
        self.settings = settings
        self.engine: CallEngine | None = None
        self.initials = ""
        self.devices: tuple[bool, bool] = (True, True)
        self._tasks = BackgroundTasks()
        self._build()
        self.mini_window = VideoMiniWindow(self)
        self.mini_window.restore.connect(self.restore)
        calls.state_changed.connect(self._state_changed)
        calls.ended.connect(self._ended)
        calls.offer_needed.connect(lambda: self._to_engine({"type": "make_offer"}))
        calls.peer_dropped.connect(lambda: self._to_engine({"type": "drop_peer"}))
        calls.signal_received.connect(self._remote_signal)
        calls.remote_media_changed.connect(self._remote_media)
        calls.local_media_changed.connect(self._local_media)
        calls.duration_changed.connect(lambda s: self.duration_label.setText(call_text.duration_text(s)))
        self._set_controls(False)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.video_area = QWidget(self)
        self.video_area.setObjectName("videoArea")
        self.video_area.setMinimumSize(240, 180)
        self.video_layout = QVBoxLayout(self.video_area)
        self.video_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.video_area, 1)
        info = QHBoxLayout()
        self.state_label = _label("callStateLabel", self)
        self.state_label.setWordWrap(True)
        self.duration_label = _label("callDurationLabel", self)
        self.quality_label = _label("callQualityLabel", self)
        info.addWidget(self.state_label, 1)
        info.addWidget(self.quality_label)
        info.addWidget(self.duration_label)
        layout.addLayout(info)
        self.notice_label = _label("callNoticeLabel", self)
        self.notice_label.setWordWrap(True)
        layout.addWidget(self.notice_label)
        buttons = QHBoxLayout()
        self.microphone_button = self._button("callMicrophoneButton", "", checkable=True)
        self.microphone_button.setToolTip(self.tr("Turn your microphone on or off."))
        self.microphone_button.toggled.connect(self._microphone_toggled)
        self.microphone_button.toggled.connect(self._label_media_buttons)
        self.camera_button = self._button("callCameraButton", "", checkable=True)
        self.camera_button.setToolTip(self.tr("Turn your camera on or off."))
        self.camera_button.toggled.connect(self._camera_toggled)
        self.camera_button.toggled.connect(self._label_media_buttons)
        self._label_media_buttons()
        self.minimise_button = self._button("callMinimiseButton", self.tr("Mi&nimise"))
        self.minimise_button.setToolTip(self.tr("Move the video into a small window that stays on top."))
        self.minimise_button.clicked.connect(self.minimise)
        self.hangup_button = self._button("callHangupButton", self.tr("&Hang up"))
        self.hangup_button.setStyleSheet(
            "QPushButton#callHangupButton { color: #b91c1c; font-weight: bold; }"
        )
        self.hangup_button.clicked.connect(self.hang_up)
        self.close_button = self._button("callCloseButton", self.tr("Close"))
        self.close_button.setToolTip(self.tr("Hide the call pane."))
        self.close_button.clicked.connect(lambda: self.wanted.emit(False))
        for button in (
            self.microphone_button,
            self.camera_button,
            self.minimise_button,
            self.hangup_button,
            self.close_button,
        ):
            buttons.addWidget(button)
        layout.addLayout(buttons)

    def _button(self, name: str, text: str, *, checkable: bool = False) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.setCheckable(checkable)
        if checkable:
            button.setChecked(True)
        return button

    # --- starting and ending ----------------------------------------------------------------

    def show_error(self, text: str) -> None:
        """The call could not start: the pane and the status bar say why."""
        self.state_label.setText(text)
        self.error.emit(text)

    @reports_errors(describe=call_text.describe_call_error)
    async def start_call(self, chat_id: str, initials: str) -> bool:
        """Open the media page and ring the visitor. False or None (with `error` emitted) when it cannot."""
        if self.calls.active:
            self.error.emit(call_text.describe_call_error(RuntimeError("busy")))
            return False
        self.engine_alive.emit(True)
        try:
            self.engine = CallEngine(self.video_area)
        except EngineUnavailable as exc:
            self.error.emit(str(exc))
            self.engine_alive.emit(False)
            return False
        self.initials = initials
        self.devices = (True, True)
        engine = self.engine
        self.video_layout.addWidget(engine.view)
        engine.media_opened.connect(self._media_opened)
        engine.local_signal.connect(self._local_signal)
        engine.connection_changed.connect(self._engine_connection)
        engine.quality_changed.connect(self._quality)
        engine.start(
            [],
            camera_label=self.settings.values.call_camera,
            microphone_label=self.settings.values.call_microphone,
            initials=initials,
        )
        self.notice_label.clear()
        self.quality_label.clear()
        self.duration_label.clear()
        self.wanted.emit(True)
        started = False
        try:
            result = await self.calls.start(chat_id)
            started = True
        finally:
            if not started:  # refused (the decorator says why) or cancelled: no page without a call
                await self._release_engine()
                self._set_controls(False)
        servers = [server.model_dump() for server in result.ice_servers]
        engine.send({"type": "ice_servers", "ice_servers": servers})
        if self.devices != (True, True) and self.calls.call_id == result.call_id:
            self._spawn(self.calls.set_media(*self.devices), "call-media")
        return True

    def hang_up(self) -> None:
        self._spawn(self.calls.hangup(), "call-hangup")

    async def dispose(self) -> None:
        """Window closing: hang up and release the page."""
        if self.calls.active:
            await self.calls.hangup()
        await self._release_engine()
        self.mini_window.hide()
        await self._tasks.cancel_all()

    async def _release_engine(self) -> None:
        engine, self.engine = self.engine, None
        if engine is not None:
            await engine.stop()
            self.engine_alive.emit(False)

    def _ended(self, reason: str, ended_by: str, duration: float) -> None:
        self.state_label.setText(call_text.ended_text(reason, ended_by))
        self.quality_label.clear()
        self.restore()
        self._set_controls(False)
        self._spawn(self._release_engine(), "call-release")

    # --- controller -> page -----------------------------------------------------------------

    def _state_changed(self, state: str) -> None:
        if state != "ended":
            self.state_label.setText(call_text.state_text(state))
            self._set_controls(True)

    def _remote_signal(self, signal: CallSignal) -> None:
        self._to_engine({"type": "signal"} | signal.model_dump(exclude={"call_id"}))

    def _remote_media(self, microphone: bool, camera: bool) -> None:
        self._to_engine(
            {"type": "remote_media", "microphone": microphone, "camera": camera, "initials": self.initials}
        )
        self.notice_label.setText(call_text.remote_media_text(microphone, camera))

    def _local_media(self, microphone: bool, camera: bool) -> None:
        for button, on in ((self.microphone_button, microphone), (self.camera_button, camera)):
            button.blockSignals(True)
            button.setChecked(on)
            button.blockSignals(False)
        self._label_media_buttons()
        self._to_engine({"type": "set_media", "microphone": microphone, "camera": camera})

    def _to_engine(self, message: dict[str, Any]) -> None:
        if self.engine is not None:
            self.engine.send(message)

    # --- page -> controller -----------------------------------------------------------------

    def _media_opened(self, microphone: bool, camera: bool, camera_label: str, microphone_label: str) -> None:
        self.devices = (microphone, camera)
        self.notice_label.setText(call_text.devices_text(microphone, camera))
        self.microphone_button.setEnabled(microphone and self.calls.active)
        self.camera_button.setEnabled(camera and self.calls.active)
        if (microphone, camera) != (True, True):
            self._spawn(self.calls.set_media(microphone, camera), "call-media")

    def _local_signal(self, message: dict[str, Any]) -> None:
        kind = str(message.get("kind"))
        if kind not in ("offer", "ice"):
            return
        mid = message.get("sdp_mid")
        index = message.get("sdp_mline_index")
        self._spawn(
            self.calls.send_signal(
                kind,
                sdp=str(message.get("sdp") or ""),
                candidate=str(message.get("candidate") or ""),
                sdp_mid=mid if isinstance(mid, str) else None,
                index=index if isinstance(index, int) else None,
            ),
            f"call-signal-{kind}",
        )

    def _engine_connection(self, state: str, detail: str) -> None:
        if state in ("connected", "reconnecting", "failed"):
            self._spawn(self.calls.report_media_state(state, detail[:200]), f"call-report-{state}")

    def _quality(self, level: str, rtt_ms: int, loss: float) -> None:
        self.quality_label.setText(call_text.quality_text(level))
        if rtt_ms >= 0:
            tip = self.tr("Round trip %1 ms, packet loss %2 %").replace("%1", str(rtt_ms))
            self.quality_label.setToolTip(tip.replace("%2", f"{loss * 100:.1f}"))

    # --- controls ---------------------------------------------------------------------------

    def _label_media_buttons(self) -> None:
        """Say on or off in words: a pressed look alone is easy to misread."""
        self.microphone_button.setText(
            self.tr("&Microphone on") if self.microphone_button.isChecked() else self.tr("&Microphone off")
        )
        self.camera_button.setText(
            self.tr("C&amera on") if self.camera_button.isChecked() else self.tr("C&amera off")
        )

    def _microphone_toggled(self, on: bool) -> None:
        self._spawn(self.calls.set_microphone(on), "call-microphone")

    def _camera_toggled(self, on: bool) -> None:
        self._spawn(self.calls.set_camera(on), "call-camera")

    def _set_controls(self, active: bool) -> None:
        microphone, camera = self.devices if active else (False, False)
        self.microphone_button.setEnabled(active and microphone)
        self.camera_button.setEnabled(active and camera)
        self.minimise_button.setEnabled(active)
        self.hangup_button.setEnabled(active)
        self.close_button.setVisible(not active)

    def minimise(self) -> None:
        """Move the video area into the small always-on-top window."""
        if self.mini_window.isVisible():
            return
        self.mini_window.body.insertWidget(0, self.video_area, 1)
        self.mini_window.show()
        self.wanted.emit(False)

    def restore(self) -> None:
        """Bring the video back into the pane beside the chat."""
        if not self.mini_window.isVisible():
            return
        self.mini_window.hide()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.video_area, 1)
        self.wanted.emit(True)

    @property
    def minimised(self) -> bool:
        return self.mini_window.isVisible()

    def _spawn(self, coro: Any, name: str) -> None:
        self._tasks.spawn(self._reporting(coro), name=name)

    def _report(self, exc: BaseException) -> None:
        self.error.emit(call_text.describe_call_error(exc))

    @reports_errors(on_error="_report")
    async def _reporting(self, coro: Any) -> None:
        await coro

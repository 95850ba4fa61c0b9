"""The media engine of a call: Chromium's WebRTC in a QWebEngineView hosting our local `call.html`.

QtWebEngine is imported here, inside `CallEngine.__init__`, never at app start: only a call pays for
it (see docs/video.md). The page talks to us through a QWebChannel object `bridge` with JSON messages;
it loads nothing remote and may use the camera and microphone only for itself.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QFile, QIODevice, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

CALL_PAGE = Path(__file__).resolve().parent / "call.html"
STOP_TIMEOUT_S = 2.0


class EngineUnavailable(Exception):
    """QtWebEngine cannot be loaded; the message is a translated sentence for the operator."""


@functools.cache
def webengine_installed() -> bool:
    """Whether QtWebEngine can be found, without importing it."""
    try:
        return importlib.util.find_spec("PySide6.QtWebEngineWidgets") is not None
    except (ImportError, ValueError):
        return False


def unavailable_text() -> str:
    return QCoreApplication.translate(
        "CallEngine",
        "Video calls need the Qt WebEngine component (PySide6-Addons), which is not installed or cannot "
        "be loaded. Ask your administrator to install it.",
    )


class _Bridge(QObject):
    """The page's end of the channel: ``post(json)`` from the page, ``to_page(json)`` to it."""

    to_page = Signal(str)
    received = Signal(dict)

    @Slot(str)
    def post(self, raw: str) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            log.warning("the call page sent a frame that is not JSON")
            return
        if isinstance(message, dict):
            self.received.emit(message)


class CallEngine(QObject):
    """One call's page. Signals: ``media_opened(microphone, camera, camera_label, microphone_label)``
    once local devices were tried; ``local_signal(dict)`` (offer / ICE to send); ``connection_changed(
    state, detail)`` (connected / reconnecting / failed); ``quality_changed(level, rtt_ms, loss)``;
    ``probed(dict)``; ``stopped()`` once the page released the devices and was deleted."""

    media_opened = Signal(bool, bool, str, str)
    local_signal = Signal(dict)
    connection_changed = Signal(str, str)
    quality_changed = Signal(str, int, float)
    probed = Signal(dict)
    stopped = Signal()

    def __init__(self, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        try:
            from PySide6.QtWebChannel import QWebChannel
            from PySide6.QtWebEngineCore import QWebEnginePage, QWebEnginePermission, QWebEngineScript
            from PySide6.QtWebEngineWidgets import QWebEngineView
        except ImportError as exc:
            log.warning("QtWebEngine cannot be imported: %s", exc)
            raise EngineUnavailable(unavailable_text()) from exc
        self._permission_type = QWebEnginePermission.PermissionType
        self.url = QUrl.fromLocalFile(str(CALL_PAGE))
        self.view = QWebEngineView(parent_widget)
        self.view.setObjectName("callWebView")
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.page = _call_page_class(QWebEnginePage)(self.url, self.view)
        self.page.permissionRequested.connect(self._permission)
        # qwebchannel.js goes in as a script, not as a qrc: load: a custom-scheme job would pass through
        # application event filters half-built (PySide crashes on it), and the page loads only files.
        channel_js = QWebEngineScript()
        channel_js.setName("qwebchannel")
        channel_js.setSourceCode(_qwebchannel_js())
        channel_js.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
        channel_js.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
        channel_js.setRunsOnSubFrames(False)
        self.page.scripts().insert(channel_js)
        self.bridge = _Bridge(self)
        self.bridge.received.connect(self._received)
        self.channel = QWebChannel(self.page)
        self.channel.registerObject("bridge", self.bridge)
        self.page.setWebChannel(self.channel)
        self.view.setPage(self.page)
        self._ready = False
        self._queue: list[dict[str, Any]] = []
        self._stopped_future: asyncio.Future[None] | None = None
        self.live_tracks = 0
        self.released = False
        self.view.load(self.url)

    # --- to the page ------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        """Send a message to the page (queued until the page is ready)."""
        if self.released:
            return
        if not self._ready:
            self._queue.append(message)
            return
        self.bridge.to_page.emit(json.dumps(message))

    def start(
        self,
        ice_servers: list[dict[str, Any]],
        *,
        camera_label: str,
        microphone_label: str,
        initials: str,
    ) -> None:
        self.send(
            {
                "type": "start",
                "ice_servers": ice_servers,
                "camera_label": camera_label,
                "microphone_label": microphone_label,
                "initials": initials,
            }
        )

    async def stop(self) -> None:
        """Stop every track and close the connection in the page, then delete the page and the view."""
        if self.released:
            return
        if self._ready:
            loop = asyncio.get_running_loop()
            self._stopped_future = loop.create_future()
            self.send({"type": "stop"})
            try:
                async with asyncio.timeout(STOP_TIMEOUT_S):
                    await self._stopped_future
            except TimeoutError:
                log.warning("the call page did not confirm it stopped; deleting it anyway")
        self.release()

    def release(self) -> None:
        """Delete the page and the view now (the renderer process ends with them)."""
        if self.released:
            return
        self.released = True
        self._queue.clear()
        self.view.hide()
        self.page.deleteLater()
        self.view.deleteLater()
        self.stopped.emit()
        self.deleteLater()

    # --- from the page ----------------------------------------------------------------------

    def _received(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "ready":
            self._ready = True
            queued, self._queue = self._queue, []
            for item in queued:
                self.bridge.to_page.emit(json.dumps(item))
        elif kind == "media":
            self.live_tracks = int(message.get("live_tracks") or 0)
            self.media_opened.emit(
                bool(message.get("microphone")),
                bool(message.get("camera")),
                str(message.get("camera_label") or ""),
                str(message.get("microphone_label") or ""),
            )
        elif kind == "signal":
            self.local_signal.emit(message)
        elif kind == "connection":
            self.connection_changed.emit(str(message.get("state")), str(message.get("detail") or ""))
        elif kind == "quality":
            rtt = message.get("rtt_ms")
            loss = message.get("loss")
            self.quality_changed.emit(
                str(message.get("level")),
                int(rtt) if isinstance(rtt, int | float) else -1,
                float(loss) if isinstance(loss, int | float) else 0.0,
            )
        elif kind == "stopped":
            self.live_tracks = int(message.get("live_tracks") or 0)
            if self._stopped_future is not None and not self._stopped_future.done():
                self._stopped_future.set_result(None)
        elif kind == "probe":
            self.live_tracks = int(message.get("live_tracks") or 0)
            self.probed.emit(message)
        elif kind == "error":
            log.warning("call page: %s", str(message.get("detail", ""))[:200])

    def _permission(self, permission: Any) -> None:
        """Camera and microphone for our own page only; everything else is refused."""
        kinds = self._permission_type
        media = (kinds.MediaAudioCapture, kinds.MediaVideoCapture, kinds.MediaAudioVideoCapture)
        ours = permission.origin().scheme() == "file" and self.page.url() == self.url
        if permission.permissionType() in media and ours:
            permission.grant()
        else:
            log.info("refused %s for %s", permission.permissionType(), permission.origin().toString())
            permission.deny()


def _qwebchannel_js() -> str:
    """Qt's own qwebchannel.js, from the QtWebChannel module's resources."""
    source = QFile(":/qtwebchannel/qwebchannel.js")
    if not source.open(QIODevice.OpenModeFlag.ReadOnly):
        raise EngineUnavailable(unavailable_text())
    try:
        return bytes(source.readAll().data()).decode("utf-8")
    finally:
        source.close()


_page_classes: dict[type, type] = {}


def _call_page_class(base: type) -> type:
    """A QWebEnginePage that stays on our page: no navigation elsewhere, no new windows."""
    cls = _page_classes.get(base)
    if cls is not None:
        return cls

    class CallPage(base):  # type: ignore[misc]
        def __init__(self, url: QUrl, parent: QObject) -> None:
            super().__init__(parent)
            self._home = url

        def acceptNavigationRequest(self, url: QUrl, kind: Any, is_main_frame: bool) -> bool:
            return bool(url == self._home or not is_main_frame and url.scheme() in ("file", "qrc"))

        def createWindow(self, kind: Any) -> None:
            return None

        def javaScriptConsoleMessage(self, level: Any, message: str, line: int, source: str) -> None:
            log.info("call page console: %s (%s:%s)", message[:300], source, line)

    _page_classes[base] = CallPage
    return CallPage

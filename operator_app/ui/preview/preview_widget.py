"""The live preview pane (``previewWidget``): the visitor's page replayed, scaled to fit, with the
state, the visitor's viewport size and page address, and a Stop button.

Objects: ``previewStateLabel``, ``previewSizeLabel``, ``previewAddressLabel``, ``previewStopButton``,
``previewArea`` (which holds the web view ``previewWebView`` of `PreviewEngine`). The engine is created
when a preview starts and deleted when it stops.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from operator_app.store.preview_controller import PreviewController
from operator_app.tasks import BackgroundTasks
from operator_app.ui.async_tools import reports_errors
from operator_app.ui.error_text import describe_error
from operator_app.ui.preview.engine import PreviewEngine
from operator_app.ui.video.engine import EngineUnavailable


def _label(name: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class PreviewWidget(QWidget):
    """Signals: ``wanted(bool)`` show / hide the pane; ``error(text)`` a sentence for the status bar;
    ``engine_alive(bool)`` before the web engine is created (True) and once it was released (False)."""

    wanted = Signal(bool)
    error = Signal(str)
    engine_alive = Signal(bool)

    def __init__(self, previews: PreviewController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewWidget")
        self.previews = previews
        self.engine: PreviewEngine | None = None
        self._tasks = BackgroundTasks()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        head = QHBoxLayout()
        self.state_label = _label("previewStateLabel", self)
        self.size_label = _label("previewSizeLabel", self)
        self.stop_button = QPushButton(self.tr("Stop watching"), self)
        self.stop_button.setObjectName("previewStopButton")
        self.stop_button.clicked.connect(lambda: self._tasks.spawn(self.stop(), name="preview-stop"))
        head.addWidget(self.state_label, 1)
        head.addWidget(self.size_label)
        head.addWidget(self.stop_button)
        layout.addLayout(head)
        self.address_label = _label("previewAddressLabel", self)
        self.address_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.address_label)
        self.area = QWidget(self)
        self.area.setObjectName("previewArea")
        self.area.setMinimumSize(320, 240)
        self.area_layout = QVBoxLayout(self.area)
        self.area_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.area, 1)
        previews.started.connect(self._started)
        previews.events.connect(self._events)
        previews.state_changed.connect(self._state)
        previews.stopped.connect(self._stopped)

    def _report(self, exc: BaseException) -> None:
        self.error.emit(describe_error(exc))

    @reports_errors(on_error="_report")
    async def watch(self, chat_id: str) -> None:
        """Open the pane and ask to watch the chat's visitor page."""
        self.wanted.emit(True)
        self.state_label.setText(self.tr("Asking to see the visitor's page\u2026"))
        await self.previews.watch(chat_id)

    async def stop(self) -> None:
        await self.previews.stop()

    def _started(self, _chat_id: str, consent: bool, origins: list[str]) -> None:
        self._release()
        self.engine_alive.emit(True)
        try:
            self.engine = PreviewEngine(self.area, list(origins))
        except EngineUnavailable as exc:
            self.error.emit(str(exc))
            self.engine_alive.emit(False)
            return
        self.engine.on_info = self._info
        self.area_layout.addWidget(self.engine.view)
        self.size_label.clear()
        self.address_label.clear()
        if consent:
            self.state_label.setText(self.tr("Waiting for the visitor to allow it\u2026"))
        else:
            self.state_label.setText(self.tr("Waiting for the visitor's page\u2026"))

    def _events(self, _chat_id: str, events: list[dict[str, Any]]) -> None:
        if self.engine is not None:
            self.engine.add_events(events)

    def _info(self, info: dict[str, Any]) -> None:
        width, height = info.get("width"), info.get("height")
        if isinstance(width, int | float) and isinstance(height, int | float) and width and height:
            self.size_label.setText(
                self.tr("Visitor's window: %1 × %2")
                .replace("%1", str(int(width)))
                .replace("%2", str(int(height)))
            )
        self.address_label.setText(str(info.get("href") or "")[:300])

    def _state(self, _chat_id: str, state: str) -> None:
        texts = {
            "asking": self.tr("The visitor is asked whether you may see the page\u2026"),
            "recording": self.tr("Live: you see the visitor's page (form fields are hidden)."),
            "declined": self.tr("The visitor declined."),
            "stopped": self.tr("The visitor stopped the preview."),
            "unavailable": self.tr("The page is too large to preview."),
        }
        self.state_label.setText(texts.get(state, ""))

    def _stopped(self, _chat_id: str) -> None:
        self._release()
        self.state_label.setText(self.tr("Not watching."))
        self.wanted.emit(False)

    def _release(self) -> None:
        if self.engine is not None:
            self.engine.release()
            self.engine = None
            self.engine_alive.emit(False)

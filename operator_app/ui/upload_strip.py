"""Sending files from the chat window: the Attach button (``attachButton``, Ctrl+Shift+A), files dropped
on the transcript or the reply box (a hint, ``fileDropHint``, shows while they are dragged over), and
Ctrl+V of an image (sent as ``screenshot-YYYYMMDD-HHMMSS.png``) or of copied files.

Under the reply box, ``uploadStrip`` has a row per file of the shown chat on its way (``uploadRow``:
``uploadName``, ``uploadProgress``, ``uploadError``, ``uploadCancel``, ``uploadRetry``) and
``uploadNotice``: why a file was refused before it was sent (too large, a kind that cannot be sent).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QEvent, QIODevice, QObject, Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QImage, QKeySequence
from PySide6.QtWidgets import (
    QBoxLayout,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from operator_app.errors import ApiError
from operator_app.store.attachment_kinds import EXTENSIONS, human_size
from operator_app.store.attachments_service import AttachmentsService, Upload, UploadRefused, refusal_text
from operator_app.store.display_text import escaped_tooltip
from operator_app.ui.async_tools import finished_future, reports_errors
from operator_app.ui.composer import Composer, local_files
from operator_app.ui.error_text import describe_error
from operator_app.ui.qt_runtime import viewport_of
from operator_app.ui.transcript_files import TranscriptFiles
from operator_app.ui.transcript_view import TranscriptView

MAX_FILES_AT_ONCE = 10


def describe_upload_error(error: BaseException) -> str:
    if isinstance(error, UploadRefused):
        return error.text
    if isinstance(error, ApiError) and error.code:
        return refusal_text(error.code, error.message)
    if isinstance(error, OSError):
        text = QCoreApplication.translate("UploadStrip", "The file could not be read: %1")
        return text.replace("%1", str(error.strerror or error))
    return describe_error(error)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # (the stubs want bytes, the binding a str)
    buffer.close()
    return bytes(data.data())


class UploadStrip(QWidget):
    """The files of the shown chat on their way, and the last refusal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("uploadStrip")
        self.service: AttachmentsService | None = None
        self.chat_id: str | None = None
        self.rows: dict[str, tuple[QWidget, QProgressBar]] = {}
        self.notice = QLabel(self)
        self.notice.setObjectName("uploadNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #b91c1c;")
        self.notice.hide()
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(14, 0, 14, 4)
        self.box.setSpacing(2)
        self.box.addWidget(self.notice)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def show_chat(self, chat_id: str | None) -> None:
        if chat_id != self.chat_id:
            self.show_notice("")
        self.chat_id = chat_id
        self.refresh(chat_id or "")

    def refresh(self, chat_id: str) -> None:
        if chat_id != (self.chat_id or ""):
            return
        for row, _ in self.rows.values():
            row.deleteLater()
        self.rows.clear()
        uploads = self.service.uploads(chat_id) if self.service is not None and chat_id else []
        for upload in uploads:
            self.rows[upload.client_id] = self._row(upload)
            self.box.insertWidget(self.box.count() - 1, self.rows[upload.client_id][0])
        self.setVisible(bool(uploads) or not self.notice.isHidden())

    def progress(self, chat_id: str, client_id: str) -> None:
        found = self.rows.get(client_id)
        upload = (
            next((u for u in self.service.uploads(chat_id) if u.client_id == client_id), None)
            if (self.service is not None)
            else None
        )
        if found is not None and upload is not None:
            found[1].setValue(upload.percent)

    def _row(self, upload: Upload) -> tuple[QWidget, QProgressBar]:
        row = QWidget(self)
        row.setObjectName("uploadRow")
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        name = QLabel(row)
        name.setObjectName("uploadName")
        name.setTextFormat(Qt.TextFormat.PlainText)
        shown = " ".join(upload.name.split())
        name.setText(name.fontMetrics().elidedText(shown, Qt.TextElideMode.ElideMiddle, 260))
        name.setToolTip(escaped_tooltip(f"{shown} ({human_size(upload.size)})"))
        bar = QProgressBar(row)
        bar.setObjectName("uploadProgress")
        bar.setRange(0, 100)
        bar.setValue(upload.percent)
        bar.setMaximumHeight(14)
        bar.setFormat(self.tr("Sending %p%"))
        line.addWidget(name)
        if upload.state == "failed":
            error = QLabel(upload.reason, row)
            error.setObjectName("uploadError")
            error.setTextFormat(Qt.TextFormat.PlainText)
            error.setStyleSheet("color: #b91c1c;")
            line.addWidget(error, 1)
            bar.hide()
            retry = QPushButton(self.tr("Retry"), row)
            retry.setObjectName("uploadRetry")
            retry.setAutoDefault(False)
            retry.clicked.connect(lambda: self.service.retry(upload) if self.service else None)
            line.addWidget(retry)
        else:
            line.addWidget(bar, 1)
        cancel = QPushButton(self.tr("Cancel") if upload.state == "sending" else self.tr("Remove"), row)
        cancel.setObjectName("uploadCancel")
        cancel.setAutoDefault(False)
        cancel.setAccessibleName(self.tr("Stop sending %1").replace("%1", shown))
        cancel.clicked.connect(lambda: self.service.cancel(upload) if self.service else None)
        line.addWidget(cancel)
        return row, bar


class ComposerFiles(QObject):
    """The chat window's file sending; `attach(service, transcript files)` once signed in."""

    def __init__(
        self, panel: QWidget, composer: Composer, transcript: TranscriptView, tools: QBoxLayout
    ) -> None:
        super().__init__(panel)
        self.panel = panel
        self.composer = composer
        self.transcript = transcript
        self.service: AttachmentsService | None = None
        self.files: TranscriptFiles | None = None
        self.chat_id: str | None = None
        self.enabled = False
        self.tasks: set[asyncio.Task[Any]] = set()
        self.picker: QFileDialog | None = None  # the file dialog of Attach while it is open
        self.action = QAction(self.tr("&Attach a file\u2026"), panel)
        self.action.setObjectName("attachFileAction")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.setEnabled(False)
        self.action.triggered.connect(lambda: self._spawn(self.choose_file()))
        panel.addAction(self.action)
        self.button = QPushButton(panel)
        self.button.setObjectName("attachButton")
        self.button.setText(self.tr("Attach"))
        self.button.setAutoDefault(False)
        self.button.setToolTip(
            self.tr(
                "Send a file or an image (%1). You can also drop files here or paste a screenshot."
            ).replace("%1", self.action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
        )
        self.button.clicked.connect(self.action.trigger)
        tools.addWidget(self.button)
        self.strip = UploadStrip(panel)
        self.strip.hide()
        self.hint = QLabel(self.tr("Drop the files here to send them to the visitor"), self.strip)
        self.hint.setObjectName("fileDropHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet(
            "QLabel#fileDropHint { border: 2px dashed #3b82f6; border-radius: 8px; background: #eff6ff;"
            " color: #1d4ed8; padding: 10px; margin: 4px 14px; }"
        )
        self.hint.hide()
        self.strip.box.insertWidget(0, self.hint)
        composer.image_pasted.connect(lambda image: self._spawn(self.send_image(image)))
        composer.files_pasted.connect(lambda paths: self._spawn(self.send_paths(paths)))
        for target in (viewport_of(transcript), viewport_of(composer)):
            target.setAcceptDrops(True)
            target.installEventFilter(self)

    def attach(self, service: AttachmentsService) -> None:
        self.service = service
        self.strip.service = service
        service.uploads_changed.connect(self.strip.refresh)
        service.upload_progress.connect(self.strip.progress)
        self.files = TranscriptFiles(self.transcript, service)
        self.files.error.connect(self.show_error)

    def show_chat(self, chat_id: str | None, mine: bool) -> None:
        self.chat_id = chat_id
        self.enabled = mine and self.service is not None
        self.action.setEnabled(self.enabled)
        self.button.setEnabled(self.enabled)
        self.strip.show_chat(chat_id)

    def show_error(self, text: str) -> None:
        self.strip.show_notice(text)
        self.strip.show()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- sending --------------------------------------------------------------------------------

    async def choose_file(self) -> None:
        """The file dialog, shown without a nested event loop (`async_tools`); `picker` while open."""
        if not self.enabled or self.picker is not None:
            return
        kinds = " ".join(f"*.{ext}" for ext in EXTENSIONS)
        dialog = QFileDialog(
            self.panel.window(),
            self.tr("Send a file"),
            "",
            self.tr("Files that can be sent (%1);;All files (*)").replace("%1", kinds),
        )
        dialog.setObjectName("attachFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        paths: list[str] = []
        dialog.filesSelected.connect(paths.extend)  # native dialogs too say so
        self.picker = dialog
        done = finished_future(dialog)
        dialog.open()
        try:
            accepted = await done == QFileDialog.DialogCode.Accepted.value
        finally:
            self.picker = None
            dialog.deleteLater()
        if accepted and paths:
            await self.send_paths(paths)

    def _refuse_in_note_mode(self) -> bool:
        """A file always goes to the visitor: never sent while an internal note is being written."""
        if self.composer.note_mode:
            self.show_error(
                self.tr("Files are sent to the visitor and cannot be internal notes. Leave note mode first.")
            )
        return self.composer.note_mode

    @reports_errors(describe=describe_upload_error)
    async def send_paths(self, paths: list[str]) -> None:
        chat_id, service = self.chat_id, self.service
        if not self.enabled or chat_id is None or service is None or self._refuse_in_note_mode():
            return
        self.strip.show_notice("")
        for raw in paths[:MAX_FILES_AT_ONCE]:
            path = Path(raw)
            try:
                await service.check(path.name, (await asyncio.to_thread(path.stat)).st_size)
                data = await asyncio.to_thread(path.read_bytes)
                await service.send(chat_id, path.name, data)
            except UploadRefused as refused:  # an expected answer: no traceback in the log
                self.show_error(refused.text)
                return

    @reports_errors(describe=describe_upload_error)
    async def send_image(self, image: QImage) -> None:
        chat_id, service = self.chat_id, self.service
        if not self.enabled or chat_id is None or service is None or self._refuse_in_note_mode():
            return
        self.strip.show_notice("")
        name = datetime.now().strftime("screenshot-%Y%m%d-%H%M%S.png")
        try:
            await service.send(chat_id, name, png_bytes(image))
        except UploadRefused as refused:
            self.show_error(refused.text)

    # --- dragging -------------------------------------------------------------------------------

    def _hide_hint(self) -> None:
        self.hint.hide()
        self.strip.refresh(self.chat_id or "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(
            event, QDragEnterEvent | QDropEvent
        ):
            if self.enabled and local_files(event.mimeData()):
                event.acceptProposedAction()
                self.hint.show()
                self.strip.show()
                return True
            return False
        if kind == QEvent.Type.DragLeave:
            self._hide_hint()
            return False
        if kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            self._hide_hint()
            paths = local_files(event.mimeData())
            if self.enabled and paths:
                event.acceptProposedAction()
                self._spawn(self.send_paths(paths))
                return True
        return False

"""Files in a transcript view (the chat window's and the archive's): thumbnails of images drawn as they
arrive; a click on an image, a double-click or Enter opens it (an image in the `ImageViewer`, another
file with the system's program); the context menu offers View, Open and "Save as…".

Opening a PDF or an office document first asks (they may carry macros or scripts); the file is then
written to a private temporary folder and handed to the system (`QDesktopServices`).

Signals: ``error(str)`` why a file could not be fetched, opened or saved; ``notice(str)`` where a file
went.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QCursor, QDesktopServices, QMouseEvent
from PySide6.QtWidgets import QMenu

from chat_protocol.attachments import AttachmentInfo
from operator_app.atomic_file import write_atomically
from operator_app.store.attachment_kinds import is_risky, may_open
from operator_app.store.attachments_service import AttachmentsService
from operator_app.store.transcript_model import EntryRole
from operator_app.ui.async_tools import reports_errors
from operator_app.ui.confirm import confirm
from operator_app.ui.file_export import FileExporter, file_stem
from operator_app.ui.on_demand import Lazy, bring_forward
from operator_app.ui.transcript_view import MessageDelegate, TranscriptView

if TYPE_CHECKING:
    from operator_app.ui.image_viewer import ImageViewer

IMAGE_VIEWER: Lazy[type[ImageViewer]] = Lazy("operator_app.ui.image_viewer:ImageViewer")


def safe_file_name(name: str) -> str:
    """A name to write on this computer: no folders, no characters Windows refuses; keeps the extension."""
    stem, dot, ext = name.rpartition(".")
    ext = file_stem(ext)[:10] if dot else ""
    return file_stem(stem if dot else name) + (f".{ext}" if ext and ext != "export" else "")


class TranscriptFiles(QObject):
    error = Signal(str)
    notice = Signal(str)

    def __init__(self, view: TranscriptView, service: AttachmentsService) -> None:
        super().__init__(view)
        self.view = view
        self.service = service
        self.viewer: ImageViewer | None = None
        self.exporter = FileExporter(view.window())
        self.exporter.error.connect(self.error)
        self.exporter.notice.connect(self.notice)
        self.tasks: set[asyncio.Task[object]] = set()
        delegate = view.itemDelegate()
        if isinstance(delegate, MessageDelegate):
            delegate.files = service
        service.image_ready.connect(self._image_ready)
        view.activated.connect(self._activated)
        view.clicked.connect(self._clicked)
        self._pressed: QPoint | None = None  # where the mouse was last released on the view
        view.viewport().installEventFilter(self)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._menu)

    def show_error(self, text: str) -> None:
        self.error.emit(text)

    def _image_ready(self, _attachment_id: str) -> None:
        self.view.viewport().update()

    @staticmethod
    def info(index: QModelIndex) -> AttachmentInfo | None:
        info = index.data(EntryRole.ATTACHMENT) if index.isValid() else None
        return info if isinstance(info, AttachmentInfo) and info.attachment_id else None

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[object] = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _activated(self, index: QModelIndex) -> None:
        info = self.info(index)
        if info is not None:
            self._spawn(self.view_image(info) if info.category == "images" else self.open_file(info))

    def _clicked(self, index: QModelIndex) -> None:
        """A click on an image's thumbnail (not elsewhere on its line) opens it."""
        info = self.info(index)
        delegate = self.view.itemDelegate()
        drawn = delegate.file_rects.get(index.row()) if isinstance(delegate, MessageDelegate) else None
        where = self.view.viewport().mapFromGlobal(QCursor.pos()) if self._pressed is None else self._pressed
        if info is not None and info.category == "images" and drawn is not None and drawn.contains(where):
            self._spawn(self.view_image(info))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            self._pressed = event.position().toPoint()
        return False

    def _menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        if self.info(index) is None:  # the menu key: the current line's file
            index = self.view.currentIndex()
            point = self.view.visualRect(index).center()
        info = self.info(index)
        if info is None:
            return
        menu = QMenu(self.view)
        menu.setObjectName("attachmentMenu")
        if info.category == "images":
            menu.addAction(self.tr("View"), lambda: self._spawn(self.view_image(info)))
        menu.addAction(self.tr("Open"), lambda: self._spawn(self.open_file(info)))
        menu.addAction(self.tr("Save as\u2026"), lambda: self._spawn(self.save_as(info)))
        menu.popup(self.view.viewport().mapToGlobal(point))

    # --- actions --------------------------------------------------------------------------------

    @reports_errors
    async def view_image(self, info: AttachmentInfo) -> ImageViewer:
        if self.viewer is None:
            self.viewer = IMAGE_VIEWER.get()(lambda: self.save_as(info), self.view.window())
        viewer = self.viewer
        viewer.save = lambda: self.save_as(info)
        viewer.status.setText(self.tr("Loading image\u2026"))
        bring_forward(viewer)
        viewer.show_image(info.name, await self.service.image(info.attachment_id))
        return viewer

    async def save_as(self, info: AttachmentInfo) -> Path | None:
        async def fetch() -> bytes:
            return await self.service.file_bytes(info.attachment_id)

        return await self.exporter.export(self.tr("Save the file"), safe_file_name(info.name), "", fetch)

    @reports_errors
    async def open_file(self, info: AttachmentInfo) -> Path | None:
        """Ask first for a risky kind; then write a temporary copy and let the system open it. A name
        whose extension does not say the file's kind is never opened (`may_open`): Save as only."""
        local_name = safe_file_name(info.name)
        if not may_open(local_name, info.category):
            self.error.emit(self.tr("This file cannot be opened from here; use \u201cSave as\u2026\u201d."))
            return None
        if is_risky(info.category) and not await confirm(
            self.view.window(),
            self.tr("Open this file?"),
            self.tr(
                "\u201c%1\u201d may contain macros or scripts that can harm this computer. Open it only "
                "if you trust the sender and your security software is up to date."
            ).replace("%1", " ".join(info.name.split())),
            self.tr("Open anyway"),
            name="openFileWarning",
            default_to_cancel=True,
        ):
            return None
        data = await self.service.file_bytes(info.attachment_id)
        folder = open_folder() / file_stem(info.attachment_id)[:40]
        path = folder / local_name
        await asyncio.to_thread(_write, path, data)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.error.emit(self.tr("No program on this computer opens this kind of file."))
        return path


_open_folder: Path | None = None


def open_folder() -> Path:
    """A private temporary folder for files handed to other programs; removed when the app exits."""
    global _open_folder
    if _open_folder is None:
        _open_folder = Path(tempfile.mkdtemp(prefix="operator-app-files-"))
        atexit.register(shutil.rmtree, _open_folder, ignore_errors=True)
    return _open_folder


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data)

"""Saving a file the server makes (an export, a visitor's data): the operator picks where in a save
dialog (opened with ``open()`` and awaited, not ``exec()``), the server's bytes are fetched, and they
are written atomically (`write_atomically`): a failed export never leaves half a file.

Signals: ``busy_changed(bool)`` while an export runs; ``notice(str)`` where the file went;
``error(str)`` why an export failed (translated, one sentence).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from operator_app.atomic_file import write_atomically
from operator_app.ui.async_tools import finished_future, reports_errors
from operator_app.ui.error_text import describe_error

_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')


def file_stem(*parts: str) -> str:
    """A file name's stem from `parts`: no folder separators or characters Windows refuses."""
    text = "-".join(" ".join(part.split()) for part in parts if part.strip())
    return _UNSAFE.sub("_", text).strip(" .")[:120] or "export"


class FileExporter(QObject):
    """`export(title, name, kind, fetch)` asks where, fetches, writes; returns the path or None."""

    busy_changed = Signal(bool)
    notice = Signal(str)
    error = Signal(str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.busy = False
        self.dialog: QFileDialog | None = None  # the save dialog while it is open
        self.folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

    async def choose_path(self, title: str, name: str, kind: str) -> Path | None:
        """The save dialog, `name` suggested in the last folder used; None when cancelled."""
        dialog = QFileDialog(self.window, title, str(Path(self.folder) / name), kind)
        dialog.setObjectName("fileExportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix(Path(name).suffix.lstrip("."))
        self.dialog = dialog
        done = finished_future(dialog)
        dialog.open()
        try:
            accepted = await done == QFileDialog.DialogCode.Accepted.value
            files = dialog.selectedFiles()
        finally:
            self.dialog = None
            dialog.deleteLater()
        if not accepted or not files:
            return None
        path = Path(files[0])
        self.folder = str(path.parent)
        return path

    async def export(
        self, title: str, name: str, kind: str, fetch: Callable[[], Awaitable[bytes]]
    ) -> Path | None:
        if self.busy:
            return None
        path = await self.choose_path(title, name, kind)
        if path is None:
            return None
        self._set_busy(True)
        try:
            written = await self._download(path, fetch)
        finally:
            self._set_busy(False)
        if written is not None:
            self.notice.emit(self.tr("Exported to %1").replace("%1", str(written)))
        return written

    @reports_errors(on_error="show_failure")
    async def _download(self, path: Path, fetch: Callable[[], Awaitable[bytes]]) -> Path:
        content = await fetch()
        await asyncio.to_thread(write_atomically, path, content)
        return path

    def show_failure(self, error: BaseException) -> None:
        reason = str(error.strerror or error) if isinstance(error, OSError) else describe_error(error)
        self.error.emit(self.tr("The export failed: %1").replace("%1", reason))

    def show_error(self, text: str) -> None:
        self.error.emit(text)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

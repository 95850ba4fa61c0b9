"""The transcript of a chat found in the archives (``archiveTranscriptPane``), read-only: messages,
internal notes, calls, page pushes, files (drawn, viewed, opened and saved as in the chat window:
`TranscriptFiles`) and the rating, drawn by the chat window's own `TranscriptView`; above it the chat's
tags with the tag menu (the chat window's `ChatTagsBar`: tags may be set after the close) and its
exports as text or HTML.

Objects: ``archiveTranscriptTitle``, ``archiveTranscriptDetails``, ``archiveTagsBar`` (with
``archiveTagsButton``, ``archiveTagsMenu``, ``archiveTagChips``), ``archiveExportText``,
``archiveExportHtml``, ``archiveTranscriptStatus`` (what to do, loading, or why the chat could not be
loaded) and ``archiveTranscript`` (the transcript).
"""

from __future__ import annotations

import asyncio
import unicodedata
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from chat_protocol.archive import ArchiveHit
from operator_app.store.archive_model import agent_text, closed_text
from operator_app.store.archives_service import ArchivesService, ExportFormat
from operator_app.store.display_text import visitor_name
from operator_app.store.transcript_model import TranscriptModel
from operator_app.ui.archive_export import ArchiveExporter
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.chat_tags import ChatTagsBar
from operator_app.ui.transcript_files import TranscriptFiles
from operator_app.ui.transcript_view import TranscriptView


def folded(text: str) -> str:
    """Text as the server compares it: NFKC, then case folding."""
    return unicodedata.normalize("NFKC", text).casefold()


class ArchiveTranscriptPane(QWidget):
    """Shows one hit's transcript; `open(hit, text)` loads it (a newer `open` cancels an older one)
    and brings the first line containing the search text into view, selected."""

    def __init__(self, service: ArchivesService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("archiveTranscriptPane")
        self.service = service
        self.chat_id: str | None = None  # the chat shown (or being loaded)
        self.search_text = ""
        self.loading: asyncio.Task[bool] | None = None
        self.title = self._label("archiveTranscriptTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.details = self._label("archiveTranscriptDetails")
        self.details.setStyleSheet("color: #4b5563;")
        self.hit: ArchiveHit | None = None
        self.exporter: ArchiveExporter | None = None  # set by the view
        self.tags_bar = ChatTagsBar("archive", self)
        self.tags_bar.button.setToolTip(self.tr("Tag this chat (%1).").replace("%1", "Ctrl+Shift+G"))
        self.tags_bar.attach(service.tags)
        self.export_text = QPushButton(self.tr("Export as te&xt\u2026"), self)
        self.export_text.setObjectName("archiveExportText")
        self.export_text.setToolTip(self.tr("Save this chat's transcript as a text file"))
        self.export_text.clicked.connect(self.export_as_text)
        self.export_html = QPushButton(self.tr("Export as &HTML\u2026"), self)
        self.export_html.setObjectName("archiveExportHtml")
        self.export_html.setToolTip(self.tr("Save this chat's transcript as a web page"))
        self.export_html.clicked.connect(self.export_as_html)
        self.tools = QWidget(self)
        tools = QHBoxLayout(self.tools)
        tools.setContentsMargins(0, 2, 0, 2)
        tools.addWidget(self.tags_bar, 1)
        tools.addWidget(self.export_text)
        tools.addWidget(self.export_html)
        self.status = self._label("archiveTranscriptStatus")
        self.model = TranscriptModel(service.store, service.signals, self)
        self.transcript = TranscriptView(self)
        self.transcript.setObjectName("archiveTranscript")
        self.transcript.setModel(self.model)
        self.files = TranscriptFiles(self.transcript, service.attachments)  # view, open, save files
        self.files.error.connect(self._file_failed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addWidget(self.tools)
        layout.addWidget(self.status)
        layout.addWidget(self.transcript, 1)
        # After the view's own scroll to the end (it follows a reset), show the match instead.
        self._reveal_timer = QTimer(self)
        self._reveal_timer.setSingleShot(True)
        self._reveal_timer.setInterval(0)
        self._reveal_timer.timeout.connect(self.reveal_match)
        self.show_nothing()

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        return label

    def show_nothing(self) -> None:
        """No chat chosen: say how to choose one."""
        self._cancel()
        self.chat_id = None
        self.hit = None
        self.tags_bar.show_chat(None)
        self.tools.hide()
        self.model.set_chat(None)
        self.title.setText("")
        self.title.hide()
        self.details.hide()
        self.status.setStyleSheet("color: #6b7280;")
        self.status.setText(self.tr("Select a chat in the list to read it here."))
        self.status.show()

    def open(self, hit: ArchiveHit, text: str = "") -> asyncio.Task[bool]:
        """Load and show the chat of `hit` (in the background; the task says whether it loaded)."""
        self._cancel()
        self.chat_id = hit.chat_id
        self.hit = hit
        self.search_text = text.strip()
        self.tags_bar.show_chat(hit.chat_id)
        self.tools.show()
        self.title.setText(
            self.tr("%1 with %2").replace("%1", visitor_name(hit.visitor)).replace("%2", agent_text(hit))
        )
        self.title.show()
        self.details.setText(self._details(hit))
        self.details.show()
        self.loading = asyncio.ensure_future(self._load(hit.chat_id))
        return self.loading

    def showing(self, chat_id: str) -> bool:
        """Whether `chat_id` is shown, or loading (a failed load is not: opening it again retries)."""
        loading = self.loading is not None and not self.loading.done()
        return self.chat_id == chat_id and (loading or self.model.chat_id == chat_id)

    def _details(self, hit: ArchiveHit) -> str:
        parts = [self.tr("Closed %1").replace("%1", closed_text(hit))]
        parts.append(self.tr("%1 messages").replace("%1", str(hit.messages)))
        if hit.rating == "good":
            parts.append(self.tr("Rated good"))
        elif hit.rating == "bad":
            parts.append(self.tr("Rated bad"))
        if hit.had_call:
            parts.append(self.tr("Video call"))
        if hit.transferred:
            parts.append(self.tr("Transferred"))
        return " \u00b7 ".join(parts)

    @async_slot()
    async def export_as_text(self) -> None:
        await self.export("text")

    @async_slot()
    async def export_as_html(self) -> None:
        await self.export("html")

    async def export(self, fmt: ExportFormat) -> Path | None:
        """Save the shown chat as a file (asks where); the path written, or None."""
        hit, exporter = self.hit, self.exporter
        if hit is None or exporter is None:
            return None
        with disabled(self.export_text, self.export_html):
            day = hit.closed_at.astimezone().date()
            return await exporter.export_chat(hit.chat_id, fmt, visitor_name(hit.visitor), day)

    def _cancel(self) -> None:
        if self.loading is not None and not self.loading.done():
            self.loading.cancel()
        self.loading = None

    async def _load(self, chat_id: str) -> bool:
        self.status.setStyleSheet("color: #6b7280;")
        self.status.setText(self.tr("Loading the chat\u2026"))
        self.status.show()
        shown = self.model.chat_id
        done = await self._fetch(chat_id, shown)
        if not done:
            return False
        self.model.set_chat(chat_id)
        self.status.hide()
        self._reveal_timer.start()
        return True

    def reveal_match(self) -> int:
        """Select and centre the first line containing the search text; its row, or -1."""
        wanted = folded(self.search_text)
        if not wanted:
            return -1
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            if wanted in folded(str(index.data() or "")):
                self.transcript.setCurrentIndex(index)
                self.transcript.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
                return row
        return -1

    @reports_errors
    async def _fetch(self, chat_id: str, shown: str | None) -> bool:
        await self.service.load_transcript(chat_id, showing=shown)
        return True

    def show_error(self, text: str) -> None:
        """Why the chat could not be loaded, in place of the transcript."""
        self.model.set_chat(None)
        self.status.setStyleSheet("color: #b91c1c;")
        self.status.setText(self.tr("This chat could not be loaded: %1").replace("%1", text))
        self.status.show()

    def _file_failed(self, text: str) -> None:
        self.status.setStyleSheet("color: #b91c1c;")
        self.status.setText(text)
        self.status.show()

    async def stop(self) -> None:
        task = self.loading
        self._cancel()
        await self.tags_bar.stop()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

"""Exports from the archives: the opened chat's transcript as text or HTML, and every result of the
search as CSV, saved through `FileExporter` (a save dialog, then an atomic write). The server writes
the files in the app's language and this computer's time zone."""

from __future__ import annotations

import zoneinfo
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLocale, QTimeZone
from PySide6.QtWidgets import QWidget

from chat_protocol.archive import ArchiveQuery
from operator_app.store.archives_service import ArchivesService, ExportFormat
from operator_app.ui.file_export import FileExporter, file_stem

SUFFIXES: dict[str, str] = {"text": "txt", "html": "html", "csv": "csv"}


def export_language() -> str:
    """The app's language (its translators set the default locale): the file's labels follow it."""
    return "ja" if QLocale().language() == QLocale.Language.Japanese else "en"


def export_zone() -> str:
    """This computer's IANA time zone, for the times in the file; UTC when it has no known name."""
    zone = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return zone


class ArchiveExporter(FileExporter):
    """`export_chat` and `export_results` ask where, download, write; each returns the path or None."""

    def __init__(self, service: ArchivesService, window: QWidget) -> None:
        super().__init__(window)
        self.service = service

    async def export_chat(self, chat_id: str, fmt: ExportFormat, visitor: str, day: date) -> Path | None:
        stem = file_stem(self.tr("chat"), visitor, day.isoformat())
        name = f"{stem}.{SUFFIXES[fmt]}"
        kinds = {"text": self.tr("Text files (*.txt)"), "html": self.tr("Web pages (*.html *.htm)")}
        title = self.tr("Export the chat as text") if fmt == "text" else self.tr("Export the chat as HTML")

        async def fetch() -> bytes:
            exported = await self.service.export_chat(chat_id, fmt, lang=export_language(), tz=export_zone())
            return exported.content

        return await self.export(title, name, kinds[fmt], fetch)

    async def export_results(self, query: ArchiveQuery) -> Path | None:
        stem = file_stem(self.tr("archives"), date.today().isoformat())
        name = f"{stem}.csv"

        async def fetch() -> bytes:
            exported = await self.service.export_results(query, lang=export_language(), tz=export_zone())
            return exported.content

        return await self.export(
            self.tr("Export the results as CSV"), name, self.tr("CSV files (*.csv)"), fetch
        )

"""The archive's results (``archiveResults``): closed chats of `POST /api/v1/archives/search`,
newest first.

A new search replaces the rows (a reset: it is a new question, not an event); "load more" appends
the next page by a row range. Every text is visitor- or agent-supplied plain text: the delegate
paints it as such, tooltips are escaped. `ArchiveRole.HIGHLIGHTS` gives the matching spans of the
snippet in Qt's string offsets (UTF-16), clamped and merged. `ArchiveRole.TAGS` gives each chat's tags
as ``(name, colour)`` by name, from the tags `set_tags` knows; `set_chat_tags` follows a change made
in the transcript pane (by row, `dataChanged`).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from chat_protocol.archive import ArchiveHit, ArchivePage
from chat_protocol.tags import Tag
from operator_app.store.display_text import escaped_tooltip, visitor_name

Index = QModelIndex | QPersistentModelIndex

# Line breaks and tabs of a snippet become spaces one for one: the highlight offsets stay right.
_FLAT = str.maketrans(
    {"\n": " ", "\r": " ", "\t": " ", "\u2028": " ", "\u2029": " ", "\x0b": " ", "\x0c": " "}
)


class ArchiveRole(IntEnum):
    CHAT_ID = Qt.ItemDataRole.UserRole + 1
    VISITOR = Qt.ItemDataRole.UserRole + 2
    AGENT = Qt.ItemDataRole.UserRole + 3
    CLOSED_TEXT = Qt.ItemDataRole.UserRole + 4
    RATING = Qt.ItemDataRole.UserRole + 5
    """``good``, ``bad`` or ``""`` (not rated)."""
    SNIPPET = Qt.ItemDataRole.UserRole + 6
    """The snippet on one line (line breaks as spaces)."""
    HIGHLIGHTS = Qt.ItemDataRole.UserRole + 7
    """``[(start, length), ...]`` in Qt string offsets (UTF-16 code units), sorted, not overlapping."""
    HAD_CALL = Qt.ItemDataRole.UserRole + 8
    TRANSFERRED = Qt.ItemDataRole.UserRole + 9
    MATCH = Qt.ItemDataRole.UserRole + 10
    """Where the search text was found: ``message``, ``note``, ``visitor`` or ``""``."""
    TAGS = Qt.ItemDataRole.UserRole + 11
    """``[(name, colour), ...]`` by name; tags unknown to the client are left out."""


def qt_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open character spans of `text` (Python offsets) as Qt ``(start, length)`` pairs.

    Qt counts UTF-16 code units (an emoji is two), Python code points. Spans outside the text are
    clamped, empty ones dropped, overlapping ones merged."""
    clean = sorted((max(0, start), min(len(text), end)) for start, end in spans if start < end)
    merged: list[list[int]] = []
    for start, end in clean:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])

    def units(offset: int) -> int:
        return len(text[:offset].encode("utf-16-le")) // 2

    return [(units(start), units(end) - units(start)) for start, end in merged]


def closed_text(hit: ArchiveHit) -> str:
    """When the chat closed, on this computer's clock."""
    return hit.closed_at.astimezone().strftime("%Y-%m-%d %H:%M")


def agent_text(hit: ArchiveHit) -> str:
    name = " ".join(hit.agent.name.split()) if hit.agent is not None else ""
    return name or QCoreApplication.translate("ArchiveModel", "No agent")


class ArchiveModel(QAbstractListModel):
    """One row per closed chat; `next_cursor` asks the server for the rows after the last one."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[ArchiveHit] = []
        self._ids: set[str] = set()
        self._tags: dict[str, Tag] = {}
        self.next_cursor: str | None = None

    # --- updates ----------------------------------------------------------------------------

    def show_page(self, page: ArchivePage) -> None:
        """The first page of a new search, in place of the old results."""
        self.beginResetModel()
        self._hits = []
        self._ids = set()
        self._take(page.hits)
        self.next_cursor = page.next_cursor
        self.endResetModel()

    def append_page(self, page: ArchivePage) -> None:
        """The next (older) page after the last row; a chat listed already is not listed twice."""
        fresh: list[ArchiveHit] = []
        seen = set(self._ids)
        for hit in page.hits:
            if hit.chat_id not in seen:
                seen.add(hit.chat_id)
                fresh.append(hit)
        if fresh:
            first = len(self._hits)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._take(fresh)
            self.endInsertRows()
        self.next_cursor = page.next_cursor

    def set_tags(self, tags: list[Tag]) -> None:
        """The tags there are (names and colours); every row's tags are shown again."""
        self._tags = {tag.tag_id: tag for tag in tags}
        if self._hits:
            roles = [ArchiveRole.TAGS, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole]
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._hits) - 1, 0), roles)

    def set_chat_tags(self, chat_id: str, tag_ids: list[str]) -> None:
        """A listed chat's tags changed (the operator set them in the transcript pane)."""
        row = self.row_of(chat_id)
        if row >= 0 and self._hits[row].tag_ids != tag_ids:
            self._hits[row] = self._hits[row].model_copy(update={"tag_ids": list(tag_ids)})
            roles = [ArchiveRole.TAGS, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole]
            self.dataChanged.emit(self.index(row, 0), self.index(row, 0), roles)

    def tags_of(self, hit: ArchiveHit) -> list[tuple[str, str]]:
        known = [self._tags[tag_id] for tag_id in hit.tag_ids if tag_id in self._tags]
        return [(tag.name, tag.colour) for tag in sorted(known, key=lambda tag: tag.name.casefold())]

    def clear(self) -> None:
        self.show_page(ArchivePage(hits=[]))

    def _take(self, hits: list[ArchiveHit]) -> None:
        for hit in hits:
            if hit.chat_id not in self._ids:
                self._ids.add(hit.chat_id)
                self._hits.append(hit)

    # --- queries ----------------------------------------------------------------------------

    def hit(self, row: int) -> ArchiveHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def row_of(self, chat_id: str) -> int:
        return next((row for row, hit in enumerate(self._hits) if hit.chat_id == chat_id), -1)

    # --- Qt API -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractListModel.CheckIndexOption.IndexIsValid):
            return None
        hit = self._hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            parts = [visitor_name(hit.visitor), agent_text(hit), closed_text(hit)]
            parts += [name for name, _colour in self.tags_of(hit)]
            snippet = hit.snippet.translate(_FLAT).strip()
            return " \u00b7 ".join(parts + ([snippet] if snippet else []))
        if role == Qt.ItemDataRole.ToolTipRole:
            return escaped_tooltip(hit.snippet) if hit.snippet.strip() else None
        if role == ArchiveRole.CHAT_ID:
            return hit.chat_id
        if role == ArchiveRole.VISITOR:
            return visitor_name(hit.visitor)
        if role == ArchiveRole.AGENT:
            return agent_text(hit)
        if role == ArchiveRole.CLOSED_TEXT:
            return closed_text(hit)
        if role == ArchiveRole.RATING:
            return hit.rating or ""
        if role == ArchiveRole.SNIPPET:
            return hit.snippet.translate(_FLAT)
        if role == ArchiveRole.HIGHLIGHTS:
            return qt_spans(hit.snippet, hit.highlights)
        if role == ArchiveRole.HAD_CALL:
            return hit.had_call
        if role == ArchiveRole.TRANSFERRED:
            return hit.transferred
        if role == ArchiveRole.MATCH:
            return hit.match or ""
        if role == ArchiveRole.TAGS:
            return self.tags_of(hit)
        return None

"""Canned replies as item models: the whole library (``CannedRepliesModel``) and the `#` matches.

The library starts from the disk cache, refreshes from the server after sign-in and after each
edit, and updates its rows by ranges. Edits go to the server first; the list follows its answer.
"""

from __future__ import annotations

import logging
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Signal,
)

from operator_app.errors import ApiError
from operator_app.store.canned_cache import CannedCache
from operator_app.store.display_text import escaped_tooltip, one_line

if TYPE_CHECKING:
    from chat_protocol.canned import CannedReply, CannedReplyInput
    from operator_app.net.session import AuthSession

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

# Qt.ItemDataRole values (fixed by Qt), named here rather than read from `Qt`: the first access to
# PySide6's `Qt` namespace builds its ~100 enum classes (about 0.1 s), and importing this model
# need not be what pays for that.
DISPLAY_ROLE = 0  # Qt.ItemDataRole.DisplayRole
TOOLTIP_ROLE = 3  # Qt.ItemDataRole.ToolTipRole
USER_ROLE = 0x0100  # Qt.ItemDataRole.UserRole


class CannedRole(IntEnum):
    CANNED_ID = USER_ROLE + 1
    SHORTCUT = USER_ROLE + 2
    TITLE = USER_ROLE + 3
    TEXT = USER_ROLE + 4
    SCOPE = USER_ROLE + 5
    SCOPE_TEXT = USER_ROLE + 6
    SEARCH_TEXT = USER_ROLE + 7


def scope_text(reply: CannedReply) -> str:
    if reply.owner_id is None:
        return QCoreApplication.translate("CannedReplies", "team")
    return QCoreApplication.translate("CannedReplies", "personal")


def _sort_key(reply: CannedReply) -> tuple[str, bool, str, str]:
    return (reply.shortcut.casefold(), reply.owner_id is None, reply.title.casefold(), reply.canned_id)


def _reply_data(reply: CannedReply, role: int) -> Any:
    if role == DISPLAY_ROLE:
        return f"#{reply.shortcut}  \u2014  {one_line(reply.title, 80)}"
    if role == TOOLTIP_ROLE:
        return escaped_tooltip(reply.text)
    if role == CannedRole.CANNED_ID:
        return reply.canned_id
    if role == CannedRole.SHORTCUT:
        return reply.shortcut
    if role == CannedRole.TITLE:
        return reply.title
    if role == CannedRole.TEXT:
        return reply.text
    if role == CannedRole.SCOPE:
        return "team" if reply.owner_id is None else "personal"
    if role == CannedRole.SCOPE_TEXT:
        return scope_text(reply)
    if role == CannedRole.SEARCH_TEXT:
        return f"{reply.shortcut}\n{reply.title}\n{reply.text}"
    return None


def _role_names(base: dict[int, QByteArray]) -> dict[int, QByteArray]:
    names = dict(base)
    names.update({int(role): QByteArray(role.name.lower().encode()) for role in CannedRole})
    return names


class CannedRepliesModel(QAbstractListModel):
    """Every canned reply I may use, sorted by shortcut (personal before team on a collision).

    Signals: ``source_changed(source)`` with ``"cache"`` or ``"server"``.
    """

    source_changed = Signal(str)

    def __init__(self, cache: CannedCache, auth: AuthSession | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self._auth = auth
        self._rows: list[CannedReply] = []
        self.source = "cache"

    # --- queries ----------------------------------------------------------------------------

    def replies(self) -> list[CannedReply]:
        return list(self._rows)

    def reply_at(self, row: int) -> CannedReply | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, canned_id: str) -> int:
        for row, reply in enumerate(self._rows):
            if reply.canned_id == canned_id:
                return row
        return -1

    # --- loading ----------------------------------------------------------------------------

    def load_cached(self) -> None:
        """The replies saved at the last successful refresh (works offline)."""
        self._set_replies(self._cache.load())
        self._set_source("cache")

    async def refresh(self) -> None:
        """Load the list from the server and keep it on disk; raises `ApiError` (the list stays)."""
        if self._auth is None:
            return
        auth = self._auth
        replies = await auth.call(auth.api.list_canned)
        self._set_replies(replies)
        self._set_source("server")
        try:
            self._cache.save(replies)
        except OSError as exc:
            log.warning("could not save the canned-reply cache: %s", exc)

    async def refresh_quietly(self) -> None:
        """`refresh`, logging a failure: the cached list stays in use."""
        try:
            await self.refresh()
        except ApiError as exc:
            log.warning("canned replies not refreshed, using the cache: %s", exc)
            self._set_source("cache")

    # --- edits (server first, then a refresh) -----------------------------------------------

    async def create(self, body: CannedReplyInput) -> CannedReply:
        auth = self._require_auth()
        created = await auth.call(lambda token: auth.api.create_canned(token, body))
        await self.refresh_quietly()
        return created

    async def update(self, canned_id: str, body: CannedReplyInput) -> CannedReply:
        auth = self._require_auth()
        updated = await auth.call(lambda token: auth.api.update_canned(token, canned_id, body))
        await self.refresh_quietly()
        return updated

    async def delete(self, canned_id: str) -> None:
        auth = self._require_auth()
        await auth.call(lambda token: auth.api.delete_canned(token, canned_id))
        await self.refresh_quietly()

    def _require_auth(self) -> AuthSession:
        if self._auth is None:
            raise RuntimeError("canned replies are read-only without a session")
        return self._auth

    def _set_source(self, source: str) -> None:
        if source != self.source:
            self.source = source
            self.source_changed.emit(source)

    # --- row-range updates ------------------------------------------------------------------

    def _set_replies(self, replies: list[CannedReply]) -> None:
        """Move to the new list by removals, changes and insertions (never a reset)."""
        new = sorted(replies, key=_sort_key)
        wanted = {reply.canned_id: _sort_key(reply) for reply in new}
        for row in range(len(self._rows) - 1, -1, -1):
            old = self._rows[row]
            if wanted.get(old.canned_id) != _sort_key(old):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        # What is left is a subsequence of `new`, in the same order.
        for row, reply in enumerate(new):
            current = self._rows[row] if row < len(self._rows) else None
            if current is not None and current.canned_id == reply.canned_id:
                if current != reply:
                    self._rows[row] = reply
                    self.dataChanged.emit(self.index(row, 0), self.index(row, 0), [])
                continue
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, reply)
            self.endInsertRows()

    # --- Qt API -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        return _role_names(super().roleNames())

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        if not self.checkIndex(index, QAbstractListModel.CheckIndexOption.IndexIsValid):
            return None
        return _reply_data(self._rows[index.row()], role)


class CannedMatchesModel(QAbstractListModel):
    """The replies matching what follows `#` (chat_protocol.canned.matches order); a new query resets it."""

    def __init__(self, library: CannedRepliesModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._query: str | None = None
        self._rows: list[CannedReply] = []
        for signal in (library.rowsInserted, library.rowsRemoved, library.dataChanged, library.modelReset):
            signal.connect(self._library_changed)

    @property
    def query(self) -> str | None:
        return self._query

    def set_query(self, query: str | None) -> None:
        """Show the matches of `query` (None: nothing)."""
        from chat_protocol.canned import matches

        self._query = query
        self.beginResetModel()
        self._rows = [] if query is None else matches(self._library.replies(), query)
        self.endResetModel()

    def reply_at(self, row: int) -> CannedReply | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _library_changed(self, *args: object) -> None:
        if self._query is not None:
            self.set_query(self._query)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        return _role_names(super().roleNames())

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        if not self.checkIndex(index, QAbstractListModel.CheckIndexOption.IndexIsValid):
            return None
        return _reply_data(self._rows[index.row()], role)

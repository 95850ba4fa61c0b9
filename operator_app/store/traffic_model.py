"""The traffic table: every visitor on the site now, one `TrafficRow` per row, kept sorted here.

Deltas are batched (applied every `flush_ms`) as row-range removals, ``dataChanged`` and insertions;
only a first snapshot (or one that replaces most rows) resets the model. The rows are kept in the
order of the chosen column here, so the filter proxy above never sorts 10,000 rows through Python.
A changed row is updated in place; if its place changed it moves at the next `resort()` (within
`resort_ms`), with the fewest moves: a table that reshuffles on every delta repaints on every delta
(measured: each full repaint of the table costs ~30 ms on the offscreen platform). The priority
(`chat_protocol.traffic.priority`) is recomputed every `rescore_ms` because time on site moves.

Signals: ``batch_applied(ids)`` with the set of visitor ids added, changed or removed by a batch.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

if TYPE_CHECKING:
    from chat_protocol.traffic import TrafficDelta, TrafficRow, TrafficSnapshot

from chat_protocol.enums import TrafficState
from operator_app.store.display_text import escaped_tooltip, format_wait
from operator_app.store.traffic_entry import (
    Entry,
    descending_text,
    entry_key,
    micros,
    out_of_order,
    ranges,
)
from operator_app.store.traffic_text import (
    STATE_COLORS,
)

Index = QModelIndex | QPersistentModelIndex
_STATE_ORDER = {state: n for n, state in enumerate(TrafficState)}
MAX_MOVES = 40  # more rows out of place than this: one layout change (cheaper than 40 single moves)


class Column(IntEnum):
    VISITOR = 0
    STATE = 1
    PAGE = 2
    TIME_ON_SITE = 3
    PAGES = 4
    VISITS = 5
    CART = 6
    LOCATION = 7
    DEVICE = 8
    SOURCE = 9
    PRIORITY = 10


class TrafficRole(IntEnum):
    VISITOR_ID = Qt.ItemDataRole.UserRole + 1
    ROW = Qt.ItemDataRole.UserRole + 2
    STATE = Qt.ItemDataRole.UserRole + 3
    SCORE = Qt.ItemDataRole.UserRole + 4


class TrafficModel(QAbstractTableModel):
    """Visitors on the site, sorted by `sort_column`/`sort_order` (priority, highest first, by default)."""

    batch_applied = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        flush_ms: int = 200,
        resort_ms: int = 2000,
        rescore_ms: int = 5000,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._ids: list[str] = []
        self._positions: dict[str, int] | None = {}  # visitor id -> row; None: to rebuild
        self.unsorted = False  # updated rows wait in place for the next `resort()`
        self._entries: dict[str, Entry] = {}
        self._pending: dict[str, TrafficRow] = {}
        self._pending_removed: set[str] = set()
        self.sort_column = Column.PRIORITY
        self.sort_order = Qt.SortOrder.DescendingOrder
        self._scored_at = micros(self.clock())
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(flush_ms)
        self._flush_timer.timeout.connect(self.flush)
        self._rescore_timer = QTimer(self)
        self._rescore_timer.setInterval(rescore_ms)
        self._rescore_timer.timeout.connect(self.rescore)
        self._rescore_timer.start()
        self._resort_timer = QTimer(self)
        self._resort_timer.setSingleShot(True)
        self._resort_timer.setInterval(resort_ms)
        self._resort_timer.timeout.connect(self.resort)
        self._headers = (
            self.tr("Visitor"),
            self.tr("State"),
            self.tr("Current page"),
            self.tr("Time on site"),
            self.tr("Pages"),
            self.tr("Visits"),
            self.tr("Cart"),
            self.tr("Language / location"),
            self.tr("Device"),
            self.tr("Source"),
            self.tr("Priority"),
        )

    # --- queries ----------------------------------------------------------------------------

    def visitor_ids(self) -> list[str]:
        """Every visitor id in display order (pending changes not yet applied)."""
        return list(self._ids)

    def get(self, visitor_id: str) -> TrafficRow | None:
        entry = self._entries.get(visitor_id)
        return entry.row if entry is not None else None

    def row_at(self, row: int) -> TrafficRow | None:
        return self._entries[self._ids[row]].row if 0 <= row < len(self._ids) else None

    def row_of(self, visitor_id: str) -> int:
        positions = self._positions
        if positions is None:
            positions = self._positions = {vid: row for row, vid in enumerate(self._ids)}
        return positions.get(visitor_id, -1)

    def score_of(self, visitor_id: str) -> float | None:
        entry = self._entries.get(visitor_id)
        return entry.score if entry is not None else None

    def search_text(self, row: int) -> str:
        return self._entries[self._ids[row]].haystack

    # --- the sink of the traffic feed -------------------------------------------------------

    def load_snapshot(self, snapshot: TrafficSnapshot) -> None:
        """The list as the server has it now: replaces everything, pending changes included."""
        self._pending.clear()
        self._pending_removed.clear()
        self._flush_timer.stop()
        self._scored_at = micros(self.clock())
        rows = {row.visitor_id: row for row in snapshot.rows}
        gone = [vid for vid in self._ids if vid not in rows]
        arrived = sum(1 for vid in rows if vid not in self._entries)
        if not self._ids or len(gone) + arrived > len(self._ids) // 2:
            self.beginResetModel()
            self._entries = {vid: self._entry(row) for vid, row in rows.items()}
            self._rebuild_order()
            self.endResetModel()
            self.batch_applied.emit(set(rows) | set(gone))
            return
        # A resync with most rows kept: move there by ranges so selections survive.
        self._apply(rows, set(gone), force=True)

    def apply_delta(self, delta: TrafficDelta) -> None:
        """Queue a delta; the batch is applied within `flush_ms`."""
        for visitor_id in delta.removed:
            self._pending.pop(visitor_id, None)
            self._pending_removed.add(visitor_id)
        for row in delta.upserts:
            self._pending_removed.discard(row.visitor_id)
            queued = self._pending.get(row.visitor_id)
            if queued is None or row.rev >= queued.rev:
                self._pending[row.visitor_id] = row
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Apply the queued deltas now (the timer calls it; tests may too)."""
        self._flush_timer.stop()
        upserts, removed = self._pending, self._pending_removed
        self._pending, self._pending_removed = {}, set()
        if upserts or removed:
            self._apply(upserts, removed, force=False)

    # --- sorting and scoring ----------------------------------------------------------------

    def sort_by(self, column: int, order: Qt.SortOrder) -> None:
        """Order the rows by a column (a layout change: selections and persistent indexes follow)."""
        if column < 0 or column >= len(Column):
            return
        self.sort_column = Column(column)
        self.sort_order = order
        self.unsorted = False
        self._resort_timer.stop()
        for entry in self._entries.values():
            entry.key = self._key(entry)
        self._relayout()

    def _relayout(self) -> None:
        """Put every row at its key's place in one layout change."""
        self.layoutAboutToBeChanged.emit()
        before = self._persistent_ids()
        self._rebuild_order()
        self._restore_persistent(before)
        self.layoutChanged.emit()

    def rescore(self) -> None:
        """Recompute every priority (time on site moves), then put rows out of order in place."""
        self._scored_at = now = micros(self.clock())
        by_priority = self.sort_column == Column.PRIORITY
        sign = -1 if self.sort_order == Qt.SortOrder.DescendingOrder else 1
        for entry in self._entries.values():
            entry.score = entry.score_at(now)
            if by_priority:  # what `_key` gives, without its per-column dispatch
                entry.key = (sign * entry.exact, entry.number, entry.vid)
        if self._ids:
            top = self.index(0, Column.PRIORITY)
            bottom = self.index(len(self._ids) - 1, Column.PRIORITY)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole, TrafficRole.SCORE])
        self.resort()

    def resort(self) -> None:
        """Move the rows whose key changed since they were placed: the fewest moves (rows outside a
        longest ordered run), or one layout change when many moved. Updates wait for this (at most
        `resort_ms`) so a burst of changes does not shuffle the table on every delta."""
        self._resort_timer.stop()
        self.unsorted = False
        keys = [self._entries[vid].key for vid in self._ids]
        if all(keys[n] < keys[n + 1] for n in range(len(keys) - 1)):
            return
        stray = out_of_order(keys)
        if len(stray) > MAX_MOVES:
            self._relayout()
            return
        moved = [self._ids[n] for n in stray]
        self._remove_rows(stray)
        self._insert_entries([self._entries[vid] for vid in moved])
        self.batch_applied.emit(set(moved))

    # --- Qt API -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else _COLUMNS

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(role): QByteArray(role.name.lower().encode()) for role in TrafficRole})
        return names

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: plain ints, no checkIndex().
        if role not in _ROLES:
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._ids) and 0 <= column < _COLUMNS):
            return None
        entry = self._entries[self._ids[row]]
        if role == _DISPLAY:
            if column == _TIME:
                return format_wait(max(0, (micros(self.clock()) - entry.start) // 10**6))
            if column == _PRIORITY:
                return f"{entry.score:.1f}"
            return entry.texts[column]
        if role == _FOREGROUND:
            return STATE_COLORS[entry.row.state] if column == _STATE else None
        if role == _ALIGNMENT:
            return _RIGHT if column in _NUMERIC else None
        if role == _TOOLTIP:
            return self._tooltip(entry.row, column)
        if role == _VISITOR_ID:
            return entry.row.visitor_id
        if role == _ROW:
            return entry.row
        if role == _STATE_ROLE:
            return entry.row.state.value
        return entry.score  # SCORE

    def _tooltip(self, row: TrafficRow, column: int) -> str | None:
        if column == Column.VISITOR:
            return escaped_tooltip(f"{row.name}\n{row.email}".strip()) if row.name or row.email else None
        if column == Column.PAGE:
            return escaped_tooltip(f"{row.page_title}\n{row.page_url}".strip()) if row.page_url else None
        return None

    # --- updates ----------------------------------------------------------------------------

    def _entry(self, row: TrafficRow) -> Entry:
        entry = Entry(row)
        entry.score = entry.score_at(self._scored_at)
        entry.key = self._key(entry)
        return entry

    def _key(self, entry: Entry) -> tuple[Any, ...]:
        row, column = entry.row, self.sort_column
        primary: Any
        if column == Column.VISITOR:
            primary = entry.texts[0].casefold()[:64] if row.name.strip() else "\uffff"
        elif column == Column.STATE:
            primary = _STATE_ORDER[row.state]
        elif column == Column.TIME_ON_SITE:
            primary = -entry.start
        elif column == Column.PAGES:
            primary = row.pages_viewed
        elif column == Column.VISITS:
            primary = row.visits
        elif column == Column.CART:
            primary = row.cart_value
        elif column == Column.PRIORITY:
            primary = entry.exact
        else:
            primary = entry.texts[column].casefold()[:64]
        if self.sort_order == Qt.SortOrder.DescendingOrder:
            primary = descending_text(primary) if isinstance(primary, str) else -primary
        return (primary, entry.number, entry.vid)

    def _rebuild_order(self) -> None:
        ordered = sorted(self._entries.values(), key=entry_key)
        self._ids = [entry.vid for entry in ordered]
        self._positions = None

    def _persistent_ids(self) -> list[tuple[QModelIndex, str]]:
        return [
            (QModelIndex(index), self._ids[index.row()])
            for index in self.persistentIndexList()
            if 0 <= index.row() < len(self._ids)
        ]

    def _restore_persistent(self, before: list[tuple[QModelIndex, str]]) -> None:
        old = [index for index, _ in before]
        new = [
            self.index(self.row_of(vid), index.column()) if self.row_of(vid) >= 0 else QModelIndex()
            for index, vid in before
        ]
        self.changePersistentIndexList(old, new)

    def _apply(self, upserts: dict[str, TrafficRow], removed: set[str], *, force: bool) -> None:
        changed: set[str] = set(removed & self._entries.keys())
        self._remove_rows(sorted(at for vid in removed if (at := self.row_of(vid)) >= 0))
        for vid in removed:
            self._entries.pop(vid, None)
        fresh: list[Entry] = []
        touched: list[int] = []
        for vid, row in upserts.items():
            old = self._entries.get(vid)
            if old is not None and not force and row.rev < old.row.rev:
                continue  # an older version than the one shown
            entry = self._entry(row)
            self._entries[vid] = entry
            changed.add(vid)
            if old is None:
                fresh.append(entry)
                continue
            at = self.row_of(vid)
            touched.append(at)
            if entry.key != old.key and not self._fits(at, entry.key):
                self.unsorted = True
        for first, last in ranges(sorted(touched)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, _COLUMNS - 1), [])
        self._insert_entries(fresh)
        if self.unsorted:
            if force:
                self.resort()
            elif not self._resort_timer.isActive():
                self._resort_timer.start()
        if changed:
            self.batch_applied.emit(changed)

    def _fits(self, at: int, key: tuple[Any, ...]) -> bool:
        before = at == 0 or self._entries[self._ids[at - 1]].key < key
        return before and (at == len(self._ids) - 1 or key < self._entries[self._ids[at + 1]].key)

    def _remove_rows(self, rows: Iterable[int]) -> None:
        """Remove rows (given ascending) by contiguous ranges, last range first."""
        for first, last in reversed(ranges(list(rows))):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first : last + 1]
            self._positions = None
            self.endRemoveRows()

    def _insert_entries(self, entries: list[Entry]) -> None:
        """Insert entries at their sorted places, one ``beginInsertRows`` per contiguous run."""
        entries.sort(key=lambda entry: entry.key)
        key_of = self._key_of
        places = [bisect.bisect_left(self._ids, entry.key, key=key_of) for entry in entries]
        shift = 0
        start = 0
        while start < len(entries):
            end = start
            while end + 1 < len(entries) and places[end + 1] == places[start]:
                end += 1
            at = places[start] + shift
            run = entries[start : end + 1]
            self.beginInsertRows(QModelIndex(), at, at + len(run) - 1)
            self._ids[at:at] = [entry.vid for entry in run]
            self._positions = None
            self.endInsertRows()
            shift += len(run)
            start = end + 1

    def _key_of(self, visitor_id: str) -> tuple[Any, ...]:
        return self._entries[visitor_id].key


_NUMERIC = frozenset(
    int(c) for c in (Column.TIME_ON_SITE, Column.PAGES, Column.VISITS, Column.CART, Column.PRIORITY)
)
_COLUMNS = len(Column)
_TIME, _PRIORITY, _STATE = int(Column.TIME_ON_SITE), int(Column.PRIORITY), int(Column.STATE)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_VISITOR_ID, _ROW = int(TrafficRole.VISITOR_ID), int(TrafficRole.ROW)
_STATE_ROLE, _SCORE = int(TrafficRole.STATE), int(TrafficRole.SCORE)
_ROLES = frozenset({_DISPLAY, _FOREGROUND, _ALIGNMENT, _TOOLTIP, _VISITOR_ID, _ROW, _STATE_ROLE, _SCORE})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

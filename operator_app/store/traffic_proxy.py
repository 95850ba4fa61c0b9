"""Filters over the traffic table: states, free text, "has a cart", "returning".

Sorting is handed to `TrafficModel.sort_by` (it keeps its rows in order), so this proxy never runs
a Python comparison per pair of 10,000 rows; it only decides which rows to show.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from chat_protocol.enums import TrafficState
from chat_protocol.traffic import TrafficRow
from operator_app.store.traffic_model import TrafficModel

Index = QModelIndex | QPersistentModelIndex

_UNUSED_ROLE = Qt.ItemDataRole.UserRole + 99  # no data lives there: ticks never trigger a re-filter


class TrafficFilterProxy(QSortFilterProxyModel):
    """Shows the visitors passing every active filter, in the source model's order."""

    def __init__(self, source: TrafficModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self.states: frozenset[TrafficState] = frozenset()  # empty: every state
        self.text = ""
        self.with_cart = False
        self.returning_only = False
        self.setFilterRole(_UNUSED_ROLE)
        self.setSortRole(_UNUSED_ROLE)
        self.setDynamicSortFilter(True)
        self.setSourceModel(source)

    @property
    def traffic(self) -> TrafficModel:
        return self._source

    # --- filters ----------------------------------------------------------------------------

    def set_filters(
        self,
        *,
        states: frozenset[TrafficState] | None = None,
        text: str | None = None,
        with_cart: bool | None = None,
        returning_only: bool | None = None,
    ) -> None:
        """Change any of the filters; the rows are filtered again once."""
        self.beginFilterChange()
        if states is not None:
            self.states = states
        if text is not None:
            self.text = " ".join(text.split()).casefold()
        if with_cart is not None:
            self.with_cart = with_cart
        if returning_only is not None:
            self.returning_only = returning_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def accepts(self, row: TrafficRow, haystack: str) -> bool:
        if self.states and row.state not in self.states:
            return False
        if self.with_cart and row.cart_value <= 0:
            return False
        if self.returning_only and not row.returning:
            return False
        return not self.text or self.text in haystack

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not (self.states or self.text or self.with_cart or self.returning_only):
            return True
        row = self._source.row_at(source_row)
        return row is not None and self.accepts(row, self._source.search_text(source_row))

    # --- sorting (done by the source) -------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._source.sort_by(column, order)

    # --- helpers for views ------------------------------------------------------------------

    def visitor_id_at(self, row: int) -> str | None:
        source = self.mapToSource(self.index(row, 0))
        found = self._source.row_at(source.row()) if source.isValid() else None
        return found.visitor_id if found is not None else None

    def row_of(self, visitor_id: str) -> int:
        at = self._source.row_of(visitor_id)
        return self.mapFromSource(self._source.index(at, 0)).row() if at >= 0 else -1

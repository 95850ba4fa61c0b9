"""The tables of the reports workspace: a read-only table model of plain cells, and their CSV export.

A report is loaded as a whole (never updated row by row), so `set_rows` replaces the rows at once. The
cells are plain text; visitor comments among them are hostile, and the views show them as plain text.
CSV cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) are exported with a leading `'`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QObject, QPersistentModelIndex, Qt


@dataclass(frozen=True)
class Shown:
    """A cell shown as `text` that sorts by `value` (a duration: "2 min 05 s", sorted by seconds)."""

    value: float
    text: str


Cell = str | int | float | Shown
Index = QModelIndex | QPersistentModelIndex
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """A titled table as shown: its header and rows of text."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]


def cell_text(value: Cell) -> str:
    """A cell as shown: numbers as the locale writes them."""
    if isinstance(value, Shown):
        return value.text
    if isinstance(value, int):
        return QLocale().toString(value)
    if isinstance(value, float):
        return QLocale().toString(value, "f", 1)
    return value


class ReportTableModel(QAbstractTableModel):
    """Rows of cells under a header; numbers are right-aligned and sort as numbers
    (`SORT_ROLE`), text as text."""

    SORT_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._header: list[str] = []
        self._rows: list[list[Cell]] = []
        self._shown: list[list[str]] = []

    def set_table(self, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
        self.beginResetModel()
        self._header = list(header)
        self._rows = [list(row) for row in rows]
        self._shown = [[cell_text(value) for value in row] for row in rows]
        self.endResetModel()

    def table(self, title: str) -> Table:
        """The rows as shown, for export."""
        return Table(title, list(self._header), [list(row) for row in self._shown])

    def shown(self) -> list[list[str]]:
        """Every cell as shown."""
        return [list(row) for row in self._shown]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._header)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._header):
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._shown[index.row()][index.column()]
        if role == self.SORT_ROLE:
            return value.value if isinstance(value, Shown) else value
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float | Shown):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        horizontal = orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
        return self._header[section] if horizontal and 0 <= section < len(self._header) else None


def safe_cell(value: str) -> str:
    """A cell as CSV text that no spreadsheet runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(tables: Sequence[Table]) -> str:
    """The tables one after the other, each under its title, separated by an empty line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for number, table in enumerate(tables):
        if number:
            writer.writerow([])
        writer.writerow([safe_cell(table.title)])
        writer.writerow([safe_cell(cell) for cell in table.header])
        for row in table.rows:
            writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()

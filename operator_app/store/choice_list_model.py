"""A list of choices, ``(key, label)`` rows, optionally checkable: groups, members and sites in the
admin pages.

Labels come from admins and are shown as plain one-line text (the default delegate never renders
markup). Keys are unique; ``KEY_ROLE`` returns a row's key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex

KEY_ROLE = Qt.ItemDataRole.UserRole + 1


def _check_state(value: Any) -> Qt.CheckState | None:
    """`value` as a check state (views send an int or a `Qt.CheckState`); None if it is neither."""
    if isinstance(value, Qt.CheckState):
        state = value
    else:
        try:
            state = Qt.CheckState(int(value))
        except (TypeError, ValueError):
            return None
    return state if state in (Qt.CheckState.Checked, Qt.CheckState.Unchecked) else None


class ChoiceListModel(QAbstractListModel):
    """Rows of `(key, label)`; with `checkable`, each row has a check box the user toggles (click or
    Space in a `QListView`). Signals: Qt's own only."""

    def __init__(self, checkable: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.checkable = checkable
        self._keys: list[str] = []
        self._labels: list[str] = []
        self._checked: set[str] = set()

    def set_entries(self, entries: Iterable[tuple[str, str]], checked: set[str] | None = None) -> None:
        """Show `entries`; check the keys in `checked`, or keep the checks by key when it is None.

        The same keys in the same order change rows in place (`dataChanged` on the changed range);
        anything else resets the model. A reset is acceptable here: it runs once per reload or save of
        an admin page, never per event, and the pages set their current row again afterwards.
        """
        rows = list(entries)
        keys = [key for key, _label in rows]
        labels = [label for _key, label in rows]
        wanted = set(checked) if checked is not None else self._checked
        new_checked = (wanted & set(keys)) if self.checkable else set()
        if keys == self._keys:
            changed = [
                row
                for row, key in enumerate(keys)
                if labels[row] != self._labels[row] or ((key in new_checked) != (key in self._checked))
            ]
            self._labels = labels
            self._checked = new_checked
            if changed:
                self.dataChanged.emit(
                    self.index(changed[0]),
                    self.index(changed[-1]),
                    [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.CheckStateRole],
                )
            return
        self.beginResetModel()
        self._keys, self._labels, self._checked = keys, labels, new_checked
        self.endResetModel()

    def checked_keys(self) -> list[str]:
        """The checked keys in row order."""
        return [key for key in self._keys if key in self._checked]

    def set_checked(self, keys: Iterable[str]) -> None:
        """Check exactly `keys` (those that are rows); the others are unchecked."""
        if not self.checkable:
            return
        new_checked = set(keys) & set(self._keys)
        changed = [
            row for row, key in enumerate(self._keys) if (key in new_checked) != (key in self._checked)
        ]
        self._checked = new_checked
        if changed:
            self.dataChanged.emit(
                self.index(changed[0]), self.index(changed[-1]), [Qt.ItemDataRole.CheckStateRole]
            )

    def row_of(self, key: str) -> int:
        """The row of `key`, -1 if it is not listed."""
        try:
            return self._keys.index(key)
        except ValueError:
            return -1

    def key_at(self, row: int) -> str:
        """The key of `row`; "" outside the rows."""
        return self._keys[row] if 0 <= row < len(self._keys) else ""

    # --- Qt API -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._keys)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or not 0 <= index.row() < len(self._keys):
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.checkable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._keys):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return " ".join(self._labels[row].split())
        if role == KEY_ROLE:
            return self._keys[row]
        if role == Qt.ItemDataRole.CheckStateRole and self.checkable:
            checked = self._keys[row] in self._checked
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Only the check state is settable, and only in a checkable list."""
        row = index.row()
        if role != Qt.ItemDataRole.CheckStateRole or not self.checkable:
            return False
        if not index.isValid() or not 0 <= row < len(self._keys):
            return False
        state = _check_state(value)
        if state is None:
            return False
        key = self._keys[row]
        if (state == Qt.CheckState.Checked) != (key in self._checked):
            if state == Qt.CheckState.Checked:
                self._checked.add(key)
            else:
                self._checked.discard(key)
            self.dataChanged.emit(self.index(row), self.index(row), [Qt.ItemDataRole.CheckStateRole])
        return True

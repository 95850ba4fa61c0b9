"""Automatic greeting rules for the admin page: name, enabled, site, shown, accepted, acceptance rate.

Rows stay in the server's order (the order rules are tried) and are updated in place by ``rule_id``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QObject, QPersistentModelIndex, Qt

from chat_protocol.traffic import GreetingRule

Index = QModelIndex | QPersistentModelIndex

RULE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def rate_text(rule: GreetingRule) -> str:
    """``12.5 %``; ``–`` before the rule was ever shown."""
    if not rule.shown:
        return "\u2013"
    return QLocale().toString(rule.acceptance_rate * 100, "f", 1) + " %"


class GreetingRulesModel(QAbstractTableModel):
    """Columns: name, enabled, site, shown, accepted, acceptance rate."""

    NAME, ENABLED, SITE, SHOWN, ACCEPTED, RATE = range(6)
    COLUMNS = 6

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[GreetingRule] = []
        self._site_names: dict[str, str] = {}

    def set_rules(self, rules: list[GreetingRule]) -> None:
        wanted = {rule.rule_id: rule for rule in rules}
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].rule_id not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        for row, old in enumerate(self._rows):
            new = wanted.pop(old.rule_id)
            if new != old:
                self._rows[row] = new
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.COLUMNS - 1))
        added = [rule for rule in rules if rule.rule_id in wanted]
        if added:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._rows.extend(added)
            self.endInsertRows()

    def set_site_names(self, names: dict[str, str]) -> None:
        self._site_names = dict(names)
        if self._rows:
            self.dataChanged.emit(self.index(0, self.SITE), self.index(len(self._rows) - 1, self.SITE))

    def rule(self, row: int) -> GreetingRule | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, rule_id: str) -> int:
        return next((row for row, r in enumerate(self._rows) if r.rule_id == rule_id), -1)

    def site_text(self, site_id: str | None) -> str:
        if site_id is None:
            return self.tr("All sites")
        return self._site_names.get(site_id, site_id)

    # --- Qt API -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.COLUMNS:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                self.tr("Name"),
                self.tr("Enabled"),
                self.tr("Site"),
                self.tr("Shown"),
                self.tr("Accepted"),
                self.tr("Acceptance"),
            )[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == self.RATE:
            return self.tr("Accepted greetings as a share of those shown")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        rule = self.rule(index.row()) if index.isValid() else None
        if rule is None:
            return None
        column = index.column()
        if role == RULE_ID_ROLE:
            return rule.rule_id
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return " ".join(rule.name.split())
            if column == self.ENABLED:
                return self.tr("Yes") if rule.enabled else self.tr("No")
            if column == self.SITE:
                return self.site_text(rule.site_id)
            if column == self.SHOWN:
                return str(rule.shown)
            if column == self.ACCEPTED:
                return str(rule.accepted)
            return rate_text(rule)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.SHOWN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

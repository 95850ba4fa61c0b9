"""The audit page's table: entries of ``GET /audit`` newest first, with readable actions and changes.

Older pages are appended by row range (`append`); a reload replaces everything. `names` turns ids
(agents, groups, sites) into names where the page knows them.
"""

from __future__ import annotations

import json
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from chat_protocol.supervision import AuditEntry
from operator_app.store.display_text import escaped_tooltip

Index = QModelIndex | QPersistentModelIndex
AUDIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ELIDE_AT = 120


def action_text(action: str) -> str:
    """A translated sentence for the actions the backend records; the raw action otherwise."""
    texts = {
        "agent.create": QCoreApplication.translate("AuditModel", "Agent created"),
        "agent.update": QCoreApplication.translate("AuditModel", "Agent changed"),
        "agent.status": QCoreApplication.translate("AuditModel", "Agent's status set"),
        "agent.password_reset": QCoreApplication.translate("AuditModel", "Password reset"),
        "agent.password": QCoreApplication.translate("AuditModel", "Own password changed"),
        "agent.limit": QCoreApplication.translate("AuditModel", "Chat limit set"),
        "group.create": QCoreApplication.translate("AuditModel", "Group created"),
        "group.update": QCoreApplication.translate("AuditModel", "Group changed"),
        "group.delete": QCoreApplication.translate("AuditModel", "Group deleted"),
        "site.create": QCoreApplication.translate("AuditModel", "Site created"),
        "site.update": QCoreApplication.translate("AuditModel", "Site changed"),
        "settings.routing": QCoreApplication.translate("AuditModel", "Routing settings changed"),
        "settings.traffic": QCoreApplication.translate("AuditModel", "Visitor tracking settings changed"),
        "settings.business_hours": QCoreApplication.translate("AuditModel", "Business hours changed"),
        "settings.app_updates": QCoreApplication.translate("AuditModel", "App versions changed"),
        "greeting_rule.create": QCoreApplication.translate("AuditModel", "Greeting rule created"),
        "greeting_rule.update": QCoreApplication.translate("AuditModel", "Greeting rule changed"),
        "greeting_rule.delete": QCoreApplication.translate("AuditModel", "Greeting rule deleted"),
        "canned.create": QCoreApplication.translate("AuditModel", "Team reply created"),
        "canned.update": QCoreApplication.translate("AuditModel", "Team reply changed"),
        "canned.delete": QCoreApplication.translate("AuditModel", "Team reply deleted"),
    }
    if action in texts:
        return texts[action]
    prefix, _, rest = action.partition(".")
    if prefix == "greeting_rule":
        return QCoreApplication.translate("AuditModel", "Greeting rule: %1").replace("%1", rest)
    if prefix == "canned":
        return QCoreApplication.translate("AuditModel", "Team reply: %1").replace("%1", rest)
    return action


def value_text(value: Any, names: dict[str, str]) -> str:
    if value is None:
        return "\u2013"
    if isinstance(value, bool):
        return (
            QCoreApplication.translate("AuditModel", "yes")
            if value
            else QCoreApplication.translate("AuditModel", "no")
        )
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v, names) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def list_change(old: list[Any], new: list[Any], names: dict[str, str]) -> str:
    """``+ added, − removed`` (a list's full before and after is in the details)."""
    added = [f"+ {value_text(v, names)}" for v in new if v not in old]
    removed = [f"\u2212 {value_text(v, names)}" for v in old if v not in new]
    return ", ".join(added + removed) or QCoreApplication.translate("AuditModel", "reordered")


def change_text(entry: AuditEntry, names: dict[str, str]) -> str:
    """``role: agent → supervisor; max_chats: 3 → 5``; only the keys whose value changed."""
    before, after = entry.before or {}, entry.after or {}
    parts = []
    for key in list(dict.fromkeys([*before, *after])):
        old, new = before.get(key), after.get(key)
        if entry.before is not None and entry.after is not None and old == new:
            continue
        if entry.before is None:
            parts.append(f"{key}: {value_text(new, names)}")
        elif entry.after is None:
            parts.append(f"{key}: {value_text(old, names)} \u2192 \u2013")
        elif isinstance(old, list) and isinstance(new, list):
            parts.append(f"{key}: {list_change(old, new, names)}")
        else:
            parts.append(f"{key}: {value_text(old, names)} \u2192 {value_text(new, names)}")
    return "; ".join(parts)


def details_text(entry: AuditEntry) -> str:
    """The full before and after, for the details box."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)

    return (
        QCoreApplication.translate("AuditModel", "Before:")
        + "\n"
        + dump(entry.before)
        + "\n\n"
        + QCoreApplication.translate("AuditModel", "After:")
        + "\n"
        + dump(entry.after)
    )


def elided(text: str) -> str:
    return text if len(text) <= ELIDE_AT else text[: ELIDE_AT - 1] + "\u2026"


class AuditModel(QAbstractTableModel):
    class Column(IntEnum):
        TIME = 0
        WHO = 1
        ACTION = 2
        TARGET = 3
        CHANGE = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: list[AuditEntry] = []
        self.names: dict[str, str] = {}

    def set_entries(self, entries: list[AuditEntry], names: dict[str, str]) -> None:
        self.beginResetModel()
        self.entries = sorted(entries, key=lambda e: e.audit_id, reverse=True)
        self.names = dict(names)
        self.endResetModel()

    def append(self, older: list[AuditEntry]) -> int:
        """Add entries older than every loaded one; how many were new."""
        oldest = self.entries[-1].audit_id if self.entries else None
        fresh = sorted(
            (e for e in older if oldest is None or e.audit_id < oldest),
            key=lambda e: e.audit_id,
            reverse=True,
        )
        if fresh:
            first = len(self.entries)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self.entries.extend(fresh)
            self.endInsertRows()
        return len(fresh)

    def oldest_id(self) -> int | None:
        return self.entries[-1].audit_id if self.entries else None

    def entry_at(self, row: int) -> AuditEntry | None:
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = [self.tr("Time"), self.tr("Who"), self.tr("Action"), self.tr("Target"), self.tr("Change")]
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.entry_at(index.row()) if index.isValid() else None
        if entry is None or not 0 <= index.column() < len(self.Column):
            return None
        column = self.Column(index.column())
        if role == AUDIT_ID_ROLE:
            return entry.audit_id
        if role == Qt.ItemDataRole.DisplayRole:
            text = self._text(entry, column)
            return elided(text) if column is self.Column.CHANGE else text
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is self.Column.CHANGE:
                return escaped_tooltip(self._text(entry, column))
            if column is self.Column.ACTION:
                return escaped_tooltip(entry.action)
            if column is self.Column.TARGET:
                return escaped_tooltip(entry.target)
        return None

    def _text(self, entry: AuditEntry, column: Column) -> str:
        if column is self.Column.TIME:
            return entry.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        if column is self.Column.WHO:
            return entry.actor_name
        if column is self.Column.ACTION:
            return action_text(entry.action)
        if column is self.Column.TARGET:
            if entry.target in self.names:
                return self.names[entry.target]
            named = (entry.after or {}).get("name") or (entry.before or {}).get("name")
            return named if isinstance(named, str) else entry.target  # e.g. a deleted group
        return change_text(entry, self.names)

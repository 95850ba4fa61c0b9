"""Who a chat can be transferred to: groups, then colleagues, with why someone cannot accept now."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from chat_protocol import RoutingStatus
from chat_protocol.rest import AgentSummary, GroupInfo

Index = QModelIndex | QPersistentModelIndex


class TargetRole(IntEnum):
    KIND = Qt.ItemDataRole.UserRole + 1
    TARGET_ID = Qt.ItemDataRole.UserRole + 2
    AVAILABLE = Qt.ItemDataRole.UserRole + 3
    REASON = Qt.ItemDataRole.UserRole + 4


@dataclass(frozen=True)
class TransferTarget:
    kind: str  # "group" or "agent"
    target_id: str
    name: str
    detail: str
    available: bool


def agent_target(agent: AgentSummary) -> TransferTarget:
    """A colleague, available only when online, accepting and below their chat limit."""
    load = (
        QCoreApplication.translate("TransferTargets", "%1 of %2 chats")
        .replace("%1", str(agent.load))
        .replace("%2", str(agent.max_chats))
    )
    if not agent.online:
        reason = QCoreApplication.translate("TransferTargets", "offline")
    elif agent.status == RoutingStatus.AWAY:
        reason = QCoreApplication.translate("TransferTargets", "away")
    elif agent.status != RoutingStatus.ACCEPTING:
        reason = QCoreApplication.translate("TransferTargets", "not accepting chats")
    elif agent.load >= agent.max_chats:
        reason = QCoreApplication.translate("TransferTargets", "full")
    else:
        return TransferTarget("agent", agent.agent_id, agent.name, load, True)
    return TransferTarget("agent", agent.agent_id, agent.name, f"{reason} \u00b7 {load}", False)


def group_target(group: GroupInfo) -> TransferTarget:
    return TransferTarget(
        "group",
        group.group_id,
        group.name,
        QCoreApplication.translate("TransferTargets", "group queue"),
        True,
    )


class TransferTargetsModel(QAbstractListModel):
    """Groups, then colleagues (available first, then by name). Loaded once per dialog."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[TransferTarget] = []

    def set_targets(self, agents: list[AgentSummary], groups: list[GroupInfo], my_id: str | None) -> None:
        """A fresh list from the server (a reset: a new load, not an event)."""
        people = sorted(
            (agent_target(a) for a in agents if a.agent_id != my_id),
            key=lambda t: (not t.available, t.name.casefold()),
        )
        self.beginResetModel()
        self._rows = [*(group_target(g) for g in sorted(groups, key=lambda g: g.name.casefold())), *people]
        self.endResetModel()

    def target_at(self, row: int) -> TransferTarget | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, target_id: str) -> int:
        for row, target in enumerate(self._rows):
            if target.target_id == target_id:
                return row
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(role): QByteArray(role.name.lower().encode()) for role in TargetRole})
        return names

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or index.row() >= len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        if self._rows[index.row()].available:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        return Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractListModel.CheckIndexOption.IndexIsValid):
            return None
        target = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            prefix = (
                QCoreApplication.translate("TransferTargets", "Group") + ": "
                if target.kind == "group"
                else ""
            )
            return f"{prefix}{target.name}  \u2014  {target.detail}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return None
        if role == TargetRole.KIND:
            return target.kind
        if role == TargetRole.TARGET_ID:
            return target.target_id
        if role == TargetRole.AVAILABLE:
            return target.available
        if role == TargetRole.REASON:
            return target.detail
        return None

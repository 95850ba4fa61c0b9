"""The agents page's table: every account of ``GET /agent-accounts`` sorted by name, deactivated ones
greyed. Loaded as a whole when the admin (re)loads the page."""

from __future__ import annotations

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
from PySide6.QtGui import QColor

from chat_protocol.supervision import AgentDetail
from operator_app.store.team_model import status_text

Index = QModelIndex | QPersistentModelIndex
AGENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def role_text(role: str) -> str:
    texts = {
        "agent": QCoreApplication.translate("AgentsModel", "Agent"),
        "supervisor": QCoreApplication.translate("AgentsModel", "Supervisor"),
        "admin": QCoreApplication.translate("AgentsModel", "Admin"),
    }
    return texts.get(role, role)


class AgentsModel(QAbstractTableModel):
    class Column(IntEnum):
        NAME = 0
        EMAIL = 1
        ROLE = 2
        GROUPS = 3
        LIMIT = 4
        STATUS = 5
        ACTIVE = 6

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.agents: list[AgentDetail] = []
        self.group_names: dict[str, str] = {}
        self.default_limit: int | None = None

    def set_agents(self, agents: list[AgentDetail], group_names: dict[str, str]) -> None:
        self.beginResetModel()
        self.agents = sorted(agents, key=lambda a: (a.name.casefold(), a.email.casefold()))
        self.group_names = dict(group_names)
        self.endResetModel()

    def agent_at(self, row: int) -> AgentDetail | None:
        return self.agents[row] if 0 <= row < len(self.agents) else None

    def row_of(self, agent_id: str) -> int:
        return next((i for i, a in enumerate(self.agents) if a.agent_id == agent_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.agents)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            self.Column.NAME: self.tr("Name"),
            self.Column.EMAIL: self.tr("E-mail"),
            self.Column.ROLE: self.tr("Role"),
            self.Column.GROUPS: self.tr("Groups"),
            self.Column.LIMIT: self.tr("Chat limit"),
            self.Column.STATUS: self.tr("Status"),
            self.Column.ACTIVE: self.tr("Active"),
        }
        return titles.get(self.Column(section)) if 0 <= section < len(self.Column) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        agent = self.agent_at(index.row()) if index.isValid() else None
        if agent is None or not 0 <= index.column() < len(self.Column):
            return None
        if role == AGENT_ID_ROLE:
            return agent.agent_id
        if role == Qt.ItemDataRole.ForegroundRole and not agent.active:
            return QColor("#9ca3af")
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(agent, self.Column(index.column()))
        return None

    def _text(self, agent: AgentDetail, column: Column) -> str:
        if column is self.Column.NAME:
            return agent.name
        if column is self.Column.EMAIL:
            return agent.email
        if column is self.Column.ROLE:
            return role_text(agent.role)
        if column is self.Column.GROUPS:
            names = sorted((self.group_names.get(g, g) for g in agent.group_ids), key=str.casefold)
            return ", ".join(names)
        if column is self.Column.LIMIT:
            return str(agent.max_chats) if agent.max_chats is not None else self.tr("Default")
        if column is self.Column.STATUS:
            return status_text(agent.status.value)
        return self.tr("Active") if agent.active else self.tr("Deactivated")

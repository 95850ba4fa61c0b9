"""The team view's table (supervisors and admins): every agent of ``GET /api/v1/team`` with status,
load, chats and first-response time today, and groups.

A reload updates rows in place by ``agent_id`` (changed cells, removed and added rows), never a
reset, so a selection survives the 10-second refresh. Sorting is a proxy's job (`TeamRole.SORT`).
"""

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
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from chat_protocol.admin import TeamMember
from chat_protocol.models import RoutingStatus
from operator_app.store.display_text import escaped_tooltip

Index = QModelIndex | QPersistentModelIndex

OFFLINE = "offline"
STATUS_COLORS = {
    RoutingStatus.ACCEPTING.value: "#2e9d4f",
    RoutingStatus.NOT_ACCEPTING.value: "#d0312d",
    RoutingStatus.AWAY.value: "#e08a00",
    OFFLINE: "#9a9a9a",
}


class TeamRole(IntEnum):
    AGENT_ID = Qt.ItemDataRole.UserRole + 1
    STATUS = Qt.ItemDataRole.UserRole + 2
    """``accepting``, ``not_accepting``, ``away`` or ``offline`` (no socket connected)."""
    SORT = Qt.ItemDataRole.UserRole + 3


def status_key(member: TeamMember) -> str:
    return member.status.value if member.online else OFFLINE


def status_text(key: str) -> str:
    texts = {
        RoutingStatus.ACCEPTING.value: QCoreApplication.translate("TeamModel", "Accepting"),
        RoutingStatus.NOT_ACCEPTING.value: QCoreApplication.translate("TeamModel", "Not accepting"),
        RoutingStatus.AWAY.value: QCoreApplication.translate("TeamModel", "Away"),
        OFFLINE: QCoreApplication.translate("TeamModel", "Offline"),
    }
    return texts.get(key, key)


def response_text(seconds: float | None) -> str:
    """``45 s``, ``2 min 10 s``, ``1 h 5 min``; ``–`` when nothing was answered."""
    if seconds is None:
        return "\u2013"
    total = max(0, round(seconds))
    if total < 60:
        return QCoreApplication.translate("TeamModel", "%1 s").replace("%1", str(total))
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        if secs == 0:
            return QCoreApplication.translate("TeamModel", "%1 min").replace("%1", str(minutes))
        return (
            QCoreApplication.translate("TeamModel", "%1 min %2 s")
            .replace("%1", str(minutes))
            .replace("%2", str(secs))
        )
    hours, minutes = divmod(minutes, 60)
    return (
        QCoreApplication.translate("TeamModel", "%1 h %2 min")
        .replace("%1", str(hours))
        .replace("%2", str(minutes))
    )


_icons: dict[str, QIcon] = {}


def status_icon(key: str) -> QIcon:
    """A filled circle in the status colour (built once per colour)."""
    icon = _icons.get(key)
    if icon is None:
        pixmap = QPixmap(12, 12)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(STATUS_COLORS.get(key, STATUS_COLORS[OFFLINE])))
        painter.drawEllipse(1, 1, 10, 10)
        painter.end()
        icon = _icons[key] = QIcon(pixmap)
    return icon


_STATUS_ORDER = {
    RoutingStatus.ACCEPTING.value: 0,
    RoutingStatus.NOT_ACCEPTING.value: 1,
    RoutingStatus.AWAY.value: 2,
    OFFLINE: 3,
}


class TeamModel(QAbstractTableModel):
    """Columns: name, status, load, chats today, answered, first response, groups."""

    NAME, STATUS, LOAD, CHATS, ANSWERED, FIRST_RESPONSE, GROUPS = range(7)
    COLUMNS = 7

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[TeamMember] = []
        self._group_names: dict[str, str] = {}

    # --- updates ----------------------------------------------------------------------------

    def set_members(self, members: list[TeamMember]) -> None:
        """Move to the new list in place: changed rows by `dataChanged`, gone ones removed, new ones
        appended."""
        wanted = {member.agent_id: member for member in members}
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].agent_id not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        for row, old in enumerate(self._rows):
            new = wanted.pop(old.agent_id)
            if new != old:
                self._rows[row] = new
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.COLUMNS - 1))
        added = [member for member in members if member.agent_id in wanted]
        if added:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._rows.extend(added)
            self.endInsertRows()

    def set_group_names(self, names: dict[str, str]) -> None:
        """Group id -> name, for the groups column."""
        if names == self._group_names:
            return
        self._group_names = dict(names)
        if self._rows:
            column = self.GROUPS
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))

    def known_groups(self) -> set[str]:
        """The group ids whose names are known."""
        return set(self._group_names)

    # --- queries ----------------------------------------------------------------------------

    def member(self, row: int) -> TeamMember | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def find(self, agent_id: str) -> TeamMember | None:
        return next((member for member in self._rows if member.agent_id == agent_id), None)

    def row_of(self, agent_id: str) -> int:
        return next((row for row, m in enumerate(self._rows) if m.agent_id == agent_id), -1)

    def members(self) -> list[TeamMember]:
        return list(self._rows)

    def _groups_text(self, member: TeamMember) -> str:
        names = sorted((self._group_names.get(g, "") for g in member.group_ids), key=str.casefold)
        return ", ".join(name for name in names if name)

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
                self.tr("Agent"),
                self.tr("Status"),
                self.tr("Load"),
                self.tr("Chats today"),
                self.tr("Answered"),
                self.tr("First response"),
                self.tr("Groups"),
            )[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = {
                self.LOAD: self.tr("Open chats now / the agent's chat limit"),
                self.CHATS: self.tr("Chats the agent took or was given since midnight"),
                self.ANSWERED: self.tr("Of those, chats the agent replied to"),
                self.FIRST_RESPONSE: self.tr("Average time to the agent's first reply today"),
            }
            return tips.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        member = self.member(index.row()) if index.isValid() else None
        if member is None:
            return None
        column = index.column()
        if role == TeamRole.AGENT_ID:
            return member.agent_id
        if role == TeamRole.STATUS:
            return status_key(member)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(member, column)
        if role == TeamRole.SORT:
            return self._sort_value(member, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.STATUS:
            return status_icon(status_key(member))
        if role == Qt.ItemDataRole.TextAlignmentRole and self.LOAD <= column <= self.FIRST_RESPONSE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.NAME:
            return escaped_tooltip(f"{member.name}\n{member.email}")
        if role == Qt.ItemDataRole.ToolTipRole and column == self.GROUPS:
            text = self._groups_text(member)
            return escaped_tooltip(text) if text else None
        return None

    def _display(self, member: TeamMember, column: int) -> str:
        if column == self.NAME:
            return " ".join(member.name.split())
        if column == self.STATUS:
            return status_text(status_key(member))
        if column == self.LOAD:
            return f"{member.load} / {member.max_chats}"
        if column == self.CHATS:
            return str(member.chats_today)
        if column == self.ANSWERED:
            return str(member.answered_today)
        if column == self.FIRST_RESPONSE:
            return response_text(member.first_response_today)
        return self._groups_text(member)

    def _sort_value(self, member: TeamMember, column: int) -> Any:
        if column == self.STATUS:
            return _STATUS_ORDER.get(status_key(member), 9)
        if column == self.LOAD:
            return member.load / member.max_chats
        if column == self.CHATS:
            return member.chats_today
        if column == self.ANSWERED:
            return member.answered_today
        if column == self.FIRST_RESPONSE:
            # Nobody answered yet sorts after every measured time.
            return member.first_response_today if member.first_response_today is not None else 1e12
        return self._display(member, column).casefold()

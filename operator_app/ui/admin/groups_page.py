"""The groups tab (``adminGroupsPage``): departments of agents, their names and members.

Objects: ``groupsList``, ``newGroupButton``, ``groupName``, ``groupMembers`` (every active agent,
checkable: click or Space), ``saveGroupButton``, ``deleteGroupButton``, ``groupsMessage``; ``deleteGroupConfirm``
asks before a deletion (a child of the page).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.rest import GroupInfo, GroupInput
from chat_protocol.supervision import AgentDetail
from operator_app.store.admin_service import AdminService
from operator_app.store.choice_list_model import ChoiceListModel
from operator_app.ui.admin.action_dialog import ConfirmDialog, plain_label
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.admin.refusal import refusal_text
from operator_app.ui.async_tools import async_slot, disabled, finished_future
from operator_app.ui.error_text import is_expected

log = logging.getLogger(__name__)


class GroupsPage(AdminPage):
    """`editing` is the group shown in the form (None: a new one)."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.setObjectName("adminGroupsPage")
        self.groups: list[GroupInfo] = []
        self.agents: list[AgentDetail] = []
        self.editing: GroupInfo | None = None

        self.group_choices = ChoiceListModel(parent=self)
        self.list = QListView(self)
        self.list.setObjectName("groupsList")
        self.list.setModel(self.group_choices)
        self.list.selectionModel().currentRowChanged.connect(self._current_changed)
        self.new_button = QPushButton(self.tr("&New group"), self)
        self.new_button.setObjectName("newGroupButton")
        self.new_button.clicked.connect(self.new_group)
        self.delete_button = QPushButton(self.tr("&Delete…"), self)
        self.delete_button.setObjectName("deleteGroupButton")
        self.delete_button.clicked.connect(self.delete_group)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.new_button)
        left_buttons.addWidget(self.delete_button)
        left_buttons.addStretch(1)
        left_layout.addLayout(left_buttons)

        self.name = QLineEdit(self)
        self.name.setObjectName("groupName")
        self.name.setMaxLength(100)
        self.name.setPlaceholderText(self.tr("e.g. Sales"))
        self.member_choices = ChoiceListModel(checkable=True, parent=self)
        self.members = QListView(self)
        self.members.setObjectName("groupMembers")
        self.members.setModel(self.member_choices)
        self.save_button = QPushButton(self.tr("&Save group"), self)
        self.save_button.setObjectName("saveGroupButton")
        self.save_button.clicked.connect(self.save_group)
        self.message = plain_label("", self, "groupsMessage")
        right = QWidget(self)
        form = QFormLayout(right)
        form.setContentsMargins(8, 0, 0, 0)
        form.addRow(self.tr("&Name"), self.name)
        form.addRow(self.tr("&Members"), self.members)
        save_row = QHBoxLayout()
        save_row.addWidget(self.message, 1)
        save_row.addWidget(self.save_button)
        form.addRow(save_row)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([280, 560])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.state_label)
        self._edit(None)

    def title(self) -> str:
        return self.tr("Groups")

    # --- loading --------------------------------------------------------------------------------

    async def reload(self) -> None:
        self.show_loading()
        try:
            groups, agents = await asyncio.gather(
                self.service.call(self.service.api.groups), self.service.call(self.service.api.accounts)
            )
        except Exception as exc:
            self.show_failed(exc)
            return
        self.agents = sorted((a for a in agents if a.active), key=lambda a: a.name.casefold())
        self._show(groups, self.editing.group_id if self.editing else None)

    def _show(self, groups: list[GroupInfo], select: str | None) -> None:
        self.groups = sorted(groups, key=lambda g: g.name.casefold())
        # Emits no current-row change: a reset clears the current row silently, set again below.
        self.group_choices.set_entries([(g.group_id, g.name) for g in self.groups])
        if self.groups:
            self.show_ready()
        else:
            self.show_empty(self.tr("No groups yet. Create one to route chats to a department."))
        chosen = next((g for g in self.groups if g.group_id == select), None)
        self._set_current_row(self.groups.index(chosen) if chosen is not None else -1)
        self._edit(chosen)

    def select_group(self, group_id: str) -> bool:
        row = self.group_choices.row_of(group_id)
        if row >= 0:
            self._set_current_row(row)
        return row >= 0

    def _set_current_row(self, row: int) -> None:
        """Make `row` current and selected; -1 (an invalid index) clears both."""
        self.list.setCurrentIndex(self.group_choices.index(row))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.row()
        if 0 <= row < len(self.groups):
            self._edit(self.groups[row])

    def _edit(self, group: GroupInfo | None) -> None:
        self.editing = group
        self.name.setText(group.name if group else "")
        members = set(group.agent_ids) if group else set()
        entries = [(a.agent_id, f"{a.name} <{a.email}>") for a in self.agents]
        # Keep members that are not listed (deactivated accounts) so a save does not drop them silently.
        known = {a.agent_id for a in self.agents}
        entries += [(agent_id, self.tr("(deactivated account)")) for agent_id in sorted(members - known)]
        self.member_choices.set_entries(entries, members)
        self.delete_button.setEnabled(group is not None)
        self.save_button.setText(self.tr("&Save group") if group else self.tr("&Create group"))

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #b91c1c;")
        self.message.setText(text)

    def _notice(self, text: str) -> None:
        self.message.setStyleSheet("color: #166534;")
        self.message.setText(text)

    # --- actions --------------------------------------------------------------------------------

    def new_group(self) -> None:
        self.list.clearSelection()
        self._set_current_row(-1)
        self._edit(None)
        self.message.clear()
        self.name.setFocus()

    @async_slot()
    async def save_group(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.show_error(self.tr("Enter the group's name."))
            self.name.setFocus()
            return
        body = GroupInput(name=name, agent_ids=self.member_choices.checked_keys())
        editing = self.editing
        try:
            with disabled(self.save_button, self.new_button, self.delete_button):
                if editing is None:
                    saved = await self.service.call(self.service.api.create_group, body)
                else:
                    saved = await self.service.call(self.service.api.update_group, editing.group_id, body)
        except Exception as exc:
            self._log("save", exc)
            self.show_error(refusal_text(exc))
            return
        groups = [g for g in self.groups if g.group_id != saved.group_id] + [saved]
        self._show(groups, saved.group_id)
        self._notice(self.tr("Saved."))
        self.changed.emit()

    @async_slot()
    async def delete_group(self) -> None:
        group = self.editing
        if group is None:
            return
        dialog = ConfirmDialog(
            self.tr("Delete group"),
            self.tr(
                "Delete the group %1? Its members stay agents but are no longer in it, and the "
                "group's supervisors no longer see their chats through it."
            ).replace("%1", group.name),
            self.tr("Delete"),
            self,
        )
        dialog.setObjectName("deleteGroupConfirm")
        dialog.action = lambda: self.service.call(self.service.api.delete_group, group.group_id)
        done = finished_future(dialog)
        dialog.show()
        result = await done
        dialog.deleteLater()
        if result != ConfirmDialog.DialogCode.Accepted.value:
            return
        self._show([g for g in self.groups if g.group_id != group.group_id], None)
        self._notice(self.tr("The group %1 was deleted.").replace("%1", group.name))
        self.changed.emit()

    @staticmethod
    def _log(what: str, exc: BaseException) -> None:
        if is_expected(exc):
            log.warning("group %s refused: %r", what, exc)
        else:
            log.exception("group %s failed", what)

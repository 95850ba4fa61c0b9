"""The groups tab (``adminGroupsPage``): departments of agents, their names and members.

Objects: ``groupsList``, ``newGroupButton``, ``groupName``, ``groupMembers`` (every active agent,
checkable: click or Space), ``saveGroupButton``, ``deleteGroupButton``, ``groupsMessage``; ``deleteGroupConfirm``
asks before a deletion (a child of the page).
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QFormLayout, QLineEdit, QListView, QVBoxLayout, QWidget

from chat_protocol.rest import GroupInfo, GroupInput
from chat_protocol.supervision import AgentDetail
from operator_app.store.admin_service import AdminService
from operator_app.store.choice_list_model import ChoiceListModel
from operator_app.ui.admin.master_detail import MasterDetailPage, Question


class GroupsPage(MasterDetailPage[GroupInfo, GroupInput]):
    """`groups` as listed (by name); `agents` the active accounts offered as members."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, "groupsMessage", parent)
        self.setObjectName("adminGroupsPage")
        self.groups: list[GroupInfo] = []
        self.agents: list[AgentDetail] = []

        self.group_choices = ChoiceListModel(parent=self)
        self.view = self.list = QListView(self)
        self.list.setObjectName("groupsList")
        self.list.setModel(self.group_choices)
        self.follow_current_row()
        self.new_button = self.button("newGroupButton", self.tr("&New group"), self.new_item)
        self.delete_button = self.button("deleteGroupButton", self.tr("&Delete…"), self.delete)

        self.name = QLineEdit(self)
        self.name.setObjectName("groupName")
        self.name.setMaxLength(100)
        self.name.setPlaceholderText(self.tr("e.g. Sales"))
        self.member_choices = ChoiceListModel(checkable=True, parent=self)
        self.members = QListView(self)
        self.members.setObjectName("groupMembers")
        self.members.setModel(self.member_choices)
        self.save_button = self.button("saveGroupButton", self.tr("&Save group"), self.save)
        right = QWidget(self)
        form = QFormLayout(right)
        form.setContentsMargins(8, 0, 0, 0)
        form.addRow(self.tr("&Name"), self.name)
        form.addRow(self.tr("&Members"), self.members)
        form.addRow(self.save_row())

        layout = QVBoxLayout(self)
        layout.addWidget(self.split(self.master_pane(), right, [280, 560]), 1)
        layout.addWidget(self.state_label)
        self.edit(None)

    def title(self) -> str:
        return self.tr("Groups")

    # --- the items ------------------------------------------------------------------------------

    def item_id(self, item: GroupInfo) -> str:
        return item.group_id

    def item_at(self, row: int) -> GroupInfo | None:
        return self.groups[row] if 0 <= row < len(self.groups) else None

    def row_of(self, item_id: str) -> int:
        return self.group_choices.row_of(item_id)

    def select_group(self, group_id: str) -> bool:
        return self.select(group_id)

    async def fetch(self) -> list[GroupInfo]:
        groups, agents = await asyncio.gather(self.service.list_groups(), self.service.list_agents())
        self.agents = sorted((a for a in agents if a.active), key=lambda a: a.name.casefold())
        return groups

    def show_items(self, items: list[GroupInfo]) -> None:
        self._show(items, self.editing.group_id if self.editing else None)

    def _show(self, groups: list[GroupInfo], select: str | None) -> None:
        self.groups = sorted(groups, key=lambda g: g.name.casefold())
        # Emits no current-row change: a reset clears the current row silently, set again below.
        self.group_choices.set_entries([(g.group_id, g.name) for g in self.groups])
        self.update_state()
        chosen = next((g for g in self.groups if g.group_id == select), None)
        self.set_current_row(self.groups.index(chosen) if chosen is not None else -1)
        self.edit(chosen)

    def empty_text(self) -> str:
        return self.tr("No groups yet. Create one to route chats to a department.")

    # --- the form -------------------------------------------------------------------------------

    def fill_form(self, item: GroupInfo | None) -> None:
        self.name.setText(item.name if item else "")
        members = set(item.agent_ids) if item else set()
        entries = [(a.agent_id, f"{a.name} <{a.email}>") for a in self.agents]
        # Keep members that are not listed (deactivated accounts) so a save does not drop them silently.
        known = {a.agent_id for a in self.agents}
        entries += [(agent_id, self.tr("(deactivated account)")) for agent_id in sorted(members - known)]
        self.member_choices.set_entries(entries, members)
        self.save_button.setText(self.tr("&Save group") if item else self.tr("&Create group"))

    def first_field(self) -> QWidget:
        return self.name

    def form_body(self) -> GroupInput | None:
        name = self.name.text().strip()
        if not name:
            self.message.error(self.tr("Enter the group's name."))
            self.name.setFocus()
            return None
        return GroupInput(name=name, agent_ids=self.member_choices.checked_keys())

    async def store(self, item: GroupInfo | None, body: GroupInput) -> GroupInfo:
        return await self.service.save_group(item.group_id if item else None, body)

    async def show_saved(self, saved: GroupInfo) -> None:
        self._show([g for g in self.groups if g.group_id != saved.group_id] + [saved], saved.group_id)

    def saved_text(self, saved: GroupInfo) -> str:
        return self.tr("Saved.")

    # --- deleting -------------------------------------------------------------------------------

    def delete_question(self, item: GroupInfo) -> Question:
        return Question(
            self.tr("Delete group"),
            self.tr(
                "Delete the group %1? Its members stay agents but are no longer in it, and the "
                "group's supervisors no longer see their chats through it."
            ).replace("%1", item.name),
            self.tr("Delete"),
            "deleteGroupConfirm",
        )

    async def remove(self, item: GroupInfo) -> None:
        await self.service.delete_group(item.group_id)

    async def show_deleted(self, item: GroupInfo) -> None:
        self._show([g for g in self.groups if g.group_id != item.group_id], None)

    def deleted_text(self, item: GroupInfo) -> str:
        return self.tr("The group %1 was deleted.").replace("%1", item.name)

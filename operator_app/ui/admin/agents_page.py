"""The agents tab (``adminAgentsPage``): every account with role, groups, limit, status; create one with a
temporary password, change it, deactivate or reactivate it, reset its password.

Objects: ``agentsTable``, ``newAgentButton``, ``editAgentButton``, ``deactivateAgentButton`` (says
Reactivate for a deactivated account), ``resetPasswordButton``, ``agentsRefreshButton``,
``agentsMessage``; dialogs ``agentFormDialog``, ``deactivateAgentConfirm``, ``resetPasswordConfirm``,
``temporaryPasswordDialog`` (children of the page).
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.admin import AgentCreated
from chat_protocol.rest import GroupInfo
from chat_protocol.supervision import AgentDetail, AgentUpdate
from operator_app.store.admin_service import AdminService
from operator_app.ui.admin.agent_form import AgentFormDialog
from operator_app.ui.admin.agents_model import AgentsModel
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.admin.temporary_password import TemporaryPasswordDialog, plain_label
from operator_app.ui.async_tools import async_slot, finished_future, reports_errors
from operator_app.ui.confirm import confirm


class AgentsPage(AdminPage):
    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.setObjectName("adminAgentsPage")
        self.groups: list[GroupInfo] = []
        self.model = AgentsModel(self)

        self.table = QTableView(self)
        self.table.setObjectName("agentsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AgentsModel.Column.GROUPS, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda index: self.edit_agent())

        self.new_button = self._button("newAgentButton", self.tr("&New agent…"), self.new_agent)
        self.edit_button = self._button("editAgentButton", self.tr("&Change…"), self.edit_agent)
        self.active_button = self._button(
            "deactivateAgentButton", self.tr("&Deactivate…"), self.toggle_active
        )
        self.reset_button = self._button(
            "resetPasswordButton", self.tr("Reset &password…"), self.reset_password
        )
        self.refresh_button = self._button("agentsRefreshButton", self.tr("&Reload"), self.refresh)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.active_button, self.reset_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        self.message: QLabel = plain_label("", self, "agentsMessage")

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.state_label)
        layout.addWidget(self.message)
        self._update_buttons()

    def _button(self, name: str, text: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def title(self) -> str:
        return self.tr("Agents")

    # --- loading --------------------------------------------------------------------------------

    @reports_errors(on_error="show_failed")
    async def reload(self) -> None:
        self.show_loading()
        accounts, groups = await asyncio.gather(self.service.list_agents(), self.service.list_groups())
        self._show(accounts, groups)

    def _show(self, accounts: list[AgentDetail], groups: list[GroupInfo], select: str | None = None) -> None:
        current = self.selected_agent()
        selected = select or (current.agent_id if current else None)
        self.groups = groups
        self.model.set_agents(accounts, {g.group_id: g.name for g in groups})
        if accounts:
            self.show_ready()
        else:
            self.show_empty(self.tr("No agent accounts yet."))
        row = self.model.row_of(selected) if selected else -1
        if row >= 0:
            self.table.selectRow(row)
        self._update_buttons()

    @async_slot()
    async def refresh(self) -> None:
        self.message.clear()
        await self.reload()

    def selected_agent(self) -> AgentDetail | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.agent_at(rows[0].row()) if rows else None

    def select_agent(self, agent_id: str) -> bool:
        row = self.model.row_of(agent_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _update_buttons(self, *args: QItemSelection) -> None:
        agent = self.selected_agent()
        for button in (self.edit_button, self.active_button, self.reset_button):
            button.setEnabled(agent is not None)
        reactivate = agent is not None and not agent.active
        self.active_button.setText(self.tr("Re&activate…") if reactivate else self.tr("&Deactivate…"))
        self.reset_button.setEnabled(agent is not None and agent.active)

    def _notice(self, text: str) -> None:
        self.message.setStyleSheet("color: #166534;")
        self.message.setText(text)

    def _replace(self, detail: AgentDetail) -> None:
        agents = [detail if a.agent_id == detail.agent_id else a for a in self.model.agents]
        if all(a.agent_id != detail.agent_id for a in agents):
            agents.append(detail)
        self._show(agents, self.groups, select=detail.agent_id)
        self.changed.emit()

    # --- actions --------------------------------------------------------------------------------

    @async_slot()
    async def new_agent(self) -> None:
        dialog = AgentFormDialog(self.groups, None, self)
        dialog.action = lambda: self.service.create_agent(dialog.create_body())
        done = finished_future(dialog)
        dialog.show()
        await done
        dialog.deleteLater()
        created = dialog.outcome
        if not isinstance(created, AgentCreated):
            return
        self._replace(created.agent)
        self._notice(self.tr("%1 was created.").replace("%1", created.agent.name))
        await self._show_password(created.agent.name, created.temporary_password)

    @async_slot()
    async def edit_agent(self) -> None:
        agent = self.selected_agent()
        if agent is None:
            return
        dialog = AgentFormDialog(self.groups, agent, self)
        dialog.action = lambda: self.service.update_agent(agent.agent_id, dialog.update_body())
        done = finished_future(dialog)
        dialog.show()
        await done
        dialog.deleteLater()
        if isinstance(dialog.outcome, AgentDetail):
            self._replace(dialog.outcome)
            self._notice(self.tr("The changes to %1 were saved.").replace("%1", agent.name))

    @async_slot()
    async def toggle_active(self) -> None:
        agent = self.selected_agent()
        if agent is None:
            return
        if agent.active:
            title = self.tr("Deactivate agent")
            text = self.tr(
                "Deactivate %1? They are signed out at once: the app closes its connection right now, "
                "and they can no longer sign in. You can reactivate the account later."
            ).replace("%1", agent.name)
            action_text = self.tr("Deactivate")
        else:
            title = self.tr("Reactivate agent")
            text = self.tr("Reactivate %1? They can sign in again with their password.").replace(
                "%1", agent.name
            )
            action_text = self.tr("Reactivate")
        body = AgentUpdate(active=not agent.active)
        changed: list[AgentDetail] = []

        async def change() -> None:
            changed.append(await self.service.update_agent(agent.agent_id, body))

        if await confirm(self, title, text, action_text, name="deactivateAgentConfirm", action=change):
            self._replace(changed[0])
            done_text = self.tr("%1 was deactivated.") if agent.active else self.tr("%1 was reactivated.")
            self._notice(done_text.replace("%1", agent.name))

    @async_slot()
    async def reset_password(self) -> None:
        agent = self.selected_agent()
        if agent is None:
            return
        passwords: list[str] = []

        async def reset() -> None:
            passwords.append((await self.service.reset_password(agent.agent_id)).temporary_password)

        question = self.tr(
            "Give %1 a new temporary password? Their current password stops working and they are "
            "signed out everywhere; they choose a new password when they sign in."
        ).replace("%1", agent.name)
        title = self.tr("Reset password")
        if await confirm(self, title, question, title, name="resetPasswordConfirm", action=reset):
            self._notice(self.tr("The password of %1 was reset.").replace("%1", agent.name))
            self.changed.emit()
            await self._show_password(agent.name, passwords[0])

    async def _show_password(self, name: str, password: str) -> None:
        dialog = TemporaryPasswordDialog(name, password, self)
        done = finished_future(dialog)
        dialog.show()
        await done
        dialog.password.clear()
        dialog.deleteLater()

"""The form of a new or changed agent account (``agentFormDialog``).

Objects: ``agentEmail``, ``agentName`` (read-only when editing: the server keeps them), ``agentRole``,
``agentGroups`` (a checkable list: click or Space), ``agentChatLimit`` (0 = the default limit, new
accounts only), then ``actionButton`` / ``actionError`` of `ActionDialog`.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QListView, QSpinBox, QWidget

from chat_protocol.admin import AgentCreate
from chat_protocol.rest import GroupInfo
from chat_protocol.supervision import AgentDetail, AgentUpdate, Role
from operator_app.store.choice_list_model import ChoiceListModel
from operator_app.ui.admin.agents_model import role_text
from operator_app.ui.confirm import ActionDialog

ROLES: tuple[Role, ...] = ("agent", "supervisor", "admin")
MAX_CHATS = 50


class AgentFormDialog(ActionDialog):
    """New account (`agent` None) or changes to `agent`'s role, groups and limit."""

    def __init__(
        self, groups: list[GroupInfo], agent: AgentDetail | None, parent: QWidget | None = None
    ) -> None:
        # Before `super().__init__` there is no `self.tr` yet: the same context, spelled out.
        ctx = "AgentFormDialog"
        if agent is None:
            title = QCoreApplication.translate(ctx, "New agent")
            action = QCoreApplication.translate(ctx, "Create")
        else:
            title = QCoreApplication.translate(ctx, "Change %1").replace("%1", agent.name)
            action = QCoreApplication.translate(ctx, "Save")
        super().__init__(title, action, parent)
        self.setObjectName("agentFormDialog")
        self.agent = agent
        self.email = QLineEdit(agent.email if agent else "", self)
        self.email.setObjectName("agentEmail")
        self.email.setMaxLength(254)
        self.email.setPlaceholderText(self.tr("name@example.com"))
        self.name = QLineEdit(agent.name if agent else "", self)
        self.name.setObjectName("agentName")
        self.name.setMaxLength(100)
        if agent is not None:
            for field in (self.email, self.name):
                field.setReadOnly(True)
        self.role = QComboBox(self)
        self.role.setObjectName("agentRole")
        for role in ROLES:
            self.role.addItem(role_text(role), role)
        self.role.setCurrentIndex(ROLES.index(agent.role) if agent else 0)
        self.group_choices = ChoiceListModel(checkable=True, parent=self)
        entries = [(g.group_id, g.name) for g in sorted(groups, key=lambda g: g.name.casefold())]
        self.group_choices.set_entries(entries, set(agent.group_ids) if agent else set())
        self.groups = QListView(self)
        self.groups.setObjectName("agentGroups")
        self.groups.setModel(self.group_choices)
        self.limit = QSpinBox(self)
        self.limit.setObjectName("agentChatLimit")
        self.limit.setRange(0, MAX_CHATS)
        self.limit.setSpecialValueText(self.tr("Default"))
        if agent is not None and agent.max_chats is not None:
            self.limit.setMinimum(1)  # PATCH cannot go back to "the default"; the server keeps a number
        self.limit.setValue((agent.max_chats or 0) if agent else 0)
        self.limit.setToolTip(
            self.tr("How many chats the agent holds at once; Default uses the routing setting.")
        )
        form = QFormLayout()
        form.addRow(self.tr("&E-mail"), self.email)
        form.addRow(self.tr("&Name"), self.name)
        form.addRow(self.tr("&Role"), self.role)
        form.addRow(self.tr("&Groups"), self.groups)
        form.addRow(self.tr("Chat &limit"), self.limit)
        self.body.addLayout(form)
        self.resize(440, 420)

    def check(self) -> bool:
        if self.agent is None:
            email = self.email.text().strip()
            if "@" not in email or len(email) < 3:
                self.show_error(self.tr("Enter the agent's e-mail address."))
                self.email.setFocus()
                return False
            if not self.name.text().strip():
                self.show_error(self.tr("Enter the agent's name."))
                self.name.setFocus()
                return False
        return True

    def selected_role(self) -> Role:
        return ROLES[max(0, self.role.currentIndex())]

    def create_body(self) -> AgentCreate:
        return AgentCreate(
            email=self.email.text().strip(),
            name=self.name.text().strip(),
            role=self.selected_role(),
            group_ids=self.group_choices.checked_keys(),
            max_chats=self.limit.value() or None,
        )

    def update_body(self) -> AgentUpdate:
        """Only what differs from the agent as loaded."""
        agent = self.agent
        assert agent is not None
        role = self.selected_role()
        groups = self.group_choices.checked_keys()
        limit = self.limit.value() or None
        return AgentUpdate(
            role=role if role != agent.role else None,
            group_ids=groups if sorted(groups) != sorted(agent.group_ids) else None,
            max_chats=limit if limit != agent.max_chats else None,
        )

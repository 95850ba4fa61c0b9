"""The team workspace (supervisors and admins): every agent in my scope with status, load, chats and
first-response time since my local midnight; a supervisor sets an agent's status from here.

Objects: ``teamView``, ``teamTable``, ``teamSummary`` (count and last update), ``teamRefreshButton``,
``setStatusButton`` (a menu: Accepting / Not accepting / Away, also the row's context menu),
``trainingResultsButton`` (the trainees' results, `TrainingResultsDialog`), ``teamEmpty``, ``teamLoading``, ``teamError`` (a failed load, with the reason) and ``teamMessage``
(the result of a status change, or the server's refusal).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, QPoint, QSortFilterProxyModel, Qt, QTime, QTimer
from PySide6.QtGui import QAction, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.admin import TeamMember
from chat_protocol.models import RoutingStatus
from chat_protocol.supervision import AgentDetail
from operator_app.errors import ApiError
from operator_app.store.chat_session import ChatSession
from operator_app.store.team_model import TeamModel, TeamRole, status_icon, status_text
from operator_app.ui.async_tools import reports_errors
from operator_app.ui.error_text import describe_error

if TYPE_CHECKING:
    from operator_app.ui.training_results import TrainingResultsDialog

log = logging.getLogger(__name__)

REFRESH_MS = 10_000


def local_midnight(today: date | None = None) -> datetime:
    """The start of today on this computer's clock, time-zone aware (DST-correct)."""
    return datetime.combine(today or date.today(), time()).astimezone()


class TeamView(QWidget):
    """The table, a summary line, refresh and set-status; reloads every 10 s while shown."""

    def __init__(self, session: ChatSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamView")
        self.session = session
        self.model = TeamModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(TeamRole.SORT)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.loaded_at: datetime | None = None
        self.loading = False
        self._groups_loaded = False
        self._again = False
        self._status_target = ""  # the name of the agent whose status is being changed
        self._tasks: set[asyncio.Task[Any]] = set()

        self.summary = QLabel(self)
        self.summary.setObjectName("teamSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setStyleSheet("color: #4b5563;")
        self.refresh_button = QPushButton(self.tr("&Refresh"), self)
        self.refresh_button.setObjectName("teamRefreshButton")
        self.refresh_button.setToolTip(self.tr("Load the team again (it also reloads every 10 seconds)"))
        self.refresh_button.clicked.connect(self.refresh)
        self.status_button = QPushButton(self.tr("Set &status"), self)
        self.status_button.setObjectName("setStatusButton")
        self.status_button.setToolTip(self.tr("Change the selected agent's status"))
        self.status_menu = self._status_menu(None)
        self.status_button.setMenu(self.status_menu)
        self.training_button = QPushButton(self.tr("&Training results\u2026"), self)
        self.training_button.setObjectName("trainingResultsButton")
        self.training_button.setToolTip(self.tr("How the trainees of your groups did on scripted visitors"))
        self.training_button.clicked.connect(self.open_training_results)
        self.training_dialog: TrainingResultsDialog | None = None
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.training_button)
        top.addWidget(self.status_button)
        top.addWidget(self.refresh_button)

        self.table = QTableView(self)
        self.table.setObjectName("teamTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(TeamModel.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TeamModel.NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TeamModel.GROUPS, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(TeamModel.NAME, 220)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.context_menu: QMenu | None = None

        self.loading_label = self._note("teamLoading", self.tr("Loading the team…"))
        self.empty = self._note("teamEmpty", self.tr("No agents to show: nobody is in your groups yet."))
        self.error = self._note("teamError", "")
        self.error.setStyleSheet("color: #b91c1c;")
        self.message = self._note("teamMessage", "")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.loading_label)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addWidget(self.message)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self._update_states()
        self._update_buttons()

    def open_training_results(self) -> TrainingResultsDialog:
        """The trainees' results, built and loaded when first opened (the module too)."""
        if self.training_dialog is None:
            from operator_app.store.training_service import TrainingService
            from operator_app.ui.training_results import TrainingResultsDialog

            self.training_dialog = TrainingResultsDialog(TrainingService(self.session, self), self)
        self.training_dialog.show()
        self.training_dialog.raise_()
        QTimer.singleShot(0, self.training_dialog.load)  # an async slot: it runs in the loop
        return self.training_dialog

    def _note(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.hide()
        return label

    def _status_menu(self, parent: QWidget | None) -> QMenu:
        menu = QMenu(parent or self)
        for status, text in (
            (RoutingStatus.ACCEPTING, self.tr("&Accepting")),
            (RoutingStatus.NOT_ACCEPTING, self.tr("&Not accepting")),
            (RoutingStatus.AWAY, self.tr("A&way")),
        ):
            action = QAction(status_icon(status.value), text, menu)
            action.setObjectName(f"setStatus_{status.value}")
            action.setData(status.value)
            action.triggered.connect(lambda checked=False, s=status: self._status_chosen(s))
            menu.addAction(action)
        return menu

    # --- showing and reloading --------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.timer.start()
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.timer.stop()

    def refresh(self) -> None:
        """Reload in the background (the refresh button, the timer, showing the view)."""
        self._spawn(self.reload(), "team-view")

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        task = self.session.tasks.spawn(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reload(self) -> None:
        """Load the team; asked while a load runs, load once more after it (a status just changed)."""
        if self.loading:
            self._again = True
            return
        self.loading = True
        self._update_states()
        self.refresh_button.setEnabled(False)
        try:
            members = await self._load_team()
        finally:
            self.loading = False  # cancelled, the view may be gone: touch no widget here
        self.refresh_button.setEnabled(True)
        self._update_states()
        if members is None:
            return
        self.error.hide()
        self.loaded_at = datetime.now().astimezone()
        self.model.set_members(members)
        self._update_states()
        self._update_buttons()
        if self._again:
            self._again = False
            await self.reload()

    @reports_errors(on_error="show_load_failure")
    async def _load_team(self) -> list[TeamMember]:
        members = await self.session.admin.team(local_midnight())
        await self._load_group_names(members)
        return members

    def show_load_failure(self, error: BaseException) -> None:
        """A failed load, with the reason; the rows loaded before stay."""
        self.error.setText(self.tr("The team could not be loaded: %1").replace("%1", describe_error(error)))
        self.error.show()

    async def _load_group_names(self, members: list[TeamMember]) -> None:
        """Group names once, and again when an unknown group shows up; a failure leaves them blank."""
        wanted = {group_id for member in members for group_id in member.group_ids}
        if self._groups_loaded and wanted <= self.model.known_groups():
            return
        try:
            groups = await self.session.groups()
        except ApiError as exc:
            log.warning("group names not loaded: %r", exc)
            return
        self._groups_loaded = True
        self.model.set_group_names({group.group_id: group.name for group in groups})

    def _update_states(self) -> None:
        count = self.model.rowCount()
        never_loaded = self.loaded_at is None
        self.loading_label.setVisible(self.loading and never_loaded)
        self.empty.setVisible(not never_loaded and count == 0)
        if never_loaded:
            self.summary.setText("")
            return
        assert self.loaded_at is not None
        online = sum(1 for member in self.model.members() if member.online)
        moment = self.loaded_at
        clock = QLocale().toString(QTime(moment.hour, moment.minute, moment.second), "HH:mm:ss")
        self.summary.setText(
            self.tr("%1 agents, %2 online · updated at %3")
            .replace("%1", str(count))
            .replace("%2", str(online))
            .replace("%3", clock)
        )

    # --- setting an agent's status ----------------------------------------------------------

    def selected_agent(self) -> TeamMember | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.member(self.proxy.mapToSource(rows[0]).row())

    def select_agent(self, agent_id: str) -> bool:
        row = self.model.row_of(agent_id)
        if row < 0:
            return False
        self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        return True

    def _update_buttons(self, *args: object) -> None:
        self.status_button.setEnabled(self.selected_agent() is not None)

    def context_menu_at(self, pos: QPoint) -> QMenu | None:
        """Select the row at `pos` (viewport coordinates) and build its status menu."""
        index = self.table.indexAt(pos)
        if not index.isValid():
            return None
        self.table.selectRow(index.row())
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        menu = self._status_menu(self.table)
        menu.setObjectName("teamContextMenu")
        self.context_menu = menu
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu_at(pos)
        if menu is not None:
            menu.popup(self.table.viewport().mapToGlobal(pos))

    def _status_chosen(self, status: RoutingStatus) -> None:
        member = self.selected_agent()
        if member is not None:
            self._spawn(self.set_status(member.agent_id, status), "team-set-status")

    async def set_status(self, agent_id: str, status: RoutingStatus) -> bool:
        """Ask the server to change the agent's status; the outcome is shown in ``teamMessage``."""
        member = self.model.find(agent_id)
        name = " ".join(member.name.split()) if member is not None else agent_id
        self.status_button.setEnabled(False)
        self._status_target = name
        changed = await self._send_status(agent_id, status)  # cancelled: the view may be gone
        self._update_buttons()
        if changed is None:
            return False
        self._show_message(
            self.tr("%1 is now: %2").replace("%1", name).replace("%2", status_text(status.value)),
            error=False,
        )
        await self.reload()
        return True

    @reports_errors(on_error="show_status_refusal")
    async def _send_status(self, agent_id: str, status: RoutingStatus) -> AgentDetail:
        return await self.session.admin.set_agent_status(agent_id, status)

    def show_status_refusal(self, error: BaseException) -> None:
        self._show_message(self._refusal(error, self._status_target), error=True)

    def _refusal(self, exc: BaseException, name: str) -> str:
        if isinstance(exc, ApiError) and exc.status == 404:
            return self.tr("%1's status was not changed: they are not in your groups.").replace("%1", name)
        if isinstance(exc, ApiError) and exc.status == 403:
            return self.tr("%1's status was not changed: you may not change it.").replace("%1", name)
        return (
            self.tr("%1's status was not changed: %2").replace("%1", name).replace("%2", describe_error(exc))
        )

    def _show_message(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet("color: #b91c1c;" if error else "color: #166534;")
        self.message.setText(text)
        self.message.show()

    async def stop(self) -> None:
        """Stop reloading and end the loads and status changes under way (before the view goes)."""
        self.timer.stop()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

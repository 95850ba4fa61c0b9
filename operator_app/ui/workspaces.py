"""The main window's workspaces: my chats, the traffic (customers on the website, Ctrl+Shift+C), and for
supervisors and admins the supervised chats (Ctrl+Shift+S) and the team (Ctrl+Shift+M; Ctrl+Shift+T
is Transfer chat).

One visitor panel (``visitorPanel``) sits beside whichever is shown: it follows the open chat's
visitor in the chats workspace and the selected row in the traffic view.

Objects: ``workspaceStack``, ``customersPage``, ``customersAction``, ``chatsAction``, ``viewMenu``,
``supervisionPage``, ``supervisionAction``, ``teamView`` and ``teamAction`` (supervisors and admins only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QSplitter, QStackedWidget, QToolBar

from operator_app.store.traffic_text import visitor_label
from operator_app.store.visitors_service import VisitorsService
from operator_app.ui.invite_dialog import InviteDialog
from operator_app.ui.supervision_view import SupervisionView
from operator_app.ui.team_view import TeamView
from operator_app.ui.traffic_view import TrafficView
from operator_app.ui.visitor_sidebar import VisitorSidebar

if TYPE_CHECKING:
    from operator_app.ui.main_window import MainWindow


class Workspaces(QObject):
    """Builds the traffic page into `window`, and the switch between it and the chats."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.service = VisitorsService(window.session, self)
        self.invite_dialog: InviteDialog | None = None

        chats = window.takeCentralWidget()
        assert chats is window.splitter
        self.stack = QStackedWidget(window)
        self.stack.setObjectName("workspaceStack")
        self.stack.addWidget(window.splitter)
        self.traffic_page = QSplitter(Qt.Orientation.Horizontal, self.stack)
        self.traffic_page.setObjectName("customersPage")
        self.traffic_page.setChildrenCollapsible(False)
        self.traffic = TrafficView(self.service.model, self.traffic_page)
        self.traffic_page.addWidget(self.traffic)
        self.stack.addWidget(self.traffic_page)
        me = window.session.store.me
        self.supervision: SupervisionView | None = None
        self.team: TeamView | None = None
        if me is not None and me.role in ("supervisor", "admin"):
            self.supervision = SupervisionView(window.session, self.stack)
            self.stack.addWidget(self.supervision)
            self.supervision.chat_taken_over.connect(self._taken_over)
            self.team = TeamView(window.session, self.stack)
            self.stack.addWidget(self.team)
        window.setCentralWidget(self.stack)

        self.sidebar = VisitorSidebar(self.service, window)
        window.splitter.addWidget(self.sidebar)
        window.splitter.setStretchFactor(2, 0)
        sizes = window.splitter.sizes()
        if len(sizes) == 3 and sizes[2] < 300:
            window.splitter.setSizes([sizes[0], max(380, sizes[1] - 320), 320])

        self._build_actions()
        self.traffic.visitor_selected.connect(self._visitor_selected)
        self.traffic.invite_requested.connect(self.open_invite)
        self.service.feed_state_changed.connect(self.traffic.set_feed_state)
        window.chat_panel.chat_shown.connect(self._chat_shown)
        self.service.watch()

    def _build_actions(self) -> None:
        window = self.window
        self.traffic_action = QAction(self.tr("C&ustomers on the website"), window)
        self.traffic_action.setObjectName("customersAction")
        self.traffic_action.setCheckable(True)
        self.traffic_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.traffic_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.traffic_action.setToolTip(self.tr("Show the visitors on the website (Ctrl+Shift+C)"))
        self.traffic_action.triggered.connect(self.show_traffic)
        self.chats_action = QAction(self.tr("&Chats"), window)
        self.chats_action.setObjectName("chatsAction")
        self.chats_action.triggered.connect(self.show_chats)
        menu = window.menuBar().addMenu(self.tr("&View"))
        menu.setObjectName("viewMenu")
        menu.addAction(self.chats_action)
        menu.addAction(self.traffic_action)
        bar = window.findChild(QToolBar, "topBar")
        if bar is not None:
            bar.addAction(self.traffic_action)
        window.addAction(self.traffic_action)
        if self.supervision is not None:
            self.supervision_action = QAction(self.tr("&Supervised chats"), window)
            self.supervision_action.setObjectName("supervisionAction")
            self.supervision_action.setCheckable(True)
            self.supervision_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
            self.supervision_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.supervision_action.setToolTip(self.tr("Watch your teammates' chats (Ctrl+Shift+S)"))
            self.supervision_action.triggered.connect(self.show_supervision)
            menu.addAction(self.supervision_action)
            if bar is not None:
                bar.addAction(self.supervision_action)
            window.addAction(self.supervision_action)
            self.supervision.start()
        if self.team is not None:
            self.team_action = QAction(self.tr("&Team"), window)
            self.team_action.setObjectName("teamAction")
            self.team_action.setCheckable(True)
            self.team_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
            self.team_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.team_action.setToolTip(self.tr("Your team's status, load and chats today (Ctrl+Shift+M)"))
            self.team_action.triggered.connect(self.show_team)
            menu.addAction(self.team_action)
            if bar is not None:
                bar.addAction(self.team_action)
            window.addAction(self.team_action)

    # --- switching --------------------------------------------------------------------------

    def showing_traffic(self) -> bool:
        return self.stack.currentWidget() is self.traffic_page

    def show_chats(self) -> None:
        self.show_team(False)
        self.show_supervision(False)
        self.show_traffic(False)

    def show_team(self, on: bool = True) -> None:
        """The team view (supervisors and admins), or back to my chats."""
        if self.team is None:
            return
        self.team_action.setChecked(on)
        if on:
            self.show_supervision(False)
            self.show_traffic(False)
            self.stack.setCurrentWidget(self.team)
            self.team.table.setFocus()
        elif self.stack.currentWidget() is self.team:
            self.stack.setCurrentWidget(self.window.splitter)

    def show_supervision(self, on: bool = True) -> None:
        """The supervised chats (supervisors and admins), or back to my chats."""
        if self.supervision is None:
            return
        self.supervision_action.setChecked(on)
        if on:
            self.show_team(False)
            self.show_traffic(False)
            self.stack.setCurrentWidget(self.supervision)
            self.supervision.table.setFocus()
        elif self.stack.currentWidget() is self.supervision:
            self.stack.setCurrentWidget(self.window.splitter)

    def _taken_over(self, chat_id: str) -> None:
        """A chat I took over is mine now: show it among my chats."""
        self.show_chats()
        self.window.select_chat(chat_id)

    def show_traffic(self, on: bool = True) -> None:
        self.traffic_action.setChecked(on)
        if on:
            self.show_supervision(False)
            self.show_team(False)
        if on == self.showing_traffic():
            return
        if on:
            self.stack.setCurrentWidget(self.traffic_page)
            self.traffic_page.addWidget(self.sidebar)
            self.traffic_page.setSizes([900, 320])
            self.sidebar.show_visitor(self.traffic.selected_id or None)
            self.traffic.table.setFocus()
        else:
            self.stack.setCurrentWidget(self.window.splitter)
            self.window.splitter.addWidget(self.sidebar)
            self._chat_shown(self.window.chat_panel.chat_id or "")

    def _visitor_selected(self, visitor_id: str) -> None:
        if self.showing_traffic() and visitor_id:
            self.sidebar.show_visitor(visitor_id)

    def _chat_shown(self, chat_id: str) -> None:
        if self.showing_traffic():
            return
        chat = self.window.session.store.get(chat_id) if chat_id else None
        self.sidebar.show_visitor(chat.visitor.visitor_id if chat is not None else None)

    # --- invitations ------------------------------------------------------------------------

    def open_invite(self, visitor_id: str) -> InviteDialog | None:
        row = self.service.model.get(visitor_id)
        session = self.window.session
        if row is None:
            return None
        if self.invite_dialog is not None:
            self.invite_dialog.close()
        replies = session.canned.replies() if session.canned is not None else []
        me = session.store.me
        dialog = InviteDialog(self.service, row, replies, me.name if me else "", self.window)
        dialog.invited.connect(
            lambda vid: self.window.show_notice(
                self.tr("Invitation sent to %1.").replace("%1", visitor_label(row.name, row.number))
            )
        )
        dialog.finished.connect(lambda result: self._invite_closed(dialog))
        self.invite_dialog = dialog
        dialog.show()
        return dialog

    def _invite_closed(self, dialog: InviteDialog) -> None:
        if self.invite_dialog is dialog:
            self.invite_dialog = None
        dialog.deleteLater()

    async def stop(self) -> None:
        if self.supervision is not None:
            await self.supervision.stop()
        if self.team is not None:
            await self.team.stop()
        await self.service.stop()

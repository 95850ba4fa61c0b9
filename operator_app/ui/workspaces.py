"""The main window's workspaces: my chats, the traffic (customers on the website, Ctrl+Shift+C), the
archives of closed chats (Ctrl+Shift+R), the tickets (Ctrl+Shift+K, `TicketsEntry`), and for supervisors and admins the supervised chats
(Ctrl+Shift+S), the team (Ctrl+Shift+M; Ctrl+Shift+T is Transfer chat) and the reports (Ctrl+Shift+O).

One visitor panel (``visitorPanel``) sits beside whichever is shown: it follows the open chat's
visitor in the chats workspace and the selected row in the traffic view. The traffic, archives,
supervision, team and reports views are imported and built the first time they are opened (or asked
for).

Objects: ``workspaceStack``, ``customersPage``, ``customersAction``, ``chatsAction``, ``viewMenu``,
``archivesView``, ``archivesAction``, ``supervisionPage``, ``supervisionAction``, ``teamView``,
``teamAction``, ``reportsView`` and ``reportsAction`` (supervisors and admins only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QSplitter, QStackedWidget, QToolBar

from operator_app.store.chat_session import ChatSession
from operator_app.store.traffic_text import visitor_label
from operator_app.store.visitors_service import VisitorsService
from operator_app.ui.chat_panel import ChatPanel
from operator_app.ui.on_demand import Lazy
from operator_app.ui.tickets_entry import TicketsEntry
from operator_app.ui.visitor_sidebar import VisitorSidebar

if TYPE_CHECKING:
    from operator_app.ui.archives_view import ArchivesView
    from operator_app.ui.invite_dialog import InviteDialog
    from operator_app.ui.reports_view import ReportsView
    from operator_app.ui.supervision_view import SupervisionView
    from operator_app.ui.team_view import TeamView
    from operator_app.ui.traffic_view import TrafficView

TRAFFIC_VIEW: Lazy[type[TrafficView]] = Lazy("operator_app.ui.traffic_view:TrafficView")
SUPERVISION_VIEW: Lazy[type[SupervisionView]] = Lazy("operator_app.ui.supervision_view:SupervisionView")
TEAM_VIEW: Lazy[type[TeamView]] = Lazy("operator_app.ui.team_view:TeamView")
ARCHIVES_VIEW: Lazy[type[ArchivesView]] = Lazy("operator_app.ui.archives_view:ArchivesView")
REPORTS_VIEW: Lazy[type[ReportsView]] = Lazy("operator_app.ui.reports_view:ReportsView")
INVITE_DIALOG: Lazy[type[InviteDialog]] = Lazy("operator_app.ui.invite_dialog:InviteDialog")


class Workspaces(QObject):
    """Builds the workspace stack into `window` around its chats page, and the switch between them.

    `select_chat(chat_id)` shows one of my chats; `notify(text)` is a passing notice for the operator.
    """

    def __init__(
        self,
        window: QMainWindow,
        session: ChatSession,
        chats_page: QSplitter,
        chat_panel: ChatPanel,
        *,
        select_chat: Callable[[str], bool],
        notify: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.chats_page = chats_page
        self.chat_panel = chat_panel
        self._select_chat = select_chat
        self._notify = notify
        self.service = VisitorsService(session, self)
        self.invite_dialog: InviteDialog | None = None
        me = session.store.me
        self.supervises = me is not None and me.role in ("supervisor", "admin")
        self._traffic: TrafficView | None = None
        self._supervision: SupervisionView | None = None
        self._team: TeamView | None = None
        self._archives: ArchivesView | None = None
        self._reports: ReportsView | None = None

        chats = window.takeCentralWidget()
        assert chats is chats_page
        self.stack = QStackedWidget(window)
        self.stack.setObjectName("workspaceStack")
        self.stack.addWidget(chats_page)
        self.traffic_page = QSplitter(Qt.Orientation.Horizontal, self.stack)
        self.traffic_page.setObjectName("customersPage")
        self.traffic_page.setChildrenCollapsible(False)
        self.stack.addWidget(self.traffic_page)
        window.setCentralWidget(self.stack)

        self.sidebar = VisitorSidebar(self.service, window)
        chats_page.addWidget(self.sidebar)
        chats_page.setStretchFactor(2, 0)
        sizes = chats_page.sizes()
        if len(sizes) == 3 and sizes[2] < 300:
            chats_page.setSizes([sizes[0], max(380, sizes[1] - 320), 320])

        self.tickets = TicketsEntry(window, session, self.stack, leave_others=self.show_chats, notify=notify)
        self._build_actions()
        chat_panel.chat_shown.connect(self._chat_shown)
        chat_panel.chat_shown.connect(self.tickets.chat_shown)
        chat_panel.addAction(self.tickets.chat_action)
        for top in window.menuBar().actions():  # the Chat menu, beside Transfer
            chat_menu = top.menu()
            if isinstance(chat_menu, QMenu) and chat_panel.transfer_action in chat_menu.actions():
                chat_menu.insertAction(chat_panel.transfer_action, self.tickets.chat_action)
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
        self.archives_action = QAction(self.tr("&Archives"), window)
        self.archives_action.setObjectName("archivesAction")
        self.archives_action.setCheckable(True)
        self.archives_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.archives_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.archives_action.setToolTip(self.tr("Find closed chats and read them (Ctrl+Shift+R)"))
        self.archives_action.triggered.connect(self.show_archives)
        menu = window.menuBar().addMenu(self.tr("&View"))
        menu.setObjectName("viewMenu")
        menu.addAction(self.chats_action)
        bar = window.findChild(QToolBar, "topBar")
        self.tickets_action = self.tickets.action
        for action in (self.traffic_action, self.archives_action, self.tickets_action):
            menu.addAction(action)
            if bar is not None:
                bar.addAction(action)
            window.addAction(action)
        if not self.supervises:
            return
        self.supervision_action = QAction(self.tr("&Supervised chats"), window)
        self.supervision_action.setObjectName("supervisionAction")
        self.supervision_action.setCheckable(True)
        self.supervision_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.supervision_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.supervision_action.setToolTip(self.tr("Watch your teammates' chats (Ctrl+Shift+S)"))
        self.supervision_action.triggered.connect(self.show_supervision)
        self.team_action = QAction(self.tr("&Team"), window)
        self.team_action.setObjectName("teamAction")
        self.team_action.setCheckable(True)
        self.team_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.team_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.team_action.setToolTip(self.tr("Your team's status, load and chats today (Ctrl+Shift+M)"))
        self.team_action.triggered.connect(self.show_team)
        for action in (self.supervision_action, self.team_action):
            menu.addAction(action)
            if bar is not None:
                bar.addAction(action)
            window.addAction(action)
        self._build_reports_action(menu, bar)

    # --- reports (supervisors and admins) ----------------------------------------------------

    def _build_reports_action(self, menu: QMenu, bar: QToolBar | None) -> None:
        self.reports_action = QAction(self.tr("&Reports"), self.window)
        self.reports_action.setObjectName("reportsAction")
        self.reports_action.setCheckable(True)
        self.reports_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.reports_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.reports_action.setToolTip(
            self.tr("Chats, response times, ratings and greetings over days (Ctrl+Shift+O)")
        )
        self.reports_action.triggered.connect(self.show_reports)
        menu.addAction(self.reports_action)
        if bar is not None:
            bar.addAction(self.reports_action)
        self.window.addAction(self.reports_action)
        # Any other workspace shown unchecks the action.
        self.stack.currentChanged.connect(
            lambda _index: self.reports_action.setChecked(
                self._reports is not None and self.stack.currentWidget() is self._reports
            )
        )

    @property
    def reports(self) -> ReportsView | None:
        """The reports view (supervisors and admins; built the first time asked for)."""
        if self._reports is None and self.supervises:
            view = REPORTS_VIEW.get()(self.session, self.stack)
            self.stack.addWidget(view)
            self._reports = view
        return self._reports

    def show_reports(self, on: bool = True) -> None:
        """The reports (supervisors and admins), or back to my chats."""
        if not self.supervises:
            return
        if on:
            self.show_team(False)
            self.show_supervision(False)
            self.show_traffic(False)
            reports = self.reports
            assert reports is not None
            self.stack.setCurrentWidget(reports)
            self.reports_action.setChecked(True)
        elif self._reports is not None and self.stack.currentWidget() is self._reports:
            self.stack.setCurrentWidget(self.chats_page)

    # --- the views, built on first use ------------------------------------------------------

    @property
    def traffic(self) -> TrafficView:
        """Every visitor on the site now (built the first time it is asked for)."""
        if self._traffic is None:
            view = TRAFFIC_VIEW.get()(self.service.model, self.traffic_page)
            self.traffic_page.insertWidget(0, view)
            view.set_feed_state(self.service.feed_state.value)
            self.service.feed_state_changed.connect(view.set_feed_state)
            view.visitor_selected.connect(self._visitor_selected)
            view.invite_requested.connect(self.open_invite)
            self._traffic = view
        return self._traffic

    @property
    def supervision(self) -> SupervisionView | None:
        """The supervised chats (supervisors and admins; refreshing from the first time asked for)."""
        if self._supervision is None and self.supervises:
            view = SUPERVISION_VIEW.get()(self.session, self.stack)
            self.stack.addWidget(view)
            view.chat_taken_over.connect(self._taken_over)
            view.start()
            self._supervision = view
        return self._supervision

    @property
    def team(self) -> TeamView | None:
        """The team view (supervisors and admins)."""
        if self._team is None and self.supervises:
            view = TEAM_VIEW.get()(self.session, self.stack)
            self.stack.addWidget(view)
            self._team = view
        return self._team

    @property
    def archives(self) -> ArchivesView:
        """The archives of closed chats (every agent; built the first time it is asked for)."""
        if self._archives is None:
            view = ARCHIVES_VIEW.get()(self.session, self.stack)
            self.stack.addWidget(view)
            self._archives = view
        return self._archives

    # --- switching --------------------------------------------------------------------------

    def showing_traffic(self) -> bool:
        return self.stack.currentWidget() is self.traffic_page

    def show_chats(self) -> None:
        self.tickets.show(False)
        self.show_archives(False)
        self.show_reports(False)
        self.show_team(False)
        self.show_supervision(False)
        self.show_traffic(False)

    def show_archives(self, on: bool = True) -> None:
        """The archives, with the search field focused; or back to my chats."""
        self.archives_action.setChecked(on)
        if on:
            self.show_team(False)
            self.show_supervision(False)
            self.show_traffic(False)
            archives = self.archives
            self.stack.setCurrentWidget(archives)
            archives.focus_search()
        elif self._archives is not None and self.stack.currentWidget() is self._archives:
            self.stack.setCurrentWidget(self.chats_page)

    def show_team(self, on: bool = True) -> None:
        """The team view (supervisors and admins), or back to my chats."""
        if not self.supervises:
            return
        self.team_action.setChecked(on)
        if on:
            self.show_archives(False)
            self.show_supervision(False)
            self.show_traffic(False)
            team = self.team
            assert team is not None
            self.stack.setCurrentWidget(team)
            team.table.setFocus()
        elif self._team is not None and self.stack.currentWidget() is self._team:
            self.stack.setCurrentWidget(self.chats_page)

    def show_supervision(self, on: bool = True) -> None:
        """The supervised chats (supervisors and admins), or back to my chats."""
        if not self.supervises:
            return
        self.supervision_action.setChecked(on)
        if on:
            self.show_archives(False)
            self.show_team(False)
            self.show_traffic(False)
            supervision = self.supervision
            assert supervision is not None
            self.stack.setCurrentWidget(supervision)
            supervision.table.setFocus()
        elif self._supervision is not None and self.stack.currentWidget() is self._supervision:
            self.stack.setCurrentWidget(self.chats_page)

    def _taken_over(self, chat_id: str) -> None:
        """A chat I took over is mine now: show it among my chats."""
        self.show_chats()
        self._select_chat(chat_id)

    def show_traffic(self, on: bool = True) -> None:
        self.traffic_action.setChecked(on)
        if on:
            self.show_archives(False)
            self.show_supervision(False)
            self.show_team(False)
        if on == self.showing_traffic():
            return
        if on:
            traffic = self.traffic
            self.stack.setCurrentWidget(self.traffic_page)
            self.traffic_page.addWidget(self.sidebar)
            self.traffic_page.setSizes([900, 320])
            self.sidebar.show_visitor(traffic.selected_id or None)
            traffic.table.setFocus()
        else:
            self.stack.setCurrentWidget(self.chats_page)
            self.chats_page.addWidget(self.sidebar)
            self._chat_shown(self.chat_panel.chat_id or "")

    def _visitor_selected(self, visitor_id: str) -> None:
        if self.showing_traffic() and visitor_id:
            self.sidebar.show_visitor(visitor_id)

    def _chat_shown(self, chat_id: str) -> None:
        if self.showing_traffic():
            return
        chat = self.session.store.get(chat_id) if chat_id else None
        self.sidebar.show_visitor(chat.visitor.visitor_id if chat is not None else None)

    # --- invitations ------------------------------------------------------------------------

    def open_invite(self, visitor_id: str) -> InviteDialog | None:
        row = self.service.model.get(visitor_id)
        session = self.session
        if row is None:
            return None
        if self.invite_dialog is not None:
            self.invite_dialog.close()
        replies = session.canned.replies() if session.canned is not None else []
        me = session.store.me
        dialog = INVITE_DIALOG.get()(self.service, row, replies, me.name if me else "", self.window)
        dialog.invited.connect(
            lambda vid: self._notify(
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
        await self.tickets.stop()
        if self._archives is not None:
            await self._archives.stop()
        if self._supervision is not None:
            await self._supervision.stop()
        if self._team is not None:
            await self._team.stop()
        if self._reports is not None:
            await self._reports.stop()
        await self.service.stop()

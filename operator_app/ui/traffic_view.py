"""The traffic view: every visitor on the site now, with filters, a count and "Invite…".

Objects: ``customersView``, ``customersTable``, ``customersFilter``, ``stateFilterButton``,
``cartFilter``, ``returningFilter``, ``visitorCount``, ``inviteButton``, ``customersEmpty``.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.enums import TrafficState
from operator_app.store.traffic_model import Column, TrafficModel, TrafficRole
from operator_app.store.traffic_proxy import TrafficFilterProxy
from operator_app.store.traffic_text import state_text
from operator_app.store.visitors_service import FeedState

COLUMN_WIDTHS = {
    Column.VISITOR: 150,
    Column.STATE: 80,
    Column.PAGE: 220,
    Column.TIME_ON_SITE: 80,
    Column.PAGES: 55,
    Column.VISITS: 55,
    Column.CART: 100,
    Column.LOCATION: 170,
    Column.DEVICE: 170,
    Column.SOURCE: 100,
    Column.PRIORITY: 65,
}


class TrafficTable(QTableView):
    """The table; Enter on a row asks for an invitation. Signals: ``invite_requested(visitor_id)``."""

    invite_requested = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            visitor_id = self.currentIndex().siblingAtColumn(0).data(TrafficRole.VISITOR_ID)
            if visitor_id:
                self.invite_requested.emit(visitor_id)
                return
        super().keyPressEvent(event)


class TrafficView(QWidget):
    """Signals: ``visitor_selected(visitor_id)`` ("" when none), ``invite_requested(visitor_id)``."""

    visitor_selected = Signal(str)
    invite_requested = Signal(str)

    def __init__(self, model: TrafficModel, parent: QWidget | None = None, *, tick_ms: int = 1000) -> None:
        super().__init__(parent)
        self.setObjectName("customersView")
        self.model = model
        self.proxy = TrafficFilterProxy(model, self)
        self.selected_id = ""
        self.feed_state = FeedState.IDLE
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.setSpacing(6)
        layout.addLayout(self._build_filter_bar())
        self.stack = QStackedWidget(self)
        self.table = self._build_table()
        self.empty = QLabel(self)
        self.empty.setObjectName("customersEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)

        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(200)
        self._text_timer.timeout.connect(self._apply_text)
        self._tick = QTimer(self)
        self._tick.setInterval(tick_ms)
        self._tick.timeout.connect(self._repaint_times)
        self._tick.start()
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved):
            signal.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        model.batch_applied.connect(self._keep_selection)
        model.layoutChanged.connect(self._keep_selection)
        model.modelReset.connect(self._keep_selection)
        self._update_count()

    # --- construction -----------------------------------------------------------------------

    def _build_filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("customersFilter")
        self.filter_edit.setPlaceholderText(self.tr("Filter by name, e-mail, page, location or source"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaxLength(200)
        self.filter_edit.textChanged.connect(lambda text: self._text_timer.start())
        self.state_button = QToolButton(self)
        self.state_button.setObjectName("stateFilterButton")
        self.state_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.state_button)
        self.state_actions: dict[TrafficState, QAction] = {}
        for state in TrafficState:
            action = QAction(state_text(state), menu)
            action.setCheckable(True)
            action.toggled.connect(self._apply_states)
            menu.addAction(action)
            self.state_actions[state] = action
        self.state_button.setMenu(menu)
        self.cart_check = QCheckBox(self.tr("Has a cart"), self)
        self.cart_check.setObjectName("cartFilter")
        self.cart_check.toggled.connect(lambda on: self.proxy.set_filters(with_cart=on))
        self.returning_check = QCheckBox(self.tr("Returning"), self)
        self.returning_check.setObjectName("returningFilter")
        self.returning_check.toggled.connect(lambda on: self.proxy.set_filters(returning_only=on))
        self.count_label = QLabel(self)
        self.count_label.setObjectName("visitorCount")
        self.invite_button = QPushButton(self.tr("Invite\u2026"), self)
        self.invite_button.setObjectName("inviteButton")
        self.invite_button.setToolTip(self.tr("Invite the selected visitor to chat (Enter)"))
        self.invite_button.clicked.connect(self._invite_selected)
        self.invite_button.setEnabled(False)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.state_button)
        bar.addWidget(self.cart_check)
        bar.addWidget(self.returning_check)
        bar.addWidget(self.count_label)
        bar.addWidget(self.invite_button)
        self._apply_states()
        return bar

    def _build_table(self) -> TrafficTable:
        table = TrafficTable(self)
        table.setObjectName("customersTable")
        table.setAccessibleName(self.tr("Visitors on the website"))
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setSortingEnabled(True)
        table.horizontalHeader().setSortIndicator(Column.PRIORITY, Qt.SortOrder.DescendingOrder)
        table.horizontalHeader().setSectionsMovable(True)
        table.horizontalHeader().setHighlightSections(False)
        vertical = table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + 10)
        for column, width in COLUMN_WIDTHS.items():
            table.setColumnWidth(column, width)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.selectionModel().selectionChanged.connect(self._selection_changed)
        table.invite_requested.connect(self.invite_requested)
        table.doubleClicked.connect(lambda index: self._invite_selected())
        return table

    # --- filters ----------------------------------------------------------------------------

    def _apply_text(self) -> None:
        self.proxy.set_filters(text=self.filter_edit.text())

    def _apply_states(self) -> None:
        states = frozenset(s for s, action in self.state_actions.items() if action.isChecked())
        self.proxy.set_filters(states=states)
        if not states:
            self.state_button.setText(self.tr("All states"))
        else:
            names = ", ".join(state_text(s) for s in TrafficState if s in states)
            self.state_button.setText(names)

    def set_states(self, states: set[TrafficState]) -> None:
        for state, action in self.state_actions.items():
            action.blockSignals(True)
            action.setChecked(state in states)
            action.blockSignals(False)
        self._apply_states()

    # --- state ------------------------------------------------------------------------------

    def set_feed_state(self, state: str) -> None:
        self.feed_state = FeedState(state)
        self._update_count()

    def _update_count(self, *args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if shown == total:
            text = self.tr("%1 visitors").replace("%1", f"{total:,}")
        else:
            text = self.tr("%1 of %2 visitors").replace("%1", f"{shown:,}").replace("%2", f"{total:,}")
        self.count_label.setText(text)
        if shown:
            self.stack.setCurrentWidget(self.table)
            return
        if total:
            self.empty.setText(self.tr("No visitor matches these filters."))
        elif self.feed_state in (FeedState.LOADING, FeedState.IDLE):
            self.empty.setText(self.tr("Loading the visitors on the website\u2026"))
        elif self.feed_state == FeedState.FAILED:
            self.empty.setText(self.tr("The list of visitors could not be loaded. It is tried again."))
        else:
            self.empty.setText(self.tr("Nobody is on the website right now."))
        self.stack.setCurrentWidget(self.empty)

    def _repaint_times(self) -> None:
        """Time on site ticks: repaint that column's visible cells (asked again), no model signal."""
        if self.isVisible() and self.proxy.rowCount():
            header = self.table.horizontalHeader()
            x = header.sectionViewportPosition(Column.TIME_ON_SITE)
            width = header.sectionSize(Column.TIME_ON_SITE)
            self.table.viewport().update(QRect(x, 0, width, self.table.viewport().height()))

    # --- selection --------------------------------------------------------------------------

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        visitor_id = (self.proxy.visitor_id_at(rows[0].row()) or "") if rows else ""
        if visitor_id != self.selected_id:
            if not visitor_id and self.selected_id and self.proxy.row_of(self.selected_id) >= 0:
                return  # a move of the selected row, put back by _keep_selection
            self.selected_id = visitor_id
            self.invite_button.setEnabled(bool(visitor_id))
            self.visitor_selected.emit(visitor_id)

    def select_visitor(self, visitor_id: str) -> bool:
        row = self.proxy.row_of(visitor_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.proxy.index(row, 0))
        return True

    def _keep_selection(self, *args: object) -> None:
        """A selected row that moved (remove + insert) stays selected."""
        if not self.selected_id:
            return
        rows = self.table.selectionModel().selectedRows()
        current = self.proxy.visitor_id_at(rows[0].row()) if rows else None
        if current != self.selected_id:
            row = self.proxy.row_of(self.selected_id)
            if row >= 0:
                self.table.selectRow(row)

    def _invite_selected(self) -> None:
        if self.selected_id:
            self.invite_requested.emit(self.selected_id)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.setObjectName("customersMenu")
        invite = menu.addAction(self.tr("Invite\u2026"))
        invite.triggered.connect(self._invite_selected)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()

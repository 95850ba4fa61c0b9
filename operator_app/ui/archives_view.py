"""The archives workspace (every agent, Ctrl+Shift+R): closed chats found again by text and filters,
and the transcript of the chosen one beside the list.

Before any search the latest closed chats are listed. Typing searches after a short pause, Enter at
once; the filters search again when changed. Down in the search field goes to the results, where
the arrows move and the selected chat opens read-only on the right. Older results load with "Load
more" or by scrolling to the end of the list. Search text is plain text for the server (never a
query language) and everything shown is plain text. Each result shows its chat's tags; the opened
chat's tags are set in the transcript pane (Ctrl+Shift+G opens its tag menu). "Export results as CSV"
saves every chat the search finds (not only the rows loaded), the pane exports the opened chat.

Objects: ``archivesView``, ``archiveSearchField``, ``archiveSearchButton``, ``archiveFiltersButton``,
``archiveBusy``, ``archiveSummary``, ``archiveResults``, ``archiveLoadMore``, ``archiveEmpty``,
``archiveError``, ``archiveExportCsv``, ``archiveExportStatus`` (where an export went, or why it
failed); the filters (`ArchiveFilters`) and the transcript pane (`ArchiveTranscriptPane`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.archive import MAX_SEARCH_CHARS, ArchivePage, ArchiveQuery
from operator_app.store.archive_model import ArchiveModel, ArchiveRole
from operator_app.store.archives_service import ArchiveChoices, ArchivesService
from operator_app.store.chat_session import ChatSession
from operator_app.ui.archive_delegate import ArchiveHitDelegate
from operator_app.ui.archive_export import ArchiveExporter
from operator_app.ui.archive_filters import ArchiveFilters
from operator_app.ui.archive_transcript import ArchiveTranscriptPane
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.error_text import describe_error

TYPING_PAUSE_MS = 350  # search-as-you-type waits this long after the last key
OPEN_PAUSE_MS = 120  # arrowing through the results opens the chat the cursor stops on


class ArchivesView(QWidget):
    """Search, filters, results and the chosen transcript. `search_now()` runs the search at once."""

    def __init__(self, session: ChatSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("archivesView")
        self.session = session
        self.service = ArchivesService(session)
        self.model = ArchiveModel(self)
        self.searched: ArchiveQuery | None = None  # what the rows answer
        self.searching: asyncio.Task[Any] | None = None
        self.loading_more: asyncio.Task[Any] | None = None
        self._choices: asyncio.Task[Any] | None = None  # the filter lists, loaded once
        self._tasks: set[asyncio.Task[Any]] = set()

        self.field = QLineEdit(self)
        self.field.setObjectName("archiveSearchField")
        self.field.setPlaceholderText(self.tr("Search messages, notes and visitors (Enter)"))
        self.field.setAccessibleName(self.tr("Search the archives"))
        self.field.setClearButtonEnabled(True)
        self.field.setMaxLength(MAX_SEARCH_CHARS)
        self.field.returnPressed.connect(self.search_now)
        self.field.textEdited.connect(self._typed)
        self.field.installEventFilter(self)
        self.search_button = QPushButton(self.tr("&Search"), self)
        self.search_button.setObjectName("archiveSearchButton")
        self.search_button.clicked.connect(self.search_now)
        self.filters_button = QToolButton(self)
        self.filters_button.setObjectName("archiveFiltersButton")
        self.filters_button.setCheckable(True)
        self.filters_button.setChecked(True)
        self.filters_button.toggled.connect(self._show_filters)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("archiveBusy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedWidth(90)
        self.busy.setAccessibleName(self.tr("Searching"))
        policy = self.busy.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the list does not move while loading
        self.busy.setSizePolicy(policy)
        top = QHBoxLayout()
        top.addWidget(self.field, 1)
        top.addWidget(self.search_button)
        top.addWidget(self.filters_button)

        self.filters = ArchiveFilters(self)
        self.filters.changed.connect(self._filters_changed)

        self.summary = self._note("archiveSummary")
        self.summary.setStyleSheet("color: #4b5563;")
        self.summary.show()
        self.results = QListView(self)
        self.results.setObjectName("archiveResults")
        self.results.setAccessibleName(self.tr("Chats found"))
        self.results.setModel(self.model)
        self.results.setItemDelegate(ArchiveHitDelegate(self.results))
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setMouseTracking(True)
        self.results.selectionModel().selectionChanged.connect(self._selection_changed)
        self.results.activated.connect(lambda index: self.open_row(index.row()))
        self.results.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.empty = self._note("archiveEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #6b7280; padding: 24px;")
        self.error = self._note("archiveError")
        self.error.setStyleSheet("color: #b91c1c;")
        self.export_button = QPushButton(self.tr("&Export results as CSV\u2026"), self)
        self.export_button.setObjectName("archiveExportCsv")
        self.export_button.setToolTip(self.tr("Save every chat this search finds as a CSV file"))
        self.export_button.clicked.connect(self.export_results)
        self.export_status = self._note("archiveExportStatus")
        self.more_button = QPushButton(self.tr("&Load more"), self)
        self.more_button.setObjectName("archiveLoadMore")
        self.more_button.setToolTip(self.tr("Show older chats"))
        self.more_button.clicked.connect(self.load_more)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        status = QHBoxLayout()
        status.addWidget(self.summary, 1)
        status.addWidget(self.busy)
        status.addWidget(self.export_button)
        left_layout.addLayout(status)
        left_layout.addWidget(self.results, 1)
        left_layout.addWidget(self.empty, 1)
        left_layout.addWidget(self.error)
        left_layout.addWidget(self.more_button)

        self.pane = ArchiveTranscriptPane(self.service, self)
        self.exporter = ArchiveExporter(self.service, self)
        self.pane.exporter = self.exporter
        self.exporter.busy_changed.connect(self._export_busy)
        self.exporter.notice.connect(lambda text: self._say(text, error=False))
        self.exporter.error.connect(lambda text: self._say(text, error=True))
        self.pane.tags_bar.error.connect(lambda text: self._say(text, error=True))
        tags = self.service.tags
        tags.tags_changed.connect(lambda: self.model.set_tags(tags.tags))
        tags.chat_tags_changed.connect(
            lambda chat_id: self.model.set_chat_tags(chat_id, tags.of_chat[chat_id])
        )
        self.model.set_tags(tags.tags)
        self.tag_shortcut = QShortcut(QKeySequence("Ctrl+Shift+G"), self)
        self.tag_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.tag_shortcut.activated.connect(self.pane.tags_bar.open_menu)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("archiveSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.pane)
        left.setMinimumWidth(300)
        self.pane.setMinimumWidth(320)
        self.splitter.setSizes([520, 680])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.export_status)

        self.typing_timer = self._timer(TYPING_PAUSE_MS, self.search_now)
        self.open_timer = self._timer(OPEN_PAUSE_MS, self._open_selected)
        self._update_filters_button()
        self._update_states()

    def _note(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.hide()
        return label

    def _timer(self, interval: int, slot: Any) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        return timer

    # --- opening ----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.searched is None and self.searching is None:
            self.search_now()  # the latest closed chats
        if self._choices is None:
            self._choices = self._spawn(self._load_choices(), "archive-choices")

    def focus_search(self) -> None:
        self.field.setFocus()
        self.field.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the search field goes to the results."""
        if (
            watched is self.field
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount()
        ):
            index = self.results.currentIndex()
            self.results.setFocus()  # focus alone makes the first row current, unselected
            self.results.selectionModel().setCurrentIndex(
                index if index.isValid() else self.model.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect,
            )
            return True
        return super().eventFilter(watched, event)

    def _show_filters(self, shown: bool) -> None:
        self.filters.setVisible(shown)
        self._update_filters_button()

    def _update_filters_button(self) -> None:
        count = self.filters.active()
        text = self.tr("Filters (%1)").replace("%1", str(count)) if count else self.tr("Filters")
        self.filters_button.setText(text)
        self.filters_button.setToolTip(self.tr("Show or hide the filters"))

    # --- searching --------------------------------------------------------------------------

    def _typed(self, text: str) -> None:
        self.typing_timer.start()

    def _filters_changed(self) -> None:
        self._update_filters_button()
        self.typing_timer.start()

    def search_now(self) -> asyncio.Task[Any]:
        """Search for the field's text with the filters (a running search is abandoned)."""
        self.typing_timer.stop()
        for task in (self.searching, self.loading_more):
            if task is not None and not task.done():
                task.cancel()
        self.loading_more = None
        self.searching = self._spawn(self._search(self.filters.search(self.field.text())), "archive-search")
        return self.searching

    async def _search(self, search: ArchiveQuery) -> None:
        self._update_states(busy=True)
        page = await self._fetch(search, None)
        self.searching = None
        if page is not None:
            self.error.hide()
            self.searched = search
            self.model.show_page(page)
            self.pane.show_nothing()
        self._update_states()

    def load_more(self) -> asyncio.Task[Any] | None:
        """The next, older page after the last result (nothing while a search or load runs)."""
        busy = self.searching is not None or self.loading_more is not None
        if busy or self.searched is None or not self.model.next_cursor:
            return None
        self.loading_more = self._spawn(self._more(self.searched, self.model.next_cursor), "archive-more")
        return self.loading_more

    async def _more(self, search: ArchiveQuery, cursor: str) -> None:
        self._update_states(busy=True)
        page = await self._fetch(search, cursor)
        self.loading_more = None
        if page is not None and search == self.searched:
            self.error.hide()
            self.model.append_page(page)
        self._update_states()

    @reports_errors(on_error="show_search_failure")
    async def _fetch(self, search: ArchiveQuery, cursor: str | None) -> ArchivePage:
        return await self.service.search(search, cursor=cursor)

    def show_search_failure(self, error: BaseException) -> None:
        """A failed search, with the reason; the results shown before stay."""
        self.error.setText(
            self.tr("The archives could not be searched: %1").replace("%1", describe_error(error))
        )
        self.error.show()

    def _scrolled(self, value: int) -> None:
        bar = self.results.verticalScrollBar()
        if bar.maximum() > 0 and value >= bar.maximum() - 8:
            self.load_more()

    def _update_states(self, *, busy: bool = False) -> None:
        busy = busy or self.searching is not None or self.loading_more is not None
        self.busy.setVisible(busy or self.exporter.busy)
        count = self.model.rowCount()
        self.export_button.setEnabled(self.searched is not None and count > 0 and not self.exporter.busy)
        searched = self.searched
        text = searched.q if searched is not None else ""
        filtered = searched is not None and searched != ArchiveQuery(q=searched.q)
        nothing = searched is not None and count == 0
        self.results.setVisible(not nothing)
        self.empty.setVisible(nothing)
        if nothing:
            self.empty.setText(
                self.tr("No chats found.")
                + "\n"
                + (
                    self.tr("Try other words or fewer filters.")
                    if filtered
                    else self.tr("Try other words.")
                    if text
                    else self.tr("No chat has been closed yet.")
                )
            )
        self.more_button.setVisible(bool(self.model.next_cursor) and count > 0)
        self.more_button.setEnabled(not busy)
        if searched is None:
            self.summary.setText(self.tr("Loading the latest closed chats\u2026") if busy else "")
        elif text:
            self.summary.setText(
                self.tr("Chats containing \u201c%1\u201d: %2")
                .replace("%2", self._count_text(count))
                .replace("%1", text if len(text) <= 60 else text[:59] + "\u2026")
            )
        elif filtered:
            self.summary.setText(
                self.tr("Closed chats matching the filters: %1").replace("%1", self._count_text(count))
            )
        else:
            self.summary.setText(
                self.tr("The latest closed chats: %1").replace("%1", self._count_text(count))
            )

    def _count_text(self, count: int) -> str:
        return (self.tr("%1 or more") if self.model.next_cursor else "%1").replace("%1", str(count))

    # --- the chosen chat --------------------------------------------------------------------

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self.open_timer.start()

    def _open_selected(self) -> None:
        rows = self.results.selectionModel().selectedRows()
        if rows:
            self.open_row(rows[0].row())

    def open_row(self, row: int) -> asyncio.Task[bool] | None:
        """Show the transcript of the result in `row` (also selects it)."""
        self.open_timer.stop()
        hit = self.model.hit(row)
        if hit is None:
            return None
        index = self.model.index(row, 0)
        if self.results.currentIndex() != index:
            self.results.setCurrentIndex(index)
            self.open_timer.stop()
        if self.pane.showing(hit.chat_id):
            return self.pane.loading
        searched = self.searched
        return self.pane.open(hit, searched.q if searched is not None else "")

    def selected_chat(self) -> str | None:
        index = self.results.currentIndex()
        return str(index.data(ArchiveRole.CHAT_ID)) if index.isValid() else None

    # --- exports ----------------------------------------------------------------------------

    @async_slot()
    async def export_results(self) -> None:
        """Every chat of the search shown (not only the rows loaded) as CSV: asks where first."""
        if self.searched is not None:
            with disabled(self.export_button):
                await self.exporter.export_results(self.searched)
            self._update_states()

    def _tags_changed(self) -> None:
        self.model.set_tags(self.service.tags.tags)

    def _chat_tags_changed(self, chat_id: str) -> None:
        self.model.set_chat_tags(chat_id, self.service.tags.of_chat.get(chat_id, []))

    def _export_busy(self, busy: bool) -> None:
        if busy:
            self._say(self.tr("Exporting\u2026"), error=False)
        self._update_states()

    def _say(self, text: str, *, error: bool) -> None:
        self.export_status.setStyleSheet("color: #b91c1c;" if error else "color: #4b5563;")
        self.export_status.setText(text)
        self.export_status.show()

    # --- filter lists -----------------------------------------------------------------------

    async def _load_choices(self) -> None:
        choices = await self._fetch_choices()
        if choices is None:
            self._choices = None  # the next showing tries again
            return
        self.filters.set_choices(choices)

    @reports_errors(on_error="show_choices_failure")
    async def _fetch_choices(self) -> ArchiveChoices:
        return await self.service.choices()

    def show_choices_failure(self, error: BaseException) -> None:
        self.error.setText(
            self.tr("The agents, groups and sites to filter by could not be loaded: %1").replace(
                "%1", describe_error(error)
            )
        )
        self.error.show()

    # --- tasks ------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = self.session.tasks.spawn(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stop(self) -> None:
        """End the searches and loads under way (before the view goes)."""
        self.typing_timer.stop()
        self.open_timer.stop()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.pane.stop()

"""The administration dialog (admins only): one tab per `AdminPage`.

Objects: ``adminDialog``, ``adminTabs``, ``adminCloseButton``. Not modal; Ctrl+PgUp / Ctrl+PgDn move
between tabs, Esc closes. A page is loaded when its tab is first shown; after a save on one page the
others load again when they are next shown (a new group shows up in the agents' page, and so on).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from operator_app.store.admin_service import AdminService
from operator_app.tasks import BackgroundTasks
from operator_app.ui.admin.page import AdminPage


class AdminDialog(QDialog):
    """Tabs of admin pages; `loaded` holds the pages whose data is current."""

    def __init__(
        self, service: AdminService, page_types: Sequence[type[AdminPage]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adminDialog")
        self.setWindowTitle(self.tr("Administration"))
        self.setModal(False)
        self.service = service
        self._tasks = BackgroundTasks()
        self.loaded: set[AdminPage] = set()

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("adminTabs")
        self.tabs.setDocumentMode(True)
        self.pages: list[AdminPage] = []
        for page_type in page_types:
            page = page_type(service, self.tabs)
            self.pages.append(page)
            self.tabs.addTab(page, page.title())
            page.changed.connect(lambda page=page: self._page_changed(page))
        self.tabs.currentChanged.connect(self._tab_shown)
        # QTabWidget itself handles Ctrl+Tab only; Ctrl+PgDn / Ctrl+PgUp as in browsers and editors.
        for key, step in ((Qt.Key.Key_PageDown, 1), (Qt.Key.Key_PageUp, -1)):
            shortcut = QShortcut(QKeySequence(Qt.KeyboardModifier.ControlModifier | key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self.step_tab(step))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("adminCloseButton")
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.finished.connect(self._closed)
        self.resize(980, 620)

    def page(self, page_type: type[AdminPage]) -> AdminPage | None:
        return next((p for p in self.pages if isinstance(p, page_type)), None)

    def current_page(self) -> AdminPage | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, AdminPage) else None

    def step_tab(self, step: int) -> None:
        count = self.tabs.count()
        if count:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._tab_shown(self.tabs.currentIndex())

    def _tab_shown(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if not isinstance(widget, AdminPage) or widget in self.loaded or not self.isVisible():
            return
        self.loaded.add(widget)
        # A page shows its own failures (its `reload` reports them); the task set logs anything else.
        self._tasks.spawn(widget.reload(), name=f"admin reload {type(widget).__name__}")

    def _page_changed(self, page: AdminPage) -> None:
        """Other pages may show what just changed: load them again when they are next shown."""
        self.loaded.intersection_update({page})

    def _closed(self, result: int) -> None:
        """Closed (not deleted): opened again, every page loads afresh."""
        self.loaded.clear()

    async def dispose(self) -> None:
        await self._tasks.cancel_all()

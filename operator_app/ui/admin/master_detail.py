"""The admin pages that list items and edit one at a time (groups, sites, team replies, greetings): a
list with New (and Delete) under it, the form of the chosen or a new item beside it, Save and a message
line. This class owns what they share; each page says what its items are and how its form reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

from PySide6.QtCore import QItemSelection, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from operator_app.store.admin_service import AdminService
from operator_app.ui.admin.message_label import MessageLabel
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.confirm import confirm
from operator_app.ui.refusal import refusal_text

T = TypeVar("T")  # an item: GroupInfo, SiteInfo, CannedReply, GreetingRule
B = TypeVar("B")  # what the form sends: GroupInput, SiteInput, ...


class Question(NamedTuple):
    """What the confirmation before a deletion says; `name` is the dialog's objectName."""

    title: str
    text: str
    ok_label: str
    name: str


class MasterDetailPage(AdminPage, Generic[T, B]):
    """`editing` is the item in the form (None: a new one). Signals: `changed()` after a save or delete.

    A subclass builds `view`, `new_button`, `save_button` (and `delete_button`, None without deletion)
    with `button()`, its form, and lays them out with `master_pane()`, `save_row()` and `split()`; it
    implements the hooks of the sections below. A refusal is shown in the message line, a failed load in
    the page's state line; the page never catches errors itself.
    """

    delete_default_to_cancel = False  # Enter in the deletion's confirmation: Cancel, or the deletion

    def __init__(self, service: AdminService, message_name: str, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.editing: T | None = None
        self.view: QAbstractItemView
        self.new_button: QPushButton
        self.save_button: QPushButton
        self.delete_button: QPushButton | None = None
        self.message = MessageLabel(message_name, self)

    # --- building blocks ------------------------------------------------------------------------

    def button(self, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def master_pane(self) -> QWidget:
        """The list with New (and Delete) under it, on the left."""
        pane = QWidget(self)
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        if self.delete_button is not None:
            buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return pane

    def save_row(self) -> QHBoxLayout:
        """The message line, then Save on the right."""
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        return row

    def split(self, first: QWidget, second: QWidget, sizes: list[int], vertical: bool = False) -> QSplitter:
        orientation = Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal
        splitter = QSplitter(orientation, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(first)
        splitter.addWidget(second)
        splitter.setSizes(sizes)
        return splitter

    def edit_buttons(self) -> list[QPushButton]:
        """Disabled while a load, save or deletion runs."""
        buttons = [self.save_button, self.new_button]
        return buttons + ([self.delete_button] if self.delete_button is not None else [])

    # --- hooks: the items -----------------------------------------------------------------------

    def item_id(self, item: T) -> str:
        raise NotImplementedError

    def item_at(self, row: int) -> T | None:
        """The item shown in `row` of the view."""
        raise NotImplementedError

    def row_of(self, item_id: str) -> int:
        raise NotImplementedError

    async def fetch(self) -> list[T]:
        """Load the items (and what the form needs) from the server."""
        raise NotImplementedError

    def show_items(self, items: list[T]) -> None:
        """Put freshly loaded items into the view."""
        raise NotImplementedError

    def empty_text(self) -> str:
        raise NotImplementedError

    # --- hooks: the form ------------------------------------------------------------------------

    def fill_form(self, item: T | None) -> None:
        raise NotImplementedError

    def first_field(self) -> QWidget:
        raise NotImplementedError

    def form_body(self) -> B | None:
        """The form as what is sent, or None after saying inline what is wrong."""
        raise NotImplementedError

    async def store(self, item: T | None, body: B) -> T:
        """Create (`item` None) or change the item on the server; the saved item."""
        raise NotImplementedError

    async def show_saved(self, saved: T) -> None:
        """Show the saved item in the list and the form."""
        raise NotImplementedError

    def saved_text(self, saved: T) -> str:
        raise NotImplementedError

    def refusal(self, error: BaseException) -> str:
        return refusal_text(error)

    # --- hooks: deleting (pages with a Delete button) -------------------------------------------

    def delete_question(self, item: T) -> Question:
        raise NotImplementedError

    async def remove(self, item: T) -> None:
        raise NotImplementedError

    async def show_deleted(self, item: T) -> None:
        raise NotImplementedError

    def deleted_text(self, item: T) -> str:
        raise NotImplementedError

    # --- loading --------------------------------------------------------------------------------

    @reports_errors(on_error="show_load_failure")
    async def reload(self) -> None:
        self.show_loading()
        with disabled(*self.edit_buttons()):
            items = await self.fetch()
        self.update_buttons()
        self.show_items(items)
        if self.editing is not None and self.row_of(self.item_id(self.editing)) < 0:
            self.edit(None)  # gone from the server: the form offers a new item
        self.update_state()

    def show_load_failure(self, error: BaseException) -> None:
        self.show_failed(error)
        self.update_buttons()

    def update_state(self) -> None:
        model = self.view.model()
        if model is not None and model.rowCount() > 0:
            self.show_ready()
        else:
            self.show_empty(self.empty_text())

    # --- choosing an item -----------------------------------------------------------------------

    def follow_current_row(self) -> None:
        """Edit the item that becomes current (a list whose model resets keeps no selection)."""
        self.view.selectionModel().currentRowChanged.connect(self._current_row_changed)

    def follow_selection(self) -> None:
        """Edit the item that becomes selected, clearing the message of the one before."""
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.item_at(current.row())
        if item is not None:
            self.edit(item)

    def _selection_changed(self, *args: QItemSelection) -> None:
        rows = self.view.selectionModel().selectedRows()
        item = self.item_at(rows[0].row()) if rows else None
        if item is not None:
            self.edit(item)
            self.message.clear_message()

    def select(self, item_id: str) -> bool:
        """Make the item current and selected (its form follows)."""
        row = self.row_of(item_id)
        if row >= 0:
            self.set_current_row(row)
        return row >= 0

    def set_current_row(self, row: int) -> None:
        """Make `row` current and selected; -1 (an invalid index) clears both."""
        model = self.view.model()
        self.view.setCurrentIndex(model.index(row, 0) if row >= 0 else QModelIndex())

    def edit(self, item: T | None) -> None:
        self.editing = item
        self.fill_form(item)
        self.update_buttons()

    def update_buttons(self) -> None:
        if self.delete_button is not None:
            self.delete_button.setEnabled(self.editing is not None)

    # --- actions --------------------------------------------------------------------------------

    def new_item(self) -> None:
        """An empty form for a new item."""
        self.view.clearSelection()
        self.set_current_row(-1)
        self.edit(None)
        self.message.clear_message()
        self.first_field().setFocus()

    def show_refusal(self, error: BaseException) -> None:
        self.message.error(self.refusal(error))
        self.update_buttons()

    def show_error(self, text: str) -> None:
        self.message.error(text)

    @async_slot()
    @reports_errors(on_error="show_refusal")
    async def save(self) -> bool:
        body = self.form_body()
        if body is None:
            return False
        with disabled(*self.edit_buttons()):
            saved = await self.store(self.editing, body)
        self.changed.emit()
        await self.show_saved(saved)
        self.message.notice(self.saved_text(saved))
        return True

    @async_slot()
    async def delete(self) -> None:
        """Ask first; the deletion runs in the question, which keeps a refusal on screen."""
        item = self.editing
        if item is None:
            return
        question = self.delete_question(item)
        deleted = await confirm(
            self,
            question.title,
            question.text,
            question.ok_label,
            name=question.name,
            action=lambda: self.remove(item),
            default_to_cancel=self.delete_default_to_cancel,
        )
        if not deleted:
            return
        self.changed.emit()
        await self.show_deleted(item)
        self.message.notice(self.deleted_text(item))

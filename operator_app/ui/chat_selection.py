"""Which chat the centre of the main window shows, kept in step with my chats and the queue lists.

Selections that move because rows moved are not the operator's choice: the window brackets every store
change with `begin_model_update` / `end_model_update` (slots run in connection order), and at the end
the lists re-sync to the shown chat.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, QObject, Signal

from operator_app.store.chat_list_model import MyChatsModel, QueueModel
from operator_app.store.chat_state import ChatStore
from operator_app.ui.chat_list_view import ChatListView
from operator_app.ui.chat_panel import ChatPanel


class ChatSelection(QObject):
    """Signals: ``chat_opened(chat_id)`` after the panel shows another chat; ``notice(text)``."""

    chat_opened = Signal(str)
    notice = Signal(str)

    def __init__(
        self,
        store: ChatStore,
        my_chats: MyChatsModel,
        queue: QueueModel,
        chat_list: ChatListView,
        queue_list: ChatListView,
        chat_panel: ChatPanel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.my_chats, self.queue = my_chats, queue
        self.chat_list, self.queue_list = chat_list, queue_list
        self.chat_panel = chat_panel
        self.select_when_mine: str | None = None  # a chat being taken: shown once it is mine
        self._model_update = 0
        self._syncing = False
        chat_list.selectionModel().selectionChanged.connect(self._chat_selected)
        queue_list.selectionModel().selectionChanged.connect(self._queue_selected)

    def select_chat(self, chat_id: str) -> bool:
        """Select one of my chats, or a queued chat; False if it is in neither list."""
        row = self.my_chats.row_of(chat_id)
        if row >= 0:
            self.chat_list.setCurrentIndex(self.my_chats.index(row, 0))
            return True
        row = self.queue.row_of(chat_id)
        if row >= 0:
            self.queue_list.setCurrentIndex(self.queue.index(row, 0))
            return True
        return False

    def select_my_chat(self, row: int) -> bool:
        """Show the n-th (from 0) of my chats, as Ctrl+1..9 do."""
        if not 0 <= row < self.my_chats.rowCount():
            return False
        self.chat_list.setCurrentIndex(self.my_chats.index(row, 0))
        return True

    def select_next_unread(self) -> bool:
        """Show the next of my chats (after the shown one, wrapping) with unread messages."""
        count = self.my_chats.rowCount()
        current = self.my_chats.row_of(self.chat_panel.chat_id) if self.chat_panel.chat_id else -1
        for step in range(1, count + 1):
            row = (current + step) % count
            chat_id = self.my_chats.chat_id_at(row)
            chat = self.store.get(chat_id) if chat_id else None
            if chat is not None and chat.unread:
                return self.select_my_chat(row)
        self.notice.emit(self.tr("No unread messages."))
        return False

    # --- keeping the lists in step ----------------------------------------------------------

    def begin_model_update(self, *args: object) -> None:
        self._model_update += 1

    def end_model_update(self, *args: object) -> None:
        self._model_update -= 1
        if self._model_update == 0:
            self._sync_selection()

    def _sync_selection(self) -> None:
        """Highlight the shown chat in whichever list holds it, and nothing else."""
        chat_id = self.chat_panel.chat_id
        self._syncing = True
        try:
            for view, model in ((self.chat_list, self.my_chats), (self.queue_list, self.queue)):
                row = model.row_of(chat_id) if chat_id else -1
                if row < 0:
                    view.clearSelection()
                elif not view.selectionModel().isSelected(model.index(row, 0)):
                    view.setCurrentIndex(model.index(row, 0))
        finally:
            self._syncing = False

    def _chat_selected(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes or self._model_update or self._syncing:
            return
        self.queue_list.clearSelection()
        self.show(self.my_chats.chat_id_at(indexes[0].row()))

    def _queue_selected(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes or self._model_update or self._syncing:
            return
        self.chat_list.clearSelection()
        self.show(self.queue.chat_id_at(indexes[0].row()))

    def show(self, chat_id: str | None) -> None:
        """Show a chat in the panel (nothing when it is shown already)."""
        if chat_id is None or chat_id == self.chat_panel.chat_id:
            return
        other = self.queue_list if self.my_chats.row_of(chat_id) >= 0 else self.chat_list
        other.clearSelection()
        # The panel first: marking the chat read changes it, and the lists re-sync to the panel.
        self.chat_panel.show_chat(chat_id)
        self.chat_opened.emit(chat_id)

    def my_chat_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        """A chat I was taking is mine now: show it and put the cursor in the reply box."""
        for row in range(first, last + 1):
            chat_id = self.my_chats.chat_id_at(row)
            if chat_id is not None and chat_id == self.select_when_mine:
                self.select_when_mine = None
                self.show(chat_id)
                self.chat_list.setCurrentIndex(self.my_chats.index(row, 0))
                self.chat_panel.composer.setFocus()

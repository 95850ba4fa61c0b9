"""The left of the main window: my chats over the queue, each with a header that counts them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from operator_app.store.chat_list_model import MyChatsModel, QueueModel
from operator_app.ui.chat_list_view import ChatListView, ChatRowDelegate


def _section_header(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setProperty("class", "sectionHeader")
    return label


class SidePane(QWidget):
    """Objects: ``chatList``, ``queueList`` and ``takeButton`` (the window connects the button)."""

    def __init__(self, my_chats: MyChatsModel, queue: QueueModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidePane")
        self.my_chats, self.queue = my_chats, queue
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)

        mine = QWidget(self.splitter)
        mine_layout = QVBoxLayout(mine)
        mine_layout.setContentsMargins(0, 0, 0, 0)
        mine_layout.setSpacing(0)
        self.my_chats_header = _section_header(mine)
        self.chat_list = ChatListView("chatList", self.tr("No chats yet. Take one from the queue."), mine)
        self.chat_list.setModel(my_chats)
        self.chat_list.setItemDelegate(ChatRowDelegate(self.chat_list))
        self.chat_list.setAccessibleName(self.tr("My chats"))
        mine_layout.addWidget(self.my_chats_header)
        mine_layout.addWidget(self.chat_list, 1)

        waiting = QWidget(self.splitter)
        waiting_layout = QVBoxLayout(waiting)
        waiting_layout.setContentsMargins(0, 0, 0, 0)
        waiting_layout.setSpacing(0)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 10, 0)
        self.queue_header = _section_header(waiting)
        self.take_button = QPushButton(self.tr("Take chat"), waiting)
        self.take_button.setObjectName("takeButton")
        self.take_button.setToolTip(self.tr("Take the selected chat, or the one waiting longest (Ctrl+T)"))
        head.addWidget(self.queue_header, 1)
        head.addWidget(self.take_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.queue_list = ChatListView("queueList", self.tr("Nobody is waiting."), waiting)
        self.queue_list.setModel(queue)
        self.queue_list.setItemDelegate(ChatRowDelegate(self.queue_list, show_wait=True))
        self.queue_list.setAccessibleName(self.tr("Queue"))
        waiting_layout.addLayout(head)
        waiting_layout.addWidget(self.queue_list, 1)

        self.splitter.addWidget(mine)
        self.splitter.addWidget(waiting)
        self.splitter.setSizes([420, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.update_counts()

    def update_counts(self) -> None:
        mine, waiting = self.my_chats.rowCount(), self.queue.rowCount()
        self.my_chats_header.setText(self.tr("My chats (%1)").replace("%1", str(mine)))
        self.queue_header.setText(self.tr("Queue (%1)").replace("%1", str(waiting)))
        self.take_button.setEnabled(waiting > 0)

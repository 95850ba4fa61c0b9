"""The transcript of one chat (``transcriptView``): messages and state changes in seq order."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from chat_protocol import Author, AuthorKind, ChatState
from operator_app.store.attachment_kinds import human_size
from operator_app.store.chat_state import ChatStore, TranscriptEntry
from operator_app.store.display_text import escaped_tooltip, visitor_name
from operator_app.store.store_signals import StoreSignals

Index = QModelIndex | QPersistentModelIndex


class EntryRole(IntEnum):
    KIND = Qt.ItemDataRole.UserRole + 1
    AUTHOR_NAME = Qt.ItemDataRole.UserRole + 2
    AUTHOR_KIND = Qt.ItemDataRole.UserRole + 3
    IS_MINE = Qt.ItemDataRole.UserRole + 4
    DELIVERY = Qt.ItemDataRole.UserRole + 5
    TIME_TEXT = Qt.ItemDataRole.UserRole + 6
    SEQ = Qt.ItemDataRole.UserRole + 7
    CLIENT_ID = Qt.ItemDataRole.UserRole + 8
    RATING = Qt.ItemDataRole.UserRole + 9
    CLOSE_REASON = Qt.ItemDataRole.UserRole + 10
    ATTACHMENT = Qt.ItemDataRole.UserRole + 11  # the file's `AttachmentInfo`, or None


def _name(author: Author | None) -> str:
    if author is not None and author.name:
        return author.name
    return QCoreApplication.translate("TranscriptModel", "an operator")


def state_line(entry: TranscriptEntry) -> str:
    """The sentence shown for a chat state change."""
    agent = _name(entry.agent)
    if entry.state == ChatState.QUEUED:
        return QCoreApplication.translate("TranscriptModel", "The visitor is waiting in the queue")
    if entry.state == ChatState.TAKEN:
        if entry.transferred_from is not None:
            return (
                QCoreApplication.translate("TranscriptModel", "Chat transferred from %1 to %2")
                .replace("%1", _name(entry.transferred_from))
                .replace("%2", agent)
            )
        if entry.assigned:
            return QCoreApplication.translate("TranscriptModel", "Chat assigned to %1").replace("%1", agent)
        return QCoreApplication.translate("TranscriptModel", "Chat taken by %1").replace("%1", agent)
    if entry.state == ChatState.CLOSED:
        if entry.reason == "inactive":
            return QCoreApplication.translate("TranscriptModel", "Chat closed after a period of inactivity")
        if entry.author.kind == AuthorKind.VISITOR or entry.reason == "visitor":
            return QCoreApplication.translate("TranscriptModel", "The visitor closed the chat")
        if entry.author.kind == AuthorKind.AGENT:
            return QCoreApplication.translate("TranscriptModel", "Chat closed by %1").replace(
                "%1", _name(entry.author)
            )
        return QCoreApplication.translate("TranscriptModel", "Chat closed")
    return QCoreApplication.translate("TranscriptModel", "Chat started")


def rating_line(entry: TranscriptEntry) -> str:
    """The visitor's rating, with the comment (plain text) when there is one."""
    if entry.rating == "good":
        line = QCoreApplication.translate("TranscriptModel", "The visitor rated the chat as good")
    else:
        line = QCoreApplication.translate("TranscriptModel", "The visitor rated the chat as bad")
    return f"{line}: \u201c{entry.text}\u201d" if entry.text else line


def page_push_line(entry: TranscriptEntry) -> str:
    """A page offered to the visitor, or the visitor's answer; the URL is shown as plain text."""
    if entry.push_state == "accepted":
        line = QCoreApplication.translate("TranscriptModel", "The visitor opened the page %1")
    elif entry.push_state == "declined":
        line = QCoreApplication.translate("TranscriptModel", "The visitor declined the page %1")
    else:
        line = QCoreApplication.translate("TranscriptModel", "%2 offered the visitor the page %1")
        line = line.replace("%2", _name(entry.author))
    head, _, tail = line.partition("%1")
    return head + entry.url + tail


def _duration_text(seconds: float) -> str:
    """2:03, or 1:02:03 past an hour."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def call_line(entry: TranscriptEntry) -> str:
    """A video call started or ended, as one sentence (who ended it and how long it lasted)."""
    if entry.call_state == "started":
        return QCoreApplication.translate("TranscriptModel", "Video call started")
    if entry.reason == "declined":
        return QCoreApplication.translate("TranscriptModel", "Video call declined")
    if entry.reason == "no_answer":
        return QCoreApplication.translate("TranscriptModel", "Missed video call")
    if entry.reason == "cancelled":
        return QCoreApplication.translate("TranscriptModel", "Video call cancelled before it was answered")
    if not entry.duration_s:
        if entry.reason == "failed":
            return QCoreApplication.translate("TranscriptModel", "Video call failed to connect")
        return QCoreApplication.translate("TranscriptModel", "Video call ended before it connected")
    if entry.reason == "failed":
        line = QCoreApplication.translate("TranscriptModel", "Video call lost (connection failed) after %1")
    elif entry.reason == "page_reloaded":
        line = QCoreApplication.translate(
            "TranscriptModel", "Video call ended after %1: the visitor reloaded the page"
        )
    elif entry.reason == "disconnected":
        line = QCoreApplication.translate(
            "TranscriptModel", "Video call ended after %1: the connection was lost"
        )
    elif entry.reason == "chat_ended":
        line = QCoreApplication.translate("TranscriptModel", "Video call ended after %1: the chat ended")
    elif entry.ended_by == "visitor":
        line = QCoreApplication.translate("TranscriptModel", "Video call ended by the visitor after %1")
    elif entry.ended_by == "agent":
        line = QCoreApplication.translate("TranscriptModel", "Video call ended by the operator after %1")
    else:
        line = QCoreApplication.translate("TranscriptModel", "Video call ended after %1")
    return line.replace("%1", _duration_text(entry.duration_s))


def display_text(entry: TranscriptEntry) -> str:
    if entry.attachment is not None and not entry.text:
        return (
            QCoreApplication.translate("TranscriptModel", "File: %1 (%2)")
            .replace("%2", human_size(entry.attachment.size))
            .replace("%1", entry.attachment.name)
        )
    if entry.kind in ("message", "note"):
        return entry.text
    if entry.kind == "call":
        return call_line(entry)
    if entry.kind == "rating":
        return rating_line(entry)
    if entry.kind == "page_push":
        return page_push_line(entry)
    return state_line(entry)


class TranscriptModel(QAbstractListModel):
    """Rows of the chat chosen with `set_chat`; follows the store's row-range signals."""

    def __init__(self, store: ChatStore, signals: StoreSignals, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._chat_id: str | None = None
        self._rows: list[TranscriptEntry] = []
        signals.store_reset.connect(self._reload)
        signals.entries_inserted.connect(self._inserted)
        signals.entries_changed.connect(self._changed)
        signals.entries_removed.connect(self._removed)

    @property
    def chat_id(self) -> str | None:
        return self._chat_id

    def set_chat(self, chat_id: str | None) -> None:
        """Show another chat (a reset: this is a selection, not an event)."""
        if chat_id == self._chat_id:
            return
        self._chat_id = chat_id
        self._reload()

    def entry(self, row: int) -> TranscriptEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # --- Qt API -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's default argument)
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(role): QByteArray(role.name.lower().encode()) for role in EntryRole})
        return names

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractListModel.CheckIndexOption.IndexIsValid):
            return None
        entry = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            handed_over = self._transferred_by(index.row())
            if handed_over is not None:
                template = QCoreApplication.translate("TranscriptModel", "Transferred from %1: %2")
                head, _, tail = template.partition("%2")
                name = _name(handed_over)
                return head.replace("%1", name) + entry.text + tail.replace("%1", name)
            return display_text(entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            return escaped_tooltip(entry.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
        if role == EntryRole.KIND:
            return entry.kind
        if role == EntryRole.AUTHOR_NAME:
            chat = self._store.get(entry.chat_id)
            if entry.author.kind == AuthorKind.VISITOR and chat is not None and not entry.author.name:
                return visitor_name(chat.visitor)
            return entry.author.name
        if role == EntryRole.AUTHOR_KIND:
            return entry.author.kind.value
        if role == EntryRole.IS_MINE:
            return self._store.is_my_author(entry.author)
        if role == EntryRole.DELIVERY:
            chat = self._store.get(entry.chat_id)
            if entry.delivery.value == "sent" and chat is not None and self._store.is_seen(chat, entry):
                return "seen"
            return entry.delivery.value
        if role == EntryRole.TIME_TEXT:
            return entry.created_at.astimezone().strftime("%H:%M")
        if role == EntryRole.SEQ:
            return entry.seq if entry.seq is not None else -1
        if role == EntryRole.CLIENT_ID:
            return entry.client_id or ""
        if role == EntryRole.RATING:
            return entry.rating or ""
        if role == EntryRole.CLOSE_REASON:
            return entry.reason or ""
        if role == EntryRole.ATTACHMENT:
            return entry.attachment
        return None

    def _transferred_by(self, row: int) -> Author | None:
        """Who handed the chat over, when `row` is the note written with that transfer."""
        entry, previous = self._rows[row], self.entry(row - 1)
        if entry.kind != "note" or previous is None or previous.kind != "chat_state" or entry.seq is None:
            return None
        giver = previous.transferred_from
        if giver is None or previous.seq != entry.seq - 1 or giver.id != entry.author.id:
            return None
        return giver

    # --- updates ----------------------------------------------------------------------------

    def _current(self, chat_id: str) -> list[TranscriptEntry] | None:
        if chat_id != self._chat_id:
            return None
        chat = self._store.get(chat_id)
        return chat.entries if chat is not None else []

    def _reload(self) -> None:
        self.beginResetModel()
        chat = self._store.get(self._chat_id) if self._chat_id else None
        self._rows = list(chat.entries) if chat is not None else []
        self.endResetModel()

    def _inserted(self, chat_id: str, first: int, last: int) -> None:
        entries = self._current(chat_id)
        if entries is None:
            return
        self.beginInsertRows(QModelIndex(), first, last)
        self._rows[first:first] = entries[first : last + 1]
        self.endInsertRows()
        if last + 1 < len(self._rows):  # a transfer note reads its previous row
            self.dataChanged.emit(self.index(last + 1, 0), self.index(last + 1, 0), [])

    def _changed(self, chat_id: str, first: int, last: int) -> None:
        entries = self._current(chat_id)
        if entries is None:
            return
        self._rows[first : last + 1] = entries[first : last + 1]
        self.dataChanged.emit(self.index(first, 0), self.index(last, 0), [])

    def _removed(self, chat_id: str, first: int, last: int) -> None:
        if chat_id != self._chat_id:
            return
        self.beginRemoveRows(QModelIndex(), first, last)
        del self._rows[first : last + 1]
        self.endRemoveRows()

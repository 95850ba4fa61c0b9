"""The reply box (``composer``): Enter sends, Shift+Enter starts a new line.

Typing ``#word`` opens the canned-reply popup (``cannedPopup``): Up/Down choose, Tab or Enter
inserts the expanded reply in place of ``#word`` for editing (never sends), Escape closes.
In note mode the box turns yellow and what is sent is an internal note, not a reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QFocusEvent, QImage, QKeyEvent, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from chat_protocol.models import MAX_MESSAGE_CHARS
from operator_app.store.canned_model import CannedMatchesModel

if TYPE_CHECKING:  # built the first time `#` is typed
    from operator_app.ui.canned_popup import CannedPopup

# `#word` right before the cursor, at the start of the text or after whitespace.
_HASH_WORD = re.compile(r"(?:^|(?<=\s))#([^\s#]*)$")
NOTE_STYLE = (
    "QPlainTextEdit#composer { background: #fff6cc; border: 1px solid #e2b93b; border-radius: 6px;"
    " padding: 4px; }"
)

ValuesProvider = Callable[[], Mapping[str, str | None]]


def local_files(source: QMimeData) -> list[str]:
    """The local files among dragged or copied URLs (web addresses are not files)."""
    if not source.hasUrls():
        return []
    return [url.toLocalFile() for url in source.urls() if url.isLocalFile() and url.toLocalFile()]


class Composer(QPlainTextEdit):
    """Signals: ``submitted(text)`` on Enter with text; ``typing(active)`` as the text changes
    (never in note mode: the visitor must not see "typing" for a note); ``note_mode_changed(on)``."""

    submitted = Signal(str)
    typing = Signal(bool)
    note_mode_changed = Signal(bool)
    image_pasted = Signal(QImage)  # Ctrl+V of an image (a screenshot): sent as a PNG file
    files_pasted = Signal(list)  # Ctrl+V or a drop of copied files: their local paths

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setTabChangesFocus(True)
        self.setPlaceholderText(self.tr("Type a reply. Enter sends, Shift+Enter starts a new line."))
        self.setAccessibleName(self.tr("Reply"))
        self.textChanged.connect(self._text_changed)
        self.cursorPositionChanged.connect(self._update_completion)
        self._matches: CannedMatchesModel | None = None
        self._values: ValuesProvider = dict
        self.popup: CannedPopup | None = None
        self._dismissed: tuple[int, str] | None = None
        self.note_mode = False
        self._reply_placeholder = self.placeholderText()

    # --- note mode --------------------------------------------------------------------------

    def set_note_mode(self, on: bool) -> None:
        if on == self.note_mode:
            return
        self.note_mode = on
        self.setProperty("noteMode", on)
        self.setStyleSheet(NOTE_STYLE if on else "")
        self.setAccessibleName(self.tr("Internal note") if on else self.tr("Reply"))
        self._show_placeholder()
        if on:
            self.typing.emit(False)
        self.note_mode_changed.emit(on)

    def set_reply_placeholder(self, text: str) -> None:
        """The hint shown in reply mode (the chat panel words it by the chat's state)."""
        self._reply_placeholder = text
        self._show_placeholder()

    def _show_placeholder(self) -> None:
        if self.note_mode:
            self.setPlaceholderText(self.tr("Internal note \u2014 the visitor will not see this"))
        else:
            self.setPlaceholderText(self._reply_placeholder)

    # --- canned replies ---------------------------------------------------------------------

    def set_canned(self, matches: CannedMatchesModel, values: ValuesProvider) -> None:
        """Offer canned replies on `#`; `values` gives the placeholder values of the shown chat."""
        self._matches = matches
        self._values = values

    def popup_visible(self) -> bool:
        return self.popup is not None and self.popup.isVisible()

    def _hash_word(self) -> tuple[int, str] | None:
        """(position of `#`, word typed after it) when the cursor ends a `#word`."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            return None
        block = cursor.block()
        before = block.text()[: cursor.positionInBlock()]
        found = _HASH_WORD.search(before)
        if found is None:
            return None
        return block.position() + found.start(), found.group(1)

    def _update_completion(self) -> None:
        if self._matches is None:
            return
        found = self._hash_word() if self.isEnabled() else None
        if found is None:
            self._dismissed = None
            self.close_popup()
            return
        if self._dismissed is not None and found[0] == self._dismissed[0]:
            self.close_popup()  # closed with Escape: stays closed until another `#` is typed
            return
        self._dismissed = None
        self._matches.set_query(found[1])
        window = self.window()
        if self.popup is None or self.popup.parentWidget() is not window:
            from operator_app.ui.canned_popup import CannedPopup

            if self.popup is not None:
                self.popup.deleteLater()
            self.popup = CannedPopup(self._matches, window)
            self.popup.list.clicked.connect(lambda index: self.insert_canned())
        self.popup.show_above(self, self.cursorRect())

    def close_popup(self) -> None:
        if self.popup is not None and self.popup.isVisible():
            self.popup.hide()
        if self._matches is not None and self._matches.query is not None:
            self._matches.set_query(None)

    def _dismiss_popup(self) -> None:
        found = self._hash_word()
        self._dismissed = found
        self.close_popup()

    def insert_canned(self) -> bool:
        """Replace `#word` with the chosen reply, expanded; False when nothing is chosen."""
        from chat_protocol.canned import expand

        found = self._hash_word()
        reply = self.popup.current_reply() if self.popup is not None else None
        if found is None or reply is None:
            return False
        text = expand(reply.text, self._values())
        cursor = self.textCursor()
        cursor.setPosition(found[0], QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
        self.setTextCursor(cursor)
        self.close_popup()
        return True

    # --- keys -------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Tab normally moves the focus (tabChangesFocus): while the popup is open it inserts.
        if event.type() == QEvent.Type.KeyPress and self.popup_visible():
            key_event = event if isinstance(event, QKeyEvent) else None
            if key_event is not None and key_event.key() == Qt.Key.Key_Tab:
                self.insert_canned()
                event.accept()
                return True
        if event.type() == QEvent.Type.ShortcutOverride and self.popup_visible():
            key_event = event if isinstance(event, QKeyEvent) else None
            if key_event is not None and key_event.key() == Qt.Key.Key_Escape:
                event.accept()  # our Escape, not a window shortcut's
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if self.popup_visible() and self.popup is not None:
            if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.popup.move_selection(-1 if event.key() == Qt.Key.Key_Up else 1)
                event.accept()
                return
            if event.key() == Qt.Key.Key_Escape:
                self._dismiss_popup()
                event.accept()
                return
            if enter and self.insert_canned():
                event.accept()
                return
        if enter and modifiers == Qt.KeyboardModifier.NoModifier:
            event.accept()
            self.submit()
            return
        if enter and modifiers == Qt.KeyboardModifier.ShiftModifier:
            event.accept()
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.close_popup()
        super().focusOutEvent(event)

    def submit(self) -> None:
        """Emit the text (trimmed) and clear the box; does nothing when empty or too long."""
        text = self.toPlainText().strip()
        if not text or len(text) > MAX_MESSAGE_CHARS:
            return
        self.close_popup()
        self.submitted.emit(text)
        self.clear()

    # --- files ------------------------------------------------------------------------------

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return bool(source.hasImage() or local_files(source)) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Copied files and images are sent as files, not pasted as text (only in a chat I hold)."""
        paths = local_files(source)
        if paths:
            self.files_pasted.emit(paths)
        elif source.hasImage():
            image = source.imageData()
            if isinstance(image, QImage) and not image.isNull():
                self.image_pasted.emit(image)
        else:
            super().insertFromMimeData(source)

    def _text_changed(self) -> None:
        self.typing.emit(bool(self.toPlainText().strip()) and not self.note_mode)

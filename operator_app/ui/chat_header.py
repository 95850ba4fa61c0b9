"""The chat's header (``chatHeader``): the visitor's name, the chat's status and its tags on the left,
the chat's action buttons on the right, fitted to the width the chat has.

The title (``chatTitle``) and the status line (``chatSubtitle``) elide; their whole text is the
tooltip. Each button stands for a `QAction` (its enabled state follows the action). The buttons that
do not fit go, least important first, into the "More" menu (``chatMoreButton``, ``chatMoreMenu``),
which holds the same actions, so their shortcuts and enabled states stay one; an overflowed button
stays in the header, hidden. The "More" button is in the tab order; its menu opens with Space, and
each of its entries with its underlined letter.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QAction, QPainter, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from operator_app.store.display_text import escaped_tooltip
from operator_app.ui.chat_tags import ChatTagsBar

TITLE_MIN_WIDTH = 120  # the name column never gets narrower than this while buttons are shown


class ElidingLabel(QLabel):
    """A plain-text label that draws its text elided to its width; `text()` stays the whole text,
    which is the (escaped) tooltip when it does not fit."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        tip = escaped_tooltip(self.text()) if text != self.text() else ""
        if self.toolTip() != tip:
            self.setToolTip(tip)
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            rect,
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            text,
            self.foregroundRole(),
        )
        painter.end()


@dataclass
class _Slot:
    button: QPushButton
    action: QAction
    priority: int  # the higher, the longer the button stays in the header when room runs out
    wanted: bool = False  # the action applies to the chat shown (else neither button nor menu entry)


class ChatHeader(QWidget):
    """`add_button(...)` places a button for an action; `set_wanted(button, shown)` says whether it
    applies to the chat shown; the header decides which wanted buttons fit and which go to "More"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatHeader")
        self._slots: list[_Slot] = []
        self._fitting = False
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(18, 10, 14, 10)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.title = ElidingLabel("chatTitle", self)
        self.subtitle = ElidingLabel("chatSubtitle", self)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        self.tags_bar = ChatTagsBar("chat", self)  # the chat's tags and their menu (Ctrl+Shift+G)
        self.tags_bar.installEventFilter(self)  # its button's text grows with the count: fit again
        titles.addWidget(self.tags_bar)
        self.row.addLayout(titles, 1)
        self.more_menu = QMenu(self)
        self.more_menu.setObjectName("chatMoreMenu")
        self.more_menu.setToolTipsVisible(True)
        self.more_button = QPushButton(self.tr("More"), self)  # the style draws the menu's arrow
        self.more_button.setObjectName("chatMoreButton")
        self.more_button.setToolTip(self.tr("The chat's actions that do not fit in the header."))
        self.more_button.setAccessibleName(self.tr("More actions for this chat"))
        self.more_button.setAutoDefault(False)
        self.more_button.setMenu(self.more_menu)
        self.more_button.hide()
        self.row.addWidget(self.more_button)

    # --- buttons ------------------------------------------------------------------------------------

    def add_button(
        self, text: str, name: str, action: QAction, *, priority: int, before: QPushButton | None = None
    ) -> QPushButton:
        """A button (objectName `name`) that triggers `action` and is enabled when it is; placed
        before `before` (else last, left of "More")."""
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.setEnabled(action.isEnabled())
        button.clicked.connect(action.trigger)
        action.changed.connect(lambda: button.setEnabled(action.isEnabled()))
        button.hide()
        index = self.row.indexOf(before) if before is not None else self.row.indexOf(self.more_button)
        self.row.insertWidget(index, button)
        self._slots.append(_Slot(button, action, priority))
        return button

    def set_wanted(self, button: QPushButton, wanted: bool) -> None:
        slot = next(s for s in self._slots if s.button is button)
        if slot.wanted != wanted:
            slot.wanted = wanted
            self.fit()

    def overflowed(self) -> list[QAction]:
        """The actions in the "More" menu now, in the header's order."""
        return [s.action for s in self._ordered() if s.wanted and s.button.isHidden()]

    # --- fitting ------------------------------------------------------------------------------------

    def _ordered(self) -> list[_Slot]:
        return sorted(self._slots, key=lambda s: self.row.indexOf(s.button))

    def _title_room(self) -> int:
        return max(TITLE_MIN_WIDTH, self.tags_bar.button.sizeHint().width())

    def fit(self) -> None:
        """Show the wanted buttons that fit beside the title column; the rest go to "More"."""
        if self._fitting:
            return
        self._fitting = True
        try:
            margins = self.row.contentsMargins()
            spacing = max(0, self.row.spacing())
            room = self.width() - margins.left() - margins.right() - self._title_room()
            wanted = [s for s in self._ordered() if s.wanted]
            kept = list(wanted)

            def needed(slots: list[_Slot], more: bool) -> int:
                widths = [s.button.sizeHint().width() for s in slots]
                if more:
                    widths.append(self.more_button.sizeHint().width())
                return sum(width + spacing for width in widths)

            if needed(kept, False) > room:
                for slot in sorted(wanted, key=lambda s: s.priority):
                    if needed(kept, True) <= room:
                        break
                    kept.remove(slot)
            for slot in self._slots:
                slot.button.setVisible(slot in kept)
            spilled = [s.action for s in wanted if s not in kept]
            if self.more_menu.actions() != spilled:
                self.more_menu.clear()
                self.more_menu.addActions(spilled)
            self.more_button.setVisible(bool(spilled))
        finally:
            self._fitting = False

    def minimumSizeHint(self) -> QSize:
        """Small enough that buttons go to "More" rather than push the window wider."""
        margins = self.row.contentsMargins()
        width = margins.left() + margins.right() + self._title_room() + self.more_button.sizeHint().width()
        return QSize(width + max(0, self.row.spacing()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a button's text or font changed
            self.fit()
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and watched is self.tags_bar:
            self.fit()
        return super().eventFilter(watched, event)

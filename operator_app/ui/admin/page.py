"""The interface of every page of the administration dialog (one tab each).

A page loads its data in `reload()` (called when its tab is first shown, and by its own refresh), shows
loading / failed / empty states in its ``adminPageState`` label, and emits `changed` after a save.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from operator_app.store.admin_service import AdminService
from operator_app.ui.refusal import refusal_text


class AdminPage(QWidget):
    """Base class of the admin pages. Signals: `changed()` after a successful save.

    Subclasses set an objectName, build their widgets, put `self.state_label` into their layout and
    implement `title()` and `reload()`. The state helpers keep the look the same on every page.
    """

    changed = Signal()

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.state_label = QLabel(self)
        self.state_label.setObjectName("adminPageState")
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setWordWrap(True)
        self.state_label.hide()

    def title(self) -> str:
        """The translated tab title."""
        raise NotImplementedError

    async def reload(self) -> None:
        """Load from the server; show loading, then failed (with the reason), empty or the data."""
        raise NotImplementedError

    # --- states ---------------------------------------------------------------------------------

    def show_loading(self) -> None:
        self._show_state(self.tr("Loading…"), error=False)

    def show_failed(self, error: BaseException) -> None:
        """A failed load, with the reason (the server's message when it sent one)."""
        text = self.tr("Could not load: %1").replace("%1", refusal_text(error))
        self._show_state(text, error=True)

    def show_empty(self, text: str) -> None:
        self._show_state(text, error=False)

    def show_ready(self) -> None:
        self.state_label.hide()
        self.state_label.clear()

    def _show_state(self, text: str, *, error: bool) -> None:
        self.state_label.setStyleSheet("color: #b91c1c;" if error else "color: #4b5563;")
        self.state_label.setText(text)
        self.state_label.show()

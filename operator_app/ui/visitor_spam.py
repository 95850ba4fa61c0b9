"""The visitor's spam mark in the visitor panel: what it says (``visitorSpamMark``) and the button that
sets it or takes it back (``spamButton``: "Mark as spam…" / "Not spam…"), each after a confirmation
(``spamConfirm``) in which a refusal of the server stays; other failures show in ``visitorSpamError``.

While the mark is set the visitor can neither start a chat nor leave an offline message. Any agent may
set it; supervisors, admins and the agent who set it may take it back (docs/roles.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from operator_app.store.visitors_service import VisitorsService
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.confirm import confirm
from operator_app.ui.visitor_sections import local

if TYPE_CHECKING:
    from chat_protocol.traffic import SpamMark, VisitorProfile


def _plain(name: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class SpamMarkRow(QWidget):
    """Signals: ``changed(VisitorProfile)``, the profile as the server has it after a change."""

    changed = Signal(object)

    def __init__(self, service: VisitorsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.profile: VisitorProfile | None = None
        self.mark_label = _plain("visitorSpamMark", self)
        self.mark_label.setStyleSheet("color: #b91c1c; font-weight: bold;")
        self.error = _plain("visitorSpamError", self)
        self.error.setStyleSheet("color: #b91c1c;")
        self.button = QPushButton(self)
        self.button.setObjectName("spamButton")
        self.button.clicked.connect(self.toggle)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.mark_label, 1)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.error.hide()

    def show_profile(self, profile: VisitorProfile) -> None:
        self.profile = profile
        self.error.hide()
        mark = profile.spam
        if mark is None:
            self.mark_label.setText("")
            self.button.setText(self.tr("Mark as spam\u2026"))
            self.button.setToolTip(
                self.tr("The visitor will not be able to start a chat or leave an offline message.")
            )
            self.button.setEnabled(True)
            return
        self.mark_label.setText(self._mark_text(mark))
        self.button.setText(self.tr("Not spam\u2026"))
        allowed = self.service.may_unmark_spam(mark)
        self.button.setEnabled(allowed)
        self.button.setToolTip(
            self.tr("Take the spam mark back: the visitor can chat again.")
            if allowed
            else self.tr("Only a supervisor, an admin or the agent who set the mark can take it back.")
        )

    def _mark_text(self, mark: SpamMark) -> str:
        when = local(mark.marked_at)
        if mark.agent_name:
            return (
                self.tr("Marked as spam by %1 (%2): no new chats or offline messages.")
                .replace("%1", mark.agent_name)
                .replace("%2", when)
            )
        return self.tr("Marked as spam (%1): no new chats or offline messages.").replace("%1", when)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    @async_slot()
    @reports_errors
    async def toggle(self) -> None:
        """Ask, then set or take back the mark; the new profile goes out with ``changed``."""
        profile = self.profile
        if profile is None:
            return
        visitor_id, marking = profile.visitor_id, profile.spam is None
        if marking:
            title, ok = self.tr("Mark as spam"), self.tr("Mark as spam")
            text = self.tr(
                "Mark this visitor as spam? They will not be able to start a new chat or leave an "
                "offline message until the mark is taken back. A chat already open goes on. The "
                "change is logged."
            )
        else:
            title, ok = self.tr("Not spam"), self.tr("Take the mark back")
            text = self.tr(
                "Take the spam mark back? The visitor will be able to start chats and leave offline "
                "messages again. The change is logged."
            )
        updated: list[VisitorProfile] = []

        async def change() -> None:
            call = self.service.mark_spam if marking else self.service.unmark_spam
            updated.append(await call(visitor_id))

        self.error.hide()
        with disabled(self.button):
            done = await confirm(
                self, title, text, ok, name="spamConfirm", action=change, default_to_cancel=marking
            )
        if done and updated:
            self.changed.emit(updated[0])

"""The spam mark in the visitor panel: "Mark as spam…" asks first (from the keyboard too) and shows the
mark; "Not spam…" is offered only to who may take the mark back; a refusal stays in the question."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QWidget

from chat_protocol.traffic import SpamMark, VisitorProfile
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.store.visitors_service import VisitorsService
from operator_app.ui.visitor_spam import SpamMarkRow
from tests.support.waiting import until
from tests.widgets.fixtures import run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
HOSTILE_NAME = "<b>Eve</b>"


def profile(spam: SpamMark | None = None) -> VisitorProfile:
    return VisitorProfile(
        visitor_id="v1", site_id="s", number=7, first_visit_at=NOW, last_visit_at=NOW, spam=spam
    )


class FakeService:
    """What `SpamMarkRow` asks of `VisitorsService`."""

    def __init__(self, may_unmark: bool = True, refuse: bool = False) -> None:
        self.may_unmark = may_unmark
        self.refuse = refuse
        self.calls: list[tuple[str, str]] = []

    async def mark_spam(self, visitor_id: str) -> VisitorProfile:
        self.calls.append(("mark", visitor_id))
        return profile(SpamMark(marked_at=NOW, agent_id="me", agent_name=HOSTILE_NAME))

    async def unmark_spam(self, visitor_id: str) -> VisitorProfile:
        self.calls.append(("unmark", visitor_id))
        if self.refuse:
            raise ApiError(ApiErrorKind.HTTP, "Only supervisors.", status=403, code="forbidden")
        return profile()

    def may_unmark_spam(self, mark: SpamMark) -> bool:
        return self.may_unmark


def make_row(service: FakeService) -> tuple[QWidget, SpamMarkRow, list[VisitorProfile]]:
    parent = QWidget()
    row = SpamMarkRow(service, parent)  # type: ignore[arg-type]  # duck-typed VisitorsService
    changed: list[VisitorProfile] = []
    row.changed.connect(changed.append)
    parent.show()
    return parent, row, changed


async def asked(parent: QWidget) -> QDialog:
    def shown() -> QDialog | None:
        return next((d for d in parent.findChildren(QDialog, "spamConfirm") if d.isVisible()), None)

    await until(lambda: shown() is not None, what="the spam question")
    dialog = shown()
    assert dialog is not None
    return dialog


def action_button(dialog: QDialog) -> QPushButton:
    button = dialog.findChild(QPushButton, "actionButton")
    assert button is not None
    return button


def test_marking_asks_first_from_the_keyboard_and_shows_the_mark(qloop: asyncio.AbstractEventLoop) -> None:
    service = FakeService()
    parent, row, changed = make_row(service)
    row.show_profile(profile())
    button = row.findChild(QPushButton, "spamButton")
    label = row.findChild(QLabel, "visitorSpamMark")
    assert button is not None
    assert label is not None
    assert button.text() == "Mark as spam\u2026"
    assert label.text() == ""

    async def scenario() -> None:
        # Cancelled: nothing is sent.
        button.setFocus()
        QTest.keyClick(button, Qt.Key.Key_Space)
        dialog = await asked(parent)
        cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
        assert cancel.isDefault()  # Enter answers no to a consequential step
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        await until(lambda: not dialog.isVisible(), what="the question closed")
        await until(lambda: button.isEnabled(), what="the button back")
        assert service.calls == []
        # Confirmed: marked, and the row says by whom.
        QTest.keyClick(button, Qt.Key.Key_Space)
        dialog = await asked(parent)
        action_button(dialog).click()
        await until(lambda: len(changed) == 1, what="the changed profile")

    run(qloop, scenario())
    assert service.calls == [("mark", "v1")]
    row.show_profile(changed[0])
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text().startswith(f"Marked as spam by {HOSTILE_NAME} (")
    assert button.text() == "Not spam\u2026"
    assert button.isEnabled()


def test_only_who_may_take_the_mark_back_gets_the_button_and_a_refusal_stays_in_the_question(
    qloop: asyncio.AbstractEventLoop,
) -> None:
    marked = profile(SpamMark(marked_at=NOW, agent_id="someone", agent_name="Bob"))
    parent, row, changed = make_row(FakeService(may_unmark=False))
    row.show_profile(marked)
    assert not row.button.isEnabled()
    assert "supervisor" in row.button.toolTip()

    service = FakeService(refuse=True)
    parent, row, changed = make_row(service)
    row.show_profile(marked)
    assert row.button.isEnabled()

    async def scenario() -> None:
        row.button.click()
        dialog = await asked(parent)
        action_button(dialog).click()
        error = dialog.findChild(QLabel, "actionError")
        assert error is not None
        await until(lambda: error.isVisible(), what="the refusal")
        assert "refused" in error.text()
        assert dialog.isVisible()
        dialog.reject()
        await until(lambda: row.button.isEnabled(), what="the button back")

    run(qloop, scenario())
    assert service.calls == [("unmark", "v1")]
    assert changed == []
    assert row.mark_label.text().startswith("Marked as spam by Bob")


def test_the_service_lets_supervisors_and_the_marker_take_the_mark_back() -> None:
    from chat_protocol.models import RoutingStatus
    from chat_protocol.rest import Me

    class Store:
        me: Me | None = None

    class Session:
        store = Store()

    service = VisitorsService.__new__(VisitorsService)  # no Qt object needed for this rule
    service.session = Session()  # type: ignore[assignment]
    mark = SpamMark(marked_at=NOW, agent_id="a1", agent_name="A")
    assert not service.may_unmark_spam(mark)  # not signed in
    for role, agent_id, allowed in (
        ("agent", "a1", True),
        ("agent", "a2", False),
        ("supervisor", "a2", True),
        ("admin", "a2", True),
    ):
        Store.me = Me(
            agent_id=agent_id, email="x@example.com", name="X", role=role, status=RoutingStatus.AWAY
        )
        assert service.may_unmark_spam(mark) is allowed, (role, agent_id)

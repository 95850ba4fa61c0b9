"""The invitation dialog fills a canned reply for the chosen visitor."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_a_canned_invitation_is_filled_for_this_visitor(qapp: object, qtbot: QtBot) -> None:
    from datetime import UTC, datetime

    from chat_protocol.canned import CannedReply
    from chat_protocol.traffic import TrafficRow
    from operator_app.ui.invite_dialog import InviteDialog

    now = datetime.now(UTC)
    row = TrafficRow(
        visitor_id="v1",
        number=7,
        page_url="https://shop.example/matcha",
        visit_started_at=now,
        page_started_at=now,
    )
    replies = [
        CannedReply(
            canned_id="c1",
            shortcut="hello",
            title="Greeting",
            text="Hello {visitor.name|there}, I am {agent.name}. About {page.url}? {unknown.key}",
            updated_at=now,
        )
    ]
    dialog = InviteDialog(None, row, replies, "Aiko")  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    assert dialog.choose_canned("c1")
    assert dialog.text.toPlainText() == (
        "Hello there, I am Aiko. About https://shop.example/matcha? {unknown.key}"
    )
    assert dialog.send_button.isEnabled()
    dialog.text.setPlainText("   ")
    assert not dialog.send_button.isEnabled()

"""The tickets workspace's models without a server: pages, pushes' row updates and hostile text under
the model tester; the thread's change lines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt

from chat_protocol.tickets import TicketCounts, TicketEntry, TicketList, TicketState, TicketSummary
from operator_app.store.attachment_kinds import human_size
from operator_app.store.ticket_model import TicketListModel, TicketRole, TicketThreadModel

WHEN = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)


def summary(n: int, **changes: Any) -> TicketSummary:
    values: dict[str, Any] = {
        "ticket_id": f"t{n}",
        "number": n,
        "subject": f"件名 {n}",
        "state": "open",
        "source": "offline",
        "site_id": "s1",
        "created_at": WHEN,
        "updated_at": WHEN,
        "unanswered": False,
    }
    return TicketSummary.model_validate(values | changes)


def test_list_pages_and_hostile_text(qtmodeltester: Any, qapp: Any) -> None:
    model = TicketListModel()
    hostile = summary(1, subject="<b>抹茶</b>\n<img src=x>", requester_name="<i>Eve</i>", unanswered=True)
    model.show_page(TicketList(tickets=[hostile, summary(2)], counts=TicketCounts(open=2), next_cursor="c"))
    qtmodeltester.check(model)
    index = model.index(0, 0)
    assert index.data(TicketRole.SUBJECT) == "<b>抹茶</b> <img src=x>"  # verbatim, one line
    assert index.data(TicketRole.REQUESTER) == "<i>Eve</i>"
    assert "&lt;b&gt;" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "awaiting reply" in index.data()
    model.append_page(TicketList(tickets=[summary(2), summary(3)], counts=TicketCounts()))
    assert [model.ticket(r).number for r in range(model.rowCount())] == [1, 2, 3]  # type: ignore[union-attr]
    assert model.next_cursor is None
    model.update_ticket(summary(2, assignee_name="佐藤 健"))
    assert "佐藤 健" in model.index(1, 0).data()
    qtmodeltester.check(model)


def test_thread_change_lines(qtmodeltester: Any, qapp: Any) -> None:
    model = TicketThreadModel()
    model.group_names = {"g1": "日本茶チーム"}
    base = {"created_at": WHEN, "author_name": "Ken"}
    entries = [
        TicketEntry(entry_id="1", kind="visitor", text="<b>hi</b>", **base),
        TicketEntry(entry_id="2", kind="state", state=TicketState.SOLVED, **base),
        TicketEntry(entry_id="3", kind="assignee", assignee_name="", **base),
        TicketEntry(entry_id="4", kind="group", group_id="g1", **base),
        TicketEntry(entry_id="5", kind="merge", merged_ticket=7, **base),
    ]
    model.show(summary(1), entries)
    qtmodeltester.check(model)
    texts = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert texts == [
        "<b>hi</b>",
        "Ken set the state to Solved",
        "Ken unassigned the ticket",
        "Ken moved the ticket to 日本茶チーム",
        "Ken merged ticket #7",
    ]
    assert human_size(2048) == "2.0 KB"

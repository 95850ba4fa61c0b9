"""The archives workspace without a server: the results model under the model tester, the delegate's
plain-text painting with highlights at the right spans, and the view's search, load more, empty,
error and transcript states against a stand-in for the server's answers."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit, QListView, QPushButton

from chat_protocol import AuthorKind, ChatState
from chat_protocol.archive import ArchiveHit, ArchivePage, ArchiveQuery
from chat_protocol.models import (
    Author,
    ChatStateEvent,
    ChatSummary,
    MessageEvent,
    NoteEvent,
    RatingEvent,
    VisitorInfo,
)
from chat_protocol.rest import TranscriptPage
from operator_app.atomic_file import write_atomically
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.store.archive_model import ArchiveModel, ArchiveRole, qt_spans
from operator_app.store.attachments_service import AttachmentsService
from operator_app.store.chat_state import ChatStore
from operator_app.store.transcript_model import EntryRole
from operator_app.tasks import BackgroundTasks
from operator_app.ui.archive_delegate import HIGHLIGHT, PAD_X, ArchiveHitDelegate, snippet_layout
from operator_app.ui.archive_filters import day_start_utc
from operator_app.ui.archives_view import ArchivesView
from tests.widgets.fixtures import eventually, run
from tests.widgets.tag_server import TagServer, tags_service

# Popup menus on the offscreen platform cannot raise windows or grab the keyboard (no matter here).
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

CLOSED = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
ANNA = Author(kind=AuthorKind.AGENT, id="a1", name="佐藤 健")


def hit(
    n: int, snippet: str = "", highlights: list[tuple[int, int]] | None = None, **changes: Any
) -> ArchiveHit:
    values: dict[str, Any] = {
        "chat_id": f"c{n}",
        "site_id": "s1",
        "visitor": VisitorInfo(visitor_id=f"v{n}", number=n, name=""),
        "agent": ANNA,
        "created_at": CLOSED - timedelta(minutes=n, seconds=30),
        "closed_at": CLOSED - timedelta(minutes=n),
        "messages": 4,
        "snippet": snippet,
        "highlights": highlights or [],
        "match": "message" if snippet else None,
    }
    return ArchiveHit.model_validate(values | changes)


# --- the model ------------------------------------------------------------------------------


def test_spans_are_qt_offsets_clamped_and_merged() -> None:
    assert qt_spans("abc 抹茶 def", [(4, 6)]) == [(4, 2)]
    # An emoji is two UTF-16 units in Qt: the span after it moves by one more.
    assert qt_spans("😀 抹茶", [(2, 4)]) == [(3, 2)]
    assert qt_spans("abcdef", [(4, 99), (-3, 1), (2, 2), (0, 2)]) == [(0, 2), (4, 2)]
    assert qt_spans("abcdef", [(1, 3), (2, 5)]) == [(1, 4)]


def test_model_pages_and_hostile_text(qtmodeltester: Any, qapp: Any) -> None:
    model = ArchiveModel()
    hostile = '<b>x</b> <img src="http://evil/"> 抹茶'
    model.show_page(
        ArchivePage(
            hits=[
                hit(1, hostile, [(29, 31)], visitor=VisitorInfo(visitor_id="v", number=7, name="<i>Eve</i>"))
            ],
            next_cursor="k1",
        )
    )
    qtmodeltester.check(model)
    index = model.index(0, 0)
    assert index.data(ArchiveRole.SNIPPET) == hostile  # verbatim: the delegate paints it as text
    assert index.data(ArchiveRole.VISITOR) == "<i>Eve</i>"
    assert index.data(ArchiveRole.HIGHLIGHTS) == [(29, 2)]
    assert "&lt;b&gt;x&lt;/b&gt;" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in index.data(Qt.ItemDataRole.ToolTipRole)
    assert model.next_cursor == "k1"

    inserted: list[tuple[int, int]] = []
    resets: list[int] = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    model.modelAboutToBeReset.connect(lambda: resets.append(1))
    model.append_page(ArchivePage(hits=[hit(1), hit(2), hit(3, "x\ny", [(0, 1)])], next_cursor=None))
    assert inserted == [(1, 2)]  # c1 was listed already
    assert resets == []
    assert [model.hit(r).chat_id for r in range(model.rowCount())] == ["c1", "c2", "c3"]  # type: ignore[union-attr]
    assert model.index(2, 0).data(ArchiveRole.SNIPPET) == "x y"  # one line, same offsets
    assert model.index(1, 0).data(ArchiveRole.VISITOR) == "Visitor #2"
    assert model.next_cursor is None
    qtmodeltester.check(model)
    model.clear()
    assert model.rowCount() == 0


def test_snippet_layout_is_plain_text_and_brings_the_match_into_view(qapp: Any) -> None:
    font = QListView().font()
    layout, shown = snippet_layout("<b>x</b> 抹茶", [(9, 2)], font, 400)
    assert layout.text() == "<b>x</b> 抹茶"
    assert shown == 1
    assert [(f.start, f.length) for f in layout.formats()] == [(9, 2)]
    long_text = "あ" * 300 + "抹茶" + "い" * 20
    layout, shown = snippet_layout(long_text, [(300, 2)], font, 200)
    assert shown == 2
    assert layout.text().startswith("\u2026")
    start = next(f.start for f in layout.formats())
    assert layout.text()[start : start + 2] == "抹茶"
    assert layout.lineForTextPosition(start).lineNumber() < 2


def _highlight_columns(view: QListView, row: int) -> list[int]:
    image = view.viewport().grab().toImage()
    rect = view.visualRect(view.model().index(row, 0))
    found = []
    for x in range(rect.left(), rect.right()):
        for y in range(rect.top(), rect.bottom()):
            if image.pixelColor(x, y).rgb() == HIGHLIGHT.rgb():
                found.append(x)
                break
    return found


def test_delegate_paints_highlights_at_the_spans(qtbot: Any) -> None:
    view = QListView()
    qtbot.addWidget(view)

    model = ArchiveModel(view)
    view.setModel(model)
    view.setItemDelegate(ArchiveHitDelegate(view))
    view.resize(600, 400)
    view.show()
    prefix = "<b>x</b> お茶と"
    model.show_page(
        ArchivePage(
            hits=[
                hit(1, prefix + "抹茶" + "のセット", [(len(prefix), len(prefix) + 2)]),
                hit(2, "no match here"),
            ]
        )
    )
    qtbot.waitExposed(view)
    columns = _highlight_columns(view, 0)
    assert columns, "the match is not highlighted"
    metrics = QFontMetrics(view.font())
    left = view.visualRect(model.index(0, 0)).left() + PAD_X
    bold = view.font()
    bold.setBold(True)
    start = left + metrics.horizontalAdvance(prefix)
    width = QFontMetrics(bold).horizontalAdvance("抹茶")
    assert abs(min(columns) - start) <= 3
    assert abs(max(columns) + 1 - (start + width)) <= 4
    assert _highlight_columns(view, 1) == []


def test_days_are_local_midnights_in_utc() -> None:
    start = day_start_utc(datetime(2026, 12, 7).date())
    assert start.tzinfo is UTC
    assert start.astimezone().replace(tzinfo=None) == datetime(2026, 12, 7)


# --- the view against stand-in answers --------------------------------------------------------


class FakeServer:
    """Answers `POST /archives/search` from `pages` (by cursor) and a chat's events; records every search."""

    def __init__(self) -> None:
        self.searches: list[tuple[ArchiveQuery, str | None]] = []
        self.pages: dict[str | None, ArchivePage] = {}
        self.failure: Exception | None = None
        self.gate: asyncio.Event | None = None
        self.transcripts: dict[str, TranscriptPage] = {}
        self.exports: dict[str, tuple[bytes, str]] = {}
        self.exported: list[tuple[str, str, Any]] = []
        self.export_params: list[dict[str, str]] = []
        self.tags = TagServer()

    async def archives(self, token: str, query: ArchiveQuery) -> ArchivePage:
        self.searches.append((query.model_copy(update={"cursor": None}), query.cursor))
        if self.gate is not None:
            await self.gate.wait()
        if self.failure is not None:
            raise self.failure
        if query.q == "nothing":
            return ArchivePage(hits=[])
        return self.pages[query.cursor]

    async def request_raw(self, method: str, path: str, *, token: str, **body: Any) -> httpx.Response:
        """The export routes: `exports[path]` is the file, as the server would send it."""
        self.exported.append((method, path, body.get("json") or body.get("params")))
        self.export_params.append(body.get("params") or {})
        if self.failure is not None:
            raise self.failure
        content, media_type = self.exports[path]
        headers = {"content-type": media_type, "content-disposition": 'attachment; filename="x"'}
        return httpx.Response(200, content=content, headers=headers)

    async def transcript(self, chat_id: str, *, after_seq: int = 0) -> TranscriptPage:
        if chat_id not in self.transcripts:
            raise ApiError(ApiErrorKind.HTTP, "no such chat", status=404)
        return self.transcripts[chat_id]


def fake_session(server: FakeServer) -> Any:
    async def call(fn: Any) -> Any:
        return await fn("token")

    async def agents() -> list[Any]:
        return [
            SimpleNamespace(agent_id="a2", name="鈴木  花子"),
            SimpleNamespace(agent_id="a1", name="佐藤 健"),
        ]

    async def groups() -> list[Any]:
        return [SimpleNamespace(group_id="g1", name="日本茶チーム")]

    async def sites() -> list[Any]:
        return [SimpleNamespace(site_id="s1", name="<b>Shop</b>")]

    auth = SimpleNamespace(call=call, api=server, transcript=server.transcript)
    me = SimpleNamespace(agent_id="a1", name="佐藤 健", role="agent")
    return SimpleNamespace(
        auth=auth,
        tasks=BackgroundTasks(),
        store=SimpleNamespace(me=me),
        agents=agents,
        groups=groups,
        admin=SimpleNamespace(list_sites=sites),
        tags=tags_service(server.tags),
        attachments=AttachmentsService(auth, ChatStore()),  # type: ignore[arg-type]
    )


def transcript_of(chat_id: str) -> TranscriptPage:
    visitor = Author(kind=AuthorKind.VISITOR, name="")
    base = {"chat_id": chat_id, "created_at": CLOSED - timedelta(minutes=5)}
    events = [
        MessageEvent(event_id=1, seq=1, author=visitor, text="<b>抹茶</b>はありますか？", **base),
        ChatStateEvent(event_id=2, seq=2, author=ANNA, state=ChatState.TAKEN, agent=ANNA, **base),
        MessageEvent(event_id=3, seq=3, author=ANNA, text="はい、ございます。", **base),
        NoteEvent(event_id=4, seq=4, audience="agents", author=ANNA, text="常連のお客様", **base),
        RatingEvent(event_id=5, seq=5, author=visitor, rating="good", **base),
        ChatStateEvent(event_id=6, seq=6, author=ANNA, state=ChatState.CLOSED, **base),
    ]
    summary = ChatSummary(
        chat_id=chat_id,
        state=ChatState.CLOSED,
        visitor=VisitorInfo(visitor_id="v1", number=1),
        agent=ANNA,
        created_at=CLOSED - timedelta(minutes=6),
        last_seq=6,
    )
    return TranscriptPage(chat=summary, events=events, has_more=False, next_after_seq=6)


@pytest.fixture
def server() -> FakeServer:
    fake = FakeServer()
    fake.pages[None] = ArchivePage(hits=[hit(n) for n in range(1, 4)], next_cursor="p2")
    fake.pages["p2"] = ArchivePage(hits=[hit(n) for n in range(4, 6)], next_cursor=None)
    return fake


@pytest.fixture
def view(qtbot: Any, qloop: asyncio.AbstractEventLoop, server: FakeServer) -> Any:
    widget = ArchivesView(fake_session(server))
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    yield widget
    run(qloop, widget.stop())


def _label(view: ArchivesView, name: str) -> QLabel:
    label = view.findChild(QLabel, name)
    assert label is not None
    return label


def test_view_lists_searches_loads_more_and_says_when_nothing_is_found(
    qloop: asyncio.AbstractEventLoop, view: ArchivesView, server: FakeServer
) -> None:
    async def scenario() -> None:
        view.show()  # the first showing lists the latest closed chats, with no text
        await eventually(lambda: view.model.rowCount() == 3)
        assert server.searches[0] == (ArchiveQuery(), None)
        more = view.findChild(QPushButton, "archiveLoadMore")
        assert more is not None
        assert more.isVisible()
        assert "3 or more" in _label(view, "archiveSummary").text()

        await view.load_more()  # type: ignore[misc]
        assert [view.model.hit(r).chat_id for r in range(5)] == ["c1", "c2", "c3", "c4", "c5"]  # type: ignore[union-attr]
        assert server.searches[-1] == (ArchiveQuery(), "p2")
        assert not more.isVisible()
        assert view.load_more() is None  # no cursor left

        view.field.setText("抹茶")
        view.field.returnPressed.emit()
        await eventually(lambda: server.searches[-1][0].q == "抹茶" and view.searching is None)
        assert view.model.rowCount() == 3
        assert "抹茶" in _label(view, "archiveSummary").text()

        # Search as you type, after a pause; an empty answer says so instead of an empty list.
        view.field.clear()
        QTest.keyClicks(view.field, "nothing")
        await eventually(lambda: server.searches[-1][0].q == "nothing" and view.searching is None, within=3)
        assert [search.q for search, _ in server.searches if search.q.startswith("n")] == ["nothing"]
        empty = _label(view, "archiveEmpty")
        assert empty.isVisible()
        assert "No chats found" in empty.text()
        assert not view.results.isVisible()

        # A filter searches again with the filter set.
        view.filters.call_check.setChecked(True)
        await eventually(lambda: server.searches[-1][0].had_call is True and view.searching is None, within=3)
        assert "(1)" in view.filters_button.text()

    run(qloop, scenario())


def test_view_shows_a_failed_search_and_a_busy_indicator(
    qloop: asyncio.AbstractEventLoop, view: ArchivesView, server: FakeServer
) -> None:
    async def scenario() -> None:
        server.gate = asyncio.Event()
        view.show()
        await eventually(lambda: len(server.searches) == 1)
        assert view.busy.isVisible()
        server.gate.set()
        await eventually(lambda: view.model.rowCount() == 3)
        assert not view.busy.isVisible()
        server.failure = ApiError(ApiErrorKind.UNREACHABLE, "down")
        await view.search_now()
        error = _label(view, "archiveError")
        assert error.isVisible()
        assert "Cannot reach the server" in error.text()
        assert view.model.rowCount() == 3  # what was shown stays
        assert not view.busy.isVisible()

    run(qloop, scenario())


def test_keyboard_reaches_the_results_and_opens_the_transcript(
    qloop: asyncio.AbstractEventLoop, view: ArchivesView, server: FakeServer
) -> None:
    server.pages[None] = ArchivePage(
        hits=[hit(1, "<b>抹茶</b>はありますか？", [(3, 5)], rating="good"), hit(2)], next_cursor=None
    )
    server.transcripts["c1"] = transcript_of("c1")

    async def scenario() -> None:
        view.show()
        view.focus_search()
        await eventually(lambda: view.model.rowCount() == 2)
        view.field.setText("抹茶")
        await view.search_now()
        QTest.keyClick(view.field, Qt.Key.Key_Down)
        assert view.selected_chat() == "c1"
        pane = view.pane
        await eventually(lambda: pane.model.rowCount() == 6)
        texts = [pane.model.index(r, 0).data() for r in range(6)]
        assert texts[0] == "<b>抹茶</b>はありますか？"
        kinds = [pane.model.index(r, 0).data(EntryRole.KIND) for r in range(6)]
        assert kinds == ["message", "chat_state", "message", "note", "rating", "chat_state"]
        assert pane.model.index(2, 0).data(EntryRole.IS_MINE)  # my own reply, on the right
        assert pane.model.index(0, 0).data(EntryRole.AUTHOR_NAME) == "Visitor #1"
        assert "Rated good" in _label(view, "archiveTranscriptDetails").text()
        await eventually(lambda: pane.transcript.currentIndex().row() == 0)  # the match, selected

        # A failed load says so in the pane.
        await view.open_row(1)  # type: ignore[misc]
        status = _label(view, "archiveTranscriptStatus")
        assert "could not be loaded" in status.text()
        assert pane.model.rowCount() == 0
        # Opening it again tries again.
        server.transcripts["c2"] = transcript_of("c2")
        assert await view.open_row(1)  # type: ignore[misc]
        assert pane.model.chat_id == "c2"
        assert pane.model.rowCount() == 6
        assert status.isHidden()

    run(qloop, scenario())


def test_filters_offer_the_agents_groups_and_sites_and_search_with_them(
    qloop: asyncio.AbstractEventLoop, view: ArchivesView, server: FakeServer
) -> None:
    async def scenario() -> None:
        view.show()
        filters = view.filters
        await eventually(lambda: filters.agent_box.count() == 3)
        assert [filters.agent_box.itemText(i) for i in range(3)] == ["Any agent", "佐藤 健", "鈴木 花子"]
        assert filters.site_box.itemText(1) == "<b>Shop</b>"  # a combo box shows it as text
        await eventually(lambda: view.searching is None and view.model.rowCount() == 3)
        filters.agent_box.setCurrentIndex(2)
        filters.group_box.setCurrentIndex(1)
        filters.site_box.setCurrentIndex(1)
        filters.rating_box.setCurrentIndex(3)
        filters.from_check.setChecked(True)
        filters.from_date.setDate(QDate(2026, 12, 1))
        filters.to_check.setChecked(True)
        filters.to_date.setDate(QDate(2026, 12, 7))
        await view.search_now()
        search = server.searches[-1][0]
        assert (search.agent_id, search.group_id, search.site_id, search.rating) == ("a2", "g1", "s1", "none")
        assert search.since == day_start_utc(date(2026, 12, 1))
        assert search.until == day_start_utc(date(2026, 12, 8))  # the whole of the last day
        assert "(6)" in view.filters_button.text()
        filters.reset_button.click()
        await eventually(
            lambda: server.searches[-1][0] == ArchiveQuery() and view.searching is None, within=3
        )
        assert view.filters_button.text() == "Filters"

    run(qloop, scenario())


# --- tags and exports -----------------------------------------------------------------------------


def test_tags_filter_the_search_show_on_rows_and_are_set_on_the_opened_chat(
    qloop: asyncio.AbstractEventLoop, view: ArchivesView, server: FakeServer
) -> None:
    returns = server.tags.add("返品", "#c62828")
    vip = server.tags.add("VIP", "#fbc02d")
    server.tags.add("配送", "#1565c0")
    server.tags.chat_tags["c1"] = [vip, returns]
    server.pages[None] = ArchivePage(hits=[hit(1, tag_ids=[vip, returns]), hit(2)], next_cursor=None)
    server.transcripts["c1"] = transcript_of("c1")

    async def scenario() -> None:
        view.show()
        filters = view.filters
        await eventually(lambda: len(filters.tag_menu.actions()) == 3 and view.model.rowCount() == 2)
        # Rows show their tags by name, as text for screen readers too.
        first = view.model.index(0, 0)
        await eventually(lambda: first.data(ArchiveRole.TAGS) == [("VIP", "#fbc02d"), ("返品", "#c62828")])
        assert "VIP" in first.data(Qt.ItemDataRole.AccessibleTextRole)
        assert view.model.index(1, 0).data(ArchiveRole.TAGS) == []

        # The tag filter: a menu that stays open while the keyboard ticks two tags (any of them).
        assert filters.tag_button.text() == "Any tag"
        menu = filters.open_tag_menu()
        assert [a.text() for a in menu.actions()] == ["VIP", "返品", "配送"]
        QTest.keyClick(menu, Qt.Key.Key_Space)
        QTest.keyClick(menu, Qt.Key.Key_Down)
        QTest.keyClick(menu, Qt.Key.Key_Down)
        QTest.keyClick(menu, Qt.Key.Key_Return)
        assert menu.isVisible()
        QTest.keyClick(menu, Qt.Key.Key_Escape)
        assert filters.tag_button.text() == "Tags (2)"
        await eventually(
            lambda: server.searches[-1][0].tag_ids == [vip, "t3"] and view.searching is None, within=3
        )
        assert "(1)" in view.filters_button.text()

        # The opened chat's tags, set in the pane: sent at once, and the row follows.
        assert await view.open_row(0)  # type: ignore[misc]
        bar = view.pane.tags_bar
        await eventually(lambda: bar.chosen == [vip, returns])
        assert bar.isVisible()
        task = bar.toggle(returns, False)
        assert task is not None
        await task
        assert server.tags.chat_tags["c1"] == [vip]
        assert view.model.index(0, 0).data(ArchiveRole.TAGS) == [("VIP", "#fbc02d")]

        filters.reset_button.click()
        await eventually(
            lambda: server.searches[-1][0] == ArchiveQuery() and view.searching is None, within=3
        )
        assert filters.tag_button.text() == "Any tag"
        assert not any(a.isChecked() for a in filters.tag_menu.actions())

    run(qloop, scenario())


async def _save_in_dialog(view: ArchivesView, path: Path) -> None:
    """What the operator does in the save dialog: a file name, then Save."""
    await eventually(lambda: view.exporter.dialog is not None and view.exporter.dialog.isVisible())
    dialog = view.exporter.dialog
    assert dialog is not None
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    assert dialog.selectedFiles()[0].endswith((".csv", ".txt", ".html"))  # a name is suggested
    dialog.setDirectory(str(path.parent))
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name is not None
    name.setText(path.name)
    dialog.accept()


def test_exports_ask_where_and_write_what_the_server_sent(
    qloop: asyncio.AbstractEventLoop, view: ArchivesView, server: FakeServer, tmp_path: Path
) -> None:
    csv = "\ufeffchat_id,visitor\r\nc1,抹茶\r\n".encode()
    server.exports["/archives/export"] = (csv, "text/csv; charset=utf-8")
    server.exports["/chats/c1/export"] = ("佐藤: はい\n".encode(), "text/plain; charset=utf-8")
    server.transcripts["c1"] = transcript_of("c1")

    async def scenario() -> None:
        view.show()
        await eventually(lambda: view.model.rowCount() == 3 and view.searching is None)
        view.field.setText("抹茶")
        await view.search_now()
        assert view.export_button.isEnabled()
        target = tmp_path / "results.csv"
        view.export_button.click()
        await _save_in_dialog(view, target)
        await eventually(lambda: target.exists() and not view.exporter.busy)
        assert target.read_bytes() == csv  # byte for byte, the BOM kept
        method, path, body = server.exported[-1]
        assert (method, path, body["q"]) == ("POST", "/archives/export", "抹茶")
        assert "cursor" not in body
        assert "limit" not in body
        status = _label(view, "archiveExportStatus")
        assert str(target) in status.text()

        # The opened chat as text.
        assert await view.open_row(0)  # type: ignore[misc]
        pane = view.pane
        assert pane.export_text.isVisible()
        chat_file = tmp_path / "chat.txt"
        exporting = asyncio.ensure_future(pane.export("text"))
        await _save_in_dialog(view, chat_file)
        assert await exporting == chat_file
        assert chat_file.read_text(encoding="utf-8") == "佐藤: はい\n"
        assert server.exported[-1][:2] == ("GET", "/chats/c1/export")
        assert server.export_params[-1]["format"] == "text"
        assert server.export_params[-1]["lang"] == "en"  # the app's language, for the file's labels
        assert server.export_params[-1]["tz"]  # this computer's zone, for its times

        # Cancelled: nothing asked of the server. Failed: said so, no file and no temporary file left.
        count = len(server.exported)
        exporting = asyncio.ensure_future(pane.export("html"))
        await eventually(lambda: view.exporter.dialog is not None)
        view.exporter.dialog.reject()  # type: ignore[union-attr]
        assert await exporting is None
        assert len(server.exported) == count
        server.failure = ApiError(ApiErrorKind.UNREACHABLE, "down")
        exporting = asyncio.ensure_future(pane.export("html"))
        await _save_in_dialog(view, tmp_path / "chat.html")
        assert await exporting is None
        assert "The export failed" in status.text()
        assert sorted(os.listdir(tmp_path)) == ["chat.txt", "results.csv"]

    run(qloop, scenario())


def test_a_file_is_replaced_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "chat.txt"
    target.write_text("old", encoding="utf-8")
    write_atomically(target, "新しい".encode())
    assert target.read_text(encoding="utf-8") == "新しい"

    def broken_replace(source: str, destination: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("operator_app.atomic_file.os.replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        write_atomically(target, b"never")
    assert target.read_text(encoding="utf-8") == "新しい"
    assert [p.name for p in tmp_path.iterdir()] == ["chat.txt"]

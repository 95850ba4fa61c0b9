"""The reports workspace on its own, fed by a stand-in service: figures, charts and tables of a report,
the breakdown only when asked, the empty and failed states, a refused range, and the CSV export with
formula-like cells neutralised. A PNG of it goes to $REPORTS_SCREENSHOT when set."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QDate

from chat_protocol.reports import (
    Durations,
    GreetingFigures,
    RatingComment,
    Report,
    ReportFigures,
    ReportRow,
)
from chat_protocol.rest import TeamSettings
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.store.report_table import ReportTableModel, Shown, csv_text, safe_cell
from operator_app.tasks import BackgroundTasks
from operator_app.ui.reports_view import ReportsView
from tests.widgets.fixtures import run

HOSTILE = '=HYPERLINK("http://evil.example","click") <b>bold</b>'


def sample(by: str | None = "agent") -> Report:
    figures = ReportFigures(
        chats=40,
        missed=4,
        first_response=Durations(count=30, median=42.0, p90=185.0),
        duration=Durations(count=40, median=610.0, p90=4000.0),
        good=12,
        bad=3,
        good_share=0.8,
        calls=5,
    )
    hours = [0] * 24
    for hour, count in ((9, 6), (10, 9), (11, 7), (14, 8), (15, 6), (20, 4)):
        hours[hour] = count
    rows = [
        ReportRow(key="a1", name="佐藤 健", **figures.model_dump() | {"chats": 25}),
        ReportRow(key="a2", name="Emma Wilson", **figures.model_dump() | {"chats": 11}),
        ReportRow(key=None, name="", **ReportFigures(chats=4, missed=4).model_dump()),
    ]
    return Report(
        since=date(2026, 11, 30),
        until=date(2026, 12, 6),
        time_zone="Asia/Tokyo",
        by=by,  # type: ignore[arg-type]
        totals=figures,
        by_hour=hours,
        by_weekday=[9, 7, 6, 8, 5, 3, 2],
        rows=rows if by else [],
        greetings=[
            GreetingFigures(rule_id="r1", name="商品ページで30秒", shown=120, accepted=6),
            GreetingFigures(rule_id="r2", name="", shown=10, accepted=0),
            GreetingFigures(manual=True, shown=14, accepted=3),
        ],
        comments=[
            RatingComment(
                chat_id="c1",
                rated_at=datetime(2026, 12, 6, 3, 0, tzinfo=UTC),
                rating="good",
                text="とても丁寧に説明していただきました。",
            ),
            RatingComment(
                chat_id="c2", rated_at=datetime(2026, 12, 5, 3, 0, tzinfo=UTC), rating="bad", text=HOSTILE
            ),
        ],
    )


class FakeAdmin:
    def __init__(self, answers: list[Any], zone: str = "UTC") -> None:
        self.answers = answers
        self.asked: list[tuple[date, date, str | None]] = []
        self.zone = zone

    async def team_settings(self) -> TeamSettings:
        return TeamSettings(time_zone=self.zone)

    async def report(self, since: date, until: date, by: str | None = None) -> Report:
        self.asked.append((since, until, by))
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        result: Report = answer
        return result


def make_view(qtbot: Any, answers: list[Any], zone: str = "UTC") -> tuple[ReportsView, FakeAdmin]:
    admin = FakeAdmin(answers, zone)
    session = SimpleNamespace(admin=admin, tasks=BackgroundTasks())
    view = ReportsView(session)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.resize(1280, 1500)
    return view, admin


def test_a_report_is_shown_in_figures_charts_and_tables(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
    view, admin = make_view(qtbot, [sample(by=None), sample(by="agent")])
    assert view.since.date() == QDate.currentDate().addDays(-6)
    assert view.until.date() == QDate.currentDate()
    assert run(qloop, view.reload())
    assert admin.asked[0][2] is None
    assert view.figures["chats"].text() == "40"
    assert view.figures["missed"].text() == "4"
    assert view.details["missed"].text() == "10.0% of chats"
    assert view.figures["first_response"].text() == "42 s"
    assert view.details["first_response"].text() == "90% within 3 min 05 s"
    assert view.figures["duration"].text() == "10 min 10 s"
    assert view.details["duration"].text() == "90% within 1 h 06 min"
    assert view.figures["good_share"].text() == "80.0%"
    assert view.details["good_share"].text() == "12 good, 3 bad"
    assert view.hour_chart.counts()[10] == 9
    assert view.weekday_chart.counts() == [9, 7, 6, 8, 5, 3, 2]
    assert view.hour_model.shown()[10] == ["10:00", "9"]
    assert view.weekday_model.shown()[0] == ["Monday", "9"]
    assert view.rows_table.isHidden()
    assert view.greetings_model.shown() == [
        ["商品ページで30秒", "120", "6", "5.0%"],
        ["(deleted rule)", "10", "0", "0.0%"],
        ["Manual invitations", "14", "3", "21.4%"],
    ]
    assert view.comments_model.shown()[1][1:] == ["Bad", HOSTILE]  # plain text, as written
    assert view.zone.text().endswith("Asia/Tokyo")
    assert view.empty.isHidden()

    view.by.setCurrentIndex(view.by.findData("agent"))
    assert run(qloop, view.reload())
    assert admin.asked[1][2] == "agent"
    assert not view.rows_table.isHidden()
    names = [row[0] for row in view.rows_model.shown()]
    assert names == ["佐藤 健", "Emma Wilson", "Not taken"]
    assert view.rows_model.shown()[0][3] == "42 s"


def test_table_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = ReportTableModel()
    model.set_table(["Name", "Chats", "Time"], [["a", 1, Shown(5.0, "5 s")], ["b", 2, Shown(-1, "–")]])
    qtmodeltester.check(model)


def test_empty_failed_and_refused(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
    empty = Report(since=date(2026, 1, 1), until=date(2026, 1, 7), time_zone="UTC")
    failure = ApiError(ApiErrorKind.UNREACHABLE, "down")
    view, admin = make_view(qtbot, [empty, failure])
    assert run(qloop, view.reload())
    assert not view.empty.isHidden()
    assert view.figures["first_response"].text() == "–"
    assert view.details["first_response"].text() == ""
    assert view.figures["good_share"].text() == "–"
    assert not run(qloop, view.reload())
    assert not view.error.isHidden()
    assert "could not be loaded" in view.error.text()
    assert view.refresh_button.isEnabled()
    # The first day after the last: refused here, the server is not asked.
    view.since.setDate(QDate(2026, 3, 2))
    view.until.setDate(QDate(2026, 3, 1))
    assert not run(qloop, view.reload())
    assert "after the last day" in view.error.text()
    assert len(admin.asked) == 2


def test_csv_export_neutralises_formulas(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path
) -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+81 3") == "'+81 3"
    assert safe_cell("-x") == "'-x"
    assert safe_cell("@SUM") == "'@SUM"
    assert safe_cell("plain") == "plain"
    view, _admin = make_view(qtbot, [sample()])
    assert not view.export_button.isEnabled()
    assert run(qloop, view.reload())
    assert view.export_button.isEnabled()
    path = tmp_path / "report.csv"
    assert view.export_to(str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    cells = [cell for row in rows for cell in row]
    assert "'" + HOSTILE in cells
    assert HOSTILE not in cells
    assert "佐藤 健" in cells
    assert ["Chats by hour of day"] in rows
    assert csv_text([]) == ""
    assert "Report saved" in view.message.text()
    assert not view.export_to(str(tmp_path / "missing" / "report.csv"))
    assert "not saved" in view.error.text()


def test_the_default_days_end_on_the_teams_today(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
    """Fourteen hours ahead of UTC or eleven behind, the team's today is another day than this
    computer's for part of every day; the view's first days are the team's."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        view, _admin = make_view(qtbot, [], zone)
        run(qloop, view.team_days())
        today = datetime.now(ZoneInfo(zone)).date()
        assert view.until.date().toPython() == today
        assert (today - view.since.date().toPython()).days == 6
    view, _admin = make_view(qtbot, [], "Mars/Olympus_Mons")  # unknown here: this computer's days stay
    run(qloop, view.team_days())
    assert view.until.date() == QDate.currentDate()

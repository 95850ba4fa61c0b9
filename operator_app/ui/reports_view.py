"""The reports workspace (supervisors and admins): figures over the closed chats of a range of days.

A date range (the last 7 days at first) and an optional breakdown by agent, group or site; headline
figures, chats by hour of day and by weekday (a chart and a table each), the breakdown, greetings
shown and accepted, and the latest rating comments (plain text: visitors wrote them). The tables export
to one CSV file. Days and hours are those of the team's time zone, which the server applies.

Objects: ``reportsView``, ``reportsSince``, ``reportsUntil``, ``reportsBy``, ``reportsRefresh``,
``reportsExport``, ``reportsZone``, ``reportsLoading``, ``reportsError``, ``reportsEmpty``,
``reportsMessage``, the cards ``reportsFigure_<name>`` and ``reportsDetail_<name>`` (chats, missed,
first_response, duration, good_share, calls; `reports_parts`), ``reportsHourChart``,
``reportsHourTable``, ``reportsWeekdayChart``, ``reportsWeekdayTable``, ``reportsRowsTable``,
``reportsGreetingsTable``, ``reportsComments``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.reports import MAX_REPORT_DAYS, Report, ReportBy, ReportFigures
from operator_app.store.chat_session import ChatSession
from operator_app.store.report_table import Cell, ReportTableModel, Table, csv_text
from operator_app.ui.async_tools import reports_errors
from operator_app.ui.error_text import describe_error
from operator_app.ui.reports_charts import BarChart
from operator_app.ui.reports_parts import FigureCards, fit_rows, table_view
from operator_app.ui.reports_text import ReportText


class ReportsView(QWidget):
    """Loads a report when first shown and when asked (`refresh`); `export_to(path)` writes the CSV."""

    def __init__(self, session: ChatSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsView")
        self.session = session
        self.text = ReportText(self)
        self.report: Report | None = None
        self.loading = False
        self._shown_once = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._build_controls()
        self._build_body()
        self._update_states()

    # --- building ----------------------------------------------------------------------------

    def _build_controls(self) -> None:
        today = QDate.currentDate()
        self.since = self._date_edit("reportsSince", today.addDays(-6))
        self.until = self._date_edit("reportsUntil", today)
        self.by = QComboBox(self)
        self.by.setObjectName("reportsBy")
        for item, value in (
            (self.tr("No breakdown"), None),
            (self.tr("Agent"), "agent"),
            (self.tr("Group"), "group"),
            (self.tr("Site"), "site"),
            (self.tr("Tag"), "tag"),
        ):
            self.by.addItem(item, value)
        self.refresh_button = QPushButton(self.tr("Sho&w"), self)
        self.refresh_button.setObjectName("reportsRefresh")
        self.refresh_button.setToolTip(self.tr("Load the report of these days"))
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton(self.tr("&Export CSV…"), self)
        self.export_button.setObjectName("reportsExport")
        self.export_button.setToolTip(self.tr("Save the tables of this report as a CSV file"))
        self.export_button.clicked.connect(self.choose_export_file)
        self.controls = QHBoxLayout()
        for text, buddy in (
            (self.tr("&From"), self.since),
            (self.tr("To"), self.until),
            (self.tr("&By"), self.by),
        ):
            label = QLabel(text, self)
            label.setBuddy(buddy)
            self.controls.addWidget(label)
            self.controls.addWidget(buddy)
        self.controls.addWidget(self.refresh_button)
        self.controls.addStretch(1)
        self.controls.addWidget(self.export_button)

    def _date_edit(self, name: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value, self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _note(self, name: str, colour: str = "#4b5563") -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {colour};")
        label.hide()
        return label

    def _heading(self, text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("font-weight: 600; margin-top: 8px;")
        return label

    def _build_body(self) -> None:
        self.zone = self._note("reportsZone")
        self.loading_label = self._note("reportsLoading")
        self.loading_label.setText(self.tr("Loading the report…"))
        self.error = self._note("reportsError", "#b91c1c")
        self.empty = self._note("reportsEmpty")
        self.empty.setText(self.tr("No closed chats in these days."))
        self.message = self._note("reportsMessage", "#166534")

        self.content = QWidget(self)
        self.content.setObjectName("reportsContent")
        body = QVBoxLayout(self.content)
        self.captions = {
            "chats": self.tr("Chats"),
            "missed": self.tr("Missed chats"),
            "first_response": self.tr("First response (median)"),
            "duration": self.tr("Chat duration (median)"),
            "good_share": self.tr("Rated good"),
            "calls": self.tr("Video calls"),
        }
        cards = FigureCards(self.captions, self.content)
        self.figures, self.details = cards.figures, cards.details
        body.addLayout(cards.row)
        self.hour_chart = BarChart("reportsHourChart", self.tr("Chats by hour of day"), self.content)
        self.hour_model = ReportTableModel(self)
        self.hour_table = table_view(
            "reportsHourTable", self.hour_model, self.content, sortable=False, stretch=1
        )
        self.weekday_chart = BarChart("reportsWeekdayChart", self.tr("Chats by weekday"), self.content)
        self.weekday_model = ReportTableModel(self)
        self.weekday_table = table_view(
            "reportsWeekdayTable", self.weekday_model, self.content, sortable=False, stretch=1
        )
        for chart, table in ((self.hour_chart, self.hour_table), (self.weekday_chart, self.weekday_table)):
            row = QHBoxLayout()
            chart.setFixedHeight(250)
            row.addWidget(chart, 3)
            table.setFixedWidth(220)
            table.setFixedHeight(250)
            row.addWidget(table, 0)
            body.addLayout(row)
        self.rows_heading = self._heading("", self.content)
        self.rows_model = ReportTableModel(self)
        self.rows_table = table_view("reportsRowsTable", self.rows_model, self.content, stretch=0)
        self.greetings_model = ReportTableModel(self)
        self.greetings_table = table_view(
            "reportsGreetingsTable", self.greetings_model, self.content, sortable=False, stretch=0
        )
        self.comments_model = ReportTableModel(self)
        self.comments = table_view(
            "reportsComments", self.comments_model, self.content, sortable=False, stretch=2
        )
        self.comments.setWordWrap(True)
        body.addWidget(self.rows_heading)
        body.addWidget(self.rows_table)
        body.addWidget(self._heading(self.tr("Greetings: shown and accepted"), self.content))
        body.addWidget(self.greetings_table)
        body.addWidget(self._heading(self.tr("Latest rating comments"), self.content))
        body.addWidget(self.comments)
        body.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setObjectName("reportsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.content)
        layout = QVBoxLayout(self)
        layout.addLayout(self.controls)
        for note in (self.zone, self.loading_label, self.error, self.empty, self.message):
            layout.addWidget(note)
        layout.addWidget(scroll, 1)

    # --- loading -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            task = self.session.tasks.spawn(self._first_load(), name="reports-view")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _first_load(self) -> None:
        await self.team_days()
        await self.reload()

    @reports_errors(on_error="keep_local_days")
    async def team_days(self) -> None:
        """The default days are the team's last seven, ending on its today in its time zone (the report
        counts the team's days; this computer's today may be a day behind or ahead)."""
        zone = ZoneInfo((await self.session.admin.team_settings()).time_zone)
        today = datetime.now(zone).date()
        self.until.setDate(QDate(today.year, today.month, today.day))
        self.since.setDate(QDate(today.year, today.month, today.day).addDays(-6))

    def keep_local_days(self, _error: BaseException) -> None:
        """The team's zone could not be read (or is unknown here): the days stay this computer's."""

    def refresh(self) -> None:
        task = self.session.tasks.spawn(self.reload(), name="reports-view")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def chosen_range(self) -> tuple[date, date] | None:
        """The dates picked, or None with the reason shown."""
        since, until = self.since.date().toPython(), self.until.date().toPython()
        assert isinstance(since, date)
        assert isinstance(until, date)
        if until < since:
            self._show_error(self.tr("The first day is after the last day."))
            return None
        if (until - since).days + 1 > MAX_REPORT_DAYS:
            self._show_error(self.tr("A report covers at most %1 days.").replace("%1", str(MAX_REPORT_DAYS)))
            return None
        return since, until

    async def reload(self) -> bool:
        """Load the report of the chosen days; False when refused or failed (the reason is shown)."""
        chosen = self.chosen_range()
        if chosen is None or self.loading:
            return False
        by: ReportBy | None = self.by.currentData()
        self.loading = True
        self.error.hide()
        self.message.hide()
        self._update_states()
        self.refresh_button.setEnabled(False)
        try:
            report = await self._load(chosen[0], chosen[1], by)
        finally:
            self.loading = False  # cancelled, the view may be gone: touch no widget here
        self.refresh_button.setEnabled(True)
        if report is not None:
            self.show_report(report)
        self._update_states()
        return report is not None

    @reports_errors(on_error="show_load_failure")
    async def _load(self, since: date, until: date, by: ReportBy | None) -> Report:
        return await self.session.admin.report(since, until, by)

    def show_load_failure(self, error: BaseException) -> None:
        self._show_error(self.tr("The report could not be loaded: %1").replace("%1", describe_error(error)))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _update_states(self) -> None:
        report = self.report
        self.loading_label.setVisible(self.loading)
        self.empty.setVisible(not self.loading and report is not None and report.totals.chats == 0)
        self.export_button.setEnabled(report is not None and not self.loading)

    # --- showing -----------------------------------------------------------------------------

    def show_report(self, report: Report) -> None:
        self.report = report
        t = self.text
        self.zone.setText(
            self.tr("%1 to %2 · days and hours in the team's time zone, %3")
            .replace("%1", t.day(report.since))
            .replace("%2", t.day(report.until))
            .replace("%3", report.time_zone)
        )
        self.zone.show()
        self._show_figures(report.totals)
        hours = [f"{hour:02d}" for hour in range(24)]
        self.hour_chart.set_counts(hours, report.by_hour)
        self._fill(
            self.hour_model,
            [self.tr("Hour"), self.tr("Chats")],
            [[f"{hour:02d}:00", count] for hour, count in enumerate(report.by_hour)],
        )
        self.weekday_chart.set_counts(t.short_weekdays(), report.by_weekday)
        self._fill(
            self.weekday_model,
            [self.tr("Weekday"), self.tr("Chats")],
            [[name, count] for name, count in zip(t.weekdays(), report.by_weekday, strict=True)],
        )
        self._fill(self.rows_model, *t.rows_table(report))
        self.rows_table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # the most chats first
        shown = report.by is not None
        self.rows_heading.setText(t.rows_title(report.by))
        self.rows_heading.setVisible(shown)
        self.rows_table.setVisible(shown)
        self._fill(self.greetings_model, *t.greetings_table(report))
        self._fill(self.comments_model, *t.comments_table(report))
        fit_rows(self.rows_table, 15)
        fit_rows(self.greetings_table, 10)
        fit_rows(self.comments, 12)

    def _show_figures(self, totals: ReportFigures) -> None:
        t = self.text
        values = {
            "chats": (t.number(totals.chats), ""),
            "missed": (t.number(totals.missed), t.of_chats(totals.missed, totals.chats)),
            "first_response": (t.duration(totals.first_response.median), t.p90(totals.first_response.p90)),
            "duration": (t.duration(totals.duration.median), t.p90(totals.duration.p90)),
            "good_share": (t.share(totals.good_share), t.ratings(totals.good, totals.bad)),
            "calls": (t.number(totals.calls), ""),
        }
        for name, (value, detail) in values.items():
            self.figures[name].setText(value)
            self.details[name].setText(detail)

    def _fill(self, model: ReportTableModel, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
        model.set_table(header, rows)

    # --- export ------------------------------------------------------------------------------

    def tables(self) -> list[Table]:
        """Every table of the report as shown, for the CSV file."""
        if self.report is None:
            return []
        figures = [
            [self.captions[name], label.text(), self.details[name].text()]
            for name, label in self.figures.items()
        ]
        tables = [
            Table(self.tr("Figures"), [self.tr("Figure"), self.tr("Value"), self.tr("Detail")], figures),
            self.hour_model.table(self.tr("Chats by hour of day")),
            self.weekday_model.table(self.tr("Chats by weekday")),
        ]
        if self.report.by is not None:
            tables.append(self.rows_model.table(self.text.rows_title(self.report.by)))
        tables.append(self.greetings_model.table(self.tr("Greetings: shown and accepted")))
        tables.append(self.comments_model.table(self.tr("Latest rating comments")))
        return tables

    def choose_export_file(self) -> None:
        """Ask where to save (a non-modal dialog), then write the CSV file there."""
        if self.report is None:
            return
        name = f"report-{self.report.since.isoformat()}-{self.report.until.isoformat()}.csv"
        dialog = QFileDialog(self, self.tr("Export the report"), str(Path.home() / name))
        dialog.setObjectName("reportsExportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("CSV files (*.csv)"))
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(self.export_to)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def export_to(self, path: str) -> bool:
        """Write the tables as CSV (UTF-8 with a byte order mark, which spreadsheets need for Japanese)."""
        try:
            Path(path).write_text(csv_text(self.tables()), encoding="utf-8-sig", newline="")
        except OSError as exc:
            self._show_error(self.tr("The report was not saved: %1").replace("%1", exc.strerror or str(exc)))
            return False
        self.message.setText(self.tr("Report saved to %1").replace("%1", path))
        self.message.show()
        return True

    async def stop(self) -> None:
        """End the loads under way (before the view goes)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

"""What the reports workspace writes: durations, shares, day names and its tables' rows, translated.

Visitor comments stay the plain text they are; names of agents, groups, sites and rules too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDateTime, QLocale, QObject, QTimeZone

from chat_protocol.reports import Durations, Report, ReportBy
from operator_app.store.report_table import Cell, Shown

DASH = "–"


class ReportText(QObject):
    """Formatting in the user's language (`tr` context ``ReportText``)."""

    # --- numbers -----------------------------------------------------------------------------

    def number(self, value: int) -> str:
        return QLocale().toString(value)

    def percent(self, share: float) -> str:
        locale = QLocale()
        return locale.toString(share * 100, "f", 1) + locale.percent()

    def of_chats(self, part: int, whole: int) -> str:
        """`12.5% of chats`; empty when there is no chat."""
        return self.tr("%1 of chats").replace("%1", self.percent(part / whole)) if whole else ""

    def share(self, share: float | None) -> str:
        return DASH if share is None else self.percent(share)

    def ratings(self, good: int, bad: int) -> str:
        """`12 good, 3 bad`."""
        return self.tr("%1 good, %2 bad").replace("%1", self.number(good)).replace("%2", self.number(bad))

    def p90(self, seconds: float | None) -> str:
        """The 90th percentile as a detail line."""
        return self.tr("90% within %1").replace("%1", self.duration(seconds)) if seconds is not None else ""

    def duration(self, seconds: float | None) -> str:
        """`45 s`, `2 min 05 s`, `1 h 03 min`; a dash when nothing was measured."""
        if seconds is None:
            return DASH
        whole = round(seconds)
        if whole < 60:
            return self.tr("%1 s").replace("%1", str(whole))
        if whole < 3600:
            return self.tr("%1 min %2 s").replace("%1", str(whole // 60)).replace("%2", f"{whole % 60:02d}")
        return (
            self.tr("%1 h %2 min")
            .replace("%1", str(whole // 3600))
            .replace("%2", f"{whole % 3600 // 60:02d}")
        )

    def day(self, day: date) -> str:
        return day.isoformat()

    # --- weekdays ----------------------------------------------------------------------------

    def weekdays(self) -> list[str]:
        return [
            self.tr("Monday"),
            self.tr("Tuesday"),
            self.tr("Wednesday"),
            self.tr("Thursday"),
            self.tr("Friday"),
            self.tr("Saturday"),
            self.tr("Sunday"),
        ]

    def short_weekdays(self) -> list[str]:
        return [
            self.tr("Mon"),
            self.tr("Tue"),
            self.tr("Wed"),
            self.tr("Thu"),
            self.tr("Fri"),
            self.tr("Sat"),
            self.tr("Sun"),
        ]

    # --- tables ------------------------------------------------------------------------------

    def rows_title(self, by: ReportBy | None) -> str:
        return {
            "agent": self.tr("By agent (the chat's last agent)"),
            "group": self.tr("By group"),
            "site": self.tr("By site"),
            "tag": self.tr("By tag (a chat counts under each of its tags)"),
            None: "",
        }[by]

    def _name(self, by: ReportBy, key: str | None, name: str) -> str:
        if key is None:
            missing = {
                "agent": self.tr("Not taken"),
                "group": self.tr("No group"),
                "site": self.tr("No site"),
                "tag": self.tr("No tag"),
            }
            return missing[by]
        return name or self.tr("(deleted)")

    def _seconds(self, durations: Durations, which: str) -> Cell:
        value = durations.median if which == "median" else durations.p90
        return Shown(-1.0 if value is None else value, self.duration(value))

    def rows_table(self, report: Report) -> tuple[list[str], list[list[Cell]]]:
        header = [
            {
                "agent": self.tr("Agent"),
                "group": self.tr("Group"),
                "site": self.tr("Site"),
                "tag": self.tr("Tag"),
                None: "",
            }[report.by],
            self.tr("Chats"),
            self.tr("Missed"),
            self.tr("First response, median"),
            self.tr("First response, 90%"),
            self.tr("Duration, median"),
            self.tr("Duration, 90%"),
            self.tr("Good"),
            self.tr("Bad"),
            self.tr("Rated good"),
            self.tr("Video calls"),
        ]
        if report.by is None:
            return header, []
        rows: list[list[Cell]] = []
        for row in report.rows:
            good_share: Cell = (
                Shown(row.good_share, self.percent(row.good_share))
                if row.good_share is not None
                else Shown(-1, DASH)
            )
            rows.append(
                [
                    self._name(report.by, row.key, row.name),
                    row.chats,
                    row.missed,
                    self._seconds(row.first_response, "median"),
                    self._seconds(row.first_response, "p90"),
                    self._seconds(row.duration, "median"),
                    self._seconds(row.duration, "p90"),
                    row.good,
                    row.bad,
                    good_share,
                    row.calls,
                ]
            )
        return header, rows

    def greetings_table(self, report: Report) -> tuple[list[str], list[list[Cell]]]:
        header = [self.tr("Greeting"), self.tr("Shown"), self.tr("Accepted"), self.tr("Acceptance rate")]
        rows: list[list[Cell]] = []
        for greeting in report.greetings:
            if greeting.manual:
                name = self.tr("Manual invitations")
            else:
                name = greeting.name or self.tr("(deleted rule)")
            rate = greeting.accepted / greeting.shown if greeting.shown else None
            rows.append(
                [
                    name,
                    greeting.shown,
                    greeting.accepted,
                    Shown(-1, DASH) if rate is None else Shown(rate, self.percent(rate)),
                ]
            )
        return header, rows

    def comments_table(self, report: Report) -> tuple[list[str], list[Sequence[Cell]]]:
        header = [self.tr("Rated at"), self.tr("Rating"), self.tr("Comment")]
        ratings = {"good": self.tr("Good"), "bad": self.tr("Bad"), None: ""}
        zone = QTimeZone(report.time_zone.encode())
        if not zone.isValid():  # a zone this computer does not know: UTC, as the server would
            zone = QTimeZone.utc()
        rows: list[Sequence[Cell]] = []
        for comment in report.comments:
            moment = QDateTime.fromSecsSinceEpoch(int(comment.rated_at.timestamp()), zone)
            when = moment.toString("yyyy-MM-dd HH:mm")
            rows.append([when, ratings[comment.rating], comment.text])
        return header, rows

"""Admin page: the team's time zone and business hours (used by greeting rules that run only while the
team is in). The time zone is the team's (`/settings/team`): reports count days and hours in it too.

Objects: ``adminHoursPage``, ``hoursTimeZone`` (the team's time zone: an editable list of IANA zone
names), per weekday
(``mon`` .. ``sun``) ``hoursOpen_<day>``, ``hoursFrom_<day>``, ``hoursTo_<day>``; ``hoursSave`` and
``hoursMessage``. A day whose opening time is not before its closing time is refused inline.
"""

from __future__ import annotations

import zoneinfo
from typing import Literal

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.rest import TeamSettings
from chat_protocol.traffic import BusinessHours
from operator_app.store.admin_service import AdminService
from operator_app.ui.admin.message_label import MessageLabel
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.refusal import refusal_text

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FORMAT = "HH:mm"


def zone_names() -> list[str]:
    """Every IANA zone this computer knows, sorted (the server checks the name again)."""
    return sorted(zoneinfo.available_timezones())


class _DayRow:
    def __init__(self, day: Day, label: str, parent: QWidget) -> None:
        self.day = day
        self.label = label
        self.open = QCheckBox(label, parent)
        self.open.setObjectName(f"hoursOpen_{day}")
        self.start = QTimeEdit(parent)
        self.start.setObjectName(f"hoursFrom_{day}")
        self.start.setDisplayFormat(_FORMAT)
        self.end = QTimeEdit(parent)
        self.end.setObjectName(f"hoursTo_{day}")
        self.end.setDisplayFormat(_FORMAT)
        self.open.toggled.connect(self.start.setEnabled)
        self.open.toggled.connect(self.end.setEnabled)

    def set(self, span: tuple[str, str] | None) -> None:
        self.open.setChecked(span is not None)
        start, end = span or ("09:00", "18:00")
        self.start.setTime(QTime.fromString(start, _FORMAT))
        self.end.setTime(QTime.fromString(end, _FORMAT))
        self.start.setEnabled(span is not None)
        self.end.setEnabled(span is not None)

    def span(self) -> tuple[str, str] | None:
        if not self.open.isChecked():
            return None
        return (self.start.time().toString(_FORMAT), self.end.time().toString(_FORMAT))


class BusinessHoursPage(AdminPage):
    """Time zone, then one row per weekday: open, from, to."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.setObjectName("adminHoursPage")
        self.loaded: BusinessHours | None = None

        self.zone = QComboBox(self)
        self.zone.setObjectName("hoursTimeZone")
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.addItems(zone_names())
        completer = self.zone.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        zone_label = QLabel(self.tr("Team &time zone"), self)
        zone_label.setBuddy(self.zone)
        zone_row = QHBoxLayout()
        zone_row.addWidget(zone_label)
        zone_row.addWidget(self.zone, 1)
        zone_row.addStretch(1)

        names = (
            self.tr("Monday"),
            self.tr("Tuesday"),
            self.tr("Wednesday"),
            self.tr("Thursday"),
            self.tr("Friday"),
            self.tr("Saturday"),
            self.tr("Sunday"),
        )
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("Open on"), self), 0, 0)
        grid.addWidget(QLabel(self.tr("From"), self), 0, 1)
        grid.addWidget(QLabel(self.tr("To"), self), 0, 2)
        self.days: dict[Day, _DayRow] = {}
        for row, (day, name) in enumerate(zip(DAYS, names, strict=True), start=1):
            line = _DayRow(day, name, self)
            self.days[day] = line
            grid.addWidget(line.open, row, 0)
            grid.addWidget(line.start, row, 1)
            grid.addWidget(line.end, row, 2)
        grid.setColumnStretch(3, 1)
        hint = QLabel(
            self.tr(
                "A day that is not ticked is closed. Times are in the team's time zone above, which reports"
                " also use for days, hours and weekdays."
            ),
            self,
        )
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #6b7280;")

        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setObjectName("hoursSave")
        self.save_button.clicked.connect(self.save)
        self.message = MessageLabel("hoursMessage", self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)

        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addLayout(zone_row)
        layout.addLayout(grid)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.addLayout(bottom)
        self.set_hours(BusinessHours())

    def title(self) -> str:
        return self.tr("Business hours")

    @reports_errors(on_error="show_failed")
    async def reload(self) -> None:
        self.show_loading()
        with disabled(self.save_button):
            team = await self.service.team_settings()
            hours = await self.service.business_hours()
        self.show_ready()
        self.set_hours(hours.model_copy(update={"time_zone": team.time_zone}))

    def set_hours(self, hours: BusinessHours) -> None:
        self.loaded = hours
        self.zone.setCurrentText(hours.time_zone or "UTC")
        for day, line in self.days.items():
            line.set(hours.days.get(day))

    def form_hours(self) -> BusinessHours | None:
        """The form as business hours, or None with the reason shown inline."""
        zone = self.zone.currentText().strip()
        if zone not in zoneinfo.available_timezones():
            self.message.error(
                self.tr("“%1” is not a known time zone. Choose one from the list.").replace("%1", zone)
            )
            self.zone.setFocus()
            return None
        days: dict[Day, tuple[str, str]] = {}
        for day, line in self.days.items():
            span = line.span()
            if span is None:
                continue
            if line.start.time() >= line.end.time():
                self.message.error(
                    self.tr("%1: the opening time must be before the closing time.").replace("%1", line.label)
                )
                line.start.setFocus()
                return None
            days[day] = span
        return BusinessHours(time_zone=zone, days=days)

    def show_refusal(self, error: BaseException) -> None:
        self.message.error(refusal_text(error))

    @async_slot()
    @reports_errors(on_error="show_refusal")
    async def save(self) -> bool:
        hours = self.form_hours()
        if hours is None:
            return False
        with disabled(self.save_button):
            zone = hours.time_zone or "UTC"
            if self.loaded is None or zone != self.loaded.time_zone:
                await self.service.save_team_settings(TeamSettings(time_zone=zone))
            saved = await self.service.save_business_hours(hours.model_copy(update={"time_zone": None}))
        self.set_hours(saved)
        self.message.notice(self.tr("Business hours saved."))
        self.changed.emit()
        return True

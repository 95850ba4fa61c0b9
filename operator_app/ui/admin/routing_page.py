"""Admin page: routing and timeouts (`RoutingSettings`), how long page views and closed chats are kept
(`TrafficSettings`, `RetentionSettings`), and the operator app's versions (`AppUpdateSettings`).

Objects: ``adminRoutingPage``, ``routingAutoAssign``, ``routingDefaultMaxChats``, ``routingReassignOn``
/ ``routingReassignAfter``, ``routingInactivityOn`` / ``routingInactivityAfter`` (minutes),
``routingWaitWarning``, ``routingWaitAlarm``, ``routingIdleAwayOn`` / ``routingIdleAwayAfter``
(minutes), ``routingQueueReminder``, ``routingRetentionDays``, ``routingChatRetentionOn`` /
``routingChatRetentionDays``, ``routingAppMinVersion``,
``routingAppLatestVersion``, ``routingAppDownloadUrl``, ``routingSave``, ``routingMessage``.
A switched-off checkbox means "off" (None) for that timeout.
"""

from __future__ import annotations

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.archive import RetentionSettings
from chat_protocol.rest import MAX_DOWNLOAD_URL, AppUpdateSettings, RoutingSettings
from chat_protocol.traffic import TrafficSettings
from operator_app.store.admin_service import AdminService
from operator_app.ui.admin.message_label import MessageLabel
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.refusal import refusal_text


def to_minutes(seconds: int) -> int:
    return max(1, round(seconds / 60))


def from_minutes(minutes: int, loaded: int | None) -> int:
    """Minutes back to seconds; an untouched value keeps the server's exact seconds."""
    if loaded is not None and to_minutes(loaded) == minutes:
        return loaded
    return minutes * 60


class RoutingPage(AdminPage):
    """Two groups: routing and queue, timeouts; then traffic history."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.setObjectName("adminRoutingPage")
        self.routing = RoutingSettings()
        self.traffic = TrafficSettings()
        self.app_updates = AppUpdateSettings()
        self.chat_retention = RetentionSettings()

        self.auto_assign = QCheckBox(self.tr("&Assign waiting chats to agents automatically"), self)
        self.auto_assign.setObjectName("routingAutoAssign")
        self.max_chats = self._spin("routingDefaultMaxChats", 1, 50, self.tr(" chats"))
        self.max_chats.setToolTip(self.tr("For agents without a limit of their own"))
        self.reassign_on = QCheckBox(self.tr("&Reassign an unanswered chat after"), self)
        self.reassign_on.setObjectName("routingReassignOn")
        self.reassign_after = self._spin("routingReassignAfter", 10, 3600, self.tr(" s"))
        self.reassign_on.toggled.connect(self.reassign_after.setEnabled)
        self.wait_warning = self._spin("routingWaitWarning", 5, 3600, self.tr(" s"))
        self.wait_alarm = self._spin("routingWaitAlarm", 5, 7200, self.tr(" s"))
        self.queue_reminder = self._spin("routingQueueReminder", 5, 3600, self.tr(" s"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self._section(self.tr("Routing and queue")))
        form.addRow(self.auto_assign)
        form.addRow(self.tr("Default chat &limit per agent"), self.max_chats)
        form.addRow(self.reassign_on, self.reassign_after)
        form.addRow(self.tr("Waiting time turns &orange after"), self.wait_warning)
        form.addRow(self.tr("Waiting time turns r&ed after"), self.wait_alarm)
        form.addRow(self.tr("Re&mind agents of waiting chats every"), self.queue_reminder)

        self.inactivity_on = QCheckBox(self.tr("&Close a chat when nobody wrote for"), self)
        self.inactivity_on.setObjectName("routingInactivityOn")
        self.inactivity_after = self._spin("routingInactivityAfter", 1, 1440, self.tr(" min"))
        self.inactivity_on.toggled.connect(self.inactivity_after.setEnabled)
        self.idle_on = QCheckBox(self.tr("Set an agent &away after idle for"), self)
        self.idle_on.setObjectName("routingIdleAwayOn")
        self.idle_after = self._spin("routingIdleAwayAfter", 1, 480, self.tr(" min"))
        self.idle_on.toggled.connect(self.idle_after.setEnabled)
        form.addRow(self._section(self.tr("Inactivity")))
        form.addRow(self.inactivity_on, self.inactivity_after)
        form.addRow(self.idle_on, self.idle_after)

        self.retention = self._spin("routingRetentionDays", 1, 3650, self.tr(" days"))
        form.addRow(self._section(self.tr("Visitor history")))
        form.addRow(self.tr("&Keep the pages visitors viewed for"), self.retention)
        self.chat_retention_on = QCheckBox(self.tr("&Delete closed chats after"), self)
        self.chat_retention_on.setObjectName("routingChatRetentionOn")
        self.chat_retention_on.setToolTip(
            self.tr(
                "Unticked: closed chats are kept. Ticked: older ones are deleted with their notes and tags."
            )
        )
        self.chat_retention_days = self._spin("routingChatRetentionDays", 1, 3650, self.tr(" days"))
        self.chat_retention_on.toggled.connect(self.chat_retention_days.setEnabled)
        form.addRow(self.chat_retention_on, self.chat_retention_days)

        self.min_version = self._line("routingAppMinVersion", 27, self.tr("e.g. 1.2"))
        self.latest_version = self._line("routingAppLatestVersion", 27, self.tr("e.g. 1.4.0"))
        self.download_url = self._line("routingAppDownloadUrl", MAX_DOWNLOAD_URL, "https://")
        self.download_url.setMinimumWidth(320)
        form.addRow(self._section(self.tr("Operator app versions")))
        form.addRow(self.tr("Older apps may not sign in &below"), self.min_version)
        form.addRow(self.tr("Apps show an update &available below"), self.latest_version)
        form.addRow(self.tr("Installers are &published at"), self.download_url)

        hint = QLabel(self.tr("Unticked timeouts are off."), self)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setStyleSheet("color: #6b7280;")
        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setObjectName("routingSave")
        self.save_button.clicked.connect(self.save)
        self.message = MessageLabel("routingMessage", self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)

        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.addLayout(bottom)
        self.set_values(self.routing, self.traffic)

    def _section(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("font-weight: bold; margin-top: 6px;")
        return label

    def _spin(self, name: str, low: int, high: int, suffix: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setObjectName(name)
        box.setRange(low, high)
        box.setSuffix(suffix)
        box.setAlignment(Qt.AlignmentFlag.AlignRight)
        box.setMinimumWidth(110)
        return box

    def _line(self, name: str, max_length: int, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setMaxLength(max_length)
        edit.setPlaceholderText(placeholder)
        return edit

    def title(self) -> str:
        return self.tr("Routing and timeouts")

    @reports_errors(on_error="show_failed")
    async def reload(self) -> None:
        self.show_loading()
        with disabled(self.save_button):
            routing = await self.service.routing()
            traffic = await self.service.traffic_settings()
            app_updates = await self.service.app_updates()
            self.chat_retention = await self.service.retention()
        self.show_ready()
        self.set_values(routing, traffic, app_updates)

    def set_values(
        self, routing: RoutingSettings, traffic: TrafficSettings, app_updates: AppUpdateSettings | None = None
    ) -> None:
        self.routing, self.traffic = routing, traffic
        self.app_updates = app_updates or self.app_updates
        self.min_version.setText(self.app_updates.app_min_version)
        self.latest_version.setText(self.app_updates.app_latest_version)
        self.download_url.setText(self.app_updates.app_download_url)
        self.auto_assign.setChecked(routing.auto_assign)
        self.max_chats.setValue(routing.default_max_chats)
        self.reassign_on.setChecked(routing.reassign_after is not None)
        self.reassign_after.setValue(routing.reassign_after or 120)
        self.reassign_after.setEnabled(routing.reassign_after is not None)
        self.wait_warning.setValue(routing.wait_warning)
        self.wait_alarm.setValue(routing.wait_alarm)
        self.queue_reminder.setValue(routing.queue_reminder_every)
        self.inactivity_on.setChecked(routing.inactivity_close_after is not None)
        self.inactivity_after.setValue(to_minutes(routing.inactivity_close_after or 1800))
        self.inactivity_after.setEnabled(routing.inactivity_close_after is not None)
        self.idle_on.setChecked(routing.idle_away_after is not None)
        self.idle_after.setValue(to_minutes(routing.idle_away_after or 600))
        self.idle_after.setEnabled(routing.idle_away_after is not None)
        self.retention.setValue(traffic.page_view_retention_days)
        days = self.chat_retention.closed_chat_days
        self.chat_retention_on.setChecked(days is not None)
        self.chat_retention_days.setValue(days or 365)
        self.chat_retention_days.setEnabled(days is not None)

    def form_app_updates(self) -> AppUpdateSettings | None:
        """The versions and link as settings, or None with the reason shown inline."""
        try:
            return AppUpdateSettings(
                app_min_version=self.min_version.text().strip(),
                app_latest_version=self.latest_version.text().strip(),
                app_download_url=self.download_url.text().strip(),
            )
        except ValidationError as exc:
            fields = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            if "app_download_url" in fields:
                self.message.error(self.tr("The download link must start with https:// or http://."))
                self.download_url.setFocus()
            elif fields:
                self.message.error(self.tr("Write versions as numbers with dots, such as 1.4 or 1.4.2."))
                self.min_version.setFocus()
            else:
                self.message.error(self.tr("The minimum version must not be above the latest version."))
                self.min_version.setFocus()
            return None

    def form_values(self) -> tuple[RoutingSettings, TrafficSettings] | None:
        """The form as settings, or None with the reason shown inline."""
        if self.wait_alarm.value() <= self.wait_warning.value():
            self.message.error(
                self.tr("Red must come later than orange: make the second waiting time longer.")
            )
            self.wait_alarm.setFocus()
            return None
        loaded = self.routing
        routing = RoutingSettings(
            auto_assign=self.auto_assign.isChecked(),
            default_max_chats=self.max_chats.value(),
            reassign_after=self.reassign_after.value() if self.reassign_on.isChecked() else None,
            inactivity_close_after=(
                from_minutes(self.inactivity_after.value(), loaded.inactivity_close_after)
                if self.inactivity_on.isChecked()
                else None
            ),
            wait_warning=self.wait_warning.value(),
            wait_alarm=self.wait_alarm.value(),
            idle_away_after=(
                from_minutes(self.idle_after.value(), loaded.idle_away_after)
                if self.idle_on.isChecked()
                else None
            ),
            queue_reminder_every=self.queue_reminder.value(),
        )
        return routing, TrafficSettings(page_view_retention_days=self.retention.value())

    def show_refusal(self, error: BaseException) -> None:
        self.message.error(refusal_text(error))

    @async_slot()
    @reports_errors(on_error="show_refusal")
    async def save(self) -> bool:
        values = self.form_values()
        app_updates = self.form_app_updates() if values is not None else None
        if values is None or app_updates is None:
            return False
        routing, traffic = values
        with disabled(self.save_button):
            if routing != self.routing:
                self.routing = await self.service.save_routing(routing)
            if traffic != self.traffic:
                self.traffic = await self.service.save_traffic_settings(traffic)
            if app_updates != self.app_updates:
                self.app_updates = await self.service.save_app_updates(app_updates)
            chat_retention = RetentionSettings(
                closed_chat_days=self.chat_retention_days.value()
                if self.chat_retention_on.isChecked()
                else None
            )
            if chat_retention != self.chat_retention:
                self.chat_retention = await self.service.save_retention(chat_retention)
        self.set_values(self.routing, self.traffic, self.app_updates)
        self.message.notice(self.tr("Settings saved."))
        self.changed.emit()
        return True

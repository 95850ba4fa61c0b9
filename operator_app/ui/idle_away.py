"""Away after idle: no keyboard or mouse input for a while sets the status to away (the backend then
offers no chats); the next input restores the status from before.

The while is the `idle_away_minutes` setting when it is above 0 (an admin policy or the user's
choice: it wins over the server), else the server's routing setting `idle_away_after`.

Object: ``awayNotice``, a status-bar label shown while the app set the operator away.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, SignalInstance
from PySide6.QtWidgets import QLabel, QStatusBar

from chat_protocol import RoutingStatus
from operator_app.settings import SettingsFile
from operator_app.store.chat_state import ChatStore
from operator_app.store.idle_monitor import IdleMonitor

NOTICE_QSS = "QLabel { background: #fef3c7; color: #78350f; border-radius: 8px; padding: 2px 10px; }"


class AwayWhenIdle(QObject):
    """Calls `change_status(status)` (it reports its own errors) when idle and when back."""

    def __init__(
        self,
        store: ChatStore,
        status_bar: QStatusBar,
        change_status: Callable[[RoutingStatus], None],
        parent: QObject | None = None,
        *,
        settings: SettingsFile | None = None,
        watch_from: SignalInstance | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.change_status = change_status
        self.status_before: RoutingStatus | None = None
        self.notice = QLabel(status_bar)
        self.notice.setObjectName("awayNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setStyleSheet(NOTICE_QSS)
        self.notice.setVisible(False)
        status_bar.addPermanentWidget(self.notice)
        self.monitor = IdleMonitor(self.idle_limit(), self, watch_from=watch_from)
        self.monitor.idle.connect(self._went_idle)
        self.monitor.active.connect(self._came_back)
        if settings is not None:
            settings.subscribe(self._setting_changed)

    def idle_limit(self) -> float | None:
        """Seconds without input before away; None: never."""
        minutes = self.settings.values.idle_away_minutes if self.settings is not None else 0
        return minutes * 60 if minutes > 0 else self.store.routing.idle_away_after

    def routing_changed(self) -> None:
        self.monitor.idle_after = self.idle_limit()

    def _setting_changed(self, name: str) -> None:
        if name == "idle_away_minutes":
            self.routing_changed()

    def stop(self) -> None:
        self.monitor.stop()
        if self.settings is not None:
            self.settings.unsubscribe(self._setting_changed)

    def _went_idle(self) -> None:
        status = self.store.status
        if status == RoutingStatus.AWAY:
            return
        self.status_before = status
        minutes = max(1, round((self.monitor.idle_after or 0) / 60))
        if minutes == 1:  # not %n: the translation check reads one text per message
            text = self.tr("You were set to away after 1 minute without activity")
        else:
            text = self.tr("You were set to away after %1 minutes without activity").replace(
                "%1", str(minutes)
            )
        self.notice.setText(text)
        self.notice.setVisible(True)
        self.change_status(RoutingStatus.AWAY)

    def _came_back(self) -> None:
        previous, self.status_before = self.status_before, None
        self.notice.setVisible(False)
        if previous is not None and self.store.status == RoutingStatus.AWAY:
            self.change_status(previous)

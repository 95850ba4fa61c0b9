"""The system tray icon (and the window icon): routing status colour, unread count, a count tooltip.

The application icon (compiled resources) with a dot in the routing status colour and a red unread
badge drawn over it with QPainter. Desktop notifications from `Notifier` appear as tray messages.
Where there is no system tray (offscreen, some desktops) only the window icon is kept up to date.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon

from chat_protocol import RoutingStatus
from operator_app.store.chat_state import ChatStore
from operator_app.store.store_signals import StoreSignals
from operator_app.ui.app_resources import app_icon
from operator_app.ui.notifications import Notifier

STATUS_COLOURS = {
    RoutingStatus.ACCEPTING: "#16a34a",
    RoutingStatus.AWAY: "#f59e0b",
    RoutingStatus.NOT_ACCEPTING: "#6b7280",
}


def draw_icon(status: RoutingStatus, unread: int, size: int = 64) -> QIcon:
    """The app icon with a status dot (bottom right) and a red unread badge (top right)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    app_icon().paint(painter, 0, 0, size, size)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("white"))
    painter.drawEllipse(QRectF(size * 0.6, size * 0.6, size * 0.4, size * 0.4))
    painter.setBrush(QColor(STATUS_COLOURS[status]))
    painter.drawEllipse(QRectF(size * 0.65, size * 0.65, size * 0.3, size * 0.3))
    if unread:
        label = str(unread) if unread < 100 else "99+"
        badge = QRectF(size * 0.46, 0, size * 0.54, size * 0.46)
        painter.setBrush(QColor("#dc2626"))
        painter.drawEllipse(badge)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(size * (0.3 if len(label) == 1 else 0.22)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
    painter.end()
    return QIcon(pixmap)


class TrayIcon(QObject):
    """Keeps `icon` and `tooltip` current; shows them in the tray when there is one."""

    def __init__(
        self, store: ChatStore, signals: StoreSignals, notifier: Notifier, window: QMainWindow
    ) -> None:
        super().__init__(window)
        self.store = store
        self.window = window
        self.tooltip = ""
        self.icon = QIcon()
        self._drawn: tuple[RoutingStatus, int] | None = None
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(self)
            self.tray.setObjectName("trayIcon")
            self.tray.activated.connect(self._activated)
        notifier.notified.connect(self.show_message)
        for signal in (signals.chat_changed, signals.store_reset, signals.status_changed):
            signal.connect(self.update)
        self.update()
        if self.tray is not None:
            self.tray.show()

    def counts(self) -> tuple[int, int, int]:
        """(my chats, unread messages in them, chats in the queue)."""
        mine = [chat for chat in self.store.chats.values() if self.store.is_mine(chat)]
        queued = sum(1 for chat in self.store.chats.values() if self.store.is_queued(chat))
        return len(mine), sum(chat.unread for chat in mine), queued

    def update(self, *args: object) -> None:
        mine, unread, queued = self.counts()
        status = self.store.status
        if self._drawn != (status, unread):
            self._drawn = (status, unread)
            self.icon = draw_icon(status, unread)
            self.window.setWindowIcon(self.icon)
            if self.tray is not None:
                self.tray.setIcon(self.icon)
        statuses = {
            RoutingStatus.ACCEPTING: self.tr("Accepting chats"),
            RoutingStatus.AWAY: self.tr("Away"),
            RoutingStatus.NOT_ACCEPTING: self.tr("Not accepting chats"),
        }
        self.tooltip = (
            self.tr("Live Chat Operator: %1").replace("%1", statuses[status])
            + "\n"
            + self.tr("%1 chats, %2 unread, %3 in the queue")
            .replace("%1", str(mine))
            .replace("%2", str(unread))
            .replace("%3", str(queued))
        )
        if self.tray is not None:
            self.tray.setToolTip(self.tooltip)

    def show_message(self, title: str, text: str) -> None:
        """`title` and `text` may hold visitor text: escaped, since Linux notification daemons
        interpret a subset of HTML in the body."""
        if self.tray is not None and self.tray.supportsMessages():
            self.tray.showMessage(html.escape(title), html.escape(text), self.icon, 8000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()

    def hide(self) -> None:
        if self.tray is not None:
            self.tray.hide()

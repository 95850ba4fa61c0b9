"""Always-visible state: my routing status (``statusSwitch``) and the link (``connectionState``), in
the main window's top bar (``topBar``) with the product and my name (``productLabel``, ``agentLabel``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QToolBar, QWidget

from chat_protocol import RoutingStatus


class StatusSwitch(QPushButton):
    """Shows the confirmed routing status; a click asks for the other one (``toggle_requested``)."""

    toggle_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusSwitch")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._status = RoutingStatus.NOT_ACCEPTING
        self.clicked.connect(self._clicked)
        self.set_status(RoutingStatus.NOT_ACCEPTING.value)

    @property
    def status(self) -> RoutingStatus:
        return self._status

    def set_status(self, status: str) -> None:
        self._status = RoutingStatus(status)
        if self._status == RoutingStatus.ACCEPTING:
            text = self.tr("Accepting chats")
            tip = self.tr("New chats are offered to you. Click to stop accepting.")
        elif self._status == RoutingStatus.AWAY:
            text = self.tr("Away")
            tip = self.tr("You were away, so no new chats are offered to you. Click to start accepting.")
        else:
            text = self.tr("Not accepting chats")
            tip = self.tr("No new chats are offered to you. Click to start accepting.")
        self.setText("\u25cf  " + text)
        self.setToolTip(tip)
        self.setProperty("status", self._status.value)
        self.style().unpolish(self)
        self.style().polish(self)

    def _clicked(self) -> None:
        other = (
            RoutingStatus.NOT_ACCEPTING
            if self._status == RoutingStatus.ACCEPTING
            else RoutingStatus.ACCEPTING
        )
        self.toggle_requested.emit(other.value)


class ConnectionIndicator(QLabel):
    """connected / connecting / reconnecting / offline, with a coloured dot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionState")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.state = ""
        self.set_state("connecting")

    def set_state(self, state: str) -> None:
        self.state = state
        texts = {
            "connected": self.tr("Connected"),
            "connecting": self.tr("Connecting\u2026"),
            "reconnecting": self.tr("Reconnecting\u2026"),
            "offline": self.tr("Offline"),
        }
        self.setText("\u25cf " + texts.get(state, state))
        tips = {
            "connected": self.tr("Connected to the server. Messages are delivered live."),
            "connecting": self.tr("Connecting to the server\u2026"),
            "reconnecting": self.tr(
                "The connection was lost. Reconnecting; replies are kept and sent later."
            ),
            "offline": self.tr("No connection to the server. Replies are kept and sent when it is back."),
        }
        self.setToolTip(tips.get(state, ""))
        self.setProperty("state", state)
        self.style().unpolish(self)
        self.style().polish(self)


class TopBar(QToolBar):
    """The fixed bar at the top of the main window."""

    def __init__(self, agent_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Status"))
        self.setObjectName("topBar")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setEnabled(False)
        product = QLabel(self.tr("Live Chat Operator"), self)
        product.setObjectName("productLabel")
        agent = QLabel(agent_name, self)
        agent.setObjectName("agentLabel")
        agent.setTextFormat(Qt.TextFormat.PlainText)
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.connection_state = ConnectionIndicator(self)
        self.status_switch = StatusSwitch(self)
        self.spacer_action = None
        for widget in (product, agent, spacer, self.connection_state, self.status_switch):
            action = self.addWidget(widget)
            if widget is spacer:
                self.spacer_action = action  # what goes beside the agent's name is inserted before it

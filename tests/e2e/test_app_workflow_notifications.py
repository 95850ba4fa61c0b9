"""The operator's workflow against the real backend: sounds, reminders, status circles, read
receipts, transfer and assignment sounds, and away after idle.

The app runs in-process (offscreen); visitors and a second agent speak the wire protocol. Sounds are
observed through `Notifier.played` (there is no audio device here).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from chat_protocol import RoutingStatus
from chat_protocol.rest import RoutingSettings
from operator_app.app import AppController
from operator_app.store.chat_list_model import ChatRole
from operator_app.store.transcript_model import EntryRole
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.waiting import until
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id
from tests.widgets.fixtures import run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ADMIN = ("admin@example.com", "Admin", "admin-password-1")


def set_routing(backend: BackendProcess, **values: Any) -> None:
    """PUT /api/v1/settings/routing as an admin."""
    backend.create_agent(ADMIN[0], ADMIN[1], ADMIN[2], role="admin")
    token = backend.login_tokens(ADMIN[0], ADMIN[2])["access_token"]
    body = RoutingSettings(**values).model_dump(mode="json")
    response = httpx.put(
        f"{backend.url}/api/v1/settings/routing", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()


async def open_app(backend: BackendProcess) -> tuple[AppController, MainWindow, list[str]]:
    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    played: list[str] = []
    window.notifier.played.connect(played.append)
    window.notifier.player = None  # nothing to hear on a test machine
    await until(lambda: window.connection_state.state == "connected", what="connected")
    QTest.mouseClick(window.status_switch, Qt.MouseButton.LeftButton)
    session = controller.session
    assert session is not None
    await until(lambda: session.store.status == RoutingStatus.ACCEPTING, what="accepting")
    window.activateWindow()
    await until(window.isActiveWindow, what="an active window")
    return controller, window, played


async def visitor_writes(backend: BackendProcess, text: str) -> tuple[WireClient, str]:
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": text})
    return visitor, str(sent["event"]["chat_id"])


def circle(window: MainWindow, chat_id: str) -> str:
    return str(window.my_chats.index(window.my_chats.row_of(chat_id), 0).data(ChatRole.CIRCLE))


def test_queue_reminders_circles_and_read_receipts(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess
) -> None:
    set_routing(backend, auto_assign=False, wait_warning=5, wait_alarm=7)

    async def scenario() -> None:
        controller, window, played = await open_app(backend)
        session = controller.session
        assert session is not None
        visitor: WireClient | None = None
        try:
            assert session.store.routing.wait_warning == 5  # the server's thresholds reach the app
            window.alerts.reminder_ms = 300
            visitor, chat_id = await visitor_writes(backend, "Is anyone there?")
            await until(lambda: "new_chat" in played, what="the new-chat sound")
            await until(lambda: played.count("queue_reminder") >= 2, what="repeated queue reminders")

            window.select_chat(chat_id)
            window.take_next()
            await until(lambda: window.my_chats.row_of(chat_id) >= 0, what="the chat taken")
            reminders = played.count("queue_reminder")
            await asyncio.sleep(1.0)
            assert played.count("queue_reminder") == reminders  # taken: no more reminders
            assert window.current_chat_id() == chat_id

            # A message in the chat I am reading makes no sound, and the circle starts counting.
            await visitor.ok("send_message", {"client_id": new_id(), "text": "I want to order tea"})
            await until(lambda: session.store.get(chat_id).last_text == "I want to order tea", what="message")
            assert circle(window, chat_id) == "normal"
            assert "new_message" not in played
            started = time.monotonic()
            await until(lambda: circle(window, chat_id) == "warning", within=10, what="an orange circle")
            warned = time.monotonic() - started
            await until(lambda: circle(window, chat_id) == "alarm", within=10, what="a red circle")
            alarmed = time.monotonic() - started
            assert 3.0 <= warned <= 7.0, warned  # wait_warning 5 s, ticks of 1 s, after the message
            assert 5.0 <= alarmed <= 9.5, alarmed

            # My reply: the circle is green again; the visitor reads it and the app shows "Seen".
            session.send_message(chat_id, "Which tea would you like?")
            await until(lambda: circle(window, chat_id) == "normal", what="a green circle")
            agent_read = await visitor.next_push("read")  # the app told the server I read the chat
            assert agent_read["payload"]["reader"] == "agent"
            chat = session.store.get(chat_id)
            assert chat is not None
            await visitor.send("mark_read", {"seq": chat.last_seq})
            model = window.transcript

            def reply_delivery() -> object:
                for row in range(model.rowCount()):
                    index = model.index(row, 0)
                    if index.data() == "Which tea would you like?":
                        return index.data(EntryRole.DELIVERY)
                return None

            await until(lambda: reply_delivery() == "seen", what="Seen")

            # The visitor switches tabs: grey; comes back: green.
            await visitor.send("activity", {"active": False})
            await until(lambda: circle(window, chat_id) == "away", what="a grey circle")
            await visitor.send("activity", {"active": True})
            await until(lambda: circle(window, chat_id) == "normal", what="a green circle again")
        finally:
            if visitor is not None:
                await visitor.close()
            await controller.shutdown()

    run(qloop, scenario(), timeout=120)


def test_sounds_for_assignment_transfer_and_other_chats(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess
) -> None:
    backend.create_agent("b@example.com", "Agent B", "password-b")

    async def scenario() -> None:
        controller, window, played = await open_app(backend)
        session = controller.session
        assert session is not None
        clients: list[WireClient] = []
        try:
            # Routed to me by the backend (auto-assignment is on by default).
            visitor, first = await visitor_writes(backend, "hello")
            clients.append(visitor)
            await until(lambda: window.my_chats.row_of(first) >= 0, what="the assigned chat")
            await until(lambda: "assigned" in played, what="the assignment sound")
            # A message in a chat I am not looking at makes a sound.
            window.select_chat(first)
            other_agent = await connect_agent(backend, "b@example.com", "password-b")
            clients.append(other_agent)
            await other_agent.ok("set_status", {"status": "accepting"})
            visitor2, second = await visitor_writes(backend, "second visitor")
            clients.append(visitor2)
            taken_by_b = await other_agent.next_event(kind="chat_state", state="taken", chat_id=second)
            assert taken_by_b["agent"]["name"] == "Agent B"  # the less loaded agent gets it
            agents = await http_get(backend, "/api/v1/agents", other_agent.token)  # type: ignore[attr-defined]
            my_id = session.store.agent_id
            assert any(a["agent_id"] == my_id for a in agents)
            await other_agent.ok(
                "transfer_chat", {"chat_id": second, "client_id": new_id(), "to_agent_id": my_id}
            )
            await until(lambda: "transfer" in played, what="the transfer sound")
            await until(lambda: window.my_chats.row_of(second) >= 0, what="the transferred chat")
            assert window.my_chats.row_of(second) > window.my_chats.row_of(first)  # appended

            before = played.count("new_message")
            await visitor2.ok("send_message", {"client_id": new_id(), "text": "still there?"})
            await until(lambda: played.count("new_message") == before + 1, what="the new-message sound")
            await visitor.ok("send_message", {"client_id": new_id(), "text": "in the chat I read"})
            await until(lambda: session.store.get(first).last_text == "in the chat I read", what="message")
            await asyncio.sleep(0.3)
            assert played.count("new_message") == before + 1

            # Ctrl+2 shows the second of my chats; the unread count is cleared.
            QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
            assert window.current_chat_id() == second
            assert session.store.get(second).unread == 0
        finally:
            for client in clients:
                await client.close()
            await controller.shutdown()

    run(qloop, scenario(), timeout=120)


def test_away_after_idle_and_back_on_input(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess
) -> None:
    async def scenario() -> None:
        controller, window, played = await open_app(backend)
        session = controller.session
        assert session is not None
        try:
            assert session.store.routing.idle_away_after == 600
            window.idle_monitor.idle_after = 0.5
            window.idle_monitor.input_seen()
            await until(lambda: session.store.status == RoutingStatus.AWAY, within=5, what="away")
            assert window.away_notice.isVisible()
            snapshot = await http_get(backend, "/api/v1/snapshot", backend.login_tokens()["access_token"])
            assert snapshot["me"]["status"] == "away"  # the server has it, so routes nothing to me
            window.idle_monitor.idle_after = 600
            QTest.mouseMove(window.chat_list.viewport())
            QTest.keyClick(window.chat_list, Qt.Key.Key_Down)
            await until(lambda: session.store.status == RoutingStatus.ACCEPTING, what="accepting again")
            assert not window.away_notice.isVisible()
        finally:
            await controller.shutdown()

    run(qloop, scenario(), timeout=60)

"""The main window driven like an operator would, against the real backend.

Visitors and colleagues are protocol-level clients of the same backend (`people`); tests that break
the link put a `FaultProxy` between the app's socket and the backend. One backend serves the module
(`module_backend`: no agent online and no chat queued when a test starts); the app signs in as an
agent of the test's own (`me`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListView, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from chat_protocol import RoutingStatus
from operator_app.app import AppController
from operator_app.store.chat_list_model import ChatRole
from operator_app.store.transcript_model import EntryRole
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.fault_proxy import FaultProxy
from tests.support.sharing import Account, admin_of, own_agent
from tests.support.wire import http_get
from tests.widgets.app_harness import People, eventually, run

# Offscreen Qt cannot resize windows to their layouts' size hints and says so; real platforms can.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def backend(module_backend: BackendProcess) -> BackendProcess:
    return module_backend


@pytest.fixture
def me(request: pytest.FixtureRequest, backend: BackendProcess) -> Account:
    """The app's agent: one of the test's own (on a backend of the test's own, the demo agent)."""
    return own_agent(request, backend, settled=True)


@pytest.fixture
def people(qloop: asyncio.AbstractEventLoop, backend: BackendProcess, me: Account) -> Iterator[People]:
    """Visitors and a colleague; automatic routing off (the next test starts with it on again)."""
    admin_of(backend).set_routing(auto_assign=False)
    crowd = People(backend, me)
    yield crowd
    run(qloop, crowd.close())


async def signed_in(
    controller: AppController, backend: BackendProcess, me: Account, url: str | None = None
) -> MainWindow:
    """Sign in as `me` to the backend (or to `url`, a proxy in front of it) and wait for the socket."""
    window = await controller.login(url or backend.url, me.email, me.password)
    await eventually(lambda: window.connection_state.state == "connected")
    return window


def transcript_texts(window: MainWindow) -> list[str]:
    model = window.transcript
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def last_delivery(window: MainWindow) -> str:
    return str(window.transcript.index(window.transcript.rowCount() - 1, 0).data(EntryRole.DELIVERY))


async def agent_replies(backend: BackendProcess, me: Account, chat_id: str) -> list[str]:
    """The agent messages of a chat as the server stored them (read by its agent, `me`)."""
    token = (await asyncio.to_thread(backend.login_tokens, me.email, me.password))["access_token"]
    page = await http_get(backend, f"/api/v1/chats/{chat_id}/events", token)
    return [e["text"] for e in page["events"] if e["kind"] == "message" and e["author"]["kind"] == "agent"]


def test_every_interactive_widget_has_its_object_name(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController, me: Account
) -> None:
    window = run(qloop, signed_in(controller, backend, me))
    expected = {
        "chatList": QListView,
        "queueList": QListView,
        "transcriptView": QListView,
        "sneakPeekLabel": QLabel,
        "composer": QPlainTextEdit,
        "statusSwitch": QPushButton,
        "connectionState": QLabel,
        "takeButton": QPushButton,
        "closeChatButton": QPushButton,
    }
    for name, kind in expected.items():
        assert isinstance(window.findChild(kind, name), kind), name


def test_the_window_opens_with_the_snapshot_and_says_so_in_the_log(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> MainWindow:
        await people.visitor_opens_chat("Hello?", name="佐藤")
        mine = await people.visitor_opens_chat("I need help with my order")
        await people.take_for_me(mine)
        with caplog.at_level(logging.INFO, logger="operator_app.startup"):
            return await signed_in(controller, backend, me)

    window = run(qloop, scenario())
    assert "main window shown with 2 chats loaded" in caplog.text
    assert window.isVisible()
    assert window.my_chats.rowCount() == 1
    assert window.queue.index(0, 0).data() == "佐藤"
    assert window.connection_state.text().endswith("Connected")
    assert window.chat_panel.stack.currentIndex() == 0  # "No chat selected"
    assert window.my_chats_header.text() == "My chats (1)"
    assert window.queue_header.text() == "Queue (1)"


def test_the_window_draws_its_first_frame_before_the_socket_and_the_requests_start(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
) -> None:
    """The socket's imports and the first requests (canned replies, the tickets' count) would hold the
    first frame back: they start once it is drawn, and then the socket connects as before. A reply
    written before then waits in the outbox and goes with the others."""
    order: list[str] = []

    async def scenario() -> list[str]:
        chat_id = await people.visitor_opens_chat("Is anyone there?")
        await people.take_for_me(chat_id)
        window = await controller.login(backend.url, me.email, me.password)
        session = controller.session
        assert session is not None
        assert session.delivery is None  # shown, not drawn yet: nothing has gone online
        session.send_message(chat_id, "Yes, hello!")
        window.first_painted.connect(lambda: order.append("painted"))
        session.signals.connection_state_changed.connect(order.append)
        await eventually(lambda: window.connection_state.state == "connected")
        await eventually(lambda: window.workspaces.tickets.open_count is not None)  # counted once connected
        for _ in range(100):  # the outbox delivers it once the socket is up
            if replies := await agent_replies(backend, me, chat_id):
                return replies
            await asyncio.sleep(0.1)
        return []

    assert run(qloop, scenario()) == ["Yes, hello!"]
    assert order[0] == "painted", order
    assert "connected" in order


def test_enter_sends_a_reply_that_shows_sending_then_sent_and_shift_enter_breaks_the_line(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    proxy: FaultProxy,
    people: People,
    controller: AppController,
    me: Account,
    qtbot: QtBot,
) -> None:
    reply = "Yes, we do.\nShipping takes 2 days."

    async def scenario() -> None:
        chat = await people.visitor_opens_chat("Do you ship to Osaka?")
        await people.take_for_me(chat)
        window = await signed_in(controller, backend, me, proxy.url)
        assert window.select_chat(chat)
        await eventually(lambda: "Do you ship to Osaka?" in transcript_texts(window))
        composer = window.chat_panel.composer
        assert composer.isEnabled()
        qtbot.keyClicks(composer, "Yes, we do.")
        qtbot.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(composer, "Shipping takes 2 days.")
        assert proxy.frames("send_message") == []
        # The request is lost on the way: the server never sees it and nothing answers.
        proxy.drop_next("send_message")
        qtbot.keyClick(composer, Qt.Key.Key_Return)
        assert composer.toPlainText() == ""
        last = window.transcript.index(window.transcript.rowCount() - 1, 0)
        assert last.data() == reply
        assert last.data(EntryRole.DELIVERY) == "sending"
        await eventually(lambda: len(proxy.frames("send_message")) == 1)
        assert last_delivery(window) == "sending"
        await proxy.close_all(1011)  # the unanswered request is sent again after the reconnect
        await eventually(lambda: len(proxy.frames("send_message")) == 2, within=20)
        await eventually(lambda: last_delivery(window) == "sent", within=20)
        sent = proxy.frames("send_message")
        assert sent[0]["payload"]["client_id"] == sent[1]["payload"]["client_id"]
        assert transcript_texts(window).count(reply) == 1
        assert await agent_replies(backend, me, chat) == [reply]
        visitor_saw = await people.visitors[chat].next_event(kind="message", text=reply)
        assert visitor_saw["author"]["kind"] == "agent"

    run(qloop, scenario())


def test_enter_on_the_queue_takes_the_chat_and_moves_focus_to_the_reply_box(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
    qtbot: QtBot,
) -> None:
    async def scenario() -> None:
        await people.visitor_opens_chat("first")
        second = await people.visitor_opens_chat("second")
        window = await signed_in(controller, backend, me)
        await window.session.set_status(RoutingStatus.ACCEPTING)
        window.activateWindow()
        assert window.queue.index(1, 0).data(ChatRole.CHAT_ID) == second
        window.queue_list.setCurrentIndex(window.queue.index(1, 0))
        assert window.chat_panel.chat_id == second
        assert not window.chat_panel.composer.isEnabled()
        qtbot.keyClick(window.queue_list, Qt.Key.Key_Return)
        await eventually(lambda: window.my_chats.row_of(second) == 0)
        await eventually(lambda: window.chat_list.currentIndex().data(ChatRole.CHAT_ID) == second)
        assert window.queue.rowCount() == 1
        assert window.chat_panel.composer.isEnabled()
        assert window.chat_panel.close_button.isVisible()

    run(qloop, scenario())


def test_the_take_button_takes_the_longest_waiting_chat(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
    qtbot: QtBot,
) -> None:
    async def scenario() -> None:
        older = await people.visitor_opens_chat("older")
        newer = await people.visitor_opens_chat("newer")
        window = await signed_in(controller, backend, me)
        await window.session.set_status(RoutingStatus.ACCEPTING)
        await eventually(lambda: window.take_button.isEnabled())
        qtbot.mouseClick(window.take_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: window.my_chats.row_of(older) == 0)
        assert window.queue.rowCount() == 1
        assert window.queue.index(0, 0).data(ChatRole.CHAT_ID) == newer
        window.take_action.trigger()  # Ctrl+T
        await eventually(lambda: window.my_chats.row_of(newer) >= 0)
        assert window.queue.rowCount() == 0
        assert not window.take_button.isEnabled()

    run(qloop, scenario())


def test_a_take_refused_by_the_server_is_explained(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
) -> None:
    async def scenario() -> None:
        await people.visitor_opens_chat("hi")
        window = await signed_in(controller, backend, me)
        assert window.status_switch.status.value == "not_accepting"
        window.take_next()  # not accepting chats yet: the server refuses
        await eventually(lambda: "not accepting" in window._error_label.text())
        assert window.my_chats.rowCount() == 0
        assert window.queue.rowCount() == 1

    run(qloop, scenario())


def test_a_chat_taken_by_a_colleague_leaves_the_queue(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
) -> None:
    async def scenario() -> None:
        chat = await people.visitor_opens_chat("hi")
        window = await signed_in(controller, backend, me)
        assert window.queue.rowCount() == 1
        await people.colleague_takes(chat)
        await eventually(lambda: window.queue.rowCount() == 0)
        assert window.my_chats.rowCount() == 0

    run(qloop, scenario())


def test_sneak_peek_shows_the_visitors_typing_as_plain_text(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
) -> None:
    async def scenario() -> None:
        chat = await people.visitor_opens_chat("hi")
        await people.take_for_me(chat)
        window = await signed_in(controller, backend, me)
        window.select_chat(chat)
        label = window.chat_panel.sneak_peek
        assert label.textFormat() == Qt.TextFormat.PlainText
        await people.visitor_types(chat, "<b>bold</b> <img src='http://evil.example/x.png'> I want")
        await eventually(lambda: "I want" in label.text())
        assert "<b>bold</b>" in label.peek_text
        await people.visitor_says(chat, "I want a refund")
        await eventually(lambda: label.text() == "")

    run(qloop, scenario())


def test_visitor_markup_reaches_the_transcript_as_text(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
) -> None:
    markup = "<a href='http://evil.example'>click</a> & <script>x</script>"

    async def scenario() -> None:
        await people.visitor_opens_chat(markup, name="<b>Mallory</b>")
        chat = await people.visitor_opens_chat(markup)
        await people.take_for_me(chat)
        window = await signed_in(controller, backend, me)
        window.select_chat(chat)
        await eventually(lambda: any("click" in t for t in transcript_texts(window)))
        assert markup in transcript_texts(window)
        title = window.chat_panel.title
        assert title.textFormat() == Qt.TextFormat.PlainText
        assert window.queue.rowCount() == 1
        tip = window.queue.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) or ""
        assert "<script>" not in tip
        assert "<b>Mallory</b>" not in tip

    run(qloop, scenario())


def test_the_status_switch_follows_the_server(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    controller: AppController,
    qtbot: QtBot,
    me: Account,
) -> None:
    async def scenario() -> None:
        window = await signed_in(controller, backend, me)
        switch = window.status_switch
        assert "Not accepting" in switch.text()
        qtbot.mouseClick(switch, Qt.MouseButton.LeftButton)
        await eventually(lambda: "Accepting" in switch.text() and "Not" not in switch.text())
        assert switch.isEnabled()
        token = (await asyncio.to_thread(backend.login_tokens, me.email, me.password))["access_token"]
        assert (await http_get(backend, "/api/v1/me", token))["status"] == "accepting"

    run(qloop, scenario())


@pytest.mark.own_backend
def test_connection_state_shows_reconnecting_then_connected_and_offline_replies_are_kept(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
) -> None:
    async def scenario() -> None:
        chat = await people.visitor_opens_chat("hi")
        await people.take_for_me(chat)
        await people.close()  # the helpers' sockets would not survive the restart either
        window = await signed_in(controller, backend, me)
        window.select_chat(chat)
        seen: list[str] = []
        controller.session.signals.connection_state_changed.connect(seen.append)  # type: ignore[union-attr]
        await asyncio.to_thread(backend.kill)
        await eventually(lambda: window.connection_state.state in ("reconnecting", "offline"))
        window.chat_panel.composer.setPlainText("written while offline")
        window.chat_panel.composer.submit()
        assert last_delivery(window) == "sending"
        await asyncio.to_thread(backend.start)
        await eventually(lambda: window.connection_state.state == "connected", within=30)
        await eventually(lambda: last_delivery(window) == "sent", within=20)
        assert await agent_replies(backend, me, chat) == ["written while offline"]
        assert seen[0] == "reconnecting"

    run(qloop, scenario())


def test_closing_a_chat_removes_it_from_my_chats(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
    qtbot: QtBot,
) -> None:
    async def scenario() -> None:
        chat = await people.visitor_opens_chat("thanks, bye")
        await people.take_for_me(chat)
        window = await signed_in(controller, backend, me)
        window.select_chat(chat)
        qtbot.mouseClick(window.chat_panel.close_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: window.my_chats.rowCount() == 0)
        assert window.chat_panel.subtitle.text() == "This chat is closed."
        assert not window.chat_panel.composer.isEnabled()
        await people.visitors[chat].next_event(kind="chat_state", state="closed")

    run(qloop, scenario())


def test_typing_is_sent_throttled(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    proxy: FaultProxy,
    people: People,
    controller: AppController,
    me: Account,
    qtbot: QtBot,
) -> None:
    async def scenario() -> None:
        chat = await people.visitor_opens_chat("hi")
        await people.take_for_me(chat)
        window = await signed_in(controller, backend, me, proxy.url)
        window.select_chat(chat)
        qtbot.keyClicks(window.chat_panel.composer, "a long answer being typed")
        visitor = people.visitors[chat]
        started = await visitor.next_push("typing")
        assert started["payload"]["typing"] is True
        # Many keystrokes, one `typing: true` frame (the next may go out only after a few seconds).
        assert [f["payload"] for f in proxy.frames("typing")] == [{"chat_id": chat, "typing": True}]
        qtbot.keyClick(window.chat_panel.composer, Qt.Key.Key_Return)
        stopped = await visitor.next_push("typing")
        assert stopped["payload"]["typing"] is False
        assert [f["payload"]["typing"] for f in proxy.frames("typing")] == [True, False]
        await eventually(lambda: last_delivery(window) == "sent")  # Enter sent the reply, too

    run(qloop, scenario())


def test_an_expired_session_goes_back_to_the_login_dialog(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController, me: Account
) -> None:
    async def scenario() -> None:
        window = await signed_in(controller, backend, me)
        token = await controller.session.auth.access_token()  # type: ignore[union-attr]
        # Revoking the session on the server closes its socket (4001) and refuses its refresh token.
        async with httpx.AsyncClient(base_url=backend.url) as http:
            response = await http.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 204
        await eventually(lambda: controller.login_dialog is not None)
        assert not shiboken6.isValid(window) or not window.isVisible()
        assert controller.main_window is None
        assert "session has expired" in controller.login_dialog.error_label.text()  # type: ignore[union-attr]

    run(qloop, scenario())


def test_selecting_a_chat_with_unread_messages_keeps_it_selected(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    people: People,
    controller: AppController,
    me: Account,
) -> None:
    async def scenario() -> None:
        first = await people.visitor_opens_chat("first")
        second = await people.visitor_opens_chat("second")
        await people.take_for_me(first)
        await people.take_for_me(second)
        window = await signed_in(controller, backend, me)
        assert window.my_chats.index(1, 0).data(ChatRole.CHAT_ID) == second
        window.select_chat(first)
        await people.visitor_says(second, "are you there?")
        await eventually(lambda: window.my_chats.index(1, 0).data(ChatRole.UNREAD) == 1)
        window.select_chat(second)
        assert window.chat_panel.chat_id == second
        assert [i.row() for i in window.chat_list.selectedIndexes()] == [1]
        assert window.my_chats.index(1, 0).data(ChatRole.UNREAD) == 0

    run(qloop, scenario())


# Workspaces and dialogs the first window does not show (module prefixes): built when first opened.
ON_DEMAND_MODULES = (
    "operator_app.ui.traffic_view",
    "operator_app.ui.supervision_view",
    "operator_app.ui.team_view",
    "operator_app.ui.archives_view",
    "operator_app.ui.archive_delegate",
    "operator_app.ui.archive_filters",
    "operator_app.ui.archive_transcript",
    "operator_app.store.archive_model",
    "operator_app.store.archives_service",
    "operator_app.ui.tickets_view",
    "operator_app.ui.ticket_thread",
    "operator_app.ui.ticket_composer",
    "operator_app.ui.ticket_dialogs",
    "operator_app.store.ticket_model",
    "operator_app.ui.admin",
    "operator_app.ui.settings_dialog",
    "operator_app.ui.canned_dialog",
    "operator_app.ui.offline_messages_dialog",
    "operator_app.ui.invite_dialog",
    "operator_app.ui.page_push_dialog",
    "operator_app.ui.transfer_dialog",
    "operator_app.ui.password_dialog",
    "operator_app.ui.past_chat_dialog",
    "operator_app.ui.video.video_widget",
    "operator_app.ui.image_viewer",
    "operator_app.store.admin_service",
    "operator_app.net.admin_api",
    "chat_protocol.admin",
)

# The wire models the main window needs to show: the sign-in, the snapshot's chats and the plain enums.
FIRST_WINDOW_PROTOCOL = {
    "chat_protocol",
    "chat_protocol.attachments",
    "chat_protocol.base",
    "chat_protocol.bounds",
    "chat_protocol.enums",
    "chat_protocol.models",
    "chat_protocol.rest",
    "chat_protocol.training",
    "chat_protocol.versions",
}

_ON_DEMAND_AT_START = """
import asyncio, json, os, sys
import qasync
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
app = QApplication([])
from operator_app.app import AppController
from operator_app.settings import SettingsFile

PREFIXES = json.loads(os.environ["T_MODULES"])

def loaded():
    return sorted(m for m in sys.modules if any(m == p or m.startswith(p + ".") for p in PREFIXES))

async def main():
    controller = AppController(settings=SettingsFile())
    window = await controller.login(os.environ["T_URL"], os.environ["T_EMAIL"], os.environ["T_PASSWORD"])
    at_window = sorted(m for m in sys.modules if m.split(".")[0] == "chat_protocol")
    window.show()
    await asyncio.sleep(0.5)
    at_start = loaded()
    workspaces = window.workspaces
    workspaces.show_traffic()
    workspaces.show_supervision()
    workspaces.show_team()
    workspaces.show_archives()
    workspaces.tickets.show()
    workspaces.show_chats()
    window.open_settings()
    window.open_admin()
    window.open_password_dialog()
    after_opening = loaded()
    shown = window.objectName()
    await controller.shutdown()
    print(json.dumps({"at_start": at_start, "after_opening": after_opening, "shown": shown, "at_window": at_window}))

qasync.run(main())
"""


def test_workspaces_and_dialogs_are_imported_when_first_opened(
    backend: BackendProcess, tmp_path: Path
) -> None:
    """An admin's window shows without importing the views and dialogs it does not show yet."""
    ada = admin_of(backend).new_agent("Ada Admin", role="admin", settled=True)
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        OPERATOR_APP_HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        T_URL=backend.url,
        T_EMAIL=ada.email,
        T_PASSWORD=ada.password,
        T_MODULES=json.dumps(ON_DEMAND_MODULES),
    )
    done = subprocess.run(
        [sys.executable, "-c", _ON_DEMAND_AT_START],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["shown"] == "mainWindow"
    assert result["at_start"] == []
    # When the window shows, only the models of what it shows are imported: those of the socket, the
    # visitors, tickets, calls, supervision and the rest come after it (the socket connects then).
    assert set(result["at_window"]) <= FIRST_WINDOW_PROTOCOL, result["at_window"]
    opened = {p for p in ON_DEMAND_MODULES if any(m.startswith(p) for m in result["after_opening"])}
    # The chat's dialogs, invitations, past chats and the call pane open from a chat or a visitor.
    assert opened == {
        "operator_app.ui.traffic_view",
        "operator_app.ui.supervision_view",
        "operator_app.ui.team_view",
        "operator_app.ui.archives_view",
        "operator_app.ui.archive_delegate",
        "operator_app.ui.archive_filters",
        "operator_app.ui.archive_transcript",
        "operator_app.store.archive_model",
        "operator_app.store.archives_service",
        "operator_app.ui.tickets_view",
        "operator_app.ui.ticket_thread",
        "operator_app.ui.ticket_composer",
        "operator_app.ui.ticket_dialogs",
        "operator_app.store.ticket_model",
        "operator_app.ui.admin",
        "operator_app.ui.settings_dialog",
        "operator_app.ui.password_dialog",
        "operator_app.store.admin_service",
        "operator_app.net.admin_api",
        "chat_protocol.admin",
    }

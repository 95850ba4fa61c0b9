"""The main window driven like an operator would, against the fake server."""

from __future__ import annotations

import asyncio
import logging

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListView, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from operator_app.app import AppController
from operator_app.store.chat_list_model import ChatRole
from operator_app.store.transcript_model import EntryRole
from operator_app.ui.main_window import MainWindow
from tests.widgets.app_harness import run
from tests.widgets.fake_chat_server import FakeChatServer, eventually

# Offscreen Qt cannot resize windows to their layouts' size hints and says so; real platforms can.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


async def signed_in(controller: AppController, server: FakeChatServer) -> MainWindow:
    window = await controller.login(server.url, server.email, server.password)
    await eventually(lambda: window.connection_state.state == "connected")
    return window


def transcript_texts(window: MainWindow) -> list[str]:
    model = window.transcript
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_every_interactive_widget_has_its_object_name(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController
) -> None:
    window = run(qloop, signed_in(controller, server))
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
    server: FakeChatServer,
    controller: AppController,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> MainWindow:
        queued = await server.visitor_opens_chat("Hello?", name="佐藤")
        mine = await server.visitor_opens_chat("I need help with my order")
        await server.take_for_me(mine)
        del queued
        with caplog.at_level(logging.INFO, logger="operator_app.startup"):
            return await signed_in(controller, server)

    window = run(qloop, scenario())
    assert "main window shown with 2 chats loaded" in caplog.text
    assert window.isVisible()
    assert window.my_chats.rowCount() == 1
    assert window.queue.index(0, 0).data() == "佐藤"
    assert window.connection_state.text().endswith("Connected")
    assert window.chat_panel.stack.currentIndex() == 0  # "No chat selected"
    assert window.my_chats_header.text() == "My chats (1)"
    assert window.queue_header.text() == "Queue (1)"


def test_enter_sends_a_reply_that_shows_sending_then_sent_and_shift_enter_breaks_the_line(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        chat = await server.visitor_opens_chat("Do you ship to Osaka?")
        await server.take_for_me(chat)
        window = await signed_in(controller, server)
        assert window.select_chat(chat)
        await eventually(lambda: "Do you ship to Osaka?" in transcript_texts(window))
        composer = window.chat_panel.composer
        assert composer.isEnabled()
        qtbot.keyClicks(composer, "Yes, we do.")
        qtbot.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(composer, "Shipping takes 2 days.")
        assert server.frames("send_message") == []
        server.answer_frames = False
        qtbot.keyClick(composer, Qt.Key.Key_Return)
        assert composer.toPlainText() == ""
        last = window.transcript.index(window.transcript.rowCount() - 1, 0)
        assert last.data() == "Yes, we do.\nShipping takes 2 days."
        assert last.data(EntryRole.DELIVERY) == "sending"
        server.answer_frames = True
        await server.close_sockets(1011)  # the unanswered request is sent again after the reconnect
        await eventually(
            lambda: (
                window.transcript.index(window.transcript.rowCount() - 1, 0).data(EntryRole.DELIVERY)
                == "sent"
            )
        )
        texts = [getattr(e, "text", None) for e in server.events]
        assert texts.count("Yes, we do.\nShipping takes 2 days.") == 1

    run(qloop, scenario())


def test_enter_on_the_queue_takes_the_chat_and_moves_focus_to_the_reply_box(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController, qtbot: QtBot
) -> None:
    server.status = "accepting"

    async def scenario() -> None:
        await server.visitor_opens_chat("first", waited=60)
        second = await server.visitor_opens_chat("second")
        window = await signed_in(controller, server)
        window.activateWindow()
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
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController, qtbot: QtBot
) -> None:
    server.status = "accepting"

    async def scenario() -> None:
        newer = await server.visitor_opens_chat("newer", waited=5)
        older = await server.visitor_opens_chat("older", waited=300)
        window = await signed_in(controller, server)
        assert window.take_button.isEnabled()
        qtbot.mouseClick(window.take_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: window.my_chats.row_of(older) == 0)
        window.take_action.trigger()  # Ctrl+T
        await eventually(lambda: window.my_chats.row_of(newer) >= 0)
        assert window.queue.rowCount() == 0
        assert not window.take_button.isEnabled()

    run(qloop, scenario())


def test_a_take_refused_by_the_server_is_explained(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController
) -> None:
    async def scenario() -> None:
        await server.visitor_opens_chat("hi")
        window = await signed_in(controller, server)
        window.take_next()  # not accepting chats yet
        await eventually(lambda: "not accepting" in window._error_label.text())
        assert window.my_chats.rowCount() == 0

    run(qloop, scenario())


def test_a_chat_taken_by_a_colleague_leaves_the_queue(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController
) -> None:
    async def scenario() -> None:
        chat = await server.visitor_opens_chat("hi")
        window = await signed_in(controller, server)
        assert window.queue.rowCount() == 1
        await server.colleague_takes(chat)
        await eventually(lambda: window.queue.rowCount() == 0)
        assert window.my_chats.rowCount() == 0

    run(qloop, scenario())


def test_sneak_peek_shows_the_visitors_typing_as_plain_text(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController
) -> None:
    async def scenario() -> None:
        chat = await server.visitor_opens_chat("hi")
        await server.take_for_me(chat)
        window = await signed_in(controller, server)
        window.select_chat(chat)
        label = window.chat_panel.sneak_peek
        assert label.textFormat() == Qt.TextFormat.PlainText
        await server.visitor_types(chat, "<b>bold</b> <img src='http://evil.example/x.png'> I want")
        await eventually(lambda: "I want" in label.text())
        assert "<b>bold</b>" in label.peek_text
        await server.visitor_says(chat, "I want a refund")
        await eventually(lambda: label.text() == "")

    run(qloop, scenario())


def test_visitor_markup_reaches_the_transcript_as_text(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController
) -> None:
    async def scenario() -> None:
        chat = await server.visitor_opens_chat("<a href='http://evil.example'>click</a> & <script>x</script>")
        await server.take_for_me(chat)
        window = await signed_in(controller, server)
        window.select_chat(chat)
        await eventually(lambda: any("click" in t for t in transcript_texts(window)))
        assert "<a href='http://evil.example'>click</a> & <script>x</script>" in transcript_texts(window)
        title = window.chat_panel.title
        assert title.textFormat() == Qt.TextFormat.PlainText
        tip = window.queue.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) if window.queue.rowCount() else ""
        assert "<script>" not in tip

    run(qloop, scenario())


def test_the_status_switch_follows_the_server(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        window = await signed_in(controller, server)
        switch = window.status_switch
        assert "Not accepting" in switch.text()
        qtbot.mouseClick(switch, Qt.MouseButton.LeftButton)
        await eventually(lambda: server.status == "accepting" and "Accepting" in switch.text())
        assert switch.isEnabled()

    run(qloop, scenario())


def test_connection_state_shows_reconnecting_then_connected_and_offline_replies_are_kept(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController
) -> None:
    async def scenario() -> None:
        chat = await server.visitor_opens_chat("hi")
        await server.take_for_me(chat)
        window = await signed_in(controller, server)
        window.select_chat(chat)
        seen: list[str] = []
        controller.session.signals.connection_state_changed.connect(seen.append)  # type: ignore[union-attr]
        await server.stop()
        await eventually(lambda: window.connection_state.state in ("reconnecting", "offline"))
        window.chat_panel.composer.setPlainText("written while offline")
        window.chat_panel.composer.submit()
        await asyncio.sleep(0.2)
        await server.start()
        await eventually(lambda: window.connection_state.state == "connected")
        await eventually(
            lambda: any(getattr(e, "text", "") == "written while offline" for e in server.events)
        )
        assert seen[0] == "reconnecting"

    run(qloop, scenario())


def test_closing_a_chat_removes_it_from_my_chats(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        chat = await server.visitor_opens_chat("thanks, bye")
        await server.take_for_me(chat)
        window = await signed_in(controller, server)
        window.select_chat(chat)
        qtbot.mouseClick(window.chat_panel.close_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: window.my_chats.rowCount() == 0)
        assert window.chat_panel.subtitle.text() == "This chat is closed."
        assert not window.chat_panel.composer.isEnabled()

    run(qloop, scenario())


def test_typing_is_sent_throttled(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        chat = await server.visitor_opens_chat("hi")
        await server.take_for_me(chat)
        window = await signed_in(controller, server)
        window.select_chat(chat)
        qtbot.keyClicks(window.chat_panel.composer, "a long answer being typed")
        await eventually(lambda: len(server.frames("typing")) >= 1)
        await asyncio.sleep(0.1)
        assert [f["payload"] for f in server.frames("typing")] == [{"chat_id": chat, "typing": True}]
        qtbot.keyClick(window.chat_panel.composer, Qt.Key.Key_Return)
        await eventually(lambda: server.frames("typing")[-1]["payload"]["typing"] is False)

    run(qloop, scenario())


def test_an_expired_session_goes_back_to_the_login_dialog(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController
) -> None:
    async def scenario() -> None:
        window = await signed_in(controller, server)
        server.access_tokens.clear()
        server.refresh_tokens.clear()
        await server.close_sockets(4001, "logged out")
        await eventually(lambda: controller.login_dialog is not None)
        assert not shiboken6.isValid(window) or not window.isVisible()
        assert controller.main_window is None
        assert "session has expired" in controller.login_dialog.error_label.text()  # type: ignore[union-attr]

    run(qloop, scenario())


def test_selecting_a_chat_with_unread_messages_keeps_it_selected(
    qloop: asyncio.AbstractEventLoop, server: FakeChatServer, controller: AppController
) -> None:
    async def scenario() -> None:
        first = await server.visitor_opens_chat("first", waited=10)
        second = await server.visitor_opens_chat("second")
        await server.take_for_me(first)
        await server.take_for_me(second)
        window = await signed_in(controller, server)
        window.select_chat(first)
        await server.visitor_says(second, "are you there?")
        await eventually(lambda: window.my_chats.index(1, 0).data(ChatRole.UNREAD) == 1)
        window.select_chat(second)
        assert window.chat_panel.chat_id == second
        assert [i.row() for i in window.chat_list.selectedIndexes()] == [1]
        assert window.my_chats.index(1, 0).data(ChatRole.UNREAD) == 0

    run(qloop, scenario())

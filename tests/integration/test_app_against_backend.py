"""The real operator app (controller, store, widgets) against the real backend process.

One backend serves the module (`module_backend`: no agent online, no chat queued and the default
routing settings when a test starts); the app signs in as an agent of the test's own (`me`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from operator_app.app import AppController
from operator_app.store.chat_list_model import ChatRole
from operator_app.store.transcript_model import EntryRole
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.sharing import Account, admin_of, own_agent
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id
from tests.widgets.fixtures import app_home, eventually, memory_keyring, qloop, run  # noqa: F401  (fixtures)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def backend(module_backend: BackendProcess) -> BackendProcess:
    return module_backend


@pytest.fixture
def me(request: pytest.FixtureRequest, backend: BackendProcess) -> Account:
    """The app's agent: one of the test's own (on a backend of the test's own, the demo agent)."""
    return own_agent(request, backend, settled=True)


@pytest.fixture
def controller(qloop: asyncio.AbstractEventLoop) -> Iterator[AppController]:  # noqa: F811
    app = AppController(realtime_options={"backoff": lambda attempt: 0.2})
    yield app
    run(qloop, app.shutdown())


async def signed_in(controller: AppController, backend: BackendProcess, me: Account) -> MainWindow:
    window = await controller.login(backend.url, me.email, me.password)
    await eventually(lambda: window.connection_state.state == "connected", within=10)
    return window


async def chat_of_mine(agent: WireClient, visitor: WireClient, text: str, name: str | None = None) -> str:
    """A visitor writes while the agent accepts chats; the chat ends up the agent's, whether the
    server routes it automatically or the agent takes it from the queue."""
    await agent.ok("set_status", {"status": "accepting"})
    payload: dict[str, str] = {"client_id": new_id(), "text": text}
    if name:
        payload["name"] = name
    chat_id: str = (await visitor.ok("send_message", payload))["event"]["chat_id"]
    taken = await agent.request("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    assert taken["type"] == "res" or taken["payload"]["code"] == "chat_already_taken", taken
    await agent.ok("set_status", {"status": "not_accepting"})
    return chat_id


def texts(window: MainWindow) -> list[str]:
    return [window.transcript.index(r, 0).data() for r in range(window.transcript.rowCount())]


def test_sign_in_loads_my_chats_and_the_queue(
    qloop: asyncio.AbstractEventLoop,  # noqa: F811
    backend: BackendProcess,
    controller: AppController,
    me: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> MainWindow:
        agent = await connect_agent(backend, me.email, me.password)
        mine, _ = await connect_visitor(backend)
        await chat_of_mine(agent, mine, "注文について", name="山田")
        waiting, _ = await connect_visitor(backend)
        await waiting.ok("send_message", {"client_id": new_id(), "text": "hello?"})
        for client in (agent, mine, waiting):
            await client.close()
        with caplog.at_level(logging.INFO, logger="operator_app.startup"):
            return await signed_in(controller, backend, me)

    window = run(qloop, scenario())
    assert "main window shown with 2 chats loaded" in caplog.text
    assert window.my_chats.index(0, 0).data() == "山田"
    assert window.queue.index(0, 0).data().startswith("Visitor #")
    assert window.status_switch.status.value == "not_accepting"


def test_take_reply_and_close_reach_the_visitor(
    qloop: asyncio.AbstractEventLoop,  # noqa: F811
    backend: BackendProcess,
    controller: AppController,
    me: Account,
    qtbot: QtBot,
) -> None:
    admin_of(backend).set_routing(auto_assign=False)  # this operator takes the chat by hand

    async def scenario() -> None:
        window = await signed_in(controller, backend, me)
        visitor, _ = await connect_visitor(backend)
        await visitor.ok(
            "send_message", {"client_id": new_id(), "text": "Do you ship to Osaka?", "name": "Ken"}
        )
        await eventually(lambda: window.queue.rowCount() == 1)
        qtbot.mouseClick(window.status_switch, Qt.MouseButton.LeftButton)
        await eventually(lambda: window.status_switch.status.value == "accepting")
        window.queue_list.setCurrentIndex(window.queue.index(0, 0))
        qtbot.keyClick(window.queue_list, Qt.Key.Key_Return)
        await eventually(lambda: window.my_chats.rowCount() == 1)
        window.select_chat(window.my_chats.index(0, 0).data(ChatRole.CHAT_ID))
        await eventually(lambda: window.chat_panel.composer.isEnabled())
        await visitor.next_event(kind="chat_state", state="taken")

        await visitor.send("sneak_peek", {"text": "and to Kyoto"})
        await eventually(lambda: "and to Kyoto" in window.chat_panel.sneak_peek.text())

        qtbot.keyClicks(window.chat_panel.composer, "Yes, we ship everywhere in Japan.")
        qtbot.keyClick(window.chat_panel.composer, Qt.Key.Key_Return)
        reply = await visitor.next_event(kind="message")
        assert reply["text"] == "Yes, we ship everywhere in Japan."
        await eventually(
            lambda: (
                window.transcript.index(window.transcript.rowCount() - 1, 0).data(EntryRole.DELIVERY)
                == "sent"
            )
        )
        assert texts(window).count("Yes, we ship everywhere in Japan.") == 1

        qtbot.mouseClick(window.chat_panel.close_button, Qt.MouseButton.LeftButton)
        await visitor.next_event(kind="chat_state", state="closed")
        await eventually(lambda: window.my_chats.rowCount() == 0)
        await visitor.close()

    run(qloop, scenario())


def test_switching_to_accepting_gets_a_queued_chat_routed_to_me(
    qloop: asyncio.AbstractEventLoop,  # noqa: F811
    backend: BackendProcess,
    controller: AppController,
    me: Account,
    qtbot: QtBot,
) -> None:
    async def scenario() -> None:
        window = await signed_in(controller, backend, me)
        visitor, _ = await connect_visitor(backend)
        await visitor.ok("send_message", {"client_id": new_id(), "text": "Hello?"})
        await eventually(lambda: window.queue.rowCount() == 1)
        qtbot.mouseClick(window.status_switch, Qt.MouseButton.LeftButton)
        await eventually(lambda: window.my_chats.rowCount() == 1)  # automatic routing, no click
        assert window.queue.rowCount() == 0
        await visitor.next_event(kind="chat_state", state="taken")
        await visitor.close()

    run(qloop, scenario())


@pytest.mark.own_backend
def test_a_reply_written_while_the_server_is_down_is_delivered_once_even_across_an_app_restart(
    qloop: asyncio.AbstractEventLoop,  # noqa: F811
    backend: BackendProcess,
    controller: AppController,
    me: Account,
) -> None:
    async def scenario() -> None:
        agent = await connect_agent(backend, me.email, me.password)
        visitor, _ = await connect_visitor(backend)
        chat_id = await chat_of_mine(agent, visitor, "Are you there?")
        await agent.close()
        await visitor.close()

        window = await signed_in(controller, backend, me)
        window.select_chat(chat_id)
        await asyncio.to_thread(backend.kill)
        await eventually(lambda: window.connection_state.state != "connected", within=10)
        controller.session.send_message(chat_id, "Sorry for the wait!")  # type: ignore[union-attr]
        controller.session.send_message(chat_id, "I am here now.")  # type: ignore[union-attr]
        assert [
            window.transcript.index(r, 0).data(EntryRole.DELIVERY)
            for r in (-2 + window.transcript.rowCount(), window.transcript.rowCount() - 1)
        ] == ["sending", "sending"]
        await controller.shutdown()  # the app quits while offline

        await asyncio.to_thread(backend.start)
        again = AppController(realtime_options={"backoff": lambda attempt: 0.2})
        try:
            window = await signed_in(again, backend, me)
            window.select_chat(chat_id)
            await eventually(
                lambda: (
                    texts(window)[-2:] == ["Sorry for the wait!", "I am here now."]
                    and window.transcript.index(window.transcript.rowCount() - 1, 0).data(EntryRole.DELIVERY)
                    == "sent"
                ),
                within=10,
            )
        finally:
            await again.shutdown()
        tokens = backend.login_tokens(me.email, me.password)
        page = await http_get(backend, f"/api/v1/chats/{chat_id}/events", tokens["access_token"])
        replies = [
            e["text"] for e in page["events"] if e["kind"] == "message" and e["author"]["kind"] == "agent"
        ]
        assert replies == ["Sorry for the wait!", "I am here now."]

    run(qloop, scenario())


def test_logging_out_elsewhere_ends_the_session_and_shows_the_login_dialog(
    qloop: asyncio.AbstractEventLoop,  # noqa: F811
    backend: BackendProcess,
    controller: AppController,
    me: Account,
) -> None:
    async def scenario() -> None:
        await signed_in(controller, backend, me)
        token = await controller.session.auth.access_token()  # type: ignore[union-attr]
        async with httpx.AsyncClient(base_url=backend.url) as http:
            response = await http.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 204
        await eventually(lambda: controller.login_dialog is not None, within=10)
        assert controller.main_window is None
        assert "session has expired" in controller.login_dialog.error_label.text()  # type: ignore[union-attr]

    run(qloop, scenario())


def test_a_wrong_password_from_the_real_server_is_explained(
    qloop: asyncio.AbstractEventLoop,  # noqa: F811
    backend: BackendProcess,
    controller: AppController,
) -> None:
    async def scenario() -> None:
        task = asyncio.ensure_future(controller.run(backend.url, backend.agent_email, "not-it"))
        await eventually(lambda: controller.login_dialog is not None, within=10)
        assert controller.login_dialog.error_label.text() == "Wrong e-mail address or password."  # type: ignore[union-attr]
        controller.request_quit(0)
        assert await task == 0

    run(qloop, scenario())

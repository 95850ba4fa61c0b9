"""The operator's chat workflow against the real backend: canned replies (online and from the cache),
transfer (accepted and refused), internal notes, the visitor's rating and offline messages.

The app runs in-process (offscreen); visitors and extra agents speak the wire protocol.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from chat_protocol import RoutingStatus
from chat_protocol.canned import CannedReplyInput
from operator_app.app import AppController
from operator_app.paths import app_dirs
from operator_app.store.canned_cache import CACHE_FILE, CannedCache
from operator_app.store.canned_model import CannedRepliesModel, CannedRole
from operator_app.store.chat_session import ChatSession
from operator_app.store.transcript_model import EntryRole
from operator_app.store.transfer_targets import TargetRole
from operator_app.ui.confirm import ConfirmDialog
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.waiting import until
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id
from tests.widgets.fixtures import run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SUPERVISOR = ("lead@example.com", "Lead Kato", "lead-password-1")
COLLEAGUE = ("bob@example.com", "Bob Suzuki", "bob-password-1")
ABSENT = ("cleo@example.com", "Cleo Absent", "cleo-password-1")


async def open_app(backend: BackendProcess, email: str, password: str) -> tuple[AppController, MainWindow]:
    controller = AppController()
    window = await controller.login(backend.url, email, password)
    session = controller.session
    assert session is not None
    await until(lambda: session.realtime.is_connected, what="connected")
    await session.set_status(RoutingStatus.ACCEPTING)
    return controller, window


def session_of(controller: AppController) -> ChatSession:
    assert controller.session is not None
    return controller.session


async def visitor_chat(backend: BackendProcess, text: str) -> tuple[WireClient, str]:
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": text, "name": "山田 太郎"})
    return visitor, str(sent["event"]["chat_id"])


async def take(window: MainWindow, session: ChatSession, chat_id: str) -> None:
    await until(lambda: session.store.get(chat_id) is not None, what="the chat in the queue")
    window.select_chat(chat_id)
    session.take_chat(chat_id)
    await until(lambda: window.my_chats.row_of(chat_id) >= 0, what="the chat taken")
    window.select_chat(chat_id)
    await until(lambda: window.current_chat_id() == chat_id, what="the chat shown")


def transcript_rows(window: MainWindow) -> list[tuple[str, str]]:
    model = window.transcript
    return [
        (str(model.index(r, 0).data(EntryRole.KIND)), str(model.index(r, 0).data()))
        for r in range(model.rowCount())
    ]


def rest(backend: BackendProcess, method: str, path: str, token: str, body: Any = None) -> httpx.Response:
    return httpx.request(
        method,
        f"{backend.url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_canned_replies_complete_in_the_composer_and_work_from_the_cache_offline(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess
) -> None:
    backend.cli("routing", "--auto-assign", "off")
    backend.create_agent(*SUPERVISOR, role="supervisor")
    lead = backend.login_tokens(SUPERVISOR[0], SUPERVISOR[2])["access_token"]
    team = CannedReplyInput(
        shortcut="thanks",
        title="Thanks (team)",
        text="Thank you, {visitor.name|customer}! {order.id}",
        shared=True,
    )
    assert rest(backend, "POST", "/canned", lead, team.model_dump()).status_code == 201

    async def scenario() -> None:
        controller, window = await open_app(backend, backend.agent_email, backend.agent_password)
        session = session_of(controller)
        library = session.canned
        assert library is not None
        visitor: WireClient | None = None
        try:
            await until(lambda: library.source == "server", what="canned replies from the server")
            # The management dialog: a personal reply with the same shortcut; a team one is refused.
            dialog = window.chat_panel.open_canned_dialog()
            assert dialog is not None
            assert dialog.objectName() == "cannedDialog"
            dialog.new_reply()
            dialog.shortcut.setText("thanks")
            dialog.title.setText("Thanks (mine)")
            dialog.text.setPlainText("Thanks {visitor.name}, {agent.name} here.")
            await dialog.save()
            await until(lambda: library.rowCount() == 2, what="both replies listed")
            assert "Saved" in dialog.message.text()
            assert not dialog.shared.isEnabled()  # an agent cannot make team replies
            dialog.new_reply()
            dialog.shortcut.setText("teamtry")
            dialog.title.setText("Not allowed")
            dialog.text.setPlainText("x")
            dialog.shared.setChecked(True)  # as if enabled: the server still says no
            await dialog.save()
            assert "supervisors and admins" in dialog.message.text()
            # Deleting asks first: Cancel keeps the reply, Delete removes it.
            dialog.new_reply()
            dialog.shared.setChecked(False)
            dialog.shortcut.setText("oops")
            dialog.title.setText("Oops")
            dialog.text.setPlainText("x")
            await dialog.save()
            await until(lambda: library.rowCount() == 3, what="the extra reply listed")
            for press_delete, rows in ((False, 3), (True, 2)):
                dialog.delete_button.click()
                await until(
                    lambda: dialog.findChild(ConfirmDialog, "cannedDeleteConfirm") is not None,
                    what="the delete question",
                )
                box = dialog.findChild(ConfirmDialog, "cannedDeleteConfirm")
                assert box is not None
                assert box.text.text() == "Delete #oops?"
                if press_delete:
                    box.action_button.click()
                else:
                    box.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
                await until(
                    lambda: dialog.findChild(ConfirmDialog, "cannedDeleteConfirm") is None, what="closed"
                )
                await until(lambda rows=rows: library.rowCount() == rows, what=f"{rows} replies")
            await asyncio.sleep(0.3)
            assert library.rowCount() == 2
            dialog.search.setText("mine")
            assert dialog.proxy.rowCount() == 1
            dialog.close()

            visitor, chat_id = await visitor_chat(backend, "こんにちは")
            await take(window, session, chat_id)
            composer = window.chat_panel.composer
            composer.setFocus()
            QTest.keyClicks(composer, "#than")
            popup = composer.popup
            assert popup is not None
            assert popup.isVisible()
            scopes = [popup.model.index(r, 0).data(CannedRole.SCOPE) for r in range(popup.model.rowCount())]
            assert scopes == ["personal", "team"]
            QTest.keyClick(composer, Qt.Key.Key_Down)
            QTest.keyClick(composer, Qt.Key.Key_Tab)
            assert composer.toPlainText() == "Thank you, 山田 太郎! {order.id}"
            await asyncio.sleep(0.3)
            assert [kind for kind, _ in transcript_rows(window)].count("message") == 1  # never sent
            composer.clear()

            # The server goes away: the replies stay, and a restart would load them from the disk.
            backend.kill()
            await library.refresh_quietly()
            assert library.source == "cache"
            QTest.keyClicks(composer, "#thanks")
            assert composer.popup is not None
            assert composer.popup.model.rowCount() == 2
            QTest.keyClick(composer, Qt.Key.Key_Return)
            assert composer.toPlainText() == "Thanks 山田 太郎, 佐藤 花子 here."
            account = f"{session.auth.server_url}|{session.store.agent_id}"
            restarted = CannedRepliesModel(CannedCache(app_dirs().data / CACHE_FILE, account), None)
            restarted.load_cached()
            assert sorted(r.title for r in restarted.replies()) == ["Thanks (mine)", "Thanks (team)"]
        finally:
            if visitor is not None:
                await visitor.close()
            await controller.shutdown()

    run(qloop, scenario(), timeout=120)


def test_transfer_keeps_the_transcript_and_a_refusal_keeps_the_chat(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess
) -> None:
    backend.cli("routing", "--auto-assign", "off")
    backend.create_agent(*COLLEAGUE)
    backend.create_agent(*ABSENT)

    async def scenario() -> None:
        controller, window = await open_app(backend, backend.agent_email, backend.agent_password)
        receiver: AppController | None = None
        visitor: WireClient | None = None
        bob_wire: WireClient | None = None
        try:
            session = session_of(controller)
            visitor, chat_id = await visitor_chat(backend, "Where is my parcel?")
            await take(window, session, chat_id)
            session.send_message(chat_id, "Let me check that for you.")
            await until(lambda: any("Let me check" in t for _, t in transcript_rows(window)), what="my reply")

            # Refused: Bob looks available when the dialog loads, then goes offline before the click.
            bob_wire = await connect_agent(backend, COLLEAGUE[0], COLLEAGUE[2])
            await bob_wire.ok("set_status", {"status": "accepting"})
            dialog = window.chat_panel.open_transfer_dialog()
            assert dialog is not None
            assert dialog.objectName() == "transferDialog"
            assert dialog.loading is not None
            await dialog.loading
            names = {
                str(dialog.model.index(r, 0).data()).split("  ")[0]: r for r in range(dialog.model.rowCount())
            }
            absent = dialog.model.index(names[ABSENT[1]], 0)
            assert not dialog.model.flags(absent) & Qt.ItemFlag.ItemIsEnabled
            assert "offline" in absent.data(TargetRole.REASON)
            bob_id = dialog.model.index(names[COLLEAGUE[1]], 0).data(TargetRole.TARGET_ID)
            assert dialog.select_target(bob_id)
            assert dialog.submit_button.isEnabled()
            await bob_wire.close()
            bob_wire = None
            deadline = time.monotonic() + 10
            while any(a.online for a in await session.agents() if a.agent_id == bob_id):
                assert time.monotonic() < deadline, "Bob still online"
                await asyncio.sleep(0.05)
            await dialog.submit()
            await until(lambda: "refused" in dialog.error.text(), what="the refusal")
            assert COLLEAGUE[1] in dialog.error.text()  # the server's own words
            assert "stays with you" in dialog.error.text()
            assert dialog.isVisible()
            assert window.my_chats.row_of(chat_id) >= 0
            dialog.close()

            # Accepted: Bob signs in with the app; the chat moves to him with the whole transcript.
            receiver, bob_window = await open_app(backend, COLLEAGUE[0], COLLEAGUE[2])
            bob = session_of(receiver)
            dialog = window.chat_panel.open_transfer_dialog()
            assert dialog is not None
            assert dialog.loading is not None
            await dialog.loading
            assert dialog.select_target(bob.store.agent_id or "")
            dialog.note.setPlainText("Parcel 123 is late; please follow up.")
            results: list[int] = []
            dialog.finished.connect(results.append)
            await dialog.submit()
            assert results == [1]  # accepted: the dialog closed itself
            await until(lambda: window.my_chats.row_of(chat_id) < 0, what="the chat gone from my list")
            await until(lambda: bob_window.my_chats.row_of(chat_id) >= 0, what="the chat in Bob's list")
            bob_window.select_chat(chat_id)
            await until(lambda: bob_window.current_chat_id() == chat_id, what="Bob shows the chat")
            await until(
                lambda: any(
                    "Transferred from 佐藤 花子: Parcel 123" in t for _, t in transcript_rows(bob_window)
                ),
                what="the transfer note",
            )
            await until(
                lambda: "Where is my parcel?" in [t for _, t in transcript_rows(bob_window)],
                what="the history before the transfer",
            )
            texts = [t for _, t in transcript_rows(bob_window)]
            assert "Let me check that for you." in texts
            assert "Chat transferred from 佐藤 花子 to Bob Suzuki" in texts
        finally:
            for client in (visitor, bob_wire):
                if client is not None:
                    await client.close()
            if receiver is not None:
                await receiver.shutdown()
            await controller.shutdown()

    run(qloop, scenario(), timeout=120)


def test_note_never_reaches_the_visitor_and_the_rating_is_shown(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess
) -> None:
    backend.cli("routing", "--auto-assign", "off")

    async def scenario() -> None:
        controller, window = await open_app(backend, backend.agent_email, backend.agent_password)
        visitor: WireClient | None = None
        try:
            session = session_of(controller)
            visitor, chat_id = await visitor_chat(backend, "Can I return this?")
            frames: list[str] = []
            await take(window, session, chat_id)
            panel = window.chat_panel
            composer = panel.composer
            QTest.mouseClick(panel.note_button, Qt.MouseButton.LeftButton)
            assert composer.note_mode
            assert "visitor will not see" in composer.placeholderText()
            composer.setFocus()
            QTest.keyClicks(composer, "SECRET-NOTE: refund approved by lead")
            QTest.keyClick(composer, Qt.Key.Key_Return)
            await until(
                lambda: ("note", "SECRET-NOTE: refund approved by lead") in transcript_rows(window),
                what="the note in my transcript",
            )
            row = next(r for r, (k, _) in enumerate(transcript_rows(window)) if k == "note")
            await until(
                lambda: window.transcript.index(row, 0).data(EntryRole.DELIVERY) != "sending",
                what="note saved",
            )
            QTest.keyClick(
                composer,
                Qt.Key.Key_N,
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
            )
            assert not composer.note_mode
            QTest.keyClicks(composer, "Yes, you can return it.")
            QTest.keyClick(composer, Qt.Key.Key_Return)
            reply = await visitor.next_event(kind="message", text="Yes, you can return it.")
            assert reply["author"]["kind"] == "agent"

            # The visitor closes and rates the chat.
            await visitor.ok("close_chat", {"client_id": new_id()})
            await visitor.ok(
                "rate_chat", {"client_id": new_id(), "rating": "good", "comment": "とても親切でした"}
            )
            await until(lambda: any(k == "rating" for k, _ in transcript_rows(window)), what="the rating")
            rows = transcript_rows(window)
            rating = next(t for k, t in rows if k == "rating")
            assert "good" in rating
            assert "とても親切でした" in rating
            rating_row = next(r for r, (k, _) in enumerate(rows) if k == "rating")
            assert window.transcript.index(rating_row, 0).data(EntryRole.RATING) == "good"
            assert ("chat_state", "The visitor closed the chat") in rows

            # Everything the visitor's socket received, in full: the note is not in it.
            await asyncio.sleep(0.3)
            while not visitor.pushes.empty():
                frames.append(json.dumps(visitor.pushes.get_nowait(), ensure_ascii=False))
            frames += [json.dumps(f, ensure_ascii=False) for f in visitor.unsolicited]
            assert frames
            assert not any("SECRET-NOTE" in frame for frame in frames)
        finally:
            if visitor is not None:
                await visitor.close()
            await controller.shutdown()

    run(qloop, scenario(), timeout=120)


def test_offline_messages_dialog_lists_a_message_left_by_a_visitor(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess
) -> None:
    async def scenario() -> None:
        visitor, _ = await connect_visitor(backend)
        left = await visitor.ok(
            "offline_message",
            {
                "client_id": new_id(),
                "name": "<i>Mika</i>",
                "email": "mika@example.com",
                "text": "Call me\nplease",
            },
        )
        assert left["message_id"]
        await visitor.close()
        controller, window = await open_app(backend, backend.agent_email, backend.agent_password)
        try:
            dialog = window.chat_panel.open_offline_messages()
            assert dialog is not None
            assert dialog.objectName() == "offlineMessagesDialog"
            assert dialog.loading is not None
            await dialog.loading
            assert dialog.model.rowCount() == 1
            assert dialog.model.index(0, 1).data() == "<i>Mika</i>"
            assert dialog.model.index(0, 2).data() == "mika@example.com"
            dialog.table.selectRow(0)
            assert "Call me\nplease" in dialog.text.toPlainText()
            QTest.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
            assert QGuiApplication.clipboard().text() == "mika@example.com"
        finally:
            await controller.shutdown()

    run(qloop, scenario(), timeout=120)

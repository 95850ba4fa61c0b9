"""The visitor panel beside a chat, against the real backend: the profile of the chat's visitor,
an edit that persists, hostile values shown literally without breaking the layout, the transcript
of a previous chat, and a failed save that says why."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QScrollArea
from pytestqt.qtbot import QtBot

from operator_app.app import AppController
from operator_app.ui.main_window import MainWindow
from operator_app.ui.visitor_sidebar import VisitorSidebar, local_time_in
from tests.integration.test_traffic_view import visitor_on_page
from tests.support.backend import BackendProcess
from tests.support.wire import WireClient, connect_agent, http_get, new_id
from tests.widgets.app_harness import eventually, run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HOSTILE = "<a href='https://evil.example'>click</a><script>alert(1)</script>" * 150  # ~10 KB


async def chatting_visitor(backend: BackendProcess) -> tuple[WireClient, str, str]:
    """A visitor who browsed two pages, told the site who they are, filled a cart and wrote."""
    visitor, login = await visitor_on_page(backend, f"{backend.url}/demo/index.html", "Tea shop")
    await visitor.send("page_view", {"url": f"{backend.url}/demo/product-matcha.html", "title": "Matcha"})
    await visitor.send(
        "identify", {"name": "Hanako Yamada", "email": "hanako@example.jp", "phone": "+81 3 1234"}
    )
    await visitor.send("custom_data", {"data": {"plan": "gold", "note": HOSTILE}})
    cart = {
        "items": [{"name": "Matcha <b>50g</b>", "price": 2400, "quantity": 2}],
        "total": 4800,
        "currency": "JPY",
    }
    await visitor.send("cart", cart)
    sent = await visitor.ok("send_message", {"client_id": "c-first-message-1", "text": "Is matcha in stock?"})
    return visitor, login["visitor_id"], sent["event"]["chat_id"]


def _question(window: MainWindow) -> QDialog | None:
    """The spam mark's confirmation, while it is shown."""
    return next((d for d in window.findChildren(QDialog, "spamConfirm") if d.isVisible()), None)


async def chat_window(controller: AppController, backend: BackendProcess) -> MainWindow:
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    await eventually(lambda: window.connection_state.state == "connected")
    return window


def test_the_panel_shows_the_chat_visitor_and_saves_an_edit(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        visitor, vid, chat_id = await chatting_visitor(backend)
        window = await chat_window(controller, backend)
        panel = window.findChild(QScrollArea, "visitorPanel")
        assert isinstance(panel, VisitorSidebar)
        assert panel.status.text() == "Select a chat or a visitor to see the details."
        await eventually(lambda: window.queue.row_of(chat_id) >= 0)
        assert window.select_chat(chat_id)
        assert panel.isVisible()
        await eventually(lambda: panel.profile is not None)
        assert panel.name_edit.text() == "Hanako Yamada"
        assert panel.email_edit.text() == "hanako@example.jp"
        assert panel.phone_edit.text() == "+81 3 1234"
        assert panel.title.full_text == "Hanako Yamada"
        assert panel.data_row.isHidden()  # a visitor's data on request is admins' only
        facts = {name: label.full_text for name, label in panel.facts.items()}
        assert facts["visitorTimeZone"] == "Asia/Tokyo"
        assert facts["visitorLanguage"] == "ja-JP"
        assert facts["visitorLocalTime"] in {
            datetime.now(ZoneInfo("Asia/Tokyo")).strftime("%H:%M"),
            local_time_in("Asia/Tokyo"),
        }
        assert facts["visitorLocation"].endswith("(approximate)")
        assert "Firefox" in facts["visitorDevice"]
        await eventually(lambda: panel.facts["visitorPageTitle"].full_text == "Matcha")
        assert panel.facts["visitorPageUrl"].full_text.endswith("/demo/product-matcha.html")
        assert panel.cart_total.text() == "Total: 4,800 JPY"
        assert panel.cart_model.item(0, 0).text() == "Matcha <b>50g</b>"
        visits = panel.history_model
        assert visits.rowCount() == 1
        pages = [visits.item(0).child(r).text() for r in range(visits.item(0).rowCount())]
        assert pages[0].endswith("Matcha")  # newest first
        assert pages[-1].endswith("Tea shop")
        chats = panel.chats_model
        assert chats.rowCount() == 1
        assert "Is matcha in stock?" in chats.item(0).text()

        # Hostile custom data: literal, capped, one line, and the panel keeps its width.
        custom = {
            panel.custom_model.item(r, 0).text(): panel.custom_model.item(r, 1).text() for r in range(2)
        }
        assert custom["plan"] == "gold"
        assert custom["note"].startswith("<a href='https://evil.example'>click</a><script>")
        assert len(custom["note"]) <= 160
        assert panel.minimumSizeHint().width() < 400
        assert "<script>" not in (panel.custom_model.item(1, 1).toolTip())

        # The transcript of a chat in the list, read-only.
        dialog = panel.open_past_chat(chat_id)
        await eventually(lambda: "Is matcha in stock?" in dialog.text.toPlainText())
        assert dialog.text.isReadOnly()
        dialog.close()

        # Edit and save: the server keeps it, and the live row follows.
        panel.name_edit.setText("Hanako Y.")
        panel.name_edit.textEdited.emit("Hanako Y.")
        assert panel.save_button.isEnabled()
        panel.save_button.click()
        await eventually(lambda: panel.save_error.text() == "Saved.")
        token = (await asyncio.to_thread(backend.login_tokens))["access_token"]
        stored = await http_get(backend, f"/api/v1/visitors/{vid}", token)
        assert stored["name"] == "Hanako Y."
        assert stored["email"] == "hanako@example.jp"
        await eventually(lambda: window.workspaces.service.model.get(vid).name == "Hanako Y.")  # type: ignore[union-attr]

        # A failed save says why and keeps the edit.
        panel.phone_edit.setText("+81 3 9999")
        panel.phone_edit.textEdited.emit("+81 3 9999")
        backend.stop()
        panel.save_button.click()
        await eventually(lambda: "Cannot reach the server" in panel.save_error.text(), within=20)
        assert panel.phone_edit.text() == "+81 3 9999"
        assert panel.save_button.isEnabled()
        await visitor.close()

    run(qloop, scenario(), timeout=90)


def test_the_panel_follows_the_selected_customer_and_the_shown_chat(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        visitor, vid, chat_id = await chatting_visitor(backend)
        browser, login = await visitor_on_page(backend, f"{backend.url}/demo/guide.html", "Guide")
        window = await chat_window(controller, backend)
        workspaces = window.workspaces
        panel = workspaces.sidebar
        await eventually(lambda: window.queue.row_of(chat_id) >= 0)
        window.select_chat(chat_id)
        await eventually(lambda: panel.profile is not None and panel.profile.visitor_id == vid)
        workspaces.traffic_action.trigger()
        assert workspaces.showing_traffic()
        assert panel.parent() is workspaces.traffic_page
        await eventually(lambda: workspaces.traffic.proxy.row_of(login["visitor_id"]) >= 0)
        workspaces.traffic.select_visitor(login["visitor_id"])
        await eventually(
            lambda: panel.profile is not None and panel.profile.visitor_id == login["visitor_id"]
        )
        assert panel.title.full_text.startswith("Visitor #")
        # Mark the browsing visitor as spam from the panel: asked first, then shown; their first
        # message is refused. The agent who set the mark may take it back.
        spam = panel.spam_row
        assert spam.button.text() == "Mark as spam\u2026"
        spam.button.click()
        await eventually(lambda: _question(window) is not None)
        question = _question(window)
        assert question is not None
        question.findChild(QPushButton, "actionButton").click()
        await eventually(lambda: spam.mark_label.text().startswith("Marked as spam by "))
        assert panel.profile is not None
        assert panel.profile.spam is not None
        refused = await browser.request("send_message", {"client_id": new_id(), "text": "spam"})
        assert refused["payload"]["code"] == "blocked"
        assert spam.button.text() == "Not spam\u2026"
        assert spam.button.isEnabled()
        spam.button.click()
        await eventually(lambda: _question(window) is not None)
        question = _question(window)
        assert question is not None
        question.findChild(QPushButton, "actionButton").click()
        await eventually(lambda: spam.mark_label.text() == "")
        workspaces.traffic_action.trigger()  # Ctrl+Shift+C again: back to the chats
        assert not workspaces.showing_traffic()
        assert panel.parent() is window.splitter
        await eventually(lambda: panel.profile is not None and panel.profile.visitor_id == vid)
        await visitor.close()
        await browser.close()

    run(qloop, scenario(), timeout=90)


def test_an_admin_exports_a_visitors_data_and_deletes_the_visitor_from_the_panel(
    qloop: asyncio.AbstractEventLoop,
    backend: BackendProcess,
    controller: AppController,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        visitor, vid, chat_id = await chatting_visitor(backend)
        agent = await connect_agent(backend)
        await agent.ok("set_status", {"status": "accepting"})
        await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
        await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
        await agent.close()
        await visitor.close()
        await asyncio.to_thread(backend.create_agent, "boss@example.com", "Boss", "boss-password-1", "admin")
        window = await controller.login(backend.url, "boss@example.com", "boss-password-1")
        await eventually(lambda: window.connection_state.state == "connected")
        panel = window.findChild(QScrollArea, "visitorPanel")
        assert isinstance(panel, VisitorSidebar)
        panel.show_visitor(vid)
        await eventually(lambda: panel.profile is not None)
        row = panel.data_row
        assert not row.isHidden()

        # Export: the save dialog, then the server's JSON written where the admin said.
        folder = tmp_path / "exports"
        await asyncio.to_thread(folder.mkdir)
        target = folder / "hanako.json"
        row.export_button.click()
        await eventually(lambda: row.exporter.dialog is not None and row.exporter.dialog.isVisible())
        dialog = row.exporter.dialog
        assert dialog is not None
        dialog.setDirectory(str(folder))
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        assert name is not None
        name.setText(target.name)
        dialog.accept()
        await eventually(lambda: target.exists() and "hanako.json" in row.message.text())
        data = json.loads(target.read_text(encoding="utf-8"))
        assert data["visitor"]["email"] == "hanako@example.jp"
        assert "Is matcha in stock?" in json.dumps(data["chats"], ensure_ascii=False)
        assert [p.name for p in await asyncio.to_thread(lambda: list(folder.iterdir()))] == [target.name]

        # Delete, after the confirmation: the panel empties and the server has nothing of theirs.
        row.delete_button.click()
        await eventually(
            lambda: any(d.isVisible() for d in window.findChildren(QDialog, "visitorDeleteConfirm"))
        )
        question = next(d for d in window.findChildren(QDialog, "visitorDeleteConfirm") if d.isVisible())
        assert "Hanako Yamada" in question.findChild(QLabel, "confirmText").text()  # type: ignore[union-attr]
        button = question.findChild(QPushButton, "actionButton")
        assert button is not None
        button.click()
        await eventually(lambda: "deleted" in panel.status.text(), within=15)
        assert panel.details.isHidden()
        token = (await asyncio.to_thread(backend.login_tokens, "boss@example.com", "boss-password-1"))[
            "access_token"
        ]
        async with httpx.AsyncClient(base_url=backend.url) as http:
            gone = await http.get(f"/api/v1/visitors/{vid}", headers={"Authorization": f"Bearer {token}"})
        assert gone.status_code == 404

    run(qloop, scenario(), timeout=90)

"""The traffic view against the real backend: visitors are real sockets speaking the protocol.

The table fills from the snapshot and follows the deltas; the invite dialog sends and refuses a
second invitation in the same visit; hostile titles stay one literal, capped line.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import websockets
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from operator_app.app import AppController
from operator_app.store.traffic_model import Column
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.wire import WireClient
from tests.widgets.app_harness import eventually, run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

DEVICE = {
    "device_class": "desktop",
    "os": "Windows",
    "browser": "Firefox",
    "language": "ja-JP",
    "time_zone": "Asia/Tokyo",
}


async def visitor_on_page(
    backend: BackendProcess, url: str, title: str, token: str | None = None
) -> tuple[WireClient, dict[str, Any]]:
    """A visitor's widget opening its socket on a page of the demo shop."""
    ws = await websockets.connect(f"{backend.ws_url}/ws/visitor", origin=backend.url)  # type: ignore[arg-type]
    client = WireClient(ws)
    login = await client.ok(
        "login",
        {
            "site_id": backend.site_id,
            "visitor_token": token,
            "page": {"url": url, "title": title, "referrer": "https://www.google.com/"},
            "device": DEVICE,
        },
    )
    await client.ok("resume", {"cursor": login["cursor"]})
    return client, login


async def traffic_window(controller: AppController, backend: BackendProcess) -> MainWindow:
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    await eventually(lambda: window.connection_state.state == "connected")
    window.workspaces.traffic_action.trigger()
    await eventually(lambda: window.workspaces.service.feed_state.value == "live")
    return window


def cell(window: MainWindow, visitor_id: str, column: Column) -> str:
    view = window.workspaces.traffic
    row = view.proxy.row_of(visitor_id)
    return str(view.proxy.index(row, column).data()) if row >= 0 else ""


def test_the_table_fills_from_real_visitors_and_follows_their_pages(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        window = await traffic_window(controller, backend)
        view = window.workspaces.traffic
        assert window.findChild(QTableView, "customersTable") is view.table
        assert view.isVisible()
        assert not view.table.isVisible()
        empty = window.findChild(QLabel, "customersEmpty")
        assert empty is not None
        assert empty.isVisible()
        assert empty.text() == "Nobody is on the website right now."

        alice, login = await visitor_on_page(backend, f"{backend.url}/demo/index.html", "Tea shop")
        vid = login["visitor_id"]
        await eventually(lambda: cell(window, vid, Column.PAGE) == "Tea shop")
        assert view.table.isVisible()
        assert view.count_label.text() == "1 visitors"
        assert cell(window, vid, Column.VISITOR) == f"Visitor #{view.model.get(vid).number}"  # type: ignore[union-attr]
        assert cell(window, vid, Column.STATE) == "browsing"
        assert "Firefox" in cell(window, vid, Column.DEVICE)
        assert "\u2248" in cell(window, vid, Column.LOCATION)  # derived from the time zone: approximate

        await alice.send("page_view", {"url": f"{backend.url}/demo/cart.html", "title": "Your cart"})
        await alice.send(
            "cart",
            {"items": [{"name": "Matcha", "price": 2400, "quantity": 2}], "total": 4800, "currency": "JPY"},
        )
        await eventually(lambda: cell(window, vid, Column.PAGE) == "Your cart")
        await eventually(lambda: cell(window, vid, Column.CART) == "4,800 JPY")
        assert cell(window, vid, Column.PAGES) == "2"

        bob, login_b = await visitor_on_page(backend, f"{backend.url}/demo/guide.html", "Brewing guide")
        await eventually(lambda: view.proxy.row_of(login_b["visitor_id"]) >= 0)
        # Filters: the cart and the text.
        view.cart_check.setChecked(True)
        await eventually(lambda: view.proxy.rowCount() == 1)
        assert view.count_label.text() == "1 of 2 visitors"
        view.cart_check.setChecked(False)
        view.filter_edit.setText("brewing")
        await eventually(
            lambda: view.proxy.rowCount() == 1 and view.proxy.visitor_id_at(0) == login_b["visitor_id"]
        )
        view.filter_edit.setText("")
        await eventually(lambda: view.proxy.rowCount() == 2)

        # Selecting a row shows that visitor in the panel beside the table.
        assert view.select_visitor(vid)
        sidebar = window.workspaces.sidebar
        assert sidebar.parent() is window.workspaces.traffic_page
        await eventually(lambda: sidebar.profile is not None and sidebar.profile.visitor_id == vid)
        assert sidebar.facts["visitorPageTitle"].full_text == "Your cart"
        await alice.send("page_view", {"url": f"{backend.url}/demo/product-sencha.html", "title": "Sencha"})
        await eventually(lambda: sidebar.facts["visitorPageTitle"].full_text == "Sencha")

        await bob.close()
        await eventually(lambda: cell(window, login_b["visitor_id"], Column.STATE) in ("left", ""), within=30)
        await alice.close()

    run(qloop, scenario(), timeout=90)


def test_an_invitation_is_sent_once_per_visit(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        window = await traffic_window(controller, backend)
        visitor, login = await visitor_on_page(backend, f"{backend.url}/demo/index.html", "Tea shop")
        vid = login["visitor_id"]
        view = window.workspaces.traffic
        await eventually(lambda: view.proxy.row_of(vid) >= 0)
        view.select_visitor(vid)
        invite = window.findChild(QPushButton, "inviteButton")
        assert invite is not None
        invite.click()
        dialog = window.workspaces.invite_dialog
        assert dialog is not None
        assert dialog.isVisible()
        assert not dialog.send_button.isEnabled()
        dialog.text.setPlainText("Hello! Can I help with <b>tea</b>?")
        dialog.send_button.click()
        push = await visitor.next_push("invitation")
        assert push["payload"]["text"] == "Hello! Can I help with <b>tea</b>?"
        assert push["payload"]["agent_name"]
        await eventually(lambda: window.workspaces.invite_dialog is None)  # closed on success
        await eventually(lambda: cell(window, vid, Column.STATE) == "invited")

        again = window.workspaces.open_invite(vid)
        assert again is not None
        again.text.setPlainText("Still there?")
        again.send_button.click()
        await eventually(lambda: again.error.isVisible() and "already been invited" in again.error.text())
        assert again.isVisible()
        assert again.send_button.isEnabled()  # the operator may close it, or try later
        again.close()

        # The visitor answers: the chat starts with this agent and arrives as one of my chats.
        await visitor.ok(
            "send_message",
            {
                "client_id": "c-answer-0001",
                "text": "Yes please",
                "invitation_id": push["payload"]["invitation_id"],
            },
        )
        await eventually(lambda: window.my_chats.rowCount() == 1, within=15)
        await eventually(lambda: cell(window, vid, Column.STATE) == "chatting")
        await visitor.close()

    run(qloop, scenario(), timeout=90)


def test_a_hostile_ten_kilobyte_title_stays_one_literal_capped_line(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController, qtbot: QtBot
) -> None:
    title = ("<img src=x onerror=alert(1)><b>BIG</b>\n" * 260)[:10_240]

    async def scenario() -> None:
        window = await traffic_window(controller, backend)
        view = window.workspaces.traffic
        visitor, login = await visitor_on_page(backend, f"{backend.url}/demo/index.html", "ok")
        vid = login["visitor_id"]
        await eventually(lambda: view.proxy.row_of(vid) >= 0)
        height = view.table.rowHeight(view.proxy.row_of(vid))
        await visitor.send("page_view", {"url": f"{backend.url}/demo/index.html?x", "title": title})
        await eventually(
            lambda: cell(window, vid, Column.PAGE).startswith("<img src=x onerror=alert(1)><b>BIG</b> ")
        )
        shown = cell(window, vid, Column.PAGE)
        assert len(shown) <= 160
        assert "\n" not in shown
        assert view.model.get(vid).page_title == title[:300]  # type: ignore[union-attr]
        assert view.table.rowHeight(view.proxy.row_of(vid)) == height
        tooltip = view.proxy.index(view.proxy.row_of(vid), Column.PAGE).data(Qt.ItemDataRole.ToolTipRole)
        assert "<img" not in tooltip
        assert "&lt;img" in tooltip
        await visitor.close()

    run(qloop, scenario(), timeout=60)

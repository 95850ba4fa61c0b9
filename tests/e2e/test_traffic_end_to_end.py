"""Issue 4 end to end: a visitor in headless Chromium browses the demo shop and fills the cart while the
real operator app (offscreen) follows the row live in the traffic view; the operator invites, the
greeting appears in the widget, the visitor replies and the chat starts with that operator; a push to a
shop page opens it in the visitor's browser and a push elsewhere is refused.
"""

from __future__ import annotations

import asyncio

import pytest
from playwright.sync_api import Page
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QPlainTextEdit, QPushButton, QTableView

from chat_protocol.traffic import TrafficRow, TrafficState
from operator_app.app import AppController
from operator_app.store.traffic_model import TrafficRole
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.browser import BrowserThread
from tests.support.waiting import until
from tests.widgets.fixtures import run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _row(window: MainWindow) -> TrafficRow | None:
    """The one visitor in the traffic table (through the view's model, as the operator sees it)."""
    table = window.findChild(QTableView, "customersTable")
    assert table is not None
    if table.model().rowCount() != 1:
        return None
    index = table.model().index(0, 0)
    return window.workspaces.service.model.get(str(index.data(TrafficRole.VISITOR_ID)))


def _transcript(window: MainWindow) -> list[str]:
    view = window.findChild(QListView, "transcriptView")
    assert view is not None
    model = view.model()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def _browse_and_fill_the_cart(page: Page, base: str) -> None:
    page.goto(f"{base}/demo/index.html")
    page.get_by_test_id("launcher").wait_for()
    page.goto(f"{base}/demo/product-matcha.html")
    page.get_by_test_id("add-to-cart").click()
    page.get_by_test_id("added-to-cart").wait_for()
    page.goto(f"{base}/demo/cart.html")
    page.get_by_test_id("cart-row").first.wait_for()


def test_visitor_browses_is_invited_replies_and_is_sent_a_page(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess, chromium: BrowserThread
) -> None:
    async def scenario() -> None:
        backend.cli("routing", "--auto-assign", "off")
        controller = AppController()
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        try:
            await _run(controller, window, backend, chromium)
        finally:
            await controller.shutdown()

    run(qloop, scenario(), timeout=240)


async def _run(
    controller: AppController, window: MainWindow, backend: BackendProcess, chromium: BrowserThread
) -> None:
    window.workspaces.show_traffic()
    page = await chromium.call(lambda: chromium.new_page(f"{backend.url}/demo/index.html"))

    # Browsing: the row appears, then follows three pages and the cart live.
    await until(lambda: _row(window) is not None, what="the visitor's row in the traffic view")
    await chromium.call(lambda: _browse_and_fill_the_cart(page, backend.url))
    await until(
        lambda: (
            (row := _row(window)) is not None
            and row.pages_viewed == 3
            and row.page_title.startswith("カート")
            and row.cart_value > 0
        ),
        what="the row following the pages and the cart",
    )
    row = _row(window)
    assert row is not None
    assert row.state == TrafficState.BROWSING
    assert row.cart_currency == "JPY"

    # The operator invites from the traffic view.
    table = window.findChild(QTableView, "customersTable")
    assert table is not None
    assert window.workspaces.traffic.select_visitor(row.visitor_id)
    invite = window.findChild(QPushButton, "inviteButton")
    assert invite is not None
    QTest.mouseClick(invite, Qt.MouseButton.LeftButton)
    dialog = window.workspaces.invite_dialog
    assert dialog is not None
    text = dialog.findChild(QPlainTextEdit, "inviteText")
    send = dialog.findChild(QPushButton, "inviteSend")
    assert text is not None
    assert send is not None
    text.setPlainText("抹茶のお茶請けもございます。ご質問があればどうぞ！")
    QTest.mouseClick(send, Qt.MouseButton.LeftButton)
    await until(lambda: window.workspaces.invite_dialog is None, what="the invite dialog to close")
    await until(lambda: (r := _row(window)) is not None and r.state == TrafficState.INVITED, what="invited")

    # The greeting in the widget, with the operator's name; the visitor replies.
    def greeting() -> tuple[str, str]:
        card = page.get_by_test_id("greeting")
        card.wait_for()
        return card.get_by_test_id("greeting-agent").inner_text(), card.get_by_test_id(
            "greeting-text"
        ).inner_text()

    agent_name, greeting_text = await chromium.call(greeting)
    assert agent_name == "佐藤 花子"
    assert greeting_text == "抹茶のお茶請けもございます。ご質問があればどうぞ！"

    def reply() -> None:
        page.get_by_test_id("greeting-reply-input").fill("おすすめはどれですか？")
        page.get_by_test_id("greeting-reply-send").click()

    await chromium.call(reply)
    session = controller.session
    assert session is not None
    await until(lambda: (r := _row(window)) is not None and r.state == TrafficState.CHATTING, what="chatting")
    row = _row(window)
    assert row is not None
    assert row.chat_id is not None
    chat_id = row.chat_id
    await until(
        lambda: (c := session.store.get(chat_id)) is not None and session.store.is_mine(c), what="mine"
    )

    # Page push: elsewhere is refused, a shop page is offered and opens in the visitor's browser.
    window.workspaces.show_traffic(False)
    assert window.select_chat(chat_id)
    await until(lambda: "おすすめはどれですか？" in _transcript(window), what="the reply in the transcript")
    push = window.chat_panel.open_page_push_dialog()
    assert push is not None
    url_edit = push.findChild(QLineEdit, "pagePushUrl")
    submit = push.findChild(QPushButton, "pagePushSubmit")
    error = push.findChild(QLabel, "pagePushError")
    assert url_edit is not None
    assert submit is not None
    assert error is not None
    url_edit.setText("https://evil.example/demo/cart.html")
    QTest.mouseClick(submit, Qt.MouseButton.LeftButton)
    await until(lambda: error.isVisible() and "not on your site" in error.text(), what="the refusal")
    target = f"{backend.url}/demo/product-sencha.html"
    url_edit.setText(target)
    QTest.mouseClick(submit, Qt.MouseButton.LeftButton)
    await until(lambda: window.chat_panel.page_push_dialog is None, what="the push dialog to close")

    def open_offered_page() -> str:
        prompt = page.get_by_test_id("page-push")
        prompt.wait_for()
        assert prompt.get_by_test_id("page-push-url").inner_text() == target
        prompt.get_by_test_id("page-push-open").click()
        page.wait_for_url(target)
        return page.title()

    title = await chromium.call(open_offered_page)
    assert "煎茶" in title or "sencha" in title.lower()
    await until(
        lambda: any("The visitor opened the page" in line for line in _transcript(window)),
        what="the visitor's answer in the transcript",
    )
    # The chat continues on the new page.
    await until(
        lambda: (r := _row(window)) is not None and r.page_url == target, what="the new page in the row"
    )

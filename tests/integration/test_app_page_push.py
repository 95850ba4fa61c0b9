"""Page push from the app against the real backend: a page of the site is offered and the visitor's
answer shows in the transcript; an address elsewhere is refused with a clear message and nothing is sent.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QPushButton

from operator_app.app import AppController
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.waiting import until
from tests.support.wire import new_id
from tests.widgets.app_harness import People, controller, people, run

__all__ = ["controller", "people"]


pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _transcript(window: MainWindow) -> list[str]:
    view = window.findChild(QListView, "transcriptView")
    assert view is not None
    model = view.model()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


async def _open_my_chat(
    controller: AppController, backend: BackendProcess, people: People
) -> tuple[MainWindow, str]:
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    chat_id = await people.visitor_opens_chat("どのお茶がおすすめですか？", name="山田")
    await people.take_for_me(chat_id)
    session = controller.session
    assert session is not None
    await until(lambda: (chat := session.store.get(chat_id)) is not None and session.store.is_mine(chat))
    window.select_chat(chat_id)
    await until(lambda: window.chat_panel.chat_id == chat_id)
    return window, chat_id


def test_page_push_offers_a_shop_page_and_shows_the_visitors_answer(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    people: People,
) -> None:
    async def scenario() -> None:
        window, chat_id = await _open_my_chat(controller, backend, people)
        button = window.findChild(QPushButton, "pushPageButton")
        assert button is not None
        assert button.isVisible()
        dialog = window.chat_panel.open_page_push_dialog()
        assert dialog is not None
        url_edit = dialog.findChild(QLineEdit, "pagePushUrl")
        submit = dialog.findChild(QPushButton, "pagePushSubmit")
        error = dialog.findChild(QLabel, "pagePushError")
        assert url_edit is not None
        assert submit is not None
        assert error is not None

        # Elsewhere: refused by the backend with a clear message; the dialog stays open.
        for evil in (
            "https://shop.example.evil/",
            f"{backend.url.replace('http://', 'http://user@')}/demo/",
            "javascript:alert(1)",
        ):
            url_edit.setText(evil)
            QTest.mouseClick(submit, Qt.MouseButton.LeftButton)
            await until(lambda: error.isVisible() and error.text() != "", what=f"refusal of {evil}")
            assert dialog.isVisible()
            error.hide()
        assert not any("offered" in line for line in _transcript(window))

        url = f"{backend.url}/demo/cart.html"
        url_edit.setText(url)
        QTest.mouseClick(submit, Qt.MouseButton.LeftButton)
        await until(lambda: window.chat_panel.page_push_dialog is None, what="the dialog to close")
        await until(
            lambda: any(url in line and "offered" in line for line in _transcript(window)), what="the offer"
        )

        visitor = people.visitors[chat_id]
        transcript = await visitor.ok("transcript", {"after_seq": 0})
        offer = next(e for e in transcript["events"] if e["kind"] == "page_push")
        assert offer["url"] == url
        assert offer["state"] == "offered"
        await visitor.ok("answer_page_push", {"client_id": new_id(), "seq": offer["seq"], "accept": True})
        await until(
            lambda: any("The visitor opened the page" in line for line in _transcript(window)),
            what="the visitor's answer in the transcript",
        )

    run(qloop, scenario(), timeout=90)

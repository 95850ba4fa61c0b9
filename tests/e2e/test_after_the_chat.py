"""After the chat, the whole product: visitors in headless Chromium chat with an admin in the real app
offscreen; the admin tags a chat from the keyboard, the visitor rates it, another chat closes before
any answer (missed); the archives find the first by a two-character Japanese word, open it and export
it; the report of the day counts both, with the rating and the missed chat."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.sync_api import Page
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QPlainTextEdit, QPushButton, QTextEdit

from operator_app.app import AppController
from operator_app.store.archive_model import ArchiveRole
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.browser import BrowserThread
from tests.support.sharing import admin_of
from tests.support.waiting import until
from tests.widgets.fixtures import run

# The offscreen platform cannot raise windows or grab the keyboard for a popup menu (the tag menu).
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

BOSS = ("boss@example.com", "Boss", "boss-password-1")


async def _visitor_writes(chromium: BrowserThread, backend: BackendProcess, text: str, name: str) -> Page:
    def open_and_send() -> Page:
        page = chromium.new_page(backend.demo_url, locale="ja-JP")
        page.get_by_test_id("launcher").click()
        page.get_by_test_id("name-input").fill(name)
        page.get_by_test_id("message-input").fill(text)
        page.get_by_test_id("send").click()
        return page

    return await chromium.call(open_and_send)


async def _take_next(window: MainWindow) -> str:
    queue = window.findChild(QListView, "queueList")
    assert queue is not None
    await until(lambda: queue.model().rowCount() == 1, what="the chat in the queue")
    take = window.findChild(QPushButton, "takeButton")
    assert take is not None
    chats = window.findChild(QListView, "chatList")
    assert chats is not None
    before = chats.model().rowCount()
    QTest.mouseClick(take, Qt.MouseButton.LeftButton)
    await until(lambda: chats.model().rowCount() == before + 1, what="the chat taken")
    chat_id = window.chat_panel.chat_id
    assert chat_id is not None
    return chat_id


async def _save_as(exporter: object, path: Path) -> None:
    await until(lambda: exporter.dialog is not None and exporter.dialog.isVisible(), what="the save dialog")  # type: ignore[attr-defined]
    dialog = exporter.dialog  # type: ignore[attr-defined]
    dialog.setDirectory(str(path.parent))
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name is not None
    name.setText(path.name)
    dialog.accept()


def test_tag_rate_miss_find_export_and_report_a_day(
    qloop: asyncio.AbstractEventLoop,
    qtbot: object,
    backend: BackendProcess,
    chromium: BrowserThread,
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        backend.cli("routing", "--auto-assign", "off")  # chats are taken from the queue by hand
        admin = admin_of(backend)
        tag = admin.call("POST", "/tags", {"name": "ギフト", "colour": "#2e7d32"})
        await asyncio.to_thread(backend.create_agent, BOSS[0], BOSS[1], BOSS[2], "admin")
        controller = AppController()
        window = await controller.login(backend.url, BOSS[0], BOSS[2])
        try:
            state = window.findChild(QLabel, "connectionState")
            assert state is not None
            await until(lambda: state.property("state") == "connected", what="connected")
            switch = window.findChild(QPushButton, "statusSwitch")
            assert switch is not None
            QTest.mouseClick(switch, Qt.MouseButton.LeftButton)
            await until(
                lambda: controller.session and controller.session.store.status == "accepting",
                what="accepting",
            )

            # A chat answered, tagged from the keyboard, closed, then rated good by the visitor.
            page = await _visitor_writes(chromium, backend, "抹茶のギフトセットはありますか？", "山田 花子")
            answered = await _take_next(window)
            composer = window.findChild(QPlainTextEdit, "composer") or window.findChild(QTextEdit, "composer")
            assert composer is not None
            composer.setFocus()
            composer.insertPlainText("ございます。")  # as an input method commits it (no key events)
            QTest.keyClick(composer, Qt.Key.Key_Return)
            panel = window.chat_panel
            bar = panel.tags_bar
            await until(lambda: bar.service is not None and bar.service.loaded, what="the tags")
            window.activateWindow()
            QTest.keyClick(
                window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
            )
            await until(bar.menu.isVisible, what="the tag menu")
            QTest.keyClick(bar.menu, Qt.Key.Key_Down)
            QTest.keyClick(bar.menu, Qt.Key.Key_Space)
            await until(
                lambda: bar.pending == 0 and bar.chips.chips == [("ギフト", "#2e7d32")], what="the chip"
            )
            QTest.keyClick(bar.menu, Qt.Key.Key_Escape)
            panel.close_button.click()
            await until(lambda: window.statusBar().currentMessage() == "Chat closed.", what="closed")

            def rate() -> None:
                page.get_by_test_id("rate-good").click()
                page.get_by_test_id("rating-comment").fill("丁寧な対応でした")
                page.get_by_test_id("rating-submit").click()
                page.get_by_test_id("rating-thanks").wait_for()

            await chromium.call(rate)

            # A chat closed before any answer: missed.
            await _visitor_writes(chromium, backend, "配送はいつになりますか", "佐々木 健太")
            missed = await _take_next(window)
            window.chat_panel.close_button.click()
            await until(
                lambda: admin.call("GET", f"/chats/{missed}/events")["chat"]["state"] == "closed",
                what="missed",
            )

            # The archives find the first chat by a two-character Japanese word, open it and export it.
            window.workspaces.archives_action.trigger()
            view = window.workspaces.archives
            view.field.setFocus()
            view.field.insert("抹茶")
            QTest.keyClick(view.field, Qt.Key.Key_Return)

            def hits() -> list[str]:
                model = view.model
                return [str(model.index(r, 0).data(ArchiveRole.CHAT_ID)) for r in range(model.rowCount())]

            await until(lambda: view.searching is None and hits() == [answered], what="the hit")
            opening = view.open_row(0)
            assert opening is not None
            assert await opening
            assert view.pane.model.chat_id == answered
            assert view.pane.tags_bar.chips.chips == [("ギフト", "#2e7d32")]
            target = tmp_path / "exports" / "matcha.txt"
            await asyncio.to_thread(target.parent.mkdir)
            view.pane.export_text.click()
            await _save_as(view.exporter, target)
            await until(target.exists, what="the exported transcript")
            exported = await asyncio.to_thread(target.read_text, encoding="utf-8")
            assert "抹茶のギフトセットはありますか？" in exported
            assert "ございます。" in exported

            # The report of the day counts both chats, the rating and the missed one.
            window.workspaces.reports_action.trigger()
            reports = window.workspaces.reports
            assert reports is not None
            await until(lambda: reports.report is not None and not reports.loading, what="the report")
            assert reports.report is not None
            totals = reports.report.totals
            assert (totals.chats, totals.missed, totals.good, totals.bad) == (2, 1, 1, 0)
            assert reports.figures["chats"].text() == "2"
            assert reports.figures["missed"].text() == "1"
            assert [row[1:] for row in reports.comments_model.shown()] == [["Good", "丁寧な対応でした"]]
            reports.by.setCurrentIndex(reports.by.findData("tag"))
            assert await reports.reload()
            rows = {row[0]: row for row in reports.rows_model.shown()}
            assert rows["ギフト"][1] == "1"  # the tagged chat; the missed one is untagged
            assert tag["tag_id"]
        finally:
            await controller.shutdown()

    run(qloop, scenario(), timeout=180)

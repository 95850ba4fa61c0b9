"""The tag chips and the tag menu (one widget for the chat window and the archives) against a
stand-in server behind the real REST client: the chat's tags load when it is shown, the menu lists
every tag by name and stays open while the keyboard ticks several, each tick is sent at once, and a
refusal is reported with the chips back to what the server has."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter
from PySide6.QtTest import QTest

from operator_app.net.export_api import attachment_name
from operator_app.ui.chat_tags import ChatTagsBar
from operator_app.ui.tag_chips import fitting_chips, ink_on, menu_text, paint_chips
from tests.widgets.fixtures import eventually, run
from tests.widgets.tag_server import TagServer, tags_service

# A popup menu on the offscreen platform: it cannot raise windows or grab the keyboard (no matter here).
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


@pytest.fixture
def bar(qtbot: Any, qloop: asyncio.AbstractEventLoop) -> Iterator[ChatTagsBar]:
    """A tag bar; its tasks end before the loop goes."""
    widget = ChatTagsBar("chat")
    qtbot.addWidget(widget)
    yield widget
    run(qloop, widget.stop())


@pytest.fixture
def server() -> TagServer:
    fake = TagServer()
    fake.add("返品", "#c62828")
    fake.add("VIP", "#fbc02d")
    fake.add("<b>Fish & Chips</b>", "#1565c0")
    fake.chat_tags["c1"] = ["t2"]
    return fake


def test_menu_ticks_several_tags_by_keyboard_and_sends_each_at_once(
    bar: ChatTagsBar, qloop: asyncio.AbstractEventLoop, server: TagServer
) -> None:
    service = tags_service(server)
    bar.attach(service)
    bar.resize(500, 40)
    bar.show()

    async def scenario() -> None:
        bar.show_chat("c1")
        await eventually(lambda: bar.chips.chips == [("VIP", "#fbc02d")])
        assert bar.button.text() == "Tags (1)"
        assert bar.chips.accessibleDescription() == "VIP"

        menu = bar.open_menu()
        assert menu is not None
        assert menu.isVisible()
        texts = [a.text() for a in menu.actions()]
        assert texts == ["<b>Fish && Chips</b>", "VIP", "返品"]  # by name; & shown as itself
        assert [a.isChecked() for a in menu.actions()] == [False, True, False]
        assert menu.activeAction() is menu.actions()[0]
        # The list is loaded again as the menu opens; unchanged, the keyboard keeps its place.
        await eventually(lambda: [r[1] for r in server.requests].count("/api/v1/tags") == 2)
        assert menu.activeAction() is menu.actions()[0]

        QTest.keyClick(menu, Qt.Key.Key_Space)  # ticks the first tag, the menu stays open
        await eventually(lambda: server.puts("c1") == [["t2", "t3"]])
        assert menu.isVisible()
        QTest.keyClick(menu, Qt.Key.Key_Down)
        QTest.keyClick(menu, Qt.Key.Key_Return)  # unticks VIP
        await eventually(lambda: server.puts("c1")[-1:] == [["t3"]])
        assert menu.isVisible()
        await eventually(lambda: bar.pending == 0)
        assert server.chat_tags["c1"] == ["t3"]
        assert bar.chips.chips == [("<b>Fish & Chips</b>", "#1565c0")]
        assert [a.isChecked() for a in menu.actions()] == [True, False, False]
        QTest.keyClick(menu, Qt.Key.Key_Escape)
        assert not menu.isVisible()

        # Another chat shows its own tags (none).
        bar.show_chat("c2")
        await eventually(lambda: service.of_chat.get("c2") == [])
        assert bar.chips.chips == []
        assert bar.button.text() == "Tags"

    run(qloop, scenario())


def test_a_refused_change_is_reported_and_the_chips_show_the_servers_tags(
    bar: ChatTagsBar, qloop: asyncio.AbstractEventLoop, server: TagServer
) -> None:
    bar.attach(tags_service(server))
    errors: list[str] = []
    bar.error.connect(errors.append)

    async def scenario() -> None:
        bar.show_chat("c1")
        await eventually(lambda: bar.chosen == ["t2"])
        server.refuse["PUT /api/v1/chats/c1/tags"] = 404
        task = bar.toggle("t1", True)
        assert bar.chips.chips == [("VIP", "#fbc02d"), ("返品", "#c62828")]  # shown at once
        assert task is not None
        await task
        await eventually(lambda: bar.chips.chips == [("VIP", "#fbc02d")])
        assert errors
        assert errors[0].startswith("The tags could not be changed:")

    run(qloop, scenario())


def test_menu_without_tags_says_who_defines_them(bar: ChatTagsBar, qloop: asyncio.AbstractEventLoop) -> None:
    bar.attach(tags_service(TagServer()))
    bar.show()

    async def scenario() -> None:
        bar.show_chat("c9")
        await eventually(lambda: bar.service is not None and bar.service.loaded)
        menu = bar.open_menu()
        assert menu is not None
        [entry] = menu.actions()
        assert not entry.isEnabled()
        assert "administrator" in entry.text()
        menu.close()

    run(qloop, scenario())


def test_chips_are_plain_text_readable_and_end_with_a_count_when_short_of_room(qapp: Any) -> None:
    assert ink_on(QColor("#fbc02d")).name() == "#111827"  # dark text on yellow
    assert ink_on(QColor("#1565c0")).name() == "#ffffff"
    assert menu_text("A  &\nB") == "A && B"
    font = QFont()
    metrics = QFontMetrics(font)
    chips = [("返品", "#c62828"), ("VIP", "#fbc02d"), ("配送の遅れについてのお問い合わせ", "#1565c0")]
    shown, left = fitting_chips(chips, metrics, 10_000)
    assert (shown, left) == (chips, 0)
    shown, left = fitting_chips(chips, metrics, 120)
    assert left >= 1
    assert shown[:1] == chips[:1]
    image = QImage(400, 30, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    used = paint_chips(painter, QRectF(0, 0, 400, 30), chips[:2], font)
    painter.end()
    assert 0 < used < 400
    assert image.pixelColor(3, 15).name() == "#c62828"  # the first chip, in its colour


def test_export_file_names_come_from_the_content_disposition() -> None:
    assert attachment_name('attachment; filename="chat-2026-12-07.txt"') == "chat-2026-12-07.txt"
    assert attachment_name("attachment; filename*=UTF-8''%E6%8A%B9%E8%8C%B6.html") == "抹茶.html"
    assert attachment_name('attachment; filename="../../etc/passwd"') == "passwd"
    assert attachment_name("attachment") == ""

"""The admin's tags page against a stand-in server behind the real REST client: it lists the tags by
name with their colours, creates one with a palette colour, renames and recolours it with Qt's colour
dialog, refuses a name in use with the server's reason, deletes after asking, and saves the rule that a
chat needs a tag before it is closed as soon as the box is ticked."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QDialog, QPushButton

from operator_app.store.admin_service import AdminService
from operator_app.store.tag_list_model import TagListModel
from operator_app.ui.admin.tags_page import TagsPage
from tests.widgets.fixtures import eventually, run
from tests.widgets.tag_server import TagServer, fake_auth

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _names(page: TagsPage) -> list[str]:
    return [str(page.model.index(r, 0).data()) for r in range(page.model.rowCount())]


async def _answer(page: TagsPage, name: str) -> None:
    await eventually(lambda: any(d.isVisible() for d in page.findChildren(QDialog, name)))
    dialog = next(d for d in page.findChildren(QDialog, name) if d.isVisible())
    button = dialog.findChild(QPushButton, "actionButton")
    assert button is not None
    button.click()


@pytest.fixture
def server() -> TagServer:
    return TagServer()


@pytest.fixture
def page(qtbot: Any, server: TagServer) -> TagsPage:
    widget = TagsPage(AdminService(fake_auth(server)))
    qtbot.addWidget(widget)
    return widget


def test_tags_page_creates_edits_refuses_deletes_and_sets_the_rule(
    page: TagsPage, server: TagServer, qloop: asyncio.AbstractEventLoop, qtmodeltester: Any
) -> None:
    vip = server.add("VIP", "#fbc02d")
    server.add("返品", "#c62828")
    page.resize(900, 600)
    page.show()

    async def scenario() -> None:
        await page.reload()
        qtmodeltester.check(page.model)
        assert _names(page) == ["VIP", "返品"]
        assert page.model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) == QColor("#fbc02d")
        assert not page.require.isChecked()

        # A new tag with a colour from the palette.
        page.new_item()
        assert page.name.hasFocus()
        page.name.insert("配送  遅延")  # typed through the input method
        red = next(b for b in page.swatches.buttons() if b.accessibleName() == "Red")
        red.click()
        assert page.colour == "#c62828"
        assert await page.save()  # type: ignore[misc]
        created = next(t for t in server.tags.values() if t["name"] == "配送 遅延")
        assert created["colour"] == "#c62828"
        assert page.editing is not None
        assert page.editing.tag_id == created["tag_id"]
        assert _names(page) == ["VIP", "返品", "配送 遅延"]

        # Another colour from Qt's colour dialog, and a new name: saved in place.
        dialog = page.choose_colour()
        assert dialog.isVisible()
        dialog.setCurrentColor(QColor("#123456"))
        dialog.accept()
        assert page.colour == "#123456"
        assert page.colour_text.text() == "#123456"
        assert not any(b.isChecked() for b in page.swatches.buttons())
        page.name.setText("配送")
        assert await page.save()  # type: ignore[misc]
        assert server.tags[created["tag_id"]] == {
            "tag_id": created["tag_id"],
            "name": "配送",
            "colour": "#123456",
        }

        # A name in use: the server's refusal stays on the page.
        page.new_item()
        page.name.setText("VIP")
        assert not await page.save()  # type: ignore[misc]
        assert page.message.is_error
        assert "already exists" in page.message.text()
        assert len(server.tags) == 3

        # Deleted after asking.
        assert page.select(vip)
        deleting = asyncio.ensure_future(page.delete())  # type: ignore[arg-type]
        await _answer(page, "deleteTagConfirm")
        await deleting
        assert vip not in server.tags
        assert "VIP" not in _names(page)

        # The rule: saved when ticked; a refusal puts the box back.
        page.require.click()
        await eventually(lambda: server.require)
        assert "must now tag" in page.message.text()
        server.refuse["PUT /api/v1/settings/tags"] = 403
        page.require.click()
        await eventually(lambda: page.message.is_error)
        assert page.require.isChecked()
        assert server.require

    run(qloop, scenario())


def test_every_control_of_the_tags_page_takes_keyboard_focus(page: TagsPage) -> None:
    buttons = page.findChildren(QAbstractButton)
    assert len(buttons) >= 14  # new, delete, ten swatches, other colour, save, the rule
    for widget in [*buttons, page.name, page.list]:
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()


def test_tag_list_model(qtmodeltester: Any, qapp: Any) -> None:
    from chat_protocol.tags import Tag

    model = TagListModel()
    model.set_tags(
        [Tag(tag_id="b", name="b  <i>x</i>", colour="#000000"), Tag(tag_id="a", name="A", colour="#ffffff")]
    )
    qtmodeltester.check(model)
    assert model.index(1, 0).data() == "b <i>x</i>"
    assert model.row_of("a") == 0

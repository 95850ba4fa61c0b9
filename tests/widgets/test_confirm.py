"""`confirm()`: the one question asked before a consequential step. It answers True or False without a
nested event loop; with an action, the step runs inside the question and a refusal stays in it."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QWidget

from operator_app.errors import ApiError, ApiErrorKind
from operator_app.ui.confirm import confirm
from tests.support.waiting import until
from tests.widgets.fixtures import run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _shown(parent: QWidget, name: str) -> QDialog | None:
    return next((d for d in parent.findChildren(QDialog, name) if d.isVisible()), None)


async def _asked(parent: QWidget, name: str) -> QDialog:
    await until(lambda: _shown(parent, name) is not None, what=name)
    dialog = _shown(parent, name)
    assert dialog is not None
    return dialog


def _cancel(dialog: QDialog) -> QPushButton:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    return box.button(QDialogButtonBox.StandardButton.Cancel)


def _ok(dialog: QDialog) -> QPushButton:
    button = dialog.findChild(QPushButton, "actionButton")
    assert button is not None
    return button


def test_confirm_answers_yes_and_no(qloop: asyncio.AbstractEventLoop) -> None:
    parent = QWidget()

    async def scenario() -> None:
        asked = asyncio.ensure_future(confirm(parent, "Delete", "Delete <b>it</b>?", "&Delete", name="q"))
        dialog = await _asked(parent, "q")
        text = dialog.findChild(QLabel, "confirmText")
        assert text is not None
        assert text.text() == "Delete <b>it</b>?"  # plain text, never markup
        assert _ok(dialog).text() == "&Delete"
        assert _ok(dialog).isDefault()
        _ok(dialog).click()
        assert await asked

        asked = asyncio.ensure_future(confirm(parent, "Delete", "Sure?", "&Delete", default_to_cancel=True))
        await until(lambda: any(d.isVisible() for d in parent.findChildren(QDialog)), what="the question")
        dialog = next(d for d in parent.findChildren(QDialog) if d.isVisible())
        assert _cancel(dialog).isDefault()
        assert not _ok(dialog).isDefault()
        _cancel(dialog).click()
        assert not await asked

    run(qloop, scenario())


def test_a_refused_action_stays_in_the_question(qloop: asyncio.AbstractEventLoop) -> None:
    parent = QWidget()
    calls: list[int] = []

    async def action() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ApiError(ApiErrorKind.HTTP, "Keep at least one admin.", status=409, code="conflict")

    async def scenario() -> None:
        asked = asyncio.ensure_future(confirm(parent, "Go", "Go on?", "Go", name="q", action=action))
        dialog = await _asked(parent, "q")
        error = dialog.findChild(QLabel, "actionError")
        assert error is not None
        _ok(dialog).click()
        await until(lambda: not error.isHidden(), what="the refusal")
        assert "Keep at least one admin." in error.text()
        assert dialog.isVisible()
        _ok(dialog).click()  # the second try succeeds
        assert await asked
        assert calls == [1, 1]

    run(qloop, scenario())

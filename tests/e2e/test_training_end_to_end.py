"""Training end to end: a trainee in the real app (offscreen) switches training mode on from the
Operator menu, gets a scripted visitor of the training site, sees its typing, answers with a canned
reply typed as `#shortcut` in the composer; the supervisor's results dialog shows it, and the real
reports, archives and traffic list show nothing of it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from chat_backend.domain import training_script
from operator_app.app import AppController
from operator_app.ui.qt_runtime import ui_language
from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.waiting import until
from tests.widgets.fixtures import run

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

FIRST = training_script.load_scenarios()["en-delivery"]
CANNED = {"shortcut": "welcome", "title": "Welcome", "text": "Thank you for contacting us, {visitor.name|}!"}


def test_trainee_answers_a_scripted_visitor_with_a_canned_reply_and_nothing_reaches_real_work(
    qloop: asyncio.AbstractEventLoop, qtbot: object, backend: BackendProcess
) -> None:
    async def scenario() -> None:
        admin = admin_of(backend)
        group = admin.call("POST", "/groups", {"name": "研修"})
        trainee = admin.new_agent("研修 太郎", group_ids=(group["group_id"],), settled=True)
        boss = admin.new_agent("Boss", role="supervisor", group_ids=(group["group_id"],))
        boss_token = backend.login_tokens(boss.email, boss.password)["access_token"]
        trainee_token = backend.login_tokens(trainee.email, trainee.password)["access_token"]
        admin.call("POST", "/canned", CANNED, token=trainee_token)
        controller = AppController()
        window = await controller.login(backend.url, trainee.email, trainee.password)
        try:
            state = window.findChild(QLabel, "connectionState")
            assert state is not None
            await until(lambda: state.property("state") == "connected", what="connected")
            banner = window.findChild(QLabel, "trainingBanner")
            assert banner is not None
            assert not banner.isVisibleTo(window)
            window.activateWindow()
            QTest.keyClick(
                window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
            )
            await until(lambda: window.training_service.training, what="training mode on")
            await until(lambda: banner.isVisibleTo(window), what="the Training banner")
            assert window.training_mode.action.isChecked()
            # Training in the app's language: the server keeps it, the banner says it.
            me = window.session.store.me
            assert me is not None
            assert me.training_language == ui_language()
            assert banner.text() == {"en": "Training: English", "ja": "Training: Japanese"}[ui_language()]
            window.status_switch.click()
            await until(lambda: window.session.store.status == "accepting", what="accepting")

            # The scripted visitor is routed to the trainee; its first line is in the transcript.
            await until(lambda: window.my_chats.rowCount() == 1, what="a scripted visitor")
            window.select_my_chat(0)
            chat_id = window.current_chat_id()
            assert chat_id is not None
            chat = window.session.store.get(chat_id)
            assert chat is not None

            def visitor_lines() -> list[str]:
                assert chat is not None
                return [e.text for e in chat.entries if e.kind == "message" and e.author.kind == "visitor"]

            await until(lambda: visitor_lines() == [FIRST.steps[0]["say"]], what="the first line")

            # A canned reply from the composer: `#welc`, Tab inserts it, Enter sends it.
            library = window.session.canned
            assert library is not None
            await until(lambda: library.source == "server", what="canned replies")
            composer = window.chat_panel.composer
            composer.setFocus()
            QTest.keyClicks(composer, "#welc")
            assert composer.popup is not None
            await until(composer.popup.isVisible, what="the canned popup")
            QTest.keyClick(composer, Qt.Key.Key_Tab)
            assert composer.toPlainText() == f"Thank you for contacting us, {FIRST.visitor}!"
            QTest.keyClick(composer, Qt.Key.Key_Return)

            # The visitor types (sneak peek), then sends its next line.
            await until(
                lambda: visitor_lines()[-1:] == [FIRST.steps[1]["say"]], within=20, what="the next line"
            )

            # The supervisor's results dialog: one chat, one reply, a canned one.
            results = admin.call("GET", "/training/results", token=boss_token)
            mine = next(r for r in results if r["agent_id"] == trainee.agent_id)
            assert (mine["chats"], mine["replies"], mine["canned_replies"]) == (1, 1, 1)
            assert mine["first_response"] is not None

            # Real reports, archives and the traffic list: nothing of it.
            today = datetime.now(UTC).date()
            span = f"since={today - timedelta(days=1)}&until={today + timedelta(days=1)}"
            report = admin.call("GET", f"/reports?{span}&by=agent")
            assert report["totals"]["chats"] == 0
            assert admin.call("POST", "/archives/search", {})["hits"] == []
            traffic = admin.call("GET", "/traffic")
            assert FIRST.visitor not in str(traffic)
        finally:
            await controller.shutdown()

        # The supervisor's app: the team view's results dialog, loaded when first opened.
        boss_app = AppController()
        boss_window = await boss_app.login(backend.url, boss.email, boss.password)
        try:
            boss_window.workspaces.show_team()
            view = boss_window.workspaces.team
            assert view is not None
            dialog = view.open_training_results()
            await until(lambda: bool(dialog.results), what="the results")
            row = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
            assert row[0] == "研修 太郎"
            assert row[2:5] == ["1", "1", "1"]
        finally:
            await boss_app.shutdown()

    run(qloop, scenario(), timeout=120)

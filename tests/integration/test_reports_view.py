"""The reports workspace against the real backend: a supervisor (the app) opens View > Reports, sees the
chat an agent of their group answered, closed and had rated today (figures, hours, the comment as
plain text, the agent's row), and a plain agent has no reports at all. With $REPORTS_SCREENSHOT set,
a PNG of the main window showing the reports (in Japanese) is saved there."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

from operator_app.app import AppController
from operator_app.ui.main_window import MainWindow
from operator_app.ui.qt_runtime import install_translators, remove_translators
from tests.support.backend import BackendProcess
from tests.support.waiting import until
from tests.support.wire import connect_agent, connect_visitor, http_get, new_id
from tests.widgets.app_harness import controller, run

__all__ = ["controller"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SUP = ("sup-reports@example.com", "password-sup", "田中 美咲")
ADMIN = ("admin-reports@example.com", "password-admin", "Ada Admin")
COMMENT = "=1+1 <b>丁寧</b> でした"


async def _token(backend: BackendProcess, email: str, password: str) -> str:
    return (await asyncio.to_thread(backend.login_tokens, email, password))["access_token"]


async def _group(backend: BackendProcess) -> str:
    """The demo agent and the supervisor in one group; returns the demo agent's name."""
    await asyncio.to_thread(backend.cli, "routing", "--auto-assign", "off")
    await asyncio.to_thread(backend.create_agent, SUP[0], SUP[2], SUP[1], "supervisor")
    await asyncio.to_thread(backend.create_agent, ADMIN[0], ADMIN[2], ADMIN[1], "admin")
    demo = await http_get(
        backend, "/api/v1/me", await _token(backend, backend.agent_email, backend.agent_password)
    )
    sup = await http_get(backend, "/api/v1/me", await _token(backend, SUP[0], SUP[1]))
    admin = await _token(backend, ADMIN[0], ADMIN[1])
    async with httpx.AsyncClient(base_url=backend.url, headers={"Authorization": f"Bearer {admin}"}) as http:
        body = {"name": "日本茶チーム", "agent_ids": [demo["agent_id"], sup["agent_id"]]}
        assert (await http.post("/api/v1/groups", json=body)).is_success
    name: str = demo["name"]
    return name


async def _rated_chat(backend: BackendProcess) -> None:
    """A visitor writes, the demo agent answers and closes the chat, the visitor rates it."""
    agent = await connect_agent(backend)
    visitor, _ = await connect_visitor(backend)
    try:
        await agent.ok("set_status", {"status": "accepting"})
        sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "抹茶はありますか？"})
        chat_id = sent["event"]["chat_id"]
        await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
        await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "ございます。"})
        await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
        await visitor.ok(
            "rate_chat", {"client_id": new_id(), "chat_id": chat_id, "rating": "good", "comment": COMMENT}
        )
    finally:
        await visitor.close()
        await agent.close()


def test_supervisor_sees_the_report_of_their_group(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        agent_name = await _group(backend)
        await _rated_chat(backend)
        window: MainWindow = await controller.login(backend.url, SUP[0], SUP[1])
        workspaces = window.workspaces
        assert workspaces._reports is None  # built when first opened
        action = window.findChild(QAction, "reportsAction")
        assert action is workspaces.reports_action
        assert action.shortcut().toString() == "Ctrl+Shift+O"
        shortcuts = [
            a.shortcut().toString() for a in set(window.findChildren(QAction)) if not a.shortcut().isEmpty()
        ]
        assert sorted(s for s in shortcuts if shortcuts.count(s) > 1) == []
        action.trigger()
        view = workspaces.reports
        assert view is not None
        assert workspaces.stack.currentWidget() is view
        assert action.isChecked()
        await until(lambda: view.report is not None and not view.loading, what="the report")
        assert view.report is not None
        assert view.figures["chats"].text() == "1"
        assert view.figures["missed"].text() == "0"
        assert sum(view.hour_chart.counts()) == 1
        assert view.comments_model.shown()[0][1:] == ["Good", COMMENT]
        assert view.error.isHidden()
        assert view.empty.isHidden()

        view.by.setCurrentIndex(view.by.findData("agent"))
        assert await view.reload()
        assert [row[0] for row in view.rows_model.shown()] == [agent_name]

        # Back to the chats: the action is unchecked.
        workspaces.show_chats()
        assert workspaces.stack.currentWidget() is workspaces.chats_page
        assert not action.isChecked()

    run(qloop, scenario(), timeout=90)


def test_the_report_reads_in_japanese(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    tmp_path: Path,
) -> None:
    """A supervisor's report in the Japanese app: translated labels, the figures of three rated chats,
    and a picture of it (saved where REPORTS_SCREENSHOT says, to look at)."""

    async def scenario() -> None:
        await _group(backend)
        for _ in range(3):
            await _rated_chat(backend)
        app = QApplication.instance()
        assert app is not None
        install_translators(app, "ja")
        try:
            window: MainWindow = await controller.login(backend.url, SUP[0], SUP[1])
            window.resize(1400, 1000)
            window.workspaces.reports_action.trigger()
            view = window.workspaces.reports
            assert view is not None
            view.by.setCurrentIndex(view.by.findData("agent"))
            await until(lambda: view.report is not None and not view.loading, what="the report")
            await view.reload()
            assert window.workspaces.reports_action.text() == "レポート(&R)"
            assert view.hour_chart.chart().title() == "時間帯別のチャット数"
            assert view.figures["chats"].text() == "3"
            await asyncio.sleep(0.3)
            picture = Path(os.environ.get("REPORTS_SCREENSHOT") or tmp_path / "reports.png")
            assert window.grab().save(str(picture))
        finally:
            remove_translators(app)

    run(qloop, scenario(), timeout=90)


def test_plain_agent_has_no_reports(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        window: MainWindow = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        assert window.findChild(QAction, "reportsAction") is None
        assert window.workspaces.reports is None

    run(qloop, scenario(), timeout=60)

"""The team workspace against the real backend: a supervisor (the app) sees the agents of their groups
with status and load, a chat answered by an agent shows up in chats today and first response, the
supervisor sets an agent's status (the backend agrees; outside their groups the server refuses and
the view says so), and reloads keep the rows and the selection. A plain agent has no team view."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPushButton, QTableView

from chat_protocol.models import RoutingStatus
from operator_app.app import AppController
from operator_app.store.team_model import TeamModel, TeamRole
from operator_app.ui.main_window import MainWindow
from operator_app.ui.team_view import TeamView
from tests.support.backend import BackendProcess
from tests.support.waiting import until
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id
from tests.widgets.app_harness import controller, run

__all__ = ["controller"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SUP = ("sup@example.com", "password-sup", "Sue Supervisor")
ADMIN = ("admin@example.com", "password-admin", "Ada Admin")
BOB = ("bob@example.com", "password-bob", "Bob Builder")
CARL = ("carl@example.com", "password-carl", "Carl Outsider")


async def _token(backend: BackendProcess, email: str, password: str) -> str:
    return (await asyncio.to_thread(backend.login_tokens, email, password))["access_token"]


async def _team(backend: BackendProcess) -> dict[str, str]:
    """The demo agent, Bob and the supervisor in group "Tea"; Carl in no group. Returns name -> id."""
    await asyncio.to_thread(backend.cli, "routing", "--auto-assign", "off")
    for email, password, name in (SUP, ADMIN, BOB, CARL):
        role = "supervisor" if email == SUP[0] else "admin" if email == ADMIN[0] else "agent"
        await asyncio.to_thread(backend.create_agent, email, name, password, role)
    ids: dict[str, str] = {}
    for email, password in (
        (backend.agent_email, backend.agent_password),
        (SUP[0], SUP[1]),
        (BOB[0], BOB[1]),
        (CARL[0], CARL[1]),
    ):
        me = await http_get(backend, "/api/v1/me", await _token(backend, email, password))
        ids[me["name"]] = me["agent_id"]
    admin = await _token(backend, ADMIN[0], ADMIN[1])
    members = [ids[name] for name in ids if name != CARL[2]]
    async with httpx.AsyncClient(base_url=backend.url) as http:
        response = await http.post(
            "/api/v1/groups",
            json={"name": "Tea", "agent_ids": members},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert response.is_success, response.text
    return ids


def _row(view: TeamView, name: str) -> dict[str, Any]:
    """The row of `name` as displayed (through the sorting proxy, as the user sees it)."""
    model = view.table.model()
    for row in range(model.rowCount()):
        if model.index(row, TeamModel.NAME).data() == name:
            cells = [str(model.index(row, c).data()) for c in range(model.columnCount())]
            return {
                "status": model.index(row, TeamModel.STATUS).data(TeamRole.STATUS),
                "status_text": cells[TeamModel.STATUS],
                "load": cells[TeamModel.LOAD],
                "chats": cells[TeamModel.CHATS],
                "answered": cells[TeamModel.ANSWERED],
                "first": cells[TeamModel.FIRST_RESPONSE],
                "groups": cells[TeamModel.GROUPS],
            }
    return {}


def _names(view: TeamView) -> set[str]:
    model = view.table.model()
    return {str(model.index(row, 0).data()) for row in range(model.rowCount())}


async def _answered_chat(backend: BackendProcess, agent: WireClient) -> WireClient:
    """A visitor writes, the agent takes the chat and replies a moment later."""
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "Is the matcha in stock?"})
    chat_id = sent["event"]["chat_id"]
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await asyncio.sleep(1.1)
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "Yes, it is."})
    return visitor


async def _supervisor_scenario(backend: BackendProcess, controller: AppController) -> None:
    ids = await _team(backend)
    demo_name = next(name for name in ids if name not in (SUP[2], BOB[2], CARL[2]))
    agent = await connect_agent(backend)
    await agent.ok("set_status", {"status": "accepting"})
    visitor: WireClient | None = None
    try:
        window: MainWindow = await controller.login(backend.url, SUP[0], SUP[1])
        view = window.workspaces.team
        assert view is not None
        action = window.findChild(QAction, "teamAction")
        assert action is window.workspaces.team_action
        # Ctrl+Shift+T is Transfer chat: a second action on it would make both keys dead (ambiguous).
        assert action.shortcut().toString() == "Ctrl+Shift+M"
        shortcuts = [
            a.shortcut().toString() for a in set(window.findChildren(QAction)) if not a.shortcut().isEmpty()
        ]
        assert sorted(s for s in shortcuts if shortcuts.count(s) > 1) == []
        action.trigger()
        assert window.workspaces.stack.currentWidget() is view
        assert view.findChild(QTableView, "teamTable") is view.table

        # The group's agents (not Carl) with status, load and groups.
        await until(lambda: _names(view) == {demo_name, SUP[2], BOB[2]}, what="the group's agents")
        demo = _row(view, demo_name)
        assert demo["status"] == "accepting"
        assert demo["status_text"] == "Accepting"
        assert demo["load"] == "0 / 6"
        assert demo["chats"] == "0"
        assert demo["first"] == "\u2013"
        assert demo["groups"] == "Tea"
        assert _row(view, BOB[2])["status"] == "offline"  # never connected
        assert _row(view, BOB[2])["status_text"] == "Offline"
        summary = view.findChild(QLabel, "teamSummary")
        assert summary is not None
        assert summary.text().startswith("3 ")
        empty = view.findChild(QLabel, "teamEmpty")
        assert empty is not None
        assert empty.isHidden()

        # A chat answered by the demo agent: load, chats today, answered and first response appear.
        visitor = await _answered_chat(backend, agent)
        refresh = view.findChild(QPushButton, "teamRefreshButton")
        assert refresh is not None
        refresh.click()
        await until(lambda: _row(view, demo_name).get("answered") == "1", what="the answered chat")
        demo = _row(view, demo_name)
        assert demo["load"] == "1 / 6"
        assert demo["chats"] == "1"
        assert demo["first"].endswith(" s")
        assert demo["first"] != "\u2013"

        # Reloads update in place: no reset, the selection stays on the same agent.
        resets: list[int] = []
        view.model.modelAboutToBeReset.connect(lambda: resets.append(1))
        assert view.select_agent(ids[demo_name])
        for _ in range(3):
            await view.reload()
        assert resets == []
        selected = view.selected_agent()
        assert selected is not None
        assert selected.agent_id == ids[demo_name]

        # The supervisor sets the demo agent to Not accepting from the set-status menu.
        button = view.findChild(QPushButton, "setStatusButton")
        assert button is not None
        assert button.isEnabled()
        choice = next(a for a in button.menu().actions() if a.objectName() == "setStatus_not_accepting")
        choice.trigger()
        await agent.next_push("status", within=15)
        sup_token = await _token(backend, SUP[0], SUP[1])
        agents = {a["agent_id"]: a for a in await http_get(backend, "/api/v1/agents", sup_token)}
        assert agents[ids[demo_name]]["status"] == "not_accepting"
        message = view.findChild(QLabel, "teamMessage")
        assert message is not None
        await until(lambda: "Not accepting" in message.text(), what="the confirmation")
        await until(lambda: _row(view, demo_name)["status"] == "not_accepting", what="the new status")
        assert resets == []

        # The row's context menu sets it back to Accepting.
        row = next(r for r in range(view.proxy.rowCount()) if view.proxy.index(r, 0).data() == demo_name)
        pos = view.table.visualRect(view.proxy.index(row, 1)).center()
        menu = view.context_menu_at(pos)  # what a right-click pops up (no popup offscreen)
        assert menu is not None
        assert menu.objectName() == "teamContextMenu"
        next(a for a in menu.actions() if a.objectName() == "setStatus_accepting").trigger()
        await agent.next_push("status", within=15)
        await until(lambda: _row(view, demo_name)["status"] == "accepting", what="accepting again")
        agents = {a["agent_id"]: a for a in await http_get(backend, "/api/v1/agents", sup_token)}
        assert agents[ids[demo_name]]["status"] == "accepting"

        # Outside the supervisor's groups: the server refuses (404) and the view says why.
        assert not await view.set_status(ids[CARL[2]], RoutingStatus.AWAY)
        assert "not in your groups" in message.text()
        agents = {a["agent_id"]: a for a in await http_get(backend, "/api/v1/agents", sup_token)}
        assert agents[ids[CARL[2]]]["status"] != "away"

        # Switching between all four workspaces keeps working.
        workspaces = window.workspaces
        stack = workspaces.stack
        workspaces.traffic_action.trigger()
        assert stack.currentWidget() is workspaces.traffic_page
        assert not action.isChecked()
        action.trigger()
        assert stack.currentWidget() is view
        assert not workspaces.traffic_action.isChecked()
        workspaces.supervision_action.trigger()
        assert stack.currentWidget() is workspaces.supervision
        assert not action.isChecked()
        action.trigger()
        assert not workspaces.supervision_action.isChecked()
        assert view.timer.isActive()
        workspaces.chats_action.trigger()
        assert stack.currentWidget() is window.splitter
        assert not action.isChecked()
        assert not view.timer.isActive()  # no reloads while hidden
    finally:
        await agent.close()
        if visitor is not None:
            await visitor.close()


def test_supervisor_sees_team_and_sets_status(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, backend: BackendProcess, controller: AppController
) -> None:
    run(qloop, _supervisor_scenario(backend, controller), timeout=120)


def test_plain_agent_has_no_team_view(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        assert window.workspaces.team is None
        assert window.findChild(QAction, "teamAction") is None
        assert window.findChild(TeamView, "teamView") is None

    run(qloop, scenario(), timeout=60)


def test_failed_load_shows_the_reason_and_keeps_the_rows(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        await _team(backend)
        window = await controller.login(backend.url, SUP[0], SUP[1])
        view = window.workspaces.team
        assert view is not None
        window.workspaces.show_team()
        await until(lambda: view.model.rowCount() == 3, what="the team")
        backend.stop()
        await view.reload()
        error = view.findChild(QLabel, "teamError")
        assert error is not None
        await until(lambda: not error.isHidden(), what="the failed load")
        assert "Cannot reach the server" in error.text()
        assert view.model.rowCount() == 3

    run(qloop, scenario(), timeout=60)

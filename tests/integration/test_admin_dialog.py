"""The administration dialog against the real backend, as an admin in the real app: agents (create with a
temporary password, change, deactivate, reset the password), groups, sites and the audit log; and no
Administration for agents and supervisors."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
)

from operator_app.app import AppController
from operator_app.ui.admin.agents_page import AgentsPage
from operator_app.ui.admin.audit_page import AuditPage
from operator_app.ui.admin.dialog import AdminDialog
from operator_app.ui.admin.groups_page import GroupsPage
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.admin.sites_page import SitesPage
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.waiting import until
from tests.support.wire import connect_agent, http_get
from tests.widgets.app_harness import controller, run

__all__ = ["controller"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "password-admin"
SUP_EMAIL, SUP_PASSWORD = "sup@example.com", "password-sup"
NEW_EMAIL = "carol@example.com"


# --- helpers -------------------------------------------------------------------------------------


def _child(parent: Any, kind: type, name: str) -> Any:
    widget = parent.findChild(kind, name)
    assert widget is not None, name
    return widget


def _visible_dialog(page: AdminPage, name: str) -> QDialog | None:
    for dialog in page.findChildren(QDialog, name):
        if dialog.isVisible():
            return dialog
    return None


async def _dialog(page: AdminPage, name: str) -> QDialog:
    await until(lambda: _visible_dialog(page, name) is not None, what=f"the {name}")
    dialog = _visible_dialog(page, name)
    assert dialog is not None
    return dialog


async def _act(dialog: QDialog) -> None:
    """Press the dialog's action button and wait until it is done (closed or refused)."""
    error: QLabel = _child(dialog, QLabel, "actionError")
    _child(dialog, QPushButton, "actionButton").click()
    await until(
        lambda: not shiboken6.isValid(dialog) or not dialog.isVisible() or not error.isHidden(),
        what="the dialog's answer",
    )


async def _temporary_password(page: AdminPage) -> str:
    shown = await _dialog(page, "temporaryPasswordDialog")
    text: QLabel = _child(shown, QLabel, "temporaryPasswordText")
    assert "securely" in text.text()
    password: str = _child(shown, QLineEdit, "temporaryPassword").text()
    assert password
    _child(shown, QPushButton, "copyPasswordButton").click()
    assert QGuiApplication.clipboard().text() == password
    shown.reject()
    await until(lambda: _visible_dialog(page, "temporaryPasswordDialog") is None, what="the password closed")
    return password


def _table_column(table: QTableView, column: int) -> list[str]:
    model = table.model()
    return [str(model.index(row, column).data()) for row in range(model.rowCount())]


def _select_row(table: QTableView, column: int, text: str) -> None:
    row = _table_column(table, column).index(text)
    table.selectRow(row)


def _check(view: QListView, label_part: str, checked: bool) -> None:
    """Check or uncheck a row as a keyboard user does: make it current, press Space if it differs."""
    model = view.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if label_part in str(index.data()):
            view.setCurrentIndex(index)
            if (index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked) != checked:
                QTest.keyClick(view, Qt.Key.Key_Space)
            assert (index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked) == checked
            return
    raise AssertionError(f"{label_part!r} not in the list")


def _checked_texts(view: QListView) -> list[str]:
    model = view.model()
    rows = (model.index(row, 0) for row in range(model.rowCount()))
    return [str(i.data()) for i in rows if i.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked]


async def _screenshot(dialog: AdminDialog, name: str) -> None:
    """Pictures of the dialog to look at: ADMIN_SCREENSHOTS=<folder>."""
    if folder := os.environ.get("ADMIN_SCREENSHOTS"):
        dialog.resize(1100, 640)
        await asyncio.sleep(0.2)
        dialog.grab().save(os.path.join(folder, f"admin-{name}.png"))


def _list_texts(view: QListView) -> list[str]:
    model = view.model()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


async def _admin_get(backend: BackendProcess, path: str) -> Any:
    tokens = await asyncio.to_thread(backend.login_tokens, ADMIN_EMAIL, ADMIN_PASSWORD)
    return await http_get(backend, path, tokens["access_token"])


async def _can_sign_in(backend: BackendProcess, email: str, password: str) -> bool:
    async with httpx.AsyncClient(base_url=backend.url) as http:
        response = await http.post("/api/v1/auth/login", json={"email": email, "password": password})
    return response.is_success


async def _open_admin(backend: BackendProcess, controller: AppController) -> tuple[MainWindow, AdminDialog]:
    await asyncio.to_thread(backend.create_agent, ADMIN_EMAIL, "Ada Admin", ADMIN_PASSWORD, "admin")
    window: MainWindow = await controller.login(backend.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    action = window.findChild(QAction, "adminAction")
    assert action is not None
    action.trigger()
    dialog = window.findChild(AdminDialog, "adminDialog")
    assert dialog is not None
    assert dialog.isVisible()
    assert not dialog.isModal()
    assert dialog.windowTitle() == "Administration"
    return window, dialog


def _show_tab(dialog: AdminDialog, page_type: type[AdminPage]) -> Any:
    page = dialog.page(page_type)
    assert page is not None
    tabs: QTabWidget = _child(dialog, QTabWidget, "adminTabs")
    tabs.setCurrentWidget(page)
    return page


# --- the scenario --------------------------------------------------------------------------------


async def _groups(backend: BackendProcess, dialog: AdminDialog) -> str:
    """Create a group with the demo agent, rename it; create and delete another. Returns the group id."""
    page: GroupsPage = _show_tab(dialog, GroupsPage)
    members: QListView = _child(page, QListView, "groupMembers")
    await until(lambda: any(backend.agent_email in text for text in _list_texts(members)), what="the agents")
    groups_list: QListView = _child(page, QListView, "groupsList")
    name: QLineEdit = _child(page, QLineEdit, "groupName")
    save: QPushButton = _child(page, QPushButton, "saveGroupButton")
    message: QLabel = _child(page, QLabel, "groupsMessage")

    _child(page, QPushButton, "newGroupButton").click()
    name.setText("Sales")
    _check(members, backend.agent_email, True)
    save.click()
    await until(lambda: _list_texts(groups_list) == ["Sales"], what="the new group")
    assert message.text() == "Saved."
    group = (await _admin_get(backend, "/api/v1/groups"))[0]
    demo_id = await _admin_get(backend, "/api/v1/agent-accounts")
    demo = next(a for a in demo_id if a["email"] == backend.agent_email)
    assert group["name"] == "Sales"
    assert group["agent_ids"] == [demo["agent_id"]]

    # A second group with the same name is refused where it was typed.
    _child(page, QPushButton, "newGroupButton").click()
    assert not groups_list.currentIndex().isValid()
    assert _checked_texts(members) == []
    name.setText("Sales")
    save.click()
    await until(lambda: "already exists" in message.text(), what="the duplicate refused")
    assert "Sales" in message.text()  # the server's own message as detail

    # Rename.
    assert page.select_group(group["group_id"])
    assert name.text() == "Sales"
    assert groups_list.currentIndex().data() == "Sales"
    assert [backend.agent_email in text for text in _checked_texts(members)] == [True]
    name.setText("Sales EU")
    save.click()
    await until(lambda: _list_texts(groups_list) == ["Sales EU"], what="the rename")
    assert [g["name"] for g in await _admin_get(backend, "/api/v1/groups")] == ["Sales EU"]

    # Another group, deleted after a confirmation.
    _child(page, QPushButton, "newGroupButton").click()
    name.setText("Temp")
    save.click()
    await until(lambda: _list_texts(groups_list) == ["Sales EU", "Temp"], what="the second group")
    _child(page, QPushButton, "deleteGroupButton").click()
    confirm = await _dialog(page, "deleteGroupConfirm")
    assert "Temp" in _child(confirm, QLabel, "confirmText").text()
    await _act(confirm)
    await until(lambda: _list_texts(groups_list) == ["Sales EU"], what="the deletion")
    assert [g["name"] for g in await _admin_get(backend, "/api/v1/groups")] == ["Sales EU"]
    await _screenshot(dialog, "groups")
    return str(group["group_id"])


async def _agents(backend: BackendProcess, dialog: AdminDialog, qtmodeltester: Any) -> None:
    page: AgentsPage = _show_tab(dialog, AgentsPage)
    table: QTableView = _child(page, QTableView, "agentsTable")
    await until(lambda: table.model().rowCount() >= 2, what="the accounts")
    qtmodeltester.check(table.model())
    # The groups column knows the group made on the other tab (pages reload after a change elsewhere).
    await until(lambda: "Sales EU" in _table_column(table, 3), what="the group's name in the table")

    # Create an agent: the temporary password is shown once, and works.
    _child(page, QPushButton, "newAgentButton").click()
    form = await _dialog(page, "agentFormDialog")
    _child(form, QLineEdit, "agentEmail").setText(NEW_EMAIL)
    _child(form, QLineEdit, "agentName").setText("Carol <b>New</b>")
    _check(_child(form, QListView, "agentGroups"), "Sales EU", True)
    _child(form, QSpinBox, "agentChatLimit").setValue(3)
    await _act(form)
    password = await _temporary_password(page)
    assert await _can_sign_in(backend, NEW_EMAIL, password)
    await _screenshot(dialog, "agents")
    names = _table_column(table, 0)
    assert names == sorted(names, key=str.casefold)
    assert "Carol <b>New</b>" in names
    carol = next(a for a in await _admin_get(backend, "/api/v1/agent-accounts") if a["email"] == NEW_EMAIL)
    assert carol["role"] == "agent"
    assert carol["max_chats"] == 3
    assert carol["must_change_password"] is True
    assert len(carol["group_ids"]) == 1

    # The same e-mail again is refused in the form, which stays open with the reason.
    _child(page, QPushButton, "newAgentButton").click()
    form = await _dialog(page, "agentFormDialog")
    _child(form, QLineEdit, "agentEmail").setText(NEW_EMAIL)
    _child(form, QLineEdit, "agentName").setText("Carol Again")
    await _act(form)
    error: QLabel = _child(form, QLabel, "actionError")
    assert form.isVisible()
    assert "already exists" in error.text()
    assert NEW_EMAIL in error.text()
    form.reject()

    # Change role, groups and limit.
    _select_row(table, 1, NEW_EMAIL)
    _child(page, QPushButton, "editAgentButton").click()
    form = await _dialog(page, "agentFormDialog")
    assert _child(form, QLineEdit, "agentEmail").isReadOnly()
    role: QComboBox = _child(form, QComboBox, "agentRole")
    role.setCurrentIndex(role.findData("supervisor"))
    _check(_child(form, QListView, "agentGroups"), "Sales EU", False)
    _child(form, QSpinBox, "agentChatLimit").setValue(5)
    await _act(form)
    carol = next(a for a in await _admin_get(backend, "/api/v1/agent-accounts") if a["email"] == NEW_EMAIL)
    assert (carol["role"], carol["group_ids"], carol["max_chats"]) == ("supervisor", [], 5)
    row = _table_column(table, 1).index(NEW_EMAIL)
    assert table.model().index(row, 2).data() == "Supervisor"
    assert table.model().index(row, 4).data() == "5"

    # Deactivate: the agent's socket closes at once; the row is greyed.
    socket = await connect_agent(backend, NEW_EMAIL, password)
    _select_row(table, 1, NEW_EMAIL)
    deactivate: QPushButton = _child(page, QPushButton, "deactivateAgentButton")
    deactivate.click()
    confirm = await _dialog(page, "deactivateAgentConfirm")
    assert "signed out at once" in _child(confirm, QLabel, "confirmText").text()
    await _act(confirm)
    await asyncio.wait_for(socket.ws.wait_closed(), 10)
    assert socket.ws.close_code == 4001
    await socket.close()
    assert not await _can_sign_in(backend, NEW_EMAIL, password)
    row = _table_column(table, 1).index(NEW_EMAIL)
    assert table.model().index(row, 6).data() == "Deactivated"
    assert table.model().index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert deactivate.text().replace("&", "").startswith("Reactivate")

    # Reactivate, then reset the password: a new temporary password, the old one stops working.
    deactivate.click()
    await _act(await _dialog(page, "deactivateAgentConfirm"))
    assert await _can_sign_in(backend, NEW_EMAIL, password)
    _select_row(table, 1, NEW_EMAIL)
    _child(page, QPushButton, "resetPasswordButton").click()
    await _act(await _dialog(page, "resetPasswordConfirm"))
    new_password = await _temporary_password(page)
    assert new_password != password
    assert await _can_sign_in(backend, NEW_EMAIL, new_password)
    assert not await _can_sign_in(backend, NEW_EMAIL, password)

    # The last admin cannot deactivate themself: the refusal stays in the confirmation.
    _select_row(table, 1, ADMIN_EMAIL)
    deactivate.click()
    confirm = await _dialog(page, "deactivateAgentConfirm")
    await _act(confirm)
    assert confirm.isVisible()
    assert "Keep at least one active admin" in _child(confirm, QLabel, "actionError").text()
    confirm.reject()


async def _sites(backend: BackendProcess, dialog: AdminDialog) -> None:
    page: SitesPage = _show_tab(dialog, SitesPage)
    sites: QListView = _child(page, QListView, "sitesList")
    await until(lambda: sites.model().rowCount() >= 1, what="the sites")
    origins: QPlainTextEdit = _child(page, QPlainTextEdit, "siteOrigins")
    message: QLabel = _child(page, QLabel, "sitesMessage")
    assert page.select_site(backend.site_id)
    snippet: QPlainTextEdit = _child(page, QPlainTextEdit, "siteSnippet")
    assert snippet.isReadOnly()
    assert "<script" in snippet.toPlainText()
    _child(page, QPushButton, "copySnippetButton").click()
    assert QGuiApplication.clipboard().text() == snippet.toPlainText()

    origins.setPlainText(origins.toPlainText() + "\nhttps://shop.example.com\n")
    _child(page, QPushButton, "saveSiteButton").click()
    await until(lambda: message.text() == "Saved.", what="the site saved")
    site = next(s for s in await _admin_get(backend, "/api/v1/sites") if s["site_id"] == backend.site_id)
    assert "https://shop.example.com" in site["origins"]

    origins.setPlainText(origins.toPlainText() + "\nnot an origin\n")
    _child(page, QPushButton, "saveSiteButton").click()
    await until(lambda: "not an origin" in message.text(), what="the invalid origin refused")
    site = next(s for s in await _admin_get(backend, "/api/v1/sites") if s["site_id"] == backend.site_id)
    assert all("not an origin" not in origin for origin in site["origins"])
    await _screenshot(dialog, "sites")


async def _audit(dialog: AdminDialog, qtmodeltester: Any) -> None:
    page: AuditPage = _show_tab(dialog, AuditPage)
    table: QTableView = _child(page, QTableView, "auditTable")
    await until(lambda: table.model().rowCount() > 0, what="the audit log")
    qtmodeltester.check(table.model())
    actions = _table_column(table, 2)
    for text in ("Agent created", "Agent changed", "Password reset", "Group created", "Group changed"):
        assert text in actions, text
    assert "Group deleted" in actions
    assert "Site changed" in actions
    assert actions[0] == "Site changed"  # newest first
    assert _table_column(table, 1)[0] == "Ada Admin"
    assert table.model().index(0, 4).data() == "origins: + https://shop.example.com"
    row = actions.index("Agent changed")  # the newest: reactivated
    assert table.model().index(row, 4).data() == "active: no \u2192 yes"
    assert table.model().index(row, 3).data() == "Carol <b>New</b>"  # the target's name, as plain text
    ids = [
        table.model().index(row, 0).data(Qt.ItemDataRole.UserRole + 1)
        for row in range(table.model().rowCount())
    ]
    assert ids == sorted(ids, reverse=True)

    # Page back three at a time.
    page.page_size = 3
    _child(page, QPushButton, "auditRefreshButton").click()
    await until(lambda: table.model().rowCount() == 3, what="the first page")
    more: QPushButton = _child(page, QPushButton, "auditMoreButton")
    assert more.isEnabled()
    more.click()
    await until(lambda: table.model().rowCount() == 6, what="the second page")
    refresh: QPushButton = _child(page, QPushButton, "auditRefreshButton")
    while more.isEnabled():
        before = table.model().rowCount()

        def answered(before: int = before) -> bool:
            return refresh.isEnabled() and (table.model().rowCount() > before or not more.isEnabled())

        more.click()
        await until(answered, what="more entries")
    paged = [
        table.model().index(row, 0).data(Qt.ItemDataRole.UserRole + 1)
        for row in range(table.model().rowCount())
    ]
    assert paged == ids
    assert _child(page, QLabel, "auditMessage").text() == "These are all the entries."
    table.selectRow(0)
    await _screenshot(dialog, "audit")
    assert "After:" in _child(page, QPlainTextEdit, "auditDetails").toPlainText()


async def _scenario(backend: BackendProcess, controller: AppController, qtmodeltester: Any) -> None:
    window, dialog = await _open_admin(backend, controller)
    await _groups(backend, dialog)
    await _agents(backend, dialog, qtmodeltester)
    await _sites(backend, dialog)
    await _audit(dialog, qtmodeltester)
    # Keyboard: Ctrl+PgUp / Ctrl+PgDn move between the tabs, Esc closes; opened again, it loads afresh.
    tabs: QTabWidget = _child(dialog, QTabWidget, "adminTabs")
    tabs.setCurrentIndex(0)
    dialog.activateWindow()
    await until(dialog.isActiveWindow, what="the dialog active")
    QTest.keyClick(tabs, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentIndex() == 1
    QTest.keyClick(tabs, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentIndex() == 0
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert window.open_admin() is dialog
    assert dialog.isVisible()
    await until(lambda: dialog.current_page() in dialog.loaded, what="the page loaded again")


def test_admin_manages_agents_groups_sites_and_reads_the_audit_log(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController, qtmodeltester: Any
) -> None:
    run(qloop, _scenario(backend, controller, qtmodeltester), timeout=180)


def test_a_failed_load_shows_the_reason(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        window, dialog = await _open_admin(backend, controller)
        page = _show_tab(dialog, AgentsPage)
        await until(lambda: page.model.rowCount() >= 2, what="the accounts")
        backend.stop()  # the server goes away
        _child(page, QPushButton, "agentsRefreshButton").click()
        state: QLabel = _child(page, QLabel, "adminPageState")
        await until(lambda: "Could not load" in state.text(), what="the failed state")
        assert "Cannot reach the server" in state.text()

    run(qloop, scenario(), timeout=60)


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_agents_and_supervisors_have_no_administration(
    qloop: asyncio.AbstractEventLoop, backend: BackendProcess, controller: AppController, role: str
) -> None:
    async def scenario() -> None:
        await asyncio.to_thread(backend.create_agent, SUP_EMAIL, "Sue", SUP_PASSWORD, role)
        window: MainWindow = await controller.login(backend.url, SUP_EMAIL, SUP_PASSWORD)
        assert window.findChild(QAction, "adminAction") is None
        assert window.findChild(QAction, "changePasswordAction") is not None

    run(qloop, scenario(), timeout=60)

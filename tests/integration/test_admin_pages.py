"""The admin settings pages against the real backend, each built alone in a plain widget with the signed-in
admin's `AdminService`: team replies, greeting rules, business hours, routing and timeouts. Each loads
the server's values, saves a change that REST (and the audit log) then shows, refuses invalid input
inline without calling the server, and shows the server's refusal or an unreachable server.

One backend serves the module (`module_backend`); each test signs in as an administrator of its own and
puts back what it changed; the tests that stop the server have a backend of their own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from operator_app.app import AppController
from operator_app.store.greeting_rules_model import GreetingRulesModel
from operator_app.ui.admin.greetings_page import GreetingRulesPage
from operator_app.ui.admin.hours_page import BusinessHoursPage
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.admin.replies_page import RepliesPage
from operator_app.ui.admin.routing_page import RoutingPage
from operator_app.ui.admin.tags_page import TagsPage
from tests.support.backend import BackendProcess
from tests.support.sharing import Account, admin_of
from tests.support.waiting import until
from tests.widgets.app_harness import controller, run

__all__ = ["controller"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

P = TypeVar("P", bound=AdminPage)


@pytest.fixture
def backend(module_backend: BackendProcess) -> BackendProcess:
    return module_backend


@pytest.fixture
def hours_put_back(backend: BackendProcess) -> Iterator[None]:
    """The business hours as they were before the test, again after it."""
    admin = admin_of(backend)
    before = admin.call("GET", "/settings/business-hours")
    yield
    admin.call("PUT", "/settings/business-hours", before)


@pytest.fixture
def rules_put_back(backend: BackendProcess) -> Iterator[None]:
    """The greeting rules the test made are deleted after it."""
    admin = admin_of(backend)
    before = {rule["rule_id"] for rule in admin.call("GET", "/greeting-rules")}
    yield
    for rule in admin.call("GET", "/greeting-rules"):
        if rule["rule_id"] not in before:
            admin.call("DELETE", f"/greeting-rules/{rule['rule_id']}")


class Rest:
    """The admin's own REST calls, to see what the server holds."""

    def __init__(self, backend: BackendProcess, token: str) -> None:
        self.backend = backend
        self.token = token
        self.audit_since = 0  # the audit log's newest entry when the test began

    async def send(self, method: str, path: str, body: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=self.backend.url) as http:
            response = await http.request(
                method, f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {self.token}"}
            )
            response.raise_for_status()
            return response.json() if response.content else None

    async def get(self, path: str) -> Any:
        return await self.send("GET", path)

    async def audit_actions(self) -> list[str]:
        """The actions audited since the test began."""
        return [entry["action"] for entry in await self.get("/audit") if entry["audit_id"] > self.audit_since]


@pytest.fixture
def ada(request: pytest.FixtureRequest, backend: BackendProcess) -> Account:
    """The administrator the app signs in as (the pages change settings, never the administrator): on
    the shared backend its test administrator; on a backend of the test's own, one made with
    `chat-backend create-agent`."""
    if request.node.get_closest_marker("own_backend"):
        backend.create_agent("admin@example.com", "Ada Admin", "password-admin", "admin")
        return Account("", "admin@example.com", "password-admin", "Ada Admin", "admin")
    return admin_of(backend).account


async def _admin(backend: BackendProcess, controller: AppController, ada: Account) -> tuple[Rest, QWidget]:
    await controller.login(backend.url, ada.email, ada.password)
    token = (await asyncio.to_thread(backend.login_tokens, ada.email, ada.password))["access_token"]
    rest = Rest(backend, token)
    rest.audit_since = max((entry["audit_id"] for entry in await rest.get("/audit")), default=0)
    host = QWidget()
    host.resize(980, 620)
    return rest, host


def _page(controller: AppController, page_type: type[P], host: QWidget) -> P:
    session = controller.session
    assert session is not None
    page = page_type(session.admin, host)
    page.resize(host.size())
    return page


def _state(page: AdminPage) -> QLabel:
    label = page.findChild(QLabel, "adminPageState")
    assert label is not None
    return label


def _shown(page: QWidget, name: str) -> QDialog | None:
    return next((d for d in page.findChildren(QDialog, name) if d.isVisible()), None)


async def _confirm(page: QWidget, name: str, yes: bool) -> None:
    """Answer the confirmation `name`: its action button, or Cancel."""
    await until(lambda: _shown(page, name) is not None, what=name)
    dialog = _shown(page, name)
    assert dialog is not None
    if yes:
        button = dialog.findChild(QPushButton, "actionButton")
    else:
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        button = box.button(QDialogButtonBox.StandardButton.Cancel)
    assert button is not None
    button.click()


# --- routing and timeouts ---------------------------------------------------------------------


@pytest.mark.own_backend
def test_routing_page_loads_saves_and_refuses(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    ada: Account,
) -> None:
    async def scenario() -> None:
        backend.cli("routing", "--auto-assign", "off", "--max-chats", "4")
        rest, host = await _admin(backend, controller, ada)
        page = _page(controller, RoutingPage, host)
        assert page.objectName() == "adminRoutingPage"
        assert page.title()
        await page.reload()
        assert _state(page).isHidden()
        assert not page.auto_assign.isChecked()
        assert page.max_chats.value() == 4
        assert page.inactivity_on.isChecked()
        assert page.inactivity_after.value() == 30  # 1800 s shown as minutes
        assert page.idle_after.value() == 10
        assert not page.reassign_on.isChecked()
        assert not page.reassign_after.isEnabled()
        assert page.retention.value() == 90
        assert not page.chat_retention_on.isChecked()  # closed chats are kept by default
        assert not page.chat_retention_days.isEnabled()

        # Invalid: red (alarm) not after orange (warning) is refused inline; nothing is sent.
        page.wait_warning.setValue(120)
        page.wait_alarm.setValue(100)
        assert not await page.save()
        message = page.findChild(QLabel, "routingMessage")
        assert message is not None
        assert not message.isHidden()
        assert "Red must come later" in message.text()
        assert (await rest.get("/settings/routing"))["wait_warning"] == 60

        # A change is saved and visible over REST and in the audit log.
        page.wait_alarm.setValue(300)
        page.auto_assign.setChecked(True)
        page.reassign_on.setChecked(True)
        assert page.reassign_after.isEnabled()
        page.reassign_after.setValue(45)
        page.inactivity_on.setChecked(False)
        page.idle_after.setValue(15)
        page.queue_reminder.setValue(20)
        page.retention.setValue(30)
        page.chat_retention_on.setChecked(True)
        page.chat_retention_days.setValue(400)
        assert await page.save()
        assert "saved" in message.text()
        routing = await rest.get("/settings/routing")
        assert routing == {
            "auto_assign": True,
            "default_max_chats": 4,
            "reassign_after": 45,
            "inactivity_close_after": None,
            "wait_warning": 120,
            "wait_alarm": 300,
            "idle_away_after": 900,
            "queue_reminder_every": 20,
        }
        assert (await rest.get("/settings/traffic"))["page_view_retention_days"] == 30
        actions = await rest.audit_actions()
        assert "settings.routing" in actions
        assert "settings.traffic" in actions
        assert (await rest.get("/settings/retention")) == {"closed_chat_days": 400}
        assert "settings.retention" in actions

        # A fresh page shows the saved values.
        again = _page(controller, RoutingPage, host)
        await again.reload()
        assert again.reassign_after.value() == 45
        assert not again.inactivity_on.isChecked()
        assert again.retention.value() == 30
        assert again.chat_retention_on.isChecked()
        assert again.chat_retention_days.value() == 400
        again.chat_retention_on.setChecked(False)  # back to keeping them
        assert await again.save()
        assert (await rest.get("/settings/retention")) == {"closed_chat_days": None}

        # The backend goes away: the save fails and says why; a reload says it could not load.
        backend.stop()
        page.max_chats.setValue(5)
        assert not await page.save()
        assert page.message.is_error
        assert "Cannot reach the server" in message.text()
        await page.reload()
        assert not _state(page).isHidden()
        assert "Could not load" in _state(page).text()

    run(qloop, scenario(), timeout=90)


def test_a_non_admin_is_refused_by_the_server(
    qloop: asyncio.AbstractEventLoop, qtbot: Any, backend: BackendProcess, controller: AppController
) -> None:
    async def scenario() -> None:
        await controller.login(backend.url, backend.agent_email, backend.agent_password)
        host = QWidget()
        page = _page(controller, RoutingPage, host)
        await page.reload()  # any agent may read the settings
        page.max_chats.setValue(9)
        assert not await page.save()
        message = page.findChild(QLabel, "routingMessage")
        assert message is not None
        assert page.message.is_error
        assert "refused" in message.text()
        hours = _page(controller, BusinessHoursPage, host)
        await hours.reload()
        assert not await hours.save()
        assert hours.message.is_error

    run(qloop, scenario(), timeout=60)


# --- business hours ---------------------------------------------------------------------------


def test_hours_page_loads_saves_and_refuses(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    ada: Account,
    hours_put_back: None,
) -> None:
    async def scenario() -> None:
        rest, host = await _admin(backend, controller, ada)
        page = _page(controller, BusinessHoursPage, host)
        assert page.objectName() == "adminHoursPage"
        await page.reload()
        assert page.zone.currentText() == "Asia/Tokyo"  # the team's time zone, by default
        assert page.days["mon"].open.isChecked()
        assert page.days["mon"].start.time() == QTime(9, 0)
        assert not page.days["sat"].open.isChecked()
        assert not page.days["sat"].start.isEnabled()

        # Opening not before closing: refused inline, naming the day.
        sat = page.days["sat"]
        sat.open.setChecked(True)
        sat.start.setTime(QTime(14, 0))
        sat.end.setTime(QTime(10, 0))
        assert not await page.save()
        message = page.findChild(QLabel, "hoursMessage")
        assert message is not None
        assert "Saturday" in message.text()
        assert "sat" not in (await rest.get("/settings/business-hours"))["days"]
        # An unknown time zone: refused inline.
        sat.end.setTime(QTime(17, 30))
        page.zone.setCurrentText("Mars/Olympus_Mons")
        assert not await page.save()
        assert "Mars/Olympus_Mons" in message.text()

        page.zone.setCurrentText("Europe/Berlin")
        page.days["wed"].open.setChecked(False)
        assert await page.save()
        assert not page.message.is_error
        hours = await rest.get("/settings/business-hours")
        assert hours["time_zone"] == "Europe/Berlin"
        assert (await rest.get("/settings/team")) == {"time_zone": "Europe/Berlin"}
        assert hours["days"]["sat"] == ["14:00", "17:30"]
        assert "wed" not in hours["days"]
        assert "settings.business_hours" in await rest.audit_actions()
        assert "settings.team" in await rest.audit_actions()

    run(qloop, scenario(), timeout=60)


# --- greeting rules ---------------------------------------------------------------------------


def test_greetings_page_creates_edits_and_deletes(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    ada: Account,
    rules_put_back: None,
) -> None:
    async def scenario() -> None:
        rest, host = await _admin(backend, controller, ada)
        existing = await rest.send(
            "POST",
            "/greeting-rules",
            {"name": "Cart helper", "text": "Need help with your order?", "enabled": False},
        )
        page = _page(controller, GreetingRulesPage, host)
        assert page.objectName() == "adminGreetingsPage"
        await page.reload()
        table = page.table
        assert table.model().rowCount() == 1
        assert table.model().index(0, GreetingRulesModel.NAME).data() == "Cart helper"
        assert table.model().index(0, GreetingRulesModel.ENABLED).data() == "No"
        assert table.model().index(0, GreetingRulesModel.SITE).data() == "All sites"
        assert table.model().index(0, GreetingRulesModel.RATE).data() == "\u2013"  # never shown
        assert page.site.findData(backend.site_id) > 0  # the sites from GET /sites

        # Invalid: no name, then an empty ticked condition; refused inline.
        page.new_item()
        page.text.setPlainText("Hello! Can we help?")
        assert not await page.save()
        message = page.findChild(QLabel, "greetingsMessage")
        assert message is not None
        assert "name" in message.text()
        page.name.setText("Pricing page")
        url = next(c for c in page.conditions if c.field == "url_pattern")
        url.check.setChecked(True)
        assert not await page.save()
        assert "ticked conditions" in message.text()
        assert len(await rest.get("/greeting-rules")) == 1

        # A new rule with conditions and a site.
        url.editor.setText("*/pricing*")  # type: ignore[union-attr]
        on_page = next(c for c in page.conditions if c.field == "min_time_on_page")
        on_page.check.setChecked(True)
        on_page.editor.setValue(30)  # type: ignore[union-attr]
        device = next(c for c in page.conditions if c.field == "device_class")
        device.check.setChecked(True)
        device.editor.setCurrentIndex(device.editor.findData("mobile"))  # type: ignore[union-attr]
        returning = next(c for c in page.conditions if c.field == "returning")
        returning.check.setChecked(True)
        returning.editor.setCurrentIndex(1)  # type: ignore[union-attr]
        page.business_hours_only.setChecked(True)
        page.site.setCurrentIndex(page.site.findData(backend.site_id))
        page.sender_name.setText("Sakura")
        assert await page.save()
        rules = {rule["name"]: rule for rule in await rest.get("/greeting-rules")}
        saved = rules["Pricing page"]
        assert saved["site_id"] == backend.site_id
        assert saved["sender_name"] == "Sakura"
        assert saved["conditions"] == {
            "min_time_on_site": None,
            "min_time_on_page": 30,
            "url_pattern": "*/pricing*",
            "min_pages_viewed": None,
            "referrer_contains": None,
            "device_class": "mobile",
            "returning": False,
            "min_cart_value": None,
            "business_hours_only": True,
        }
        assert table.model().rowCount() == 2
        assert "greeting_rule.create" in await rest.audit_actions()

        # Edit the existing rule: select it, enable it, untick nothing, save.
        page.select(existing["rule_id"])
        assert page.name.text() == "Cart helper"
        assert not page.enabled.isChecked()
        page.enabled.setChecked(True)
        assert await page.save()
        rules = {rule["rule_id"]: rule for rule in await rest.get("/greeting-rules")}
        assert rules[existing["rule_id"]]["enabled"] is True
        assert table.model().index(0, GreetingRulesModel.ENABLED).data() == "Yes"
        assert "greeting_rule.update" in await rest.audit_actions()

        # Delete asks first: No keeps it, Yes deletes it.
        page.select(saved["rule_id"])
        page.delete_button.click()
        await _confirm(page, "greetingDeleteConfirm", yes=False)
        await asyncio.sleep(0.2)
        assert len(await rest.get("/greeting-rules")) == 2
        page.select(saved["rule_id"])
        page.delete_button.click()
        await _confirm(page, "greetingDeleteConfirm", yes=True)
        await until(lambda: table.model().rowCount() == 1, what="the rule gone from the table")
        assert [r["rule_id"] for r in await rest.get("/greeting-rules")] == [existing["rule_id"]]
        assert "greeting_rule.delete" in await rest.audit_actions()

    run(qloop, scenario(), timeout=90)


# --- team replies -----------------------------------------------------------------------------


@pytest.mark.own_backend
def test_replies_page_edits_team_replies_only(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    ada: Account,
) -> None:
    async def scenario() -> None:
        rest, host = await _admin(backend, controller, ada)
        await rest.send("POST", "/canned", {"shortcut": "mine", "title": "Mine", "text": "Personal."})
        team = await rest.send(
            "POST", "/canned", {"shortcut": "thanks", "title": "Thanks", "text": "Thank you!", "shared": True}
        )
        session = controller.session
        assert session is not None
        library = session.canned
        assert library is not None
        page = _page(controller, RepliesPage, host)
        page.set_library(library)
        assert page.objectName() == "adminRepliesPage"
        await page.reload()
        model = page.list.model()
        assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["#thanks  \u2014  Thanks"]

        # Invalid shortcut: refused inline, nothing sent.
        page.new_item()
        page.shortcut.setText("two words")
        page.title_edit.setText("Hello")
        page.text.setPlainText("Hello {visitor.name|there}!")
        assert not await page.save()
        message = page.findChild(QLabel, "adminRepliesMessage")
        assert message is not None
        assert "shortcut" in message.text()

        # New team reply: on the server as shared, in the page, and in the app's own library.
        page.shortcut.setText("#hello")
        assert await page.save()
        replies = {r["shortcut"]: r for r in await rest.get("/canned")}
        assert replies["hello"]["owner_id"] is None
        assert replies["hello"]["text"] == "Hello {visitor.name|there}!"
        assert model.rowCount() == 2
        assert any(r.shortcut == "hello" for r in library.replies())
        assert "canned.create" in await rest.audit_actions()

        # Edit: the selected reply's text changes on the server and in the library.
        page.select(team["canned_id"])
        assert page.shortcut.text() == "thanks"
        page.text.setPlainText("Thank you very much!")
        assert await page.save()
        replies = {r["shortcut"]: r for r in await rest.get("/canned")}
        assert replies["thanks"]["text"] == "Thank you very much!"
        assert next(r for r in library.replies() if r.shortcut == "thanks").text == "Thank you very much!"

        # Delete after confirming.
        page.delete_button.click()
        await _confirm(page, "adminReplyDeleteConfirm", yes=True)
        await until(lambda: model.rowCount() == 1, what="the reply gone")
        assert "thanks" not in {r["shortcut"] for r in await rest.get("/canned")}
        assert all(r.shortcut != "thanks" for r in library.replies())
        assert "canned.delete" in await rest.audit_actions()

        # The server stops: the save fails with the reason.
        backend.stop()
        page.new_item()
        page.shortcut.setText("bye")
        page.title_edit.setText("Bye")
        page.text.setPlainText("Goodbye!")
        assert not await page.save()
        assert page.message.is_error
        assert "Cannot reach the server" in message.text()

    run(qloop, scenario(), timeout=90)


def test_pages_are_keyboard_reachable(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    ada: Account,
) -> None:
    """Every input and button of every page takes keyboard focus."""

    async def scenario() -> None:
        _, host = await _admin(backend, controller, ada)

        for page_type in (RepliesPage, GreetingRulesPage, BusinessHoursPage, RoutingPage, TagsPage):
            page = _page(controller, page_type, host)
            for kind in (QLineEdit, QAbstractSpinBox, QComboBox, QAbstractButton):
                for widget in page.findChildren(kind):
                    if not widget.objectName().startswith("qt_"):  # Qt's own, e.g. a table's corner
                        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()

    run(qloop, scenario(), timeout=60)


def test_email_page_keeps_passwords_write_only_and_lists_waiting_mail(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    ada: Account,
) -> None:
    """Relay, mailbox, senders and the summary hour are saved; a password is never shown again, an empty
    field keeps it, "Remove" clears it; a bad sender is refused inline; a reply waiting while sending is
    off is listed in the outbox."""
    from operator_app.ui.admin.email_page import EmailPage

    async def scenario() -> None:
        rest, host = await _admin(backend, controller, ada)
        before = await rest.get("/settings/email")
        ticket = await rest.send(
            "POST",
            "/tickets",
            {
                "client_id": "mail-page-1",
                "site_id": backend.site_id,
                "subject": "返品について",
                "requester_email": "hanako@example.jp",
                "text": "返品できますか",
            },
        )
        await rest.send(
            "POST", f"/tickets/{ticket['ticket']['ticket_id']}/replies", {"client_id": "r1", "text": "はい"}
        )
        page = _page(controller, EmailPage, host)
        try:
            await page.reload()
            assert _state(page).isHidden()
            subjects = [page.outbox.item(r, 1).text() for r in range(page.outbox.rowCount())]
            assert any("返品について" in s for s in subjects)
            assert not page.retry_button.isEnabled()  # nothing failed

            page.smtp.host.setText("smtp.example.com")
            page.smtp.port.setValue(2525)
            page.smtp.user.setText("mailer")
            page.smtp.password.insert("秘密-password")
            page.imap.host.setText("imap.example.com")
            page.imap.password.insert("imap-secret")
            page.summary.setChecked(True)
            page.summary_hour.setValue(9)
            site_row = next(
                r
                for r in range(page.site_senders.rowCount())
                if page.site_senders.item(r, 0).data(Qt.ItemDataRole.UserRole) == backend.site_id
            )
            page.site_senders.item(site_row, 1).setText("nope")
            assert not await page.save()
            assert "not an e-mail address" in page.message.text()
            assert (await rest.get("/settings/email"))["host"] == before["host"]

            page.site_senders.item(site_row, 1).setText("shop@example.jp")
            page.default_sender.setText("support@example.jp")
            assert await page.save()
            saved = await rest.get("/settings/email")
            assert saved["password"] is None
            assert saved["password_set"] is True
            assert saved["imap_password_set"] is True
            assert saved["senders"] == {backend.site_id: "shop@example.jp"}
            assert saved["summary_hour"] == 9
            assert saved["enabled"] is False  # the box was not ticked: nothing is sent from here
            assert page.smtp.password.text() == ""
            assert page.smtp.password_state.text() == "A password is stored."
            assert "settings.email" in await rest.audit_actions()
            assert "秘密" not in str(await rest.get("/audit"))

            assert await page.save()  # the empty field keeps the stored password
            assert (await rest.get("/settings/email"))["password_set"] is True
            page.smtp.clear.setChecked(True)
            assert await page.save()
            cleared = await rest.get("/settings/email")
            assert cleared["password_set"] is False
            assert cleared["imap_password_set"] is True
        finally:
            await rest.send("PUT", "/settings/email", {**before, "password": "", "imap_password": ""})

    run(qloop, scenario())

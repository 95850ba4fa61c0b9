"""The Files admin page against the real backend (`/settings/attachments`): it loads the server's
limits, saves a changed size and kinds that REST (and the audit log) then shows, Revert shows the saved
values again, files on with no kind ticked is refused inline, and the page sits in the administration
dialog, loaded only once its tab is shown."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QCheckBox, QSpinBox

from operator_app.app import AppController
from operator_app.store.admin_service import AdminService
from operator_app.ui.admin import PAGES
from operator_app.ui.admin.dialog import AdminDialog
from operator_app.ui.admin.files_page import FilesPage
from tests.integration.test_admin_pages import _admin, _page, ada, backend
from tests.support.backend import BackendProcess
from tests.support.sharing import Account, admin_of
from tests.support.waiting import until
from tests.widgets.app_harness import controller, run

__all__ = ["ada", "backend", "controller"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

MB = 1024 * 1024


@pytest.fixture
def limits_put_back(backend: BackendProcess) -> Iterator[None]:
    admin = admin_of(backend)
    before = admin.call("GET", "/settings/attachments")
    yield
    admin.call("PUT", "/settings/attachments", before)


def test_files_page_loads_saves_reverts_and_refuses(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    ada: Account,
    limits_put_back: None,
) -> None:
    async def scenario() -> None:
        rest, host = await _admin(backend, controller, ada)
        await rest.send("PUT", "/settings/attachments", {"enabled": True, "max_bytes": 10 * MB})
        page = _page(controller, FilesPage, host)
        await page.reload()
        enabled = page.findChild(QCheckBox, "filesEnabled")
        size = page.findChild(QSpinBox, "filesMaxMb")
        assert enabled is not None
        assert size is not None
        assert enabled.isChecked()
        assert size.value() == 10
        assert (size.minimum(), size.maximum()) == (1, 50)
        kinds = {
            name: page.findChild(QCheckBox, f"filesKind_{name}")
            for name in ("images", "pdf", "text", "office")
        }
        assert all(box is not None and box.isChecked() for box in kinds.values())

        # Changed, then reverted: the saved values again, nothing sent.
        size.setValue(3)
        kinds["office"].setChecked(False)  # type: ignore[union-attr]
        page.revert_button.click()
        assert size.value() == 10
        assert kinds["office"].isChecked()  # type: ignore[union-attr]

        # No kind ticked while files are on: refused inline, the server keeps its limits.
        for box in kinds.values():
            box.setChecked(False)  # type: ignore[union-attr]
        assert not await page.save()
        assert page.message.is_error
        assert sorted((await rest.get("/settings/attachments"))["allowed"]) == [
            "images",
            "office",
            "pdf",
            "text",
        ]

        kinds["images"].setChecked(True)  # type: ignore[union-attr]
        kinds["pdf"].setChecked(True)  # type: ignore[union-attr]
        size.setValue(25)
        assert await page.save()
        assert not page.message.is_error
        saved = await rest.get("/settings/attachments")
        assert saved == {"enabled": True, "max_bytes": 25 * MB, "allowed": ["images", "pdf"]}
        assert "settings.attachments" in await rest.audit_actions()

        # Read back by a page that loads afresh; files turned off greys out the limits.
        again = _page(controller, FilesPage, host)
        await again.reload()
        assert again.max_mb.value() == 25
        assert [c for c, box in again.kinds.items() if box.isChecked()] == ["images", "pdf"]
        again.enabled.setChecked(False)
        assert not again.max_mb.isEnabled()
        assert await again.save()
        assert (await rest.get("/settings/attachments"))["enabled"] is False

        # A size set elsewhere that is not whole MB is kept when the page saves without touching it.
        await rest.send("PUT", "/settings/attachments", {**saved, "max_bytes": 1536 * 1024})
        await again.reload()
        assert again.max_mb.value() == 2
        assert await again.save()
        assert (await rest.get("/settings/attachments"))["max_bytes"] == 1536 * 1024

    run(qloop, scenario(), timeout=60)


def test_files_page_is_a_tab_of_the_dialog_loaded_when_shown(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    ada: Account,
    limits_put_back: None,
) -> None:
    async def scenario() -> None:
        rest, _host = await _admin(backend, controller, ada)
        await rest.send("PUT", "/settings/attachments", {"enabled": True, "max_bytes": 7 * MB})
        session = controller.session
        assert session is not None
        service: AdminService = session.admin
        dialog = AdminDialog(service, PAGES)
        qtbot.addWidget(dialog)
        page = dialog.page(FilesPage)
        assert isinstance(page, FilesPage)
        assert dialog.tabs.tabText(dialog.tabs.indexOf(page)) == "Files"
        dialog.show()
        assert page not in dialog.loaded  # another tab is first
        dialog.tabs.setCurrentWidget(page)
        assert page in dialog.loaded
        await until(lambda: page.max_mb.value() == 7, what="the page loaded")
        await dialog.dispose()
        dialog.close()

    run(qloop, scenario(), timeout=60)

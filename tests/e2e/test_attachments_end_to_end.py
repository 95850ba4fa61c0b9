"""Files both ways, the whole product: a visitor in headless Chromium on the demo shop pastes a
screenshot and drops a phone photo (with its GPS position in EXIF); the operator in the real app sees
both as thumbnails, opens the photo in the viewer, and sends a PDF back, which the visitor downloads.
The photo the backend stored, and serves, has no EXIF left."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QListView, QPushButton

from chat_protocol.attachments import AttachmentInfo
from operator_app.app import AppController
from operator_app.store.transcript_model import EntryRole
from operator_app.ui.main_window import MainWindow
from tests.e2e.widget_helpers import paste_screenshot
from tests.integration.test_app_attachments import choose_in
from tests.support.backend import BackendProcess
from tests.support.browser import BrowserThread
from tests.support.waiting import until
from tests.widgets.fixtures import run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PDF_NAME = "納品書_12月.pdf"


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (35.0, 39.0, 29.0), "E", (139.0, 44.0, 28.0)
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (150, 90, 60)).save(out, "JPEG", exif=exif)
    return out.getvalue()


PHOTO = _photo_with_gps()


def _drop_photo(page: Page) -> None:
    page.evaluate(
        """([bytes]) => {
          const data = new DataTransfer();
          data.items.add(new File([new Uint8Array(bytes)], 'IMG_2041.JPG', {type: 'image/jpeg'}));
          const win = document.querySelector('livechat-widget').shadowRoot
            .querySelector('[data-testid=chat-window]');
          for (const type of ['dragenter', 'drop']) {
            win.dispatchEvent(new DragEvent(type,
              {dataTransfer: data, bubbles: true, cancelable: true, composed: true}));
          }
        }""",
        [list(PHOTO)],
    )


def _files_shown(window: MainWindow) -> list[tuple[int, AttachmentInfo]]:
    model = window.chat_panel.transcript.model()
    found = []
    for row in range(model.rowCount()):
        info = model.index(row, 0).data(EntryRole.ATTACHMENT)
        if isinstance(info, AttachmentInfo) and info.attachment_id:
            found.append((row, info))
    return found


def _visitor_downloads(page: Page, name: str) -> bytes:
    link = page.get_by_test_id("attachment-file").filter(has_text=name)
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    return Path(download.value.path()).read_bytes()


def _stored_files(backend: BackendProcess) -> list[Path]:
    root = Path(backend.database_url.split("///", 1)[1]).parent / "files"
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_pasted_screenshot_and_a_photo_reach_the_app_and_a_pdf_goes_back(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    chromium: BrowserThread,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / PDF_NAME
    source.write_bytes(PDF)

    async def scenario() -> None:
        backend.cli("routing", "--auto-assign", "off")
        controller = AppController()
        window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
        try:
            state = window.findChild(QLabel, "connectionState")
            assert state is not None
            await until(lambda: state.property("state") == "connected", what="connected")
            switch = window.findChild(QPushButton, "statusSwitch")
            assert switch is not None
            QTest.mouseClick(switch, Qt.MouseButton.LeftButton)

            def visitor_writes() -> Page:
                page = chromium.new_page(backend.demo_url)
                page.get_by_test_id("launcher").click()
                page.get_by_test_id("message-input").fill("荷物が破損していました")
                page.get_by_test_id("send").click()
                return page

            page = await chromium.call(visitor_writes)
            queue = window.findChild(QListView, "queueList")
            assert queue is not None
            await until(lambda: queue.model().rowCount() == 1, what="the chat in the queue")
            take = window.findChild(QPushButton, "takeButton")
            assert take is not None
            QTest.mouseClick(take, Qt.MouseButton.LeftButton)
            await until(lambda: window.chat_panel.files.enabled, what="the chat open in the app")
            await chromium.call(lambda: page.get_by_test_id("attach").wait_for())

            # The visitor pastes a screenshot and drops a phone photo.
            await chromium.call(paste_screenshot, page, 120, 80)
            await until(lambda: len(_files_shown(window)) == 1, what="the screenshot in the app")
            await chromium.call(_drop_photo, page)
            await until(lambda: len(_files_shown(window)) == 2, what="the photo in the app")
            (_, screenshot), (row, photo) = _files_shown(window)
            assert screenshot.name.startswith("screenshot-")
            assert (photo.name, photo.category, photo.width, photo.height) == (
                "IMG_2041.JPG",
                "images",
                800,
                600,
            )

            # The operator sees both thumbnails and opens the photo in the viewer.
            window.resize(1400, 900)
            window.show()
            service = window.chat_panel.files.service
            assert service is not None
            view = window.chat_panel.transcript
            view.scrollTo(view.model().index(row, 0))
            window.grab()  # paints the transcript: the thumbnails are fetched
            await until(
                lambda: service.thumbnail(screenshot) is not None and service.thumbnail(photo) is not None,
                what="both thumbnails",
            )
            window.grab()
            files_ui = window.chat_panel.files.files
            assert files_ui is not None
            thumbnail = view.itemDelegate().file_rects[row]  # type: ignore[attr-defined]
            QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=thumbnail.center())
            await until(
                lambda: files_ui.viewer is not None and not files_ui.viewer.image.isNull(), what="the viewer"
            )
            assert files_ui.viewer is not None
            assert (files_ui.viewer.image.width(), files_ui.viewer.image.height()) == (800, 600)
            files_ui.viewer.close()

            # What the backend keeps and serves of the photo has no EXIF (no camera, no GPS).
            served = await service.file_bytes(photo.attachment_id)
            kept = Image.open(io.BytesIO(served))
            assert kept.size == (800, 600)
            assert not kept.getexif()
            assert b"PhoneMaker" not in served
            assert not [p for p in _stored_files(backend) if b"PhoneMaker" in p.read_bytes()]

            # The operator sends a PDF back; the visitor downloads it.
            files = window.chat_panel.files
            files.action.trigger()
            await until(lambda: files.picker is not None, what="the file dialog")
            assert files.picker is not None
            await choose_in(files.picker, source)
            await until(lambda: len(_files_shown(window)) == 3, what="the PDF in the app")
            downloaded = await chromium.call(_visitor_downloads, page, PDF_NAME)
            assert downloaded == PDF
        finally:
            await controller.shutdown()

    run(qloop, scenario(), timeout=120)

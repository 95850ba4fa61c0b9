"""Files in chats from the app against the real backend: a pasted screenshot is sent, drawn as a
thumbnail and opens in the viewer; a PDF with a Japanese name chosen with the Attach action reaches the
visitor, is saved byte for byte and opens only after the warning; a file over the limit is refused
before anything is sent; a cancelled upload leaves no message."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton

from chat_protocol.attachments import AttachmentInfo
from operator_app.app import AppController
from operator_app.net.attachments_api import AttachmentsApi
from operator_app.store.transcript_model import EntryRole
from operator_app.ui.chat_panel import ChatPanel
from operator_app.ui.confirm import ConfirmDialog
from operator_app.ui.main_window import MainWindow
from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.waiting import until
from tests.widgets.app_harness import People, controller, people, run

__all__ = ["controller", "people"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
JAPANESE_PDF = "請求書_2026年12月.pdf"


def pdf_of_size(size: int) -> bytes:
    head, tail = PDF[: -len(b"%%EOF\n")], b"%%EOF\n"
    return head + b"%" + b"x" * (size - len(head) - len(tail) - 2) + b"\n" + tail


async def open_my_chat(
    controller: AppController, backend: BackendProcess, people: People
) -> tuple[MainWindow, ChatPanel, str]:
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    chat_id = await people.visitor_opens_chat("写真を送ってもらえますか？", name="山田")
    await people.take_for_me(chat_id)
    session = controller.session
    assert session is not None
    await until(lambda: (chat := session.store.get(chat_id)) is not None and session.store.is_mine(chat))
    window.select_chat(chat_id)
    await until(lambda: window.chat_panel.chat_id == chat_id and window.chat_panel.files.enabled)
    return window, window.chat_panel, chat_id


def attachments_shown(panel: ChatPanel) -> list[tuple[int, AttachmentInfo]]:
    model = panel.transcript.model()
    found = []
    for row in range(model.rowCount()):
        info = model.index(row, 0).data(EntryRole.ATTACHMENT)
        if isinstance(info, AttachmentInfo) and info.attachment_id:
            found.append((row, info))
    return found


async def visitor_files(people: People, chat_id: str) -> list[dict[str, Any]]:
    transcript = await people.visitors[chat_id].ok("transcript", {"after_seq": 0})
    return [e["attachment"] for e in transcript["events"] if e.get("attachment")]


async def pushed_file(people: People, chat_id: str) -> dict[str, Any]:
    """The first message event pushed to the visitor's socket that carries a file."""
    while True:
        event: dict[str, Any] = (await people.visitors[chat_id].next_push("event"))["payload"]["event"]
        if event.get("attachment"):
            return event


async def choose_in(picker: Any, path: Path) -> None:
    """Choose `path` in the open file dialog, as a person does with its OK button: the dialog says
    which files were chosen (`filesSelected`, as native dialogs do too), then closes accepted."""
    picker.filesSelected.emit([str(path)])
    picker.done(QDialog.DialogCode.Accepted.value)


def top_level(kind: type, name: str) -> Any:
    return next(
        (
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, kind) and w.objectName() == name and w.isVisible()
        ),
        None,
    )


def test_a_pasted_screenshot_is_sent_and_shown_as_a_thumbnail_that_opens_in_the_viewer(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    people: People,
) -> None:
    async def scenario() -> None:
        window, panel, chat_id = await open_my_chat(controller, backend, people)
        window.resize(1100, 800)
        window.show()
        image = QImage(640, 400, QImage.Format.Format_RGB32)
        image.fill(QColor("#3366cc"))
        QGuiApplication.clipboard().setImage(image)
        panel.composer.setFocus()
        panel.composer.paste()
        assert panel.composer.toPlainText() == ""  # sent as a file, not pasted as text
        await until(lambda: attachments_shown(panel), what="the screenshot in the transcript")
        row, info = attachments_shown(panel)[0]
        assert info.category == "images"
        assert info.name.startswith("screenshot-")
        assert info.name.endswith(".png")
        assert (info.width, info.height) == (640, 400)
        files = await visitor_files(people, chat_id)
        assert [f["attachment_id"] for f in files] == [info.attachment_id]

        service = panel.files.service
        assert service is not None
        window.grab()  # paints the transcript: the delegate asks for the thumbnail
        await until(lambda: service.thumbnail(info) is not None, what="the thumbnail")
        assert service.thumbnail(info).width() <= 320  # type: ignore[union-attr]

        view = panel.transcript
        view.scrollTo(view.model().index(row, 0))
        window.grab()
        rect = view.visualRect(view.model().index(row, 0))
        files_ui = panel.files.files
        assert files_ui is not None
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.topLeft() + QPoint(4, 4))
        await asyncio.sleep(0.3)
        assert files_ui.viewer is None  # beside the thumbnail: only selects the line
        thumbnail = view.itemDelegate().file_rects[row]  # type: ignore[attr-defined]
        assert rect.contains(thumbnail)
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=thumbnail.center())
        await until(
            lambda: files_ui.viewer is not None and not files_ui.viewer.image.isNull(), what="the viewer"
        )
        viewer = files_ui.viewer
        assert viewer is not None
        assert viewer.isVisible()
        assert viewer.image.size() == image.size()
        fitted = viewer.zoom
        viewer.zoom_in.click()
        assert viewer.zoom > fitted
        viewer.close()

    run(qloop, scenario(), timeout=90)


def test_a_pdf_reaches_the_visitor_is_saved_exactly_and_opens_after_a_warning(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    people: People,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / JAPANESE_PDF
    source.write_bytes(PDF)
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))

    async def scenario() -> None:
        window, panel, chat_id = await open_my_chat(controller, backend, people)
        assert panel.files.button.objectName() == "attachButton"
        assert panel.files.action.shortcut().toString() == "Ctrl+Shift+A"
        panel.files.action.trigger()
        await until(lambda: panel.files.picker is not None, what="the file dialog")
        picker = panel.files.picker
        assert picker is not None
        await choose_in(picker, source)
        await until(lambda: attachments_shown(panel), what="the PDF in the transcript")
        _, info = attachments_shown(panel)[0]
        assert (info.name, info.category, info.size) == (JAPANESE_PDF, "pdf", len(PDF))
        pushed = await asyncio.wait_for(pushed_file(people, chat_id), 10)
        assert pushed["text"] == ""
        assert pushed["attachment"]["attachment_id"] == info.attachment_id
        files = await visitor_files(people, chat_id)
        assert [(f["name"], f["category"]) for f in files] == [(JAPANESE_PDF, "pdf")]

        files_ui = panel.files.files
        assert files_ui is not None
        target = tmp_path / "saved" / JAPANESE_PDF  # the dialog suggests the file's own name
        target.parent.mkdir()
        files_ui.exporter.folder = str(target.parent)
        saving = asyncio.ensure_future(files_ui.save_as(info))
        await until(lambda: files_ui.exporter.dialog is not None, what="the save dialog")
        dialog = files_ui.exporter.dialog
        assert dialog is not None
        dialog.accept()
        assert await saving == target
        assert target.read_bytes() == PDF

        # Opening asks first; Cancel opens nothing.
        opening = asyncio.ensure_future(files_ui.open_file(info))
        await until(lambda: top_level(ConfirmDialog, "openFileWarning") is not None, what="the warning")
        warning = top_level(ConfirmDialog, "openFileWarning")
        assert "macros" in warning.findChild(QLabel, "confirmText").text()
        warning.reject()
        assert await opening is None
        assert opened == []
        # Open anyway: a temporary copy goes to the system.
        opening = asyncio.ensure_future(files_ui.open_file(info))
        await until(lambda: top_level(ConfirmDialog, "openFileWarning") is not None, what="the warning again")
        top_level(ConfirmDialog, "openFileWarning").findChild(QPushButton, "actionButton").click()
        path = await opening
        assert path is not None
        assert path.name == JAPANESE_PDF
        assert [url.toLocalFile() for url in opened] == [str(path)]
        assert path.read_bytes() == PDF

    run(qloop, scenario(), timeout=90)


def test_a_file_over_the_limit_is_refused_before_upload_and_a_cancelled_upload_leaves_no_message(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    people: People,
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)  # over the 10 MB default, without writing it
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(pdf_of_size(8 * 1024 * 1024))

    async def scenario() -> None:
        window, panel, chat_id = await open_my_chat(controller, backend, people)
        session = controller.session
        assert session is not None
        service = session.attachments
        chat = session.store.get(chat_id)
        assert chat is not None
        rows_before = len(chat.entries)
        await panel.files.send_paths([str(big)])
        notice = panel.files.strip.notice
        assert not notice.isHidden()
        assert "too large" in notice.text()
        assert "10.0 MB" in notice.text()
        assert service.uploads(chat_id) == []
        assert len(chat.entries) == rows_before

        panel.note_button.setChecked(True)  # a file always goes to the visitor: not from note mode
        await panel.files.send_paths([str(slow)])
        assert "cannot be internal notes" in notice.text()
        assert service.uploads(chat_id) == []
        panel.note_button.setChecked(False)

        cancelled: list[str] = []

        def cancel_at_first_bytes(chat: str, client_id: str) -> None:
            if not cancelled:
                cancelled.append(client_id)
                buttons = panel.files.strip.findChildren(QPushButton, "uploadCancel")
                assert len(buttons) == 1
                buttons[0].click()

        service.upload_progress.connect(cancel_at_first_bytes)
        await panel.files.send_paths([str(slow)])
        await until(lambda: cancelled and service.uploads(chat_id) == [], what="the cancelled upload to go")
        assert len(chat.entries) == rows_before
        assert panel.files.strip.rows == {}
        await asyncio.sleep(1.0)  # whatever the server got, no message came of it
        assert await visitor_files(people, chat_id) == []
        assert len(chat.entries) == rows_before

    run(qloop, scenario(), timeout=90)


def test_a_refused_upload_shows_why_and_a_retry_sends_it_once_under_the_same_client_id(
    qloop: asyncio.AbstractEventLoop,
    qtbot: Any,
    backend: BackendProcess,
    controller: AppController,
    people: People,
    tmp_path: Path,
) -> None:
    source = tmp_path / "見積書.pdf"
    source.write_bytes(PDF)
    admin = admin_of(backend)

    async def scenario() -> None:
        window, panel, chat_id = await open_my_chat(controller, backend, people)
        session = controller.session
        assert session is not None
        service = session.attachments
        await service.limits()  # known to the app; then the administrator turns files off
        await asyncio.to_thread(admin.call, "PUT", "/settings/attachments", {"enabled": False})
        await panel.files.send_paths([str(source)])
        await until(
            lambda: panel.files.strip.findChildren(QPushButton, "uploadRetry"), what="the Retry button"
        )
        (upload,) = service.uploads(chat_id)
        assert upload.state == "failed"
        error = panel.files.strip.findChild(QLabel, "uploadError")
        assert error is not None
        assert error.text() == "Sending files is turned off by your administrator."
        chat = session.store.get(chat_id)
        assert chat is not None
        assert [e.delivery.value for e in chat.entries if e.client_id == upload.client_id] == ["failed"]

        await asyncio.to_thread(admin.call, "PUT", "/settings/attachments", {"enabled": True})
        client_id = upload.client_id
        panel.files.strip.findChildren(QPushButton, "uploadRetry")[0].click()
        await until(lambda: service.uploads(chat_id) == [], what="the retried upload")
        sent = [e for e in chat.entries if e.client_id == client_id]
        assert len(sent) == 1
        assert sent[0].delivery.value == "sent"
        assert sent[0].attachment is not None
        assert sent[0].attachment.name == "見積書.pdf"
        # Sent again under the same client id: the server answers with the same event, one file.
        again = await session.auth.call(
            lambda token: AttachmentsApi(session.auth.api).upload(
                token, chat_id, name=source.name, data=PDF, client_id=client_id
            )
        )
        assert again.seq == sent[0].seq
        assert [f["name"] for f in await visitor_files(people, chat_id)] == ["見積書.pdf"]

    run(qloop, scenario(), timeout=90)

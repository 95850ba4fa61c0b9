"""A screenshot of files in a chat under a real X server: a visitor's photo, the operator's screenshot
and a PDF with a long Japanese name, plus an upload refused for its size in the strip.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_attachments.py OUT.png [ja|en]

(and OUT_viewer.png: the visitor's photo in the image viewer, zoomed in once)

Starts a real backend; a visitor opens a chat and sends a photo over HTTP; the demo agent takes it; the
real app signs in and sends a pasted image and a PDF through its own upload path; the window is grabbed
once the thumbnails are drawn.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402
from tests.support.wire import connect_agent, connect_visitor, new_id  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PDF_NAME = "請求書_2026年12月_株式会社サンプル商事_御中_最終版_改訂2.pdf"


def photo() -> bytes:
    image = Image.new("RGB", (800, 600), (230, 220, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 140, 680, 520), fill=(150, 90, 60))
    draw.ellipse((300, 40, 500, 240), fill=(60, 130, 80))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def screenshot() -> QImage:
    image = QImage(1280, 720, QImage.Format.Format_RGB32)
    image.fill(QColor("#f8fafc"))
    painter = QPainter(image)
    painter.fillRect(0, 0, 1280, 60, QColor("#1e3a8a"))
    painter.fillRect(60, 120, 500, 40, QColor("#cbd5e1"))
    painter.fillRect(60, 200, 1100, 400, QColor("#e2e8f0"))
    painter.end()
    return image


async def scenario(backend: BackendProcess, out: Path, lang: str, tmp: Path) -> None:
    from operator_app.app import AppController
    from operator_app.store.transcript_model import EntryRole
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    visitor, login = await connect_visitor(backend)
    first = {
        "client_id": new_id(),
        "text": "届いた商品の箱が潰れていました。写真を送ります。",
        "name": "山田 花子",
    }
    chat_id = (await visitor.ok("send_message", first))["event"]["chat_id"]
    agent = await connect_agent(backend)
    await agent.ok("set_status", {"status": "accepting"})
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await agent.ok("set_status", {"status": "not_accepting"})
    headers = {
        "X-Visitor-Token": login["visitor_token"],
        "X-Site-Id": backend.site_id,
        "Origin": backend.url,
        "X-File-Name": quote("箱の写真.jpg"),
        "X-Client-Id": new_id(),
        "Content-Type": "application/octet-stream",
    }
    async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
        response = await http.post(
            f"/api/v1/visitor/chats/{chat_id}/attachments", content=photo(), headers=headers
        )
        response.raise_for_status()

    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    window.resize(1400, 900)
    window.show()
    await until(lambda: window.select_chat(chat_id), within=20, what="the open chat")
    panel = window.chat_panel
    await until(lambda: panel.files.enabled, within=20, what="the chat to be mine")
    await panel.files.send_image(screenshot())
    pdf = tmp / PDF_NAME
    pdf.write_bytes(PDF)
    await panel.files.send_paths([str(pdf)])
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "確認いたします。"})
    big = tmp / "catalogue-2027.pdf"
    with big.open("wb") as handle:
        handle.truncate(12 * 1024 * 1024)
    await panel.files.send_paths([str(big)])
    session = controller.session
    assert session is not None
    await until(lambda: not session.attachments.uploads(chat_id), within=20, what="the uploads")
    for _ in range(30):
        window.grab()
        await asyncio.sleep(0.2)
    grab(window, out)
    files = panel.files.files
    assert files is not None
    model = panel.transcript.model()
    shown = [model.index(r, 0).data(EntryRole.ATTACHMENT) for r in range(model.rowCount())]
    photo_info = next(i for i in shown if i is not None and i.name == "箱の写真.jpg")
    viewer = await files.view_image(photo_info)
    assert viewer is not None
    viewer.zoom_in.click()
    await asyncio.sleep(0.5)
    viewer.grab().save(str(out.with_name(out.stem + "_viewer.png")))
    viewer.close()
    await visitor.close()
    await agent.close()
    await controller.shutdown()


def grab(window: Any, out: Path) -> None:
    if os.environ["QT_QPA_PLATFORM"] == "offscreen":
        window.grab().save(str(out))
    else:
        QApplication.primaryScreen().grabWindow(0).save(str(out))


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "attach_transcript.png")
    lang = sys.argv[2] if len(sys.argv) > 2 else "ja"
    keyring.set_keyring(keyring.backends.null.Keyring())
    QLocale.setDefault(QLocale(lang))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPERATOR_APP_HOME"] = str(Path(tmp) / "app")
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        try:
            backend.cli("routing", "--auto-assign", "off")
            app = QApplication.instance() or QApplication([])
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(scenario(backend, out, lang, Path(tmp)))
            finally:
                loop.close()
        finally:
            backend.stop()


if __name__ == "__main__":
    main()

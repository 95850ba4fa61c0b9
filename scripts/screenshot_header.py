"""A screenshot of the chat header at 1,600 × 1,000 with the live preview and the visitor panel open,
under a real X server, and one with its "More" menu open.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_header.py OUT.png [en|ja]

Starts a real backend; a visitor in headless Chromium writes on the demo shop; the real app, signed in,
takes the chat, answers and asks to watch the page; the visitor allows it; once the preview shows the
page, the screen is grabbed (OUT.png), then again with the header's "More" menu open (OUT-more.png).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402
from PySide6.QtCore import QCoreApplication, QLocale, QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.browser import BrowserThread  # noqa: E402
from tests.support.waiting import until  # noqa: E402

LINES = {
    "ja": (
        "山田 花子",
        "注文フォームの書き方を一緒に見ていただけますか？",
        "もちろんです。画面を拝見しますね。",
    ),
    "en": ("Hanako Yamada", "Could you look at my order form with me?", "Of course. Let me see your page."),
}


async def scenario(backend: BackendProcess, browser: BrowserThread, out: Path, lang: str) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    name, question, answer = LINES[lang]
    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    window.move(0, 0)
    window.resize(1600, 1000)
    session = controller.session
    assert session is not None
    await until(lambda: session.connection_state.value == "connected")
    await session.set_status(type(session.store.status)("accepting"))

    def visitor_writes() -> Page:
        page = browser.new_page(backend.demo_url, locale="ja-JP" if lang == "ja" else "en-US")
        page.get_by_test_id("launcher").click()
        page.get_by_test_id("name-input").fill(name)
        page.get_by_test_id("message-input").fill(question)
        page.get_by_test_id("send").click()
        return page

    page = await browser.call(visitor_writes)
    await until(lambda: window.queue.rowCount() == 1, what="the chat in the queue")
    window.take_next()
    await until(lambda: window.my_chats.rowCount() == 1, what="the chat taken")
    window.select_my_chat(0)
    await until(lambda: window.chat_panel.chat_id is not None, what="the chat shown")
    composer = window.chat_panel.composer
    composer.setFocus()
    composer.setPlainText(answer)
    QTest.keyClick(composer, Qt.Key.Key_Return)
    await browser.call(
        lambda: expect(page.get_by_test_id("message").filter(has_text=answer)).to_have_count(1)
    )
    pane = window.preview_pane
    await until(pane.button.isVisible, what="the watch page button")
    QTest.mouseClick(pane.button, Qt.MouseButton.LeftButton)
    await browser.call(lambda: page.get_by_test_id("preview-allow").click())
    await until(lambda: pane.widget.engine is not None, within=30, what="the preview page")
    await until(lambda: bool(pane.widget.size_label.text()), within=30, what="the visitor's page shown")
    await asyncio.sleep(2.5)  # the replayer paints
    screen = QApplication.primaryScreen()
    screen.grabWindow(0).save(str(out))
    header = window.chat_panel.header
    print("header", header.width(), "spilled:", [a.objectName() for a in header.overflowed()])
    if header.more_button.isVisible():
        more = header.more_button
        header.more_menu.popup(more.mapToGlobal(QPoint(0, more.height())))
        await asyncio.sleep(0.8)
        screen.grabWindow(0).save(str(out.with_name(out.stem + "-more" + out.suffix)))
        header.more_menu.close()
    await pane.widget.stop()
    await until(lambda: pane.widget.engine is None, what="the preview released")
    await controller.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "header.png")
    lang = sys.argv[2] if len(sys.argv) > 2 else "en"
    keyring.set_keyring(keyring.backends.null.Keyring())
    QLocale.setDefault(QLocale(lang))
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)  # before QtWebEngine
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPERATOR_APP_HOME"] = str(Path(tmp) / "app")
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        browser = BrowserThread()
        try:
            backend.cli("routing", "--auto-assign", "off")
            app = QApplication.instance() or QApplication([])
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(scenario(backend, browser, out, lang))
            finally:
                loop.close()  # ends the loop's executor thread before Qt goes away
        finally:
            browser.close()
            backend.stop()


if __name__ == "__main__":
    main()

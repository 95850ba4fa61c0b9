"""A screenshot of the operator app during a video call, under a real X server.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_call.py OUT.png [ja|en]

Starts a real backend; a visitor in headless Chromium (fake camera and microphone) writes on the demo
shop; the real app, signed in, takes the chat, exchanges a few lines and calls; the visitor accepts
and turns the camera on; once the app shows the visitor's video, the screen is grabbed.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
# Fake devices for the app's QtWebEngine, no prompt, plain host candidates (no mDNS names).
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault(
    "QTWEBENGINE_CHROMIUM_FLAGS",
    "--use-fake-device-for-media-stream --use-fake-ui-for-media-stream --no-sandbox --disable-gpu"
    " --disable-features=WebRtcHideLocalIpsWithMdns",
)

import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from PySide6.QtCore import QCoreApplication, QLocale, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, BrowserThread  # noqa: E402
from tests.support.waiting import until  # noqa: E402

FAKE_MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]
LINES = {
    "ja": (
        "山田 花子",
        "この急須、実物の色をビデオで見せていただけますか？",
        "もちろんです。今からビデオ通話でお見せしますね。",
        "ありがとうございます！カメラをオンにしました。",
    ),
    "en": (
        "Hanako Yamada",
        "Could you show me the real colour of this teapot on video?",
        "Of course. I will call you now and show it to you.",
        "Thank you! My camera is on.",
    ),
}


class FakeMediaBrowser(BrowserThread):
    """The browser thread of the tests, launched with Chromium's fake camera and microphone."""

    def _start(self) -> None:
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + FAKE_MEDIA_ARGS
        )


async def _js(page: Any, code: str) -> Any:
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def done(value: Any) -> None:
        if not future.done():
            future.set_result(value)

    page.runJavaScript(code, 0, done)
    return await asyncio.wait_for(future, 10)


async def scenario(backend: BackendProcess, browser: FakeMediaBrowser, out: Path, lang: str) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    name, question, answer, thanks = LINES[lang]
    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    window.resize(1560, 940)
    session = controller.session
    assert session is not None
    await until(lambda: session.connection_state.value == "connected")
    await session.set_status(type(session.store.status)("accepting"))
    locale = "ja-JP" if lang == "ja" else "en-US"

    def visitor_writes() -> Page:
        page = browser.new_page(backend.demo_url, locale=locale)
        page.get_by_test_id("launcher").click()
        page.get_by_test_id("name-input").fill(name)
        page.get_by_test_id("message-input").fill(question)
        page.get_by_test_id("send").click()
        return page

    page = await browser.call(visitor_writes)
    await until(lambda: window.queue.rowCount() == 1, what="the chat in the queue")
    window.take_next()
    await until(lambda: window.my_chats.rowCount() == 1, what="the chat taken")
    composer = window.chat_panel.composer
    composer.setFocus()
    composer.setPlainText(answer)
    QTest.keyClick(composer, Qt.Key.Key_Return)
    await browser.call(
        lambda: expect(page.get_by_test_id("message").filter(has_text=answer)).to_have_count(1)
    )

    button = window.chat_panel.video_call_button
    await until(button.isEnabled, what="the video call button")
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    def accept_with_camera() -> None:
        page.get_by_test_id("call-accept").click()
        page.get_by_test_id("call-camera").click()
        expect(page.get_by_test_id("call-panel")).to_have_attribute("data-state", "connected", timeout=20_000)
        page.get_by_test_id("message-input").fill(thanks)
        page.get_by_test_id("send").click()

    await browser.call(accept_with_camera)
    await until(lambda: session.calls.state == "connected", within=30, what="connected")
    engine = window.video_widget.engine
    assert engine is not None
    frames = "document.getElementById('remote').getVideoPlaybackQuality().totalVideoFrames"
    for _ in range(300):
        if int(await _js(engine.page, frames) or 0) > 30:
            break
        await asyncio.sleep(0.1)
    else:
        raise RuntimeError("the visitor's video never showed in the app")
    await asyncio.sleep(4.0)  # the quality figure and a few seconds on the call clock
    QApplication.primaryScreen().grabWindow(0).save(str(out))
    QTest.mouseClick(window.video_widget.hangup_button, Qt.MouseButton.LeftButton)
    await until(lambda: window.video_widget.engine is None, what="the call page released")
    await controller.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "call.png")
    lang = sys.argv[2] if len(sys.argv) > 2 else "ja"
    keyring.set_keyring(keyring.backends.null.Keyring())
    QLocale.setDefault(QLocale(lang))
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)  # before QtWebEngine
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPERATOR_APP_HOME"] = str(Path(tmp) / "app")
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        browser = FakeMediaBrowser()
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

"""Screenshots of the operator app under a real X server (Xvfb): the chat list in mixed states
and the `#` canned-reply popup, with Japanese data.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot_workflow.py OUT_DIR [ja|en]

Starts a real backend, fills it through the protocol, signs the real app in, and grabs the screen.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

import httpx  # noqa: E402
import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QLocale, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402
from tests.support.wire import connect_visitor, new_id  # noqa: E402


def add_canned_replies(backend: BackendProcess) -> None:
    backend.create_agent("lead@example.com", "加藤 リーダー", "lead-password", role="supervisor")
    lead = backend.login_tokens("lead@example.com", "lead-password")["access_token"]
    mine = backend.login_tokens()["access_token"]
    replies = [
        (
            lead,
            {
                "shortcut": "thanks",
                "title": "お礼（チーム）",
                "text": "{visitor.name|お客様}、お問い合わせありがとうございます。",
                "shared": True,
            },
        ),
        (
            mine,
            {
                "shortcut": "thanks",
                "title": "お礼（自分用）",
                "text": "{visitor.name}様、ありがとうございます！{agent.name}",
            },
        ),
        (mine, {"shortcut": "ship", "title": "配送日数", "text": "通常2〜3営業日でお届けします。"}),
    ]
    for token, body in replies:
        httpx.post(
            f"{backend.url}/api/v1/canned", json=body, headers={"Authorization": f"Bearer {token}"}
        ).raise_for_status()


async def scenario(backend: BackendProcess, out: Path, lang: str) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    session = controller.session
    assert session is not None
    await until(lambda: session.connection_state.value == "connected")
    await session.set_status(type(session.store.status)("accepting"))
    visitors = []
    for name, text in [
        ("山田 太郎", "こんにちは。注文した抹茶がまだ届きません。"),
        ("Emma Wilson", "Do you ship to Germany?"),
        ("", "注文番号は 10234 です"),
        ("鈴木", "ありがとうございました"),
    ]:
        visitor, _ = await connect_visitor(backend)
        await visitor.ok("send_message", {"client_id": new_id(), "text": text, "name": name or None})
        visitors.append(visitor)
    await until(lambda: window.my_chats.rowCount() == 4, within=30)
    await visitors[3].send("activity", {"active": False})
    await visitors[1].send("sneak_peek", {"text": "and how much is"})
    window.chat_list.setCurrentIndex(window.my_chats.index(0, 0))
    window.resize(1300, 800)
    await asyncio.sleep(1.5)
    composer = window.chat_panel.composer
    composer.setFocus()
    QTest.keyClicks(composer, "#th")
    await asyncio.sleep(1.0)
    screen = QApplication.primaryScreen()
    screen.grabWindow(0).save(str(out / f"workflow-popup-{lang}.png"))
    QTest.keyClick(composer, Qt.Key.Key_Tab)  # Tab inserts the expanded reply
    await asyncio.sleep(0.5)
    screen.grabWindow(0).save(str(out / f"workflow-inserted-{lang}.png"))
    for visitor in visitors:
        await visitor.close()
    await controller.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    lang = sys.argv[2] if len(sys.argv) > 2 else "ja"
    out.mkdir(parents=True, exist_ok=True)
    keyring.set_keyring(keyring.backends.null.Keyring())
    QLocale.setDefault(QLocale(lang))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPERATOR_APP_HOME"] = str(Path(tmp) / "app")
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        try:
            add_canned_replies(backend)
            app = QApplication.instance() or QApplication([])
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            loop.run_until_complete(scenario(backend, out, lang))
        finally:
            backend.stop()


if __name__ == "__main__":
    main()

"""A screenshot of training mode, under a real X server.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_training.py OUT.png [ja|en]

Starts a real backend, signs the real app in as a supervisor who practises, switches on training mode
from the Operator menu's action, accepts chats: a scripted visitor of the training site arrives, the
trainee answers with a canned reply; then the team view's training results are opened, and the screen
is grabbed (the "Training" banner in the status bar, the scripted chat, the results).
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
from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from chat_protocol import RoutingStatus  # noqa: E402
from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402

TRAINEE = ("kenta@example.com", "佐藤 健太", "password-kenta")
CANNED = {"shortcut": "thanks", "title": "お礼", "text": "お問い合わせありがとうございます。確認いたします。"}


async def scenario(backend: BackendProcess, out: Path, lang: str) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    await asyncio.to_thread(backend.create_agent, *TRAINEE, "supervisor")
    token = (await asyncio.to_thread(backend.login_tokens, TRAINEE[0], TRAINEE[2]))["access_token"]
    async with httpx.AsyncClient(base_url=backend.url, headers={"Authorization": f"Bearer {token}"}) as http:
        (await http.post("/api/v1/canned", json={**CANNED, "shared": False})).raise_for_status()
    controller = AppController()
    window = await controller.login(backend.url, TRAINEE[0], TRAINEE[2])
    window.resize(1560, 940)
    window.training_mode.action.trigger()
    await until(lambda: window.training_service.training, within=10, what="training mode")
    await window.session.set_status(RoutingStatus.ACCEPTING)
    await until(lambda: window.my_chats.rowCount() > 0, within=20, what="a scripted visitor")
    window.select_my_chat(0)
    chat_id = window.current_chat_id()
    assert chat_id is not None
    window.session.send_message(chat_id, CANNED["text"])
    await until(lambda: window.transcript.rowCount() >= 3, within=20, what="the visitor's next line")
    await asyncio.sleep(1.5)
    window.workspaces.show_team()
    view = window.workspaces.team
    assert view is not None
    dialog = view.open_training_results()
    await until(lambda: bool(dialog.results), within=20, what="the training results")
    window.workspaces.show_chats()  # the scripted chat behind the results
    dialog.move(window.x() + 760, window.y() + 560)
    await asyncio.sleep(1.0)
    QApplication.primaryScreen().grabWindow(0).save(str(out))
    await controller.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "training.png")
    lang = sys.argv[2] if len(sys.argv) > 2 else "ja"
    keyring.set_keyring(keyring.backends.null.Keyring())
    QLocale.setDefault(QLocale(lang))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPERATOR_APP_HOME"] = str(Path(tmp) / "app")
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        try:
            app = QApplication.instance() or QApplication([])
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(scenario(backend, out, lang))
            finally:
                loop.close()  # ends the loop's executor thread before Qt goes away
        finally:
            backend.stop()


if __name__ == "__main__":
    main()

"""Screenshots of the admin settings dialog, one per tab, under a real X server.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_admin.py OUT_DIR [ja|en]

Starts a real backend with the team of `screenshot_team.py` (groups, agents, a few chats), signs the
real app in as the admin, opens Admin > Settings and saves `admin-<n>.png` for every tab in OUT_DIR.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from scripts.screenshot_team import ADMIN, AGENTS, _agent_day, _setup  # noqa: E402
from tests.support.backend import BackendProcess  # noqa: E402


async def scenario(backend: BackendProcess, out: Path, lang: str) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    await _setup(backend)
    days = await asyncio.gather(
        *(_agent_day(backend, email, status, chats) for email, _, status, chats in AGENTS[:2] if status)
    )
    controller = AppController()
    window = await controller.login(backend.url, ADMIN[0], ADMIN[2])
    window.resize(1560, 940)
    dialog = window.open_admin()
    dialog.resize(1100, 720)
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        await asyncio.sleep(1.5)
        QApplication.primaryScreen().grabWindow(0).save(str(out / f"admin-{index}.png"))
    for agent, visitors in days:
        for visitor in visitors:
            await visitor.close()
        await agent.close()
    await controller.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
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
                loop.run_until_complete(scenario(backend, out, lang))
            finally:
                loop.close()  # ends the loop's executor thread before Qt goes away
        finally:
            backend.stop()


if __name__ == "__main__":
    main()

"""Screenshots of chat tags under a real X server: the chat window with the chat's tags as chips and the
tag menu open, and the archives with each result's tags and the tag filter set.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_tags.py CHAT.png ARCHIVES.png [ja|en]

Starts a real backend, has an administrator define tags (Japanese and English names, one long), closes
a few tagged chats, lets a visitor open a chat the demo agent takes and tags, signs the real app in as
the demo agent, opens the tag menu (Ctrl+Shift+G) and grabs the screen; then opens View > Archives,
filters by one tag and grabs it again.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QLocale, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id  # noqa: E402

ADMIN = ("admin@example.com", "管理 太郎", "password-admin")
TAGS = [
    ("返品", "#c62828"),
    ("VIP", "#f9a825"),
    ("配送の遅れ", "#1565c0"),
    ("ギフト包装", "#2e7d32"),
    ("Wholesale enquiry", "#6a1b9a"),
]
# visitor name, first message, reply, tag names
CLOSED = [
    ("山田 花子", "抹茶のギフトセットはまだありますか？", "はい、ございます。", ["VIP", "ギフト包装"]),
    ("", "注文した商品がまだ届きません。", "確認いたします。", ["配送の遅れ"]),
    (
        "佐々木 健太",
        "サイズが合わないので返品したいです。",
        "返品を承ります。",
        ["返品", "VIP", "配送の遅れ"],
    ),
    ("", "ほうじ茶はありますか？", "ございます。", []),
]


def rest(backend: BackendProcess, token: str, method: str, path: str, body: Any = None) -> Any:
    response = httpx.request(
        method,
        f"{backend.url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=20,
    )
    response.raise_for_status()
    return response.json() if response.content else None


async def _closed(
    backend: BackendProcess, agent: WireClient, token: str, ids: dict[str, str], spec: tuple
) -> WireClient:
    name, first, reply, tags = spec
    visitor, _ = await connect_visitor(backend)
    payload = {"client_id": new_id(), "text": first} | ({"name": name} if name else {})
    chat_id = (await visitor.ok("send_message", payload))["event"]["chat_id"]
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": reply})
    body = {"tag_ids": [ids[t] for t in tags]}
    await asyncio.to_thread(rest, backend, token, "PUT", f"/chats/{chat_id}/tags", body)
    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    await asyncio.sleep(1.05)
    return visitor


async def scenario(backend: BackendProcess, chat_out: Path, archives_out: Path, lang: str) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    await asyncio.to_thread(backend.create_agent, *ADMIN, "admin")
    admin = (await asyncio.to_thread(backend.login_tokens, ADMIN[0], ADMIN[2]))["access_token"]
    ids = {}
    for name, colour in TAGS:
        ids[name] = (
            await asyncio.to_thread(rest, backend, admin, "POST", "/tags", {"name": name, "colour": colour})
        )["tag_id"]
    agent = await connect_agent(backend)
    await agent.ok("set_status", {"status": "accepting"})
    token = agent.token  # type: ignore[attr-defined]
    visitors = [await _closed(backend, agent, token, ids, spec) for spec in CLOSED]
    live, _ = await connect_visitor(backend)
    first = {"client_id": new_id(), "text": "返品の送料はどなたの負担になりますか？", "name": "高橋 美咲"}
    chat_id = (await live.ok("send_message", first))["event"]["chat_id"]
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": "確認いたします。"})
    await asyncio.to_thread(
        rest,
        backend,
        token,
        "PUT",
        f"/chats/{chat_id}/tags",
        {"tag_ids": [ids["返品"], ids["Wholesale enquiry"]]},
    )
    await agent.ok("set_status", {"status": "not_accepting"})

    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    window.resize(1500, 920)
    window.show()
    await until(lambda: window.select_chat(chat_id), within=20, what="the open chat")
    bar = window.chat_panel.tags_bar
    await until(lambda: len(bar.chips.chips) == 2, within=20, what="the chat's tags")
    window.activateWindow()
    await asyncio.sleep(0.5)
    QTest.keyClick(
        window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    await until(bar.menu.isVisible, within=10, what="the tag menu")
    QTest.keyClick(bar.menu, Qt.Key.Key_Down)
    await asyncio.sleep(1.0)
    grab(window, chat_out)
    bar.menu.close()

    window.workspaces.archives_action.trigger()
    view = window.workspaces.archives
    await until(lambda: view.model.rowCount() == len(CLOSED), within=20, what="the closed chats")
    await until(lambda: len(view.filters.tag_menu.actions()) == len(TAGS), within=20, what="the tag filter")
    view.filters.choose_tag(ids["VIP"], True)
    for action in view.filters.tag_menu.actions():
        action.setChecked(action.data() == ids["VIP"])
    await view.search_now()
    view.open_row(0)
    await until(lambda: view.pane.model.rowCount() > 0, within=20, what="the transcript")
    await asyncio.sleep(1.0)
    grab(window, archives_out)
    for client in [*visitors, live, agent]:
        await client.close()
    await controller.shutdown()


def grab(window: Any, out: Path) -> None:
    if os.environ["QT_QPA_PLATFORM"] == "offscreen":
        window.grab().save(str(out))
    else:
        QApplication.primaryScreen().grabWindow(0).save(str(out))


def main() -> None:
    chat_out = Path(sys.argv[1] if len(sys.argv) > 1 else "tags_chat.png")
    archives_out = Path(sys.argv[2] if len(sys.argv) > 2 else "tags_archives.png")
    lang = sys.argv[3] if len(sys.argv) > 3 else "ja"
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
                loop.run_until_complete(scenario(backend, chat_out, archives_out, lang))
            finally:
                loop.close()
        finally:
            backend.stop()


if __name__ == "__main__":
    main()

"""A screenshot of the archives workspace with a Japanese search and its results, under a real X server.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_archives.py OUT.png [ja|en]

Starts a real backend, lets visitors chat with the demo agent and a colleague (a good and a bad rating,
an internal note, a transfer, a visitor whose name and message look like markup, a match deep in a
long message), closes the chats, signs the real app in as the demo agent, opens View > Archives,
searches 抹茶 as a Japanese input method commits it, opens the first result and grabs the screen.
With a third argument ``empty`` it searches a word no chat has instead (the empty state).
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
from PySide6.QtCore import QLocale, Qt  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id  # noqa: E402

COLLEAGUE = ("suzuki@example.com", "鈴木 花子", "password-suzuki")
LONG = (
    "こんにちは。先週注文した商品についてお聞きしたいのですが、配送状況の画面ではまだ発送準備中と表示されて"
    "います。注文番号は A-10293 です。それと、贈り物用に宇治抹茶の缶をもう一つ追加できますか？"
)
# visitor name, first message, reply, note, rating, transferred from the colleague
CHATS: list[tuple[str, str, str, str, str | None, bool]] = [
    (
        "山田 花子",
        "抹茶のギフトセットはまだありますか？",
        "はい、ございます。",
        "ギフト包装を希望",
        "good",
        False,
    ),
    ("", "送料はいくらですか？", "全国一律500円です。", "", "bad", False),
    (
        "<b>Eve</b>",
        "<b>抹茶</b> latte? <script>alert(1)</script>",
        "Here is our recipe page.",
        "",
        None,
        False,
    ),
    ("佐々木 健太", LONG, "確認いたします。抹茶の缶は追加できます。", "", "good", True),
    ("", "ほうじ茶はありますか？", "ございます。", "抹茶のセットもご案内した", None, False),
]


async def _chat(
    backend: BackendProcess, agent: WireClient, colleague: WireClient, agent_id: str, spec: tuple
) -> WireClient:
    name, first, reply, note, rating, transferred = spec
    visitor, _ = await connect_visitor(backend)
    payload = {"client_id": new_id(), "text": first} | ({"name": name} if name else {})
    chat_id = (await visitor.ok("send_message", payload))["event"]["chat_id"]
    holder = colleague if transferred else agent
    await holder.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    if transferred:
        await holder.ok(
            "transfer_chat",
            {
                "chat_id": chat_id,
                "client_id": new_id(),
                "to_agent_id": agent_id,
                "note": "在庫の確認をお願いします",
            },
        )
        await asyncio.sleep(0.3)
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": reply})
    if note:
        await agent.ok("send_note", {"chat_id": chat_id, "client_id": new_id(), "text": note})
    if rating:
        await visitor.ok("rate_chat", {"client_id": new_id(), "rating": rating, "comment": ""})
    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    await asyncio.sleep(1.05)  # distinct closing times
    return visitor


async def scenario(backend: BackendProcess, out: Path, lang: str, empty: bool) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    await asyncio.to_thread(backend.create_agent, COLLEAGUE[0], COLLEAGUE[1], COLLEAGUE[2])
    agent = await connect_agent(backend)
    colleague = await connect_agent(backend, COLLEAGUE[0], COLLEAGUE[2])
    for client in (agent, colleague):
        await client.ok("set_status", {"status": "accepting"})
    me = await http_get(backend, "/api/v1/me", agent.token)  # type: ignore[attr-defined]
    visitors = [await _chat(backend, agent, colleague, me["agent_id"], spec) for spec in CHATS]
    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    window.resize(1500, 920)
    window.show()
    workspaces = window.workspaces
    workspaces.archives_action.trigger()
    view = workspaces.archives
    await until(lambda: view.model.rowCount() == len(CHATS), within=20, what="the latest closed chats")
    commit = QInputMethodEvent()
    commit.setCommitString("存在しない言葉" if empty else "抹茶")
    QApplication.sendEvent(view.field, commit)
    QTest.keyClick(view.field, Qt.Key.Key_Return)
    await until(lambda: view.searching is None, within=20, what="the search")
    if not empty:
        await until(lambda: view.model.rowCount() > 0, within=20, what="the results")
        view.open_row(0)
        await until(lambda: view.pane.model.rowCount() > 0, within=20, what="the transcript")
    await asyncio.sleep(1.0)
    if os.environ["QT_QPA_PLATFORM"] == "offscreen":
        window.grab().save(str(out))
    else:
        QApplication.primaryScreen().grabWindow(0).save(str(out))
    for client in [*visitors, agent, colleague]:
        await client.close()
    await controller.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "archives.png")
    lang = sys.argv[2] if len(sys.argv) > 2 else "ja"
    empty = len(sys.argv) > 3 and sys.argv[3] == "empty"
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
                loop.run_until_complete(scenario(backend, out, lang, empty))
            finally:
                loop.close()
        finally:
            backend.stop()


if __name__ == "__main__":
    main()

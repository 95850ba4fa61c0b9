"""A screenshot of the supervised-chats workspace with two chats watched side by side, under a real X
server.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_supervision.py OUT.png [ja|en]

Starts a real backend, puts the demo agent and a supervisor in one group, lets three visitors chat with
the agent (one still waiting for an answer), signs the real app in as the supervisor, watches two of the
chats (one with the visitor's sneak peek, one with a whisper) and grabs the screen.
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

from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402
from tests.support.wire import WireClient, connect_agent, connect_visitor, http_get, new_id  # noqa: E402

SUPERVISOR = ("sup@example.com", "田中 美咲", "password-sup")
ADMIN = ("admin@example.com", "Ada Admin", "password-admin")
CHATS = [
    ("抹茶と煎茶、贈り物にはどちらがおすすめですか？", "贈り物でしたら宇治抹茶「翠」が人気です。"),
    ("注文番号 A-10293 がまだ届きません。", "確認いたしますので少々お待ちください。"),
    ("Do you ship to Singapore?", None),
]


async def _team(backend: BackendProcess) -> None:
    for email, name, password in (SUPERVISOR, ADMIN):
        role = "supervisor" if email == SUPERVISOR[0] else "admin"
        await asyncio.to_thread(backend.create_agent, email, name, password, role)
    ids = []
    for email, password in ((backend.agent_email, backend.agent_password), (SUPERVISOR[0], SUPERVISOR[2])):
        token = (await asyncio.to_thread(backend.login_tokens, email, password))["access_token"]
        ids.append((await http_get(backend, "/api/v1/me", token))["agent_id"])
    admin = (await asyncio.to_thread(backend.login_tokens, ADMIN[0], ADMIN[2]))["access_token"]
    async with httpx.AsyncClient(base_url=backend.url) as http:
        response = await http.post(
            "/api/v1/groups",
            json={"name": "日本茶チーム", "agent_ids": ids},
            headers={"Authorization": f"Bearer {admin}"},
        )
        response.raise_for_status()


async def _chat(
    backend: BackendProcess, holder: WireClient, first: str, reply: str | None
) -> tuple[WireClient, str]:
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": first})
    chat_id: str = sent["event"]["chat_id"]
    await holder.ok("set_status", {"status": "accepting"})
    await holder.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await holder.ok("set_status", {"status": "not_accepting"})
    if reply:
        await holder.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": reply})
    return visitor, chat_id


async def scenario(backend: BackendProcess, out: Path, lang: str) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    await _team(backend)
    holder = await connect_agent(backend)
    people = [await _chat(backend, holder, first, reply) for first, reply in CHATS]
    controller = AppController()
    window = await controller.login(backend.url, SUPERVISOR[0], SUPERVISOR[2])
    window.resize(1560, 940)
    workspaces = window.workspaces
    view = workspaces.supervision
    assert view is not None
    workspaces.show_supervision()
    await until(lambda: view.model.rowCount() == len(CHATS), within=20, what="the supervised chats")
    for _, chat_id in people[:2]:
        await view.open_chat(chat_id)
    session = controller.session
    assert session is not None
    await session.watching.whisper(
        people[1][1], "住所の確認を先にお願いします。配送状況は出荷管理で見られます。"
    )
    await people[0][0].send("sneak_peek", {"text": "予算は5000円くらいで、のしを"})
    await holder.send("typing", {"chat_id": people[1][1], "typing": True})
    await asyncio.sleep(2.5)
    QApplication.primaryScreen().grabWindow(0).save(str(out))
    for visitor, _ in people:
        await visitor.close()
    await holder.close()
    await controller.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "supervision.png")
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
            loop.run_until_complete(scenario(backend, out, lang))
        finally:
            backend.stop()


if __name__ == "__main__":
    main()

"""A screenshot of the tickets workspace with a Japanese thread, under a real X server.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_tickets.py OUT.png [ja|en]

Starts a real backend; visitors leave offline messages (nobody accepts chats), one with a name that
looks like markup. The real app signs in as the demo agent, opens View > Tickets, opens the first
ticket, replies (the e-mail stays "sending": no mail server is configured), writes an internal note,
assigns the ticket to itself, and grabs the screen.
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

from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402
from tests.support.wire import connect_visitor, new_id  # noqa: E402

MESSAGES = [
    ("<b>Eve</b>", "eve@example.com", "<script>alert(1)</script> 抹茶ラテの作り方を教えてください。"),
    ("佐々木 健太", "kenta@example.com", "送料について質問です。北海道への配送はいくらかかりますか？"),
    (
        "山田 花子",
        "hanako@example.com",
        "先週注文した抹茶のギフトセットがまだ届きません。注文番号は A-10293 です。\n"
        "贈り物なので、今週末までに届くと助かります。",
    ),
]


async def scenario(backend: BackendProcess, out: Path, lang: str) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    visitors = []
    for name, email, text in MESSAGES:
        visitor, _ = await connect_visitor(backend)
        body = {"client_id": new_id(), "name": name, "email": email, "text": text}
        await visitor.ok("offline_message", body)
        visitors.append(visitor)
        await asyncio.sleep(1.05)  # distinct times: newest first is unambiguous
    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    window.resize(1500, 920)
    window.show()
    entry = window.workspaces.tickets
    entry.action.trigger()
    view = entry.view
    await until(lambda: view.model.rowCount() == len(MESSAGES), within=20, what="the tickets")
    ticket = view.model.ticket(0)
    assert ticket is not None
    await view.open_ticket(ticket.ticket_id)
    pane = view.pane
    await pane.service.reply(
        ticket.ticket_id, "ご不便をおかけして申し訳ございません。配送状況を確認いたします。"
    )
    await pane.service.note(ticket.ticket_id, "配送業者に問い合わせ済み（追跡番号 1234-5678）")
    me = pane.service.my_id
    await pane.service.change(ticket.ticket_id, assignee_id=me)
    view.tabs.setCurrentIndex(1)  # pending: the reply waits for the visitor
    await view.reload()
    await pane.open(ticket.ticket_id)
    pane.composer.text.insertPlainText("本日中に発送いたします。")
    await asyncio.sleep(1.0)
    if os.environ["QT_QPA_PLATFORM"] == "offscreen":
        window.grab().save(str(out))
    else:
        QApplication.primaryScreen().grabWindow(0).save(str(out))
    for client in visitors:
        await client.close()
    await controller.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tickets.png")
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
                loop.close()
        finally:
            backend.stop()
    print(out)


if __name__ == "__main__":
    main()

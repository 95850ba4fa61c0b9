"""A screenshot of the team workspace (supervisors and admins), under a real X server.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_team.py OUT.png [ja|en]

Starts a real backend, creates a supervisor and six agents in two groups, lets five of them connect
with mixed statuses (accepting, not accepting, away; one stays offline), has visitors chat with them
(some answered after a few seconds, some closed, one still unanswered), signs the real app in as the
supervisor, opens the team view and grabs the screen.
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
# email, name, final status (None: never connects), chats as (reply delay in seconds or None, closed)
AGENTS: list[tuple[str, str, str | None, list[tuple[float | None, bool]]]] = [
    ("sato@example.com", "佐藤 健", "accepting", [(2, False), (4, False), (3, True), (None, False)]),
    ("emma@example.com", "Emma Wilson", "accepting", [(6, False)]),
    ("suzuki@example.com", "鈴木 花子", "not_accepting", [(3, False), (8, False), (5, True)]),
    ("li@example.com", "李 明", "away", [(7, True)]),
    ("yamada@example.com", "山田 太郎", "accepting", []),
    ("daniel@example.com", "Daniel Müller", None, []),
]
FIRST = [
    "送料はいくらですか？",
    "抹茶の賞味期限を教えてください。",
    "Do you ship to Singapore?",
    "注文を変更したいです。",
]


async def _token(backend: BackendProcess, email: str, password: str) -> str:
    return (await asyncio.to_thread(backend.login_tokens, email, password))["access_token"]


async def _setup(backend: BackendProcess) -> dict[str, str]:
    """Accounts and groups; returns email -> agent id."""
    await asyncio.to_thread(backend.create_agent, SUPERVISOR[0], SUPERVISOR[1], SUPERVISOR[2], "supervisor")
    await asyncio.to_thread(backend.create_agent, ADMIN[0], ADMIN[1], ADMIN[2], "admin")
    for email, name, _, _ in AGENTS:
        await asyncio.to_thread(backend.create_agent, email, name, "password-" + email[:4])
    ids: dict[str, str] = {}
    for email, password in [(SUPERVISOR[0], SUPERVISOR[2])] + [
        (a[0], "password-" + a[0][:4]) for a in AGENTS
    ]:
        ids[email] = (await http_get(backend, "/api/v1/me", await _token(backend, email, password)))[
            "agent_id"
        ]
    admin = await _token(backend, ADMIN[0], ADMIN[2])
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=backend.url, headers=headers) as http:
        for name, emails in (
            ("日本茶チーム", [SUPERVISOR[0]] + [a[0] for a in AGENTS]),
            ("海外対応", [SUPERVISOR[0], "emma@example.com", "li@example.com", "daniel@example.com"]),
        ):
            response = await http.post(
                "/api/v1/groups", json={"name": name, "agent_ids": [ids[e] for e in emails]}
            )
            response.raise_for_status()
        response = await http.put(f"/api/v1/agents/{ids['emma@example.com']}/limit", json={"max_chats": 3})
        response.raise_for_status()
    return ids


async def _chat(
    backend: BackendProcess, agent: WireClient, n: int, delay: float | None, closed: bool
) -> WireClient:
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": FIRST[n % len(FIRST)]})
    chat_id = sent["event"]["chat_id"]
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    if delay is not None:
        await asyncio.sleep(delay)
        await agent.ok(
            "send_message",
            {"chat_id": chat_id, "client_id": new_id(), "text": "お問い合わせありがとうございます。"},
        )
    if closed:
        await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    return visitor


async def _agent_day(
    backend: BackendProcess, email: str, status: str, chats: list[tuple[float | None, bool]]
) -> tuple[WireClient, list[WireClient]]:
    agent = await connect_agent(backend, email, "password-" + email[:4])
    await agent.ok("set_status", {"status": "accepting"})
    visitors = await asyncio.gather(*(_chat(backend, agent, n, d, c) for n, (d, c) in enumerate(chats)))
    await agent.ok("set_status", {"status": status})
    return agent, list(visitors)


async def scenario(backend: BackendProcess, out: Path, lang: str) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    ids = await _setup(backend)
    days = await asyncio.gather(
        *(
            _agent_day(backend, email, status, chats)
            for email, _, status, chats in AGENTS
            if status is not None
        )
    )
    controller = AppController()
    window = await controller.login(backend.url, SUPERVISOR[0], SUPERVISOR[2])
    window.resize(1560, 940)
    workspaces = window.workspaces
    view = workspaces.team
    assert view is not None
    workspaces.show_team()
    await until(lambda: view.model.rowCount() == len(AGENTS) + 1, within=20, what="the team")
    view.select_agent(ids["suzuki@example.com"])
    await asyncio.sleep(2.0)
    QApplication.primaryScreen().grabWindow(0).save(str(out))
    for agent, visitors in days:
        for visitor in visitors:
            await visitor.close()
        await agent.close()
    await controller.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "team.png")
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

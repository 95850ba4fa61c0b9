"""Screenshots of the traffic view with many visitors and of the visitor panel, under a real X server.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_traffic.py OUT_DIR [ja|en]

Starts a real backend, brings visitors onto the demo site through the real protocol (pages, devices,
carts, names, one hostile title, chats and an invitation), signs the real app in and grabs the screen.
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

import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
import websockets  # noqa: E402
from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.waiting import until  # noqa: E402
from tests.support.wire import WireClient, connect_agent, new_id  # noqa: E402

PAGES = [
    ("/demo/index.html", "ホーム | さくら茶舗"),
    ("/demo/product-matcha.html", "宇治 抹茶 「翠」 | さくら茶舗"),
    ("/demo/product-sencha.html", "静岡 深蒸し煎茶 | さくら茶舗"),
    ("/demo/product-hojicha.html", "加賀 棒ほうじ茶 | さくら茶舗"),
    ("/demo/cart.html", "カート | さくら茶舗"),
    ("/demo/guide.html", "お茶の淹れ方ガイド | さくら茶舗"),
]
DEVICES = [
    {
        "device_class": "desktop",
        "os": "Windows",
        "browser": "Chrome",
        "language": "ja-JP",
        "time_zone": "Asia/Tokyo",
    },
    {
        "device_class": "mobile",
        "os": "iOS",
        "browser": "Safari",
        "language": "ja-JP",
        "time_zone": "Asia/Tokyo",
    },
    {
        "device_class": "desktop",
        "os": "macOS",
        "browser": "Safari",
        "language": "en-US",
        "time_zone": "America/New_York",
    },
    {
        "device_class": "tablet",
        "os": "Android",
        "browser": "Chrome",
        "language": "ko-KR",
        "time_zone": "Asia/Seoul",
    },
    {
        "device_class": "desktop",
        "os": "Linux",
        "browser": "Firefox",
        "language": "de-DE",
        "time_zone": "Europe/Berlin",
    },
]
NAMES = ["山田 太郎", "Emma Wilson", "", "", "鈴木 一郎", "", "李 美玲", "", "佐々木", ""]
REFERRERS = [
    "",
    "https://www.google.co.jp/",
    "https://twitter.com/sakura_tea",
    "",
    "https://news.example.jp/tea",
]


async def visitor(backend: BackendProcess, n: int) -> tuple[WireClient, dict[str, Any]]:
    path, title = PAGES[n % len(PAGES)]
    query = "?utm_source=newsletter&utm_medium=email" if n % 7 == 0 else ""
    ws = await websockets.connect(f"{backend.ws_url}/ws/visitor", origin=backend.url)  # type: ignore[arg-type]
    client = WireClient(ws)
    if n == 5:
        title = "<script>alert('x')</script>" * 40
    login = await client.ok(
        "login",
        {
            "site_id": backend.site_id,
            "page": {"url": f"{backend.url}{path}{query}", "title": title, "referrer": REFERRERS[n % 5]},
            "device": DEVICES[n % len(DEVICES)],
        },
    )
    await client.ok("resume", {"cursor": login["cursor"]})
    for extra in range(n % 4):
        p, t = PAGES[(n + extra + 1) % len(PAGES)]
        await client.send("page_view", {"url": f"{backend.url}{p}", "title": t})
    name = NAMES[n % len(NAMES)]
    if name:
        await client.send(
            "identify", {"name": name, "email": f"user{n}@example.jp", "phone": "090-1234-5678"}
        )
    if n % 3 == 0:
        items = [{"name": "宇治 抹茶 「翠」 40g", "price": 2800, "quantity": 1 + n % 2}]
        if n % 2:
            items.append({"name": "深蒸し煎茶 100g", "price": 1600, "quantity": 2})
        total = sum(i["price"] * i["quantity"] for i in items)
        await client.send("cart", {"items": items, "total": total, "currency": "JPY"})
        await client.send("custom_data", {"data": {"会員ランク": "ゴールド", "plan": "subscription"}})
    if n % 5 == 4:
        await client.send("activity", {"active": False})
    return client, login


async def scenario(backend: BackendProcess, out: Path, lang: str) -> None:
    from operator_app.app import AppController
    from operator_app.ui.qt_runtime import install_translators

    install_translators(QApplication.instance(), lang)  # type: ignore[arg-type]
    crowd = [await visitor(backend, n) for n in range(80)]
    # Two visitors ask to chat (queued), one is in a chat with a colleague's invitation answered.
    for client, _ in crowd[10:12]:
        await client.ok("send_message", {"client_id": new_id(), "text": "送料はいくらですか？"})
    agent = await connect_agent(backend)
    await agent.ok(
        "invite_visitor",
        {"visitor_id": crowd[3][1]["visitor_id"], "client_id": new_id(), "text": "何かお探しですか？"},
    )
    invited, login = crowd[0]
    await agent.ok(
        "invite_visitor",
        {"visitor_id": login["visitor_id"], "client_id": new_id(), "text": "抹茶のご相談はお気軽にどうぞ。"},
    )
    push = await invited.next_push("invitation")
    await invited.ok(
        "send_message",
        {
            "client_id": new_id(),
            "text": "贈り物にするならどれがいいですか？",
            "invitation_id": push["payload"]["invitation_id"],
        },
    )

    controller = AppController()
    window = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    window.resize(1560, 940)
    workspaces = window.workspaces
    await until(lambda: workspaces.service.model.rowCount() >= 80, within=30, what="the traffic list")
    workspaces.show_traffic()
    workspaces.traffic.select_visitor(crowd[6][1]["visitor_id"])
    await asyncio.sleep(2.5)
    screen = QApplication.primaryScreen()
    screen.grabWindow(0).save(str(out / f"customers-{lang}.png"))

    # The visitor panel beside a chat: the visitor who answered the invitation.
    workspaces.show_traffic(False)
    session = controller.session
    assert session is not None
    await until(lambda: window.my_chats.rowCount() >= 1, within=20, what="my chat")
    window.chat_list.setCurrentIndex(window.my_chats.index(0, 0))
    await asyncio.sleep(2.5)
    screen.grabWindow(0).save(str(out / f"visitor-panel-{lang}.png"))
    for client, _ in crowd:
        await client.close()
    await agent.close()
    await controller.shutdown()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    lang = sys.argv[2] if len(sys.argv) > 2 else "ja"
    out.mkdir(parents=True, exist_ok=True)
    keyring.set_keyring(keyring.backends.null.Keyring())
    QLocale.setDefault(QLocale(lang))
    os.environ["CHAT_CONNECT_BURST"] = "2000"
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

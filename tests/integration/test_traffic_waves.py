"""The traffic list under waves of visitors, page-view retention, and the pieces behind them."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from chat_backend.domain.location import approximate_location
from chat_backend.domain.traffic import source_of
from chat_backend.realtime.rate_limit import SocketLimits
from chat_backend.realtime.traffic_frames import MAX_DELTA_BYTES, delta_frames
from chat_backend.settings import Settings
from tests.integration.test_traffic import Mirror, _auth, _profile, _short_timings, connect_tracked
from tests.support.backend import BackendProcess
from tests.support.wire import WireClient, connect_agent, http_get

__all__ = ["_short_timings"]  # the autouse fixture: short leave grace and removal, no per-IP cap


@pytest.mark.asyncio
async def test_waves_of_visitors_leave_the_watched_list_exact(backend: BackendProcess) -> None:
    agent = await connect_agent(backend)
    token = agent.token  # type: ignore[attr-defined]
    mirror = Mirror(agent)
    await mirror.start(backend)
    gate = asyncio.Semaphore(64)
    page = {"url": f"{backend.url}/demo/index.html", "title": "Home"}

    async def arrive(token: str | None = None) -> tuple[WireClient, dict[str, Any]]:
        async with gate:
            return await connect_tracked(backend, page, token=token)

    async def leave(clients: list[tuple[WireClient, dict[str, Any]]]) -> None:
        await asyncio.gather(*(client.close() for client, _ in clients))

    # 400 arrive, half leave, 80 of those come back, 40 newcomers of whom 20 leave: waves that overlap
    # the leave grace, delivered in many delta frames.
    first = list(await asyncio.gather(*(arrive() for _ in range(400))))
    await leave(first[:200])
    # Some come back within the leave grace, others after it; newcomers arrive meanwhile.
    back = list(await asyncio.gather(*(arrive(login["visitor_token"]) for _, login in first[:80])))
    newcomers = list(await asyncio.gather(*(arrive() for _ in range(40))))
    await leave(newcomers[:20])
    here = first[200:] + back + newcomers[20:]
    expected = {login["visitor_id"] for _, login in here}
    assert len(expected) == 300

    # The leavers turn `left`, then drop out of the list; the mirror ends equal to a fresh snapshot.
    fresh: dict[str, Any] = {}

    async def settled() -> bool:
        fresh.update(await http_get(backend, "/api/v1/traffic", token))
        rows = {row["visitor_id"]: row for row in fresh["rows"]}
        return set(rows) == expected and mirror.rows == rows

    for _attempt in range(100):
        if await settled():
            break
        await asyncio.sleep(0.25)
    rows = {row["visitor_id"]: row for row in fresh["rows"]}
    assert set(rows) == expected, (len(rows), len(expected - set(rows)), len(set(rows) - expected))
    assert mirror.rows == rows
    assert {row["state"] for row in rows.values()} == {"browsing"}
    assert mirror.frames > 1
    await mirror.stop()
    await leave(here)
    await agent.close()


@pytest.mark.asyncio
async def test_retention_is_set_by_admins_and_old_page_views_are_purged(backend: BackendProcess) -> None:
    agent_token = backend.login_tokens()["access_token"]
    backend.create_agent("admin@example.com", "Admin", "admin-password", role="admin")
    admin_token = backend.login_tokens("admin@example.com", "admin-password")["access_token"]
    async with httpx.AsyncClient(base_url=backend.url) as http:
        refused = await http.put(
            "/api/v1/settings/traffic", json={"page_view_retention_days": 2}, headers=_auth(agent_token)
        )
        assert refused.status_code == 403
        assert refused.json()["detail"]["code"] == "forbidden"
        put = await http.put(
            "/api/v1/settings/traffic", json={"page_view_retention_days": 2}, headers=_auth(admin_token)
        )
        assert put.status_code == 200
        bad = await http.put(
            "/api/v1/settings/traffic", json={"page_view_retention_days": 0}, headers=_auth(admin_token)
        )
        assert bad.status_code == 422
        got = await http.get("/api/v1/settings/traffic", headers=_auth(agent_token))
        assert got.json() == {"page_view_retention_days": 2}

    visitor, login = await connect_tracked(backend, {"url": f"{backend.url}/demo/index.html", "title": "A"})
    vid = login["visitor_id"]
    await visitor.send("page_view", {"url": f"{backend.url}/demo/cart.html", "title": "B"})

    async def titles() -> list[str]:
        profile = await _profile(backend, agent_token, vid)
        return [p["title"] for p in profile["history"][0]["pages"]]

    for _attempt in range(50):
        if await titles() == ["A", "B"]:
            break
        await asyncio.sleep(0.1)
    assert await titles() == ["A", "B"]
    db_path = backend.database_url.removeprefix("sqlite:///")

    def age(title: str) -> None:
        """Backdate the page view; the live list may show it a moment before its row is written."""
        for _attempt in range(100):
            with sqlite3.connect(db_path) as db:
                aged = db.execute(
                    "UPDATE page_views SET viewed_at = '2000-01-01 00:00:00.000000' WHERE title = ?", (title,)
                ).rowcount
            if aged == 1:
                return
            time.sleep(0.05)
        raise AssertionError(f"page view {title!r} never reached the database")

    age("A")
    assert "purged 1 page views older than 2 days" in backend.cli("traffic", "--purge")
    assert await titles() == ["B"]
    await visitor.close()

    # The server purges once at start (then hourly).
    age("B")
    backend.stop()
    backend.start()
    for _attempt in range(100):
        if not await titles():
            break
        await asyncio.sleep(0.1)
    assert await titles() == []

    assert '"page_view_retention_days": 30' in backend.cli("traffic", "--retention-days", "30")
    with pytest.raises(RuntimeError, match="between 1 and 3650"):
        backend.cli("traffic", "--retention-days", "0")


def test_a_delta_with_many_rows_is_split_under_the_frame_cap() -> None:
    rows = [
        json.dumps({"visitor_id": f"v{i}", "page_title": "<script>" * 37 + "茶" * 300}) for i in range(2000)
    ]
    removed = [json.dumps(f"gone-{i}") for i in range(3000)]
    frames = delta_frames(42, rows, removed)
    assert len(frames) > 10
    payloads = []
    for number, frame in enumerate(frames):
        text = frame.dumps()
        assert len(text.encode()) <= MAX_DELTA_BYTES
        envelope = json.loads(text)
        # Each frame has a higher rev: the app applies only deltas above the last one it applied.
        assert (envelope["type"], envelope["action"], envelope["payload"]["rev"]) == (
            "push",
            "traffic",
            42 + number,
        )
        payloads.append(envelope["payload"])
    assert [r["visitor_id"] for p in payloads for r in p["upserts"]] == [f"v{i}" for i in range(2000)]
    assert [v for p in payloads for v in p["removed"]] == [f"gone-{i}" for i in range(3000)]


def test_source_location_and_connection_cap() -> None:
    site = ["https://shop.example"]
    assert source_of("https://shop.example/?utm_source=ads&utm_medium=cpc", "", site) == ("ads", "cpc", "")
    assert (
        source_of("https://shop.example/", "https://www.google.com/search?q=x", site)[0] == "www.google.com"
    )
    assert source_of("https://shop.example/b", "https://shop.example/a", site)[0] == ""
    assert source_of("https://shop.example/", "javascript:alert(1)", site)[0] == ""
    assert source_of("https://shop.example/", "https://shop.example@evil.example/", site)[0] == ""
    assert approximate_location("Asia/Tokyo") == "Japan (Tokyo)"
    assert approximate_location("Asia/Calcutta") == "India (Kolkata)"
    assert approximate_location("Etc/GMT+9") == approximate_location("<script>") == ""
    settings = Settings(database_url="sqlite://")
    settings.connect_burst, settings.connect_rate = 2, 0.001
    limits = SocketLimits(settings)
    assert [limits.open_socket("10.0.0.1") is None for _ in range(3)] == [True, True, False]
    assert SocketLimits().open_socket("10.0.0.2") is None


@pytest.mark.asyncio
async def test_a_watcher_that_stops_reading_is_closed_with_4008_and_the_node_goes_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The send queue is bounded in bytes, far above what one flush of the list sends (50 big rows,
    about 170 KB): a watcher that reads takes each flush before the next one (its kernel buffers hold
    megabytes), so only the one that stopped reading can reach the bound, however slow the machine."""
    monkeypatch.setenv("CHAT_SEND_QUEUE_BYTES", str(1024 * 1024))
    backend = BackendProcess(database_url=f"sqlite:///{tmp_path / 'chat.db'}", workdir=tmp_path)
    backend.start()
    try:
        agent = await connect_agent(backend)
        mirror = Mirror(agent)
        await mirror.start(backend)
        mirror_port = agent.ws.local_address[1]
        # A second watcher that never reads: a raw socket with a tiny receive buffer fills at once.
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        slow.connect(("127.0.0.1", backend.port))
        slow_port = slow.getsockname()[1]
        token = backend.login_tokens()["access_token"]
        await asyncio.to_thread(_open_raw_agent_socket, slow, backend.port, token)

        # Visitors on long-titled pages going active and idle: every flush re-sends their big rows.
        page = {"url": f"{backend.url}/demo/index.html#" + "x" * 2000, "title": "🍵" * 300}
        visitors = [await connect_tracked(backend, page) for _ in range(50)]
        full = re.compile(r"send queue full on agent socket 127\.0\.0\.1:(\d+) \((\d+) bytes queued")
        closed: list[re.Match[str]] = []
        for step in range(200):
            for client, _login in visitors:
                await client.send("activity", {"active": step % 2 == 1})
            await asyncio.sleep(0.1)
            closed = list(full.finditer(backend.log_path.read_text(errors="replace")))
            if closed:
                break
        assert [int(m[1]) for m in closed] == [slow_port]  # never the watcher that reads
        assert int(closed[0][2]) <= 1024 * 1024
        slow.close()

        # The node and the other watcher go on.
        last = f"{backend.url}/demo/cart.html"
        await visitors[0][0].send("page_view", {"url": last, "title": "Cart"})
        await mirror.until("the cart page", lambda r: r["page_url"] == last)
        for _attempt in range(40):
            fresh = await http_get(backend, "/api/v1/traffic", agent.token)  # type: ignore[attr-defined]
            if mirror.rows == {r["visitor_id"]: r for r in fresh["rows"]}:
                break
            await asyncio.sleep(0.25)
        assert mirror.rows == {r["visitor_id"]: r for r in fresh["rows"]}
        assert f":{mirror_port} (" not in backend.log_path.read_text(errors="replace")
        await mirror.stop()
        for client, _login in visitors:
            await client.close()
        await agent.close()
    finally:
        backend.stop()


def _frame(text: str) -> bytes:
    """A masked client text frame."""
    data, mask = text.encode(), os.urandom(4)
    size = len(data)
    head = bytes([0x81, 0x80 | size]) if size < 126 else bytes([0x81, 0x80 | 126]) + size.to_bytes(2, "big")
    return head + mask + bytes(byte ^ mask[i % 4] for i, byte in enumerate(data))


def _open_raw_agent_socket(sock: socket.socket, port: int, token: str) -> None:
    """Upgrade to a WebSocket, log in and watch the traffic list; then read nothing."""
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/agent HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    for action, payload in (("login", {"token": token}), ("watch_traffic", {"watch": True})):
        sock.sendall(
            _frame(
                json.dumps({"v": 1, "type": "req", "action": action, "req_id": action, "payload": payload})
            )
        )

"""Visitor tracking and the live traffic list over the real sockets, on SQLite and PostgreSQL.

The backend runs with short timings (leave grace, time in the list after leaving, visit gap) so that
leaving, removal and returning visitors can be watched in seconds.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import websockets

from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.waiting import until
from tests.support.wire import WireClient, connect_agent, http_get, new_id

pytestmark = pytest.mark.asyncio

LEAVE_GRACE = 0.3
FORGET_AFTER = 1.5
VISIT_GAP = 2.0


@pytest.fixture(autouse=True)
def _short_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before the backend fixture starts the server (autouse fixtures come first)."""
    monkeypatch.setenv("CHAT_VISITOR_LEAVE_GRACE", str(LEAVE_GRACE))
    monkeypatch.setenv("CHAT_TRAFFIC_FORGET_AFTER", str(FORGET_AFTER))
    monkeypatch.setenv("CHAT_VISIT_GAP", str(VISIT_GAP))
    monkeypatch.setenv("CHAT_CONNECT_BURST", "5000")
    monkeypatch.setenv("CHAT_CONNECT_RATE", "1000")
    monkeypatch.setenv("CHAT_MAX_SOCKETS_PER_IP", "5000")  # a thousand visitors from 127.0.0.1
    return


DEVICE = {
    "device_class": "mobile",
    "os": "iOS",
    "browser": "Safari",
    "language": "ja-JP",
    "time_zone": "Asia/Tokyo",
}


async def connect_tracked(
    backend: BackendProcess,
    page: dict[str, Any] | None = None,
    device: dict[str, Any] | None = None,
    token: str | None = None,
) -> tuple[WireClient, dict[str, Any]]:
    """A visitor socket whose login carries the page and the device, as the widget sends them."""
    ws = await websockets.connect(f"{backend.ws_url}/ws/visitor", origin=backend.url)  # type: ignore[arg-type]
    client = WireClient(ws)
    body: dict[str, Any] = {"site_id": backend.site_id, "visitor_token": token}
    if page is not None:
        body["page"] = page
    if device is not None:
        body["device"] = device
    login = await client.ok("login", body)
    await client.ok("resume", {"cursor": login["cursor"]})
    return client, login


class Mirror:
    """What the operator app keeps: a snapshot, then every `traffic` delta above its `rev`."""

    def __init__(self, agent: WireClient) -> None:
        self.agent = agent
        self.rows: dict[str, dict[str, Any]] = {}
        self.rev = 0
        self.frames = 0
        self._task: asyncio.Task[None] | None = None
        self._ping: asyncio.Task[None] | None = None

    async def start(self, backend: BackendProcess) -> None:
        assert (await self.agent.request("watch_traffic", {"watch": True}))["type"] == "res"
        snapshot = await http_get(backend, "/api/v1/traffic", self.agent.token)  # type: ignore[attr-defined]
        self.rev = snapshot["rev"]
        self.rows = {row["visitor_id"]: row for row in snapshot["rows"]}
        self._task = asyncio.get_running_loop().create_task(self._follow())
        self._ping = asyncio.get_running_loop().create_task(self._keep_alive())

    async def _keep_alive(self) -> None:
        """The app pings every 20 s; a socket silent for 45 s is closed by the server."""
        while True:
            await asyncio.sleep(10)
            await self.agent.request("ping")

    async def _follow(self) -> None:
        while True:
            delta = (await self.agent.next_push("traffic", within=3600))["payload"]
            self.frames += 1
            if delta["rev"] <= self.rev:
                continue
            self.rev = delta["rev"]
            for row in delta["upserts"]:
                self.rows[row["visitor_id"]] = row
            for visitor_id in delta["removed"]:
                self.rows.pop(visitor_id, None)

    async def until(self, what: str, condition: Any, within: float = 15) -> dict[str, Any]:
        """Wait for a row matching `condition(row)`; returns it."""
        found: list[dict[str, Any]] = []

        def check() -> bool:
            found[:] = [row for row in self.rows.values() if condition(row)]
            return bool(found)

        await until(check, within, what)
        return found[0]

    async def stop(self) -> None:
        for task in (self._task, self._ping):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _profile(backend: BackendProcess, token: str, visitor_id: str) -> dict[str, Any]:
    profile: dict[str, Any] = await http_get(backend, f"/api/v1/visitors/{visitor_id}", token)
    return profile


async def test_visitor_browsing_fills_the_live_row_and_the_profile(db_backend: BackendProcess) -> None:
    agent = await connect_agent(db_backend)
    mirror = Mirror(agent)
    await mirror.start(db_backend)
    before = mirror.rev
    landing = f"{db_backend.url}/demo/index.html?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
    page = {"url": landing, "title": "お茶の店", "referrer": "https://search.example/?q=tea"}
    visitor, login = await connect_tracked(db_backend, page, DEVICE)
    vid = login["visitor_id"]
    assert db_backend.url in login["site_origins"]

    row = await mirror.until("the new row", lambda r: r["visitor_id"] == vid)
    assert row["rev"] > before
    assert (row["state"], row["page_title"], row["pages_viewed"]) == ("browsing", "お茶の店", 1)
    assert (row["visits"], row["returning"], row["source"]) == (1, False, "newsletter")
    assert (row["device_class"], row["os"], row["browser"]) == ("mobile", "iOS", "Safari")
    assert (row["language"], row["time_zone"]) == ("ja-JP", "Asia/Tokyo")
    assert (row["location"], row["location_approximate"]) == ("Japan (Tokyo)", True)

    cart_url = f"{db_backend.url}/demo/cart.html"
    await visitor.send("page_view", {"url": cart_url, "title": "カート"})
    row = await mirror.until("the cart page", lambda r: r["visitor_id"] == vid and r["pages_viewed"] == 2)
    assert (row["page_url"], row["page_title"]) == (cart_url, "カート")
    await visitor.send(
        "identify",
        {"name": "山田 太郎", "email": "taro@example.jp", "phone": "03-1234", "external_id": "c-9"},
    )
    await mirror.until("the name", lambda r: r["visitor_id"] == vid and r["name"] == "山田 太郎")
    items = [{"name": "抹茶", "price": 1200, "quantity": 2}, {"name": "煎茶", "price": 800}]
    await visitor.send("cart", {"items": items, "currency": "JPY"})
    row = await mirror.until("the cart", lambda r: r["visitor_id"] == vid and r["cart_value"] > 0)
    assert (row["cart_value"], row["cart_currency"], row["email"]) == (3200, "JPY", "taro@example.jp")
    await visitor.send("custom_data", {"data": {"plan": "gold", "points": 1200, "vip": True}})
    await visitor.send("activity", {"active": False})
    await mirror.until("inactive", lambda r: r["visitor_id"] == vid and not r["active"])

    profile = await _profile(db_backend, agent.token, vid)  # type: ignore[attr-defined]
    assert profile["custom_data"] == {"plan": "gold", "points": "1200", "vip": "True"}
    assert (profile["name"], profile["phone"], profile["location"]) == (
        "山田 太郎",
        "03-1234",
        "Japan (Tokyo)",
    )
    assert profile["cart"]["items"][0] == {"name": "抹茶", "price": 1200.0, "quantity": 2}
    assert profile["live"]["visitor_id"] == vid
    [visit] = profile["history"]
    assert (visit["source"], visit["utm_medium"], visit["utm_campaign"]) == ("newsletter", "email", "spring")
    assert visit["referrer"] == "https://search.example/?q=tea"
    assert [p["title"] for p in visit["pages"]] == ["お茶の店", "カート"]

    # A fresh snapshot agrees with what the deltas built.
    fresh = await http_get(db_backend, "/api/v1/traffic", agent.token)  # type: ignore[attr-defined]
    assert {r["visitor_id"]: r for r in fresh["rows"]}[vid] == mirror.rows[vid]
    await mirror.stop()
    await visitor.close()
    await agent.close()


async def test_hostile_page_titles_names_and_custom_data_are_cut_and_stay_literal(
    backend: BackendProcess,
) -> None:
    agent = await connect_agent(backend)
    mirror = Mirror(agent)
    await mirror.start(backend)
    script = "<script>alert(1)</script>"
    title = (script * 420)[:10_240]
    page = {"url": f"{backend.url}/demo/index.html#" + "x" * 5000, "title": title, "referrer": "javascript:x"}
    visitor, login = await connect_tracked(
        backend, page, {"time_zone": "<b>Etc/Nowhere</b>", "os": "A" * 999}
    )
    vid = login["visitor_id"]
    row = await mirror.until("the row", lambda r: r["visitor_id"] == vid)
    assert row["page_title"] == title[:300]
    assert row["page_title"].startswith("<script>alert(1)</script>")
    assert len(row["page_url"]) == 2048
    assert (row["source"], row["location"], row["os"]) == ("", "", "A" * 64)

    await visitor.send("identify", {"name": "<img src=x onerror=alert(1)>" * 50, "email": "e" * 500})
    huge = {f"key{i}<b>": "<i>v</i>" * 126 for i in range(55)}  # the frame stays under 64 KiB
    await visitor.send("custom_data", {"data": huge})
    await visitor.send(
        "cart", {"items": [{"name": script * 13, "price": 1, "quantity": 1}] * 120, "total": 5}
    )
    row = await mirror.until("the cut name", lambda r: r["visitor_id"] == vid and r["cart_value"] == 5)
    assert row["name"] == ("<img src=x onerror=alert(1)>" * 50)[:100]
    assert len(row["email"]) == 100
    profile = await _profile(backend, agent.token, vid)  # type: ignore[attr-defined]
    assert len(profile["custom_data"]) == 50
    assert all(len(k) <= 64 and len(v) == 1000 for k, v in profile["custom_data"].items())
    assert "key0<b>" in profile["custom_data"]
    assert len(profile["cart"]["items"]) == 100
    assert profile["cart"]["items"][0]["name"] == (script * 13)[:300]
    await mirror.stop()
    await visitor.close()
    await agent.close()


async def test_chat_states_and_messages_follow_the_chat(db_backend: BackendProcess) -> None:
    agent = await connect_agent(db_backend)
    await agent.ok("set_status", {"status": "not_accepting"})
    mirror = Mirror(agent)
    await mirror.start(db_backend)
    visitor, login = await connect_tracked(db_backend, {"url": f"{db_backend.url}/demo/index.html"})
    vid = login["visitor_id"]
    await mirror.until("browsing", lambda r: r["visitor_id"] == vid and r["state"] == "browsing")

    first = new_id()
    sent = await visitor.ok("send_message", {"client_id": first, "text": "hello", "name": "Ken"})
    chat_id = sent["event"]["chat_id"]
    row = await mirror.until("queued", lambda r: r["visitor_id"] == vid and r["state"] == "queued")
    assert (row["chat_id"], row["agent_id"], row["messages_sent"], row["name"]) == (chat_id, None, 1, "Ken")
    await visitor.ok("send_message", {"client_id": first, "text": "hello"})  # a retry counts once
    await visitor.ok("send_message", {"client_id": new_id(), "text": "anyone?"})
    await mirror.until("2 messages", lambda r: r["visitor_id"] == vid and r["messages_sent"] == 2)

    await agent.ok("set_status", {"status": "accepting"})
    me = await http_get(db_backend, "/api/v1/me", agent.token)  # type: ignore[attr-defined]
    row = await mirror.until("chatting", lambda r: r["visitor_id"] == vid and r["state"] == "chatting")
    assert (row["chat_id"], row["agent_id"]) == (chat_id, me["agent_id"])
    await agent.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    row = await mirror.until("browsing again", lambda r: r["visitor_id"] == vid and r["state"] == "browsing")
    assert (row["chat_id"], row["agent_id"], row["messages_sent"]) == (None, None, 2)
    await mirror.stop()
    await visitor.close()
    await agent.close()


async def test_leaving_visitor_turns_left_then_is_removed(db_backend: BackendProcess) -> None:
    agent = await connect_agent(db_backend)
    mirror = Mirror(agent)
    await mirror.start(db_backend)
    visitor, login = await connect_tracked(db_backend, {"url": f"{db_backend.url}/demo/index.html"})
    vid = login["visitor_id"]
    await mirror.until("the row", lambda r: r["visitor_id"] == vid)
    await visitor.close()
    row = await mirror.until("left", lambda r: r["visitor_id"] == vid and r["state"] == "left")
    assert row["left_at"] is not None
    left_at = time.monotonic()
    await until(lambda: vid not in mirror.rows, 10, "the row removed")
    assert time.monotonic() - left_at >= FORGET_AFTER - 0.3
    fresh = await http_get(db_backend, "/api/v1/traffic", agent.token)  # type: ignore[attr-defined]
    assert vid not in {r["visitor_id"] for r in fresh["rows"]}
    await mirror.stop()
    await agent.close()


async def test_returning_visitor_counts_a_new_visit_after_the_gap(db_backend: BackendProcess) -> None:
    agent = await connect_agent(db_backend)
    mirror = Mirror(agent)
    await mirror.start(db_backend)
    home = {"url": f"{db_backend.url}/demo/index.html", "title": "Home"}
    visitor, login = await connect_tracked(db_backend, home, DEVICE)
    vid, token = login["visitor_id"], login["visitor_token"]
    await mirror.until("the row", lambda r: r["visitor_id"] == vid)
    await visitor.close()
    # The next page of the same visit (a page load opens a new socket).
    product = {"url": f"{db_backend.url}/demo/product-matcha.html", "title": "Matcha"}
    visitor, _ = await connect_tracked(db_backend, product, DEVICE, token=token)
    row = await mirror.until("page 2", lambda r: r["visitor_id"] == vid and r["pages_viewed"] == 2)
    assert (row["visits"], row["returning"], row["page_title"]) == (1, False, "Matcha")
    await visitor.close()
    await mirror.until("left", lambda r: r["visitor_id"] == vid and r["state"] == "left")
    await asyncio.sleep(VISIT_GAP + 2.5)  # past the gap, and the leave time is written (every 2 s)

    visitor, _ = await connect_tracked(db_backend, home, DEVICE, token=token)
    row = await mirror.until("visit 2", lambda r: r["visitor_id"] == vid and r["visits"] == 2)
    assert (row["returning"], row["pages_viewed"], row["state"], row["left_at"]) == (
        True,
        1,
        "browsing",
        None,
    )
    profile = await _profile(db_backend, agent.token, vid)  # type: ignore[attr-defined]
    assert profile["visits"] == 2
    assert [len(v["pages"]) for v in profile["history"]] == [1, 2]  # newest first
    assert profile["first_visit_at"] < profile["history"][0]["started_at"]
    await mirror.stop()
    await visitor.close()
    await agent.close()


async def test_profile_previous_chats_patch_and_unknown_visitor(db_backend: BackendProcess) -> None:
    agent = await connect_agent(db_backend)
    await agent.ok("set_status", {"status": "accepting"})
    token = agent.token  # type: ignore[attr-defined]
    mirror = Mirror(agent)
    await mirror.start(db_backend)
    visitor, login = await connect_tracked(db_backend, {"url": f"{db_backend.url}/demo/index.html"})
    vid = login["visitor_id"]
    chat_ids = []
    for text in ("first question", "second question"):
        sent = await visitor.ok("send_message", {"client_id": new_id(), "text": text})
        chat_ids.append(sent["event"]["chat_id"])
        await mirror.until("chatting", lambda r: r["visitor_id"] == vid and r["state"] == "chatting")
        await agent.ok("close_chat", {"chat_id": chat_ids[-1], "client_id": new_id()})
        await mirror.until("browsing", lambda r: r["visitor_id"] == vid and r["state"] == "browsing")
    profile = await _profile(db_backend, token, vid)
    assert [c["chat_id"] for c in profile["previous_chats"]] == chat_ids[::-1]
    assert profile["previous_chats"][0]["last_message"]["text"] == "second question"
    # The agent who held a previous chat reads its transcript.
    transcript = await http_get(db_backend, f"/api/v1/chats/{chat_ids[0]}/events", token)
    assert "first question" in [e.get("text") for e in transcript["events"]]

    async with httpx.AsyncClient(base_url=db_backend.url, headers=_auth(token)) as http:
        body = {"name": "佐々木", "email": "s@example.jp", "phone": "090", "tags": ["vip", "vip", "<b>"]}
        patched = await http.patch(f"/api/v1/visitors/{vid}", json=body)
        assert patched.status_code == 200, patched.text
        assert (patched.json()["name"], patched.json()["tags"]) == ("佐々木", ["vip", "<b>"])
        await mirror.until("renamed", lambda r: r["visitor_id"] == vid and r["name"] == "佐々木")
        partial = await http.patch(f"/api/v1/visitors/{vid}", json={"phone": "091"})
        assert (partial.json()["name"], partial.json()["phone"]) == ("佐々木", "091")
        for response in (
            await http.get("/api/v1/visitors/no-such-visitor"),
            await http.patch("/api/v1/visitors/no-such-visitor", json={"name": "x"}),
        ):
            assert response.status_code == 404
            assert response.json()["detail"]["code"] == "not_found"
        assert (await http.get(f"/api/v1/visitors/{vid}", headers=_auth("bad"))).status_code == 401
    await mirror.stop()
    await visitor.close()
    await agent.close()


async def test_a_teammate_reads_a_visitors_closed_chats_but_not_a_colleagues_live_one(
    backend: BackendProcess,
) -> None:
    """The visitor panel opens previous chats: a closed chat is readable by the agents of its groups
    (docs/roles.md, "Archives"), not by an agent outside them; a chat a colleague holds now is not
    readable by either (404, as if it did not exist)."""
    backend.cli("routing", "--auto-assign", "off")
    backend.create_agent("kato@example.com", "Kato Ken", "kato-password")
    backend.create_agent("sato@example.com", "Sato Jiro", "sato-password")
    holder = await connect_agent(backend)
    teammate = await connect_agent(backend, "kato@example.com", "kato-password")
    outsider = await connect_agent(backend, "sato@example.com", "sato-password")
    ids = [
        (await http_get(backend, "/api/v1/me", client.token))["agent_id"]  # type: ignore[attr-defined]
        for client in (holder, teammate)
    ]
    admin_of(backend).call("POST", "/groups", {"name": "Shop floor", "agent_ids": ids})
    visitor, _ = await connect_tracked(backend, {"url": f"{backend.url}/demo/index.html", "title": "Shop"})
    chat_id = (await visitor.ok("send_message", {"client_id": new_id(), "text": "hello"}))["event"]["chat_id"]
    await holder.ok("set_status", {"status": "accepting"})
    await holder.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    path = f"/api/v1/chats/{chat_id}/events"
    for colleague in (teammate, outsider):
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await http_get(backend, path, colleague.token)  # type: ignore[attr-defined]
        assert refused.value.response.status_code == 404
    await holder.ok("close_chat", {"chat_id": chat_id, "client_id": new_id()})
    page = await http_get(backend, path, teammate.token)  # type: ignore[attr-defined]
    assert [e["text"] for e in page["events"] if e["kind"] == "message"] == ["hello"]
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await http_get(backend, path, outsider.token)  # type: ignore[attr-defined]
    assert refused.value.response.status_code == 404
    for client in (holder, teammate, outsider, visitor):
        await client.close()

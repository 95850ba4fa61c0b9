"""Greeting rules and business hours over the real backend: admin-only writes, a rule greeting a
visitor on a matching page, and its shown/accepted counts (REST and CLI)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import websockets

from tests.support.backend import BackendProcess
from tests.support.wire import WireClient, connect_agent, http_get, new_id

pytestmark = pytest.mark.asyncio

ADMIN = ("admin@example.com", "Admin", "admin-password")


def _admin_token(backend: BackendProcess) -> str:
    email, name, password = ADMIN
    backend.create_agent(email, name, password, role="admin")
    return backend.login_tokens(email, password)["access_token"]


async def _call(
    backend: BackendProcess, method: str, path: str, token: str, body: Any = None
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=backend.url, timeout=10) as http:
        headers = {"Authorization": f"Bearer {token}"}
        return await http.request(method, path, json=body, headers=headers)


async def _visitor(backend: BackendProcess, page: str) -> tuple[WireClient, dict[str, Any]]:
    ws = await websockets.connect(f"{backend.ws_url}/ws/visitor", origin=backend.url)  # type: ignore[arg-type]
    client = WireClient(ws)
    login = await client.ok(
        "login", {"site_id": backend.site_id, "page": {"url": f"{backend.url}{page}", "title": page}}
    )
    await client.ok("resume", {"cursor": login["cursor"]})
    return client, login


def _pending_actions(client: WireClient) -> list[str]:
    """The actions of the pushes received so far (consumed)."""
    actions = []
    while not client.pushes.empty():
        actions.append(client.pushes.get_nowait()["action"])
    return actions


RULE = {
    "name": "Cart help",
    "text": "<i>Questions</i> about your order?",
    "sender_name": "Support 窓口",
    "conditions": {"min_time_on_site": 0, "url_pattern": "*/demo/cart.html"},
}


async def test_rules_and_business_hours_are_written_by_admins_only(backend: BackendProcess) -> None:
    agent = backend.login_tokens()["access_token"]
    admin = _admin_token(backend)

    refused = await _call(backend, "POST", "/api/v1/greeting-rules", agent, RULE)
    assert refused.status_code == 403
    assert refused.json()["detail"]["code"] == "forbidden"
    created = await _call(backend, "POST", "/api/v1/greeting-rules", admin, RULE)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert (rule["name"], rule["shown"], rule["accepted"]) == ("Cart help", 0, 0)
    assert rule["conditions"]["url_pattern"] == "*/demo/cart.html"
    assert rule["conditions"]["min_time_on_site"] == 0
    path = f"/api/v1/greeting-rules/{rule['rule_id']}"

    listed = await _call(backend, "GET", "/api/v1/greeting-rules", agent)
    assert [r["rule_id"] for r in listed.json()] == [rule["rule_id"]]

    changed = {**RULE, "enabled": False, "name": "Cart help (off)"}
    assert (await _call(backend, "PUT", path, agent, changed)).status_code == 403
    updated = await _call(backend, "PUT", path, admin, changed)
    assert updated.json()["enabled"] is False
    assert updated.json()["name"] == "Cart help (off)"
    missing = await _call(backend, "PUT", f"/api/v1/greeting-rules/{new_id()}", admin, changed)
    assert missing.status_code == 404
    other_site = await _call(backend, "POST", "/api/v1/greeting-rules", admin, {**RULE, "site_id": "nope"})
    assert other_site.status_code == 404

    assert (await _call(backend, "DELETE", path, agent)).status_code == 403
    assert (await _call(backend, "DELETE", path, admin)).status_code == 204
    assert (await _call(backend, "GET", "/api/v1/greeting-rules", agent)).json() == []

    hours = (await _call(backend, "GET", "/api/v1/settings/business-hours", agent)).json()
    assert hours["time_zone"] == "Asia/Tokyo"  # the team's time zone, by default
    assert hours["days"]["mon"] == ["09:00", "18:00"]
    weekend = {"time_zone": "Europe/Berlin", "days": {"sat": ["10:00", "14:00"]}}
    assert (await _call(backend, "PUT", "/api/v1/settings/business-hours", agent, weekend)).status_code == 403
    saved = await _call(backend, "PUT", "/api/v1/settings/business-hours", admin, weekend)
    assert saved.status_code == 200
    assert (await _call(backend, "GET", "/api/v1/settings/business-hours", agent)).json() == weekend
    bad_zone = {**weekend, "time_zone": "Mars/Olympus"}
    rejected = await _call(backend, "PUT", "/api/v1/settings/business-hours", admin, bad_zone)
    assert rejected.status_code == 400
    assert rejected.json()["detail"]["code"] == "invalid_payload"
    backwards = {"time_zone": "UTC", "days": {"mon": ["18:00", "09:00"]}}
    assert (
        await _call(backend, "PUT", "/api/v1/settings/business-hours", admin, backwards)
    ).status_code == 400
    assert (await _call(backend, "GET", "/api/v1/settings/business-hours", agent)).json() == weekend


async def test_a_matching_rule_greets_once_and_counts_shown_and_accepted(db_backend: BackendProcess) -> None:
    admin = _admin_token(db_backend)
    never = {**RULE, "name": "Off", "enabled": False, "text": "never", "conditions": {}}
    assert (await _call(db_backend, "POST", "/api/v1/greeting-rules", admin, never)).status_code == 201
    rule = (await _call(db_backend, "POST", "/api/v1/greeting-rules", admin, RULE)).json()

    browsing, _ = await _visitor(db_backend, "/demo/index.html")
    on_cart, cart_login = await _visitor(db_backend, "/demo/cart.html")
    greeting = (await on_cart.next_push("invitation", within=10))["payload"]
    assert greeting["text"] == RULE["text"]
    assert greeting["agent_name"] == "Support 窓口"
    assert "invitation" not in _pending_actions(browsing)  # index.html does not match
    # The other visitor moves to the cart: the rule greets them too, promptly after the page view.
    await browsing.send("page_view", {"url": f"{db_backend.url}/demo/cart.html", "title": "Cart"})
    await browsing.next_push("invitation", within=5)

    rules = (await _call(db_backend, "GET", "/api/v1/greeting-rules", admin)).json()
    assert [(r["name"], r["shown"], r["accepted"]) for r in rules] == [("Off", 0, 0), ("Cart help", 2, 0)]

    assert cart_login["invitation"] is None  # greeted after the login, by the greeter
    sent = await on_cart.ok(
        "send_message",
        {"client_id": new_id(), "text": "Is shipping free?", "invitation_id": greeting["invitation_id"]},
    )
    chat_id = sent["event"]["chat_id"]
    agent = await connect_agent(db_backend, resume=False)
    token: str = agent.token  # type: ignore[attr-defined]
    events = (await http_get(db_backend, f"/api/v1/chats/{chat_id}/events", token))["events"]
    messages = [
        (e["author"]["kind"], e["author"]["name"], e["text"]) for e in events if e["kind"] == "message"
    ]
    assert messages == [("system", "Support 窓口", RULE["text"]), ("visitor", "", "Is shipping free?")]
    snapshot = await http_get(db_backend, "/api/v1/snapshot", token)
    assert [c["chat_id"] for c in snapshot["queue"]] == [chat_id]

    rules = (await _call(db_backend, "GET", "/api/v1/greeting-rules", admin)).json()
    assert [(r["shown"], r["accepted"]) for r in rules] == [(0, 0), (2, 1)]
    listing = db_backend.cli("greeting-rules", "list").splitlines()
    assert listing[0].split() == ["name", "shown", "accepted", "rate", "enabled"]
    assert listing[2].split() == ["Cart", "help", "2", "1", "50.0%", "yes"]
    assert rule["rule_id"] in [r["rule_id"] for r in rules]
    for client in (agent, browsing, on_cart):
        await client.close()


async def test_cli_adds_rules_with_conditions(backend: BackendProcess) -> None:
    out = backend.cli(
        "greeting-rules",
        "add",
        "--name",
        "Returning",
        "--text",
        "Welcome back!",
        "--returning",
        "yes",
        "--min-time-on-site",
        "30",
        "--url-pattern",
        "*/product-*",
        "--business-hours-only",
    )
    assert out.startswith("greeting rule ")
    token = backend.login_tokens()["access_token"]
    rules = (await _call(backend, "GET", "/api/v1/greeting-rules", token)).json()
    assert len(rules) == 1
    assert rules[0]["text"] == "Welcome back!"
    assert rules[0]["conditions"] == {
        **rules[0]["conditions"],
        "returning": True,
        "min_time_on_site": 30,
        "url_pattern": "*/product-*",
        "business_hours_only": True,
    }
    with pytest.raises(RuntimeError, match="error"):
        backend.cli("greeting-rules", "add", "--name", "", "--text", "x")
    assert "Returning" in backend.cli("greeting-rules", "list")

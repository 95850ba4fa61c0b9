"""Tracking in the widget: the page and the device in `login`, single-page-app page views, and the
site's API (identify, setCustomData, setCart), in headless Chromium on the demo shop against the real
backend. Frames are observed where the widget sends them (a wrapper around WebSocket.send installed
before the page's scripts); what the backend made of them is read back over its REST API.

One backend serves the module: each test is a new visitor in a fresh browser context, and nothing here
signs an agent in or changes a setting; the test that stops the server has a backend of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.widget_helpers import (
    connected,
    frames_sent,
    launch_chromium,
    login_result,
    record_received_frames,
    record_sent_frames,
    wait_for_sent,
    wait_until,
)
from tests.support.backend import BackendProcess

TITLE = " | さくら茶舗 (demo)"


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> BackendProcess:
    name = "private_backend" if request.node.get_closest_marker("own_backend") else "shared_backend"
    found: BackendProcess = request.getfixturevalue(name)
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser, backend: BackendProcess) -> Iterator[Page]:
    """A fresh context in Japanese, in Tokyo, recording what the widget sends; no page errors allowed."""
    context = browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    record_sent_frames(page)
    yield page
    context.close()
    assert errors == []


def agent_get(backend: BackendProcess, path: str) -> Any:
    token = backend.login_tokens()["access_token"]
    response = httpx.get(
        f"{backend.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    response.raise_for_status()
    return response.json()


# --- the login frame ----------------------------------------------------------------------------


def test_login_carries_the_page_and_the_device(page: Page, backend: BackendProcess) -> None:
    page.goto(backend.demo_url)
    connected(page)
    page.get_by_role("link", name="抹茶").first.click()  # a real page load, with a referrer
    page.wait_for_url("**/product-matcha.html")
    connected(page)

    login = frames_sent(page, "login")[-1]
    assert login["site_id"] == backend.site_id
    assert login["page"] == {
        "url": f"{backend.url}/demo/product-matcha.html",
        "title": "宇治 抹茶 「翠」" + TITLE,
        "referrer": backend.demo_url,
    }
    # Debian's Chromium on Linux, headless: User-Agent Client Hints say Linux, not mobile.
    assert login["device"] == {
        "device_class": "desktop",
        "os": "Linux",
        "browser": "Chrome",
        "language": "ja-JP",
        "time_zone": "Asia/Tokyo",
    }
    # Browsing costs nothing more than the session frames: no page_view for a real page load.
    assert frames_sent(page, "page_view") == []


def test_login_page_is_seen_by_the_backend(page: Page, backend: BackendProcess) -> None:
    """The live traffic list (B1's `GET /api/v1/traffic`) shows the page and device from `login`."""
    frames = record_received_frames(page)
    page.goto(backend.url + "/demo/product-sencha.html")
    connected(page)
    visitor_id = login_result(frames)["visitor_id"]
    rows = {row["visitor_id"]: row for row in agent_get(backend, "/traffic")["rows"]}
    row = rows[visitor_id]
    assert row["page_url"] == f"{backend.url}/demo/product-sencha.html"
    assert row["page_title"] == "静岡 深蒸し煎茶" + TITLE
    assert row["device_class"] == "desktop"
    assert row["os"] == "Linux"
    assert row["language"] == "ja-JP"
    assert row["time_zone"] == "Asia/Tokyo"


UA_CASES = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
        ("desktop", "Windows", "Edge"),
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.1 Safari/605.1.15",
        ("desktop", "macOS", "Safari"),
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.1 Mobile/15E148 Safari/604.1",
        ("mobile", "iOS", "Safari"),
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.6 Mobile/15E148 Safari/604.1",
        ("tablet", "iOS", "Safari"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Mobile Safari/537.36",
        ("mobile", "Android", "Chrome"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36",
        ("tablet", "Android", "Samsung Internet"),
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        ("desktop", "Linux", "Firefox"),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
        ("desktop", "Windows", "Opera"),
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        ("desktop", "ChromeOS", "Chrome"),
    ),
    ("curl/8.0", ("unknown", "", "")),
]


def test_device_class_os_and_browser_from_the_user_agent(page: Page, backend: BackendProcess) -> None:
    page.goto(backend.demo_url)
    connected(page)
    describe = "([ua, data, touch]) => window.LiveChatWidget.internals.describeDevice(ua, data, touch)"
    for ua, (device_class, os, browser) in UA_CASES:
        got = page.evaluate(describe, [ua, None, 0])
        assert got == {"device_class": device_class, "os": os, "browser": browser}, ua
    # iPadOS asks for desktop pages with a Mac user agent; it has a touch screen.
    ipad = UA_CASES[1][0]
    assert page.evaluate(describe, [ipad, None, 5])["device_class"] == "tablet"
    # Client hints win over the user agent string when present.
    hints = {"platform": "Android", "mobile": True, "brands": [{"brand": "Google Chrome", "version": "120"}]}
    assert page.evaluate(describe, [UA_CASES[0][0], hints, 0]) == {
        "device_class": "mobile",
        "os": "Android",
        "browser": "Chrome",
    }
    hints = {
        "platform": "Windows",
        "mobile": False,
        "brands": [{"brand": "Microsoft Edge", "version": "120"}],
    }
    assert page.evaluate(describe, ["", hints, 0]) == {
        "device_class": "desktop",
        "os": "Windows",
        "browser": "Edge",
    }


# --- single-page-app navigation -------------------------------------------------------------------


def test_single_page_app_navigation_sends_page_views(page: Page, backend: BackendProcess) -> None:
    guide = f"{backend.url}/demo/guide.html"
    page.goto(guide)
    connected(page)
    assert frames_sent(page, "login")[-1]["page"]["url"] == guide

    # A tab of the guide: pushState, the title a moment later; one page_view with both.
    page.get_by_test_id("guide-tab-matcha").click()
    views = wait_for_sent(page, "page_view")
    assert views == [
        {"url": guide + "?tab=matcha", "title": "抹茶の点て方 · Matcha" + TITLE, "referrer": guide}
    ]

    # Two moves within the debounce: only where the visitor ended up.
    page.evaluate(
        "history.pushState({}, '', 'guide.html?tab=hojicha'); history.pushState({}, '', 'guide.html?tab=x')"
    )
    views = wait_for_sent(page, "page_view", 2)
    assert views[1]["url"] == guide + "?tab=x"
    assert views[1]["referrer"] == guide + "?tab=matcha"

    # replaceState to the same URL, clicks and scrolling: no frame.
    page.evaluate("history.replaceState({ again: true }, '', location.href)")
    page.mouse.wheel(0, 400)
    page.get_by_test_id("guide-panel").click()
    page.wait_for_timeout(700)
    assert len(frames_sent(page, "page_view")) == 2

    # Back (popstate) and a hash change count as moves too.
    page.go_back()
    views = wait_for_sent(page, "page_view", 3)
    assert views[2]["url"] == guide + "?tab=hojicha"  # the entry skipped by the debounce is history still
    assert views[2]["referrer"] == guide + "?tab=x"
    page.evaluate("location.hash = 'steps'")
    views = wait_for_sent(page, "page_view", 4)
    assert views[3]["url"] == guide + "?tab=hojicha#steps"
    page.wait_for_timeout(500)
    assert len(frames_sent(page, "page_view")) == 4
    assert len(frames_sent(page, "login")) == 1  # one socket for the whole visit of this tab


@pytest.mark.own_backend
def test_page_view_while_disconnected_goes_in_the_next_login(page: Page, backend: BackendProcess) -> None:
    guide = f"{backend.url}/demo/guide.html"
    page.goto(guide)
    connected(page)
    backend.stop()
    wait_until(lambda: page.evaluate("window.LiveChatWidget.state()") != "connected")
    page.get_by_test_id("guide-tab-hojicha").click()
    page.wait_for_timeout(600)
    backend.start()
    page.evaluate("window.LiveChatWidget.reconnect()")
    connected(page)
    login = frames_sent(page, "login")[-1]
    assert login["page"]["url"] == guide + "?tab=hojicha"
    assert login["page"]["referrer"] == guide
    assert frames_sent(page, "page_view") == []


def test_single_page_app_moves_reach_the_backend(page: Page, backend: BackendProcess) -> None:
    frames = record_received_frames(page)
    guide = f"{backend.url}/demo/guide.html"
    page.goto(guide)
    connected(page)
    visitor_id = login_result(frames)["visitor_id"]
    page.get_by_test_id("guide-tab-matcha").click()
    wait_for_sent(page, "page_view")

    def live_row() -> dict[str, Any]:
        rows = {row["visitor_id"]: row for row in agent_get(backend, "/traffic")["rows"]}
        row: dict[str, Any] = rows[visitor_id]
        return row

    expect_row = {"page_url": guide + "?tab=matcha", "page_title": "抹茶の点て方 · Matcha" + TITLE}
    for _ in range(50):
        row = live_row()
        if {k: row[k] for k in expect_row} == expect_row:
            break
        page.wait_for_timeout(100)
    assert {k: row[k] for k in expect_row} == expect_row
    assert row["pages_viewed"] == 2


# --- the site's API ---------------------------------------------------------------------------------


def test_site_api_calls_are_queued_until_login_and_only_the_latest_is_sent(
    page: Page, backend: BackendProcess
) -> None:
    # Calls the site queued before widget.js loaded: two carts, custom data.
    page.add_init_script(
        """window.LiveChatWidgetQueue = [
          ["setCart", {items: [{name: "old", price: 1, quantity: 1}], total: 1, currency: "JPY"}],
          ["setCustomData", {plan: "gold", visits: 3, vip: true, nested: {a: 1}, empty: null}],
          ["setCart", {items: [{name: "煎茶", price: "1620", quantity: 2}, {name: "抹茶", price: -5}], currency: "JPY"}],
          ["noSuchCall", {}],
        ];"""
    )
    page.goto(backend.demo_url)
    connected(page)
    assert wait_for_sent(page, "cart") == [
        {
            "items": [
                {"name": "煎茶", "price": 1620, "quantity": 2},
                {"name": "抹茶", "price": 0, "quantity": 1},
            ],
            "total": 3240,
            "currency": "JPY",
        }
    ]
    assert frames_sent(page, "custom_data") == [
        {"data": {"plan": "gold", "visits": "3", "vip": "true", "nested": '{"a":1}', "empty": ""}}
    ]
    # Sent after login, never before it.
    order = page.evaluate("(window.__lcSent || []).map(f => f.action)")
    assert order.index("login") < order.index("cart")

    # Later calls go at once; hostile and huge values are cut, never refused.
    page.evaluate(
        """() => {
          const W = window.LiveChatWidget;
          W.identify({name: "<b>山田</b>" + "x".repeat(500), email: "a@example.com", phone: 9012345678, id: 42});
          const data = {};
          for (let i = 0; i < 80; i++) data["k" + i] = "v".repeat(5000);
          W.setCustomData(data);
          W.setCart({items: Array.from({length: 300}, (_, i) => ({name: "茶".repeat(1000), price: 1e12, quantity: 1.7})),
                     total: "abc", currency: "JPY"});
          W.identify("not an object");
          window.LiveChatWidgetQueue.push(["setCart", {items: [], total: 0, currency: "JPY"}]);
        }"""
    )
    who = wait_for_sent(page, "identify")[-1]
    assert who == {
        "name": "<b>山田</b>" + "x" * (100 - len("<b>山田</b>")),
        "email": "a@example.com",
        "phone": "9012345678",
        "external_id": "42",
    }
    custom = wait_for_sent(page, "custom_data", 2)[-1]["data"]
    assert len(custom) == 50
    assert all(len(value) <= 1000 for value in custom.values())
    carts = wait_for_sent(page, "cart", 3)
    big = carts[1]
    assert len(big["items"]) == 100
    assert big["items"][0]["price"] == 1e9
    assert big["items"][0]["quantity"] == 1
    assert big["total"] == 0
    assert carts[2] == {"items": [], "total": 0, "currency": "JPY"}
    # Every frame stayed under the 64 KiB frame limit (the socket is still up and answering).
    sizes = page.evaluate(
        "(window.__lcSent || []).map(f => new TextEncoder().encode(JSON.stringify(f)).length)"
    )
    assert max(sizes) < 64 * 1024
    connected(page)


def test_demo_shop_cart_and_sign_in(page: Page, backend: BackendProcess) -> None:
    page.goto(backend.url + "/demo/product-matcha.html")
    connected(page)
    assert frames_sent(page, "cart") == []  # an empty cart is not reported
    page.get_by_test_id("add-to-cart").click()
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("added-to-cart")).to_be_visible()
    carts = wait_for_sent(page, "cart", 2)
    assert carts[-1] == {
        "items": [{"name": "宇治 抹茶 「翠」", "price": 2480, "quantity": 2}],
        "total": 4960,
        "currency": "JPY",
    }

    # The cart page lists it (and reports it once on load).
    page.goto(backend.url + "/demo/cart.html")
    connected(page)
    expect(page.get_by_test_id("cart-row")).to_have_count(1)
    expect(page.get_by_test_id("cart-total")).to_have_text("¥4,960")
    assert wait_for_sent(page, "cart")[-1]["total"] == 4960

    # identify only when the visitor signs in.
    page.goto(backend.demo_url)
    connected(page)
    page.wait_for_timeout(300)
    assert frames_sent(page, "identify") == []
    page.get_by_test_id("sign-in").click()
    assert wait_for_sent(page, "identify") == [
        {
            "name": "山田 花子",
            "email": "hanako@example.com",
            "phone": "090-1234-5678",
            "external_id": "C-1001",
        }
    ]
    assert wait_for_sent(page, "custom_data")[-1] == {
        "data": {"会員ランク": "ゴールド", "定期便": "煎茶 月1回"}
    }


def test_site_data_reaches_the_visitor_profile(page: Page, backend: BackendProcess) -> None:
    """B1's `GET /api/v1/visitors/{id}` holds what identify/setCustomData/setCart sent."""
    frames = record_received_frames(page)
    page.goto(backend.url + "/demo/product-hojicha.html")
    connected(page)
    visitor_id = login_result(frames)["visitor_id"]
    page.get_by_test_id("add-to-cart").click()
    page.evaluate(
        """() => {
          window.LiveChatWidget.identify({name: "<script>x</script>", email: "t@example.com", id: "C-9"});
          window.LiveChatWidget.setCustomData({plan: "<b>gold</b>"});
        }"""
    )
    wait_for_sent(page, "custom_data")

    def profile() -> dict[str, Any]:
        found: dict[str, Any] = agent_get(backend, f"/visitors/{visitor_id}")
        return found

    for _ in range(50):
        seen = profile()
        if seen.get("custom_data") and seen.get("cart") and seen.get("name"):
            break
        page.wait_for_timeout(100)
    assert seen["name"] == "<script>x</script>"
    assert seen["email"] == "t@example.com"
    assert seen["external_id"] == "C-9"
    assert seen["custom_data"] == {"plan": "<b>gold</b>"}
    assert seen["cart"]["items"] == [{"name": "加賀 棒ほうじ茶", "price": 980, "quantity": 1}]
    assert seen["cart"]["total"] == 980

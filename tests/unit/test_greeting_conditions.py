"""Greeting rule conditions and business hours as pure functions, and invitation initials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chat_backend.db.tables import GreetingRuleRow
from chat_backend.domain.greetings import (
    check_business_hours,
    conditions_met,
    first_match,
    within_business_hours,
)
from chat_backend.domain.invitations import initials
from chat_protocol.traffic import BusinessHours, DeviceClass, GreetingConditions, TrafficRow

# Wednesday 2026-11-25 12:00 in Tokyo.
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
HOURS = BusinessHours(time_zone="Asia/Tokyo")  # Mon-Fri 09:00-18:00


def _row(**changes: object) -> TrafficRow:
    base: dict[str, object] = {
        "visitor_id": "v1",
        "number": 1,
        "page_url": "https://shop.example/demo/cart.html",
        "visit_started_at": NOW - timedelta(seconds=120),
        "page_started_at": NOW - timedelta(seconds=30),
        "pages_viewed": 3,
        "visits": 2,
        "returning": True,
        "cart_value": 4800,
        "device_class": DeviceClass.MOBILE,
    }
    base.update(changes)
    return TrafficRow.model_validate(base)


def _met(referrer: str = "https://www.google.com/search?q=tea", **conditions: object) -> bool:
    return conditions_met(GreetingConditions.model_validate(conditions), _row(), referrer, NOW, HOURS)


def test_no_conditions_match_everyone() -> None:
    assert _met()


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({"min_time_on_site": 120}, True),
        ({"min_time_on_site": 121}, False),
        ({"min_time_on_page": 30}, True),
        ({"min_time_on_page": 31}, False),
        ({"url_pattern": "*/cart*"}, True),
        ({"url_pattern": "*/CART.html"}, True),
        ({"url_pattern": "*/checkout*"}, False),
        ({"min_pages_viewed": 3}, True),
        ({"min_pages_viewed": 4}, False),
        ({"referrer_contains": "google"}, True),
        ({"referrer_contains": "bing"}, False),
        ({"device_class": "mobile"}, True),
        ({"device_class": "desktop"}, False),
        ({"returning": True}, True),
        ({"returning": False}, False),
        ({"min_cart_value": 4800}, True),
        ({"min_cart_value": 4800.5}, False),
        ({"business_hours_only": True}, True),
    ],
)
def test_each_condition_alone(conditions: dict[str, object], expected: bool) -> None:
    assert _met(**conditions) is expected


def test_all_set_conditions_must_hold() -> None:
    assert _met(min_time_on_site=60, url_pattern="*/cart*", min_cart_value=1000)
    assert not _met(min_time_on_site=60, url_pattern="*/cart*", min_cart_value=10_000)


def test_referrer_condition_needs_a_referrer() -> None:
    assert not _met(referrer="", referrer_contains="google")


def test_business_hours_by_weekday_and_zone() -> None:
    hours = BusinessHours(time_zone="Asia/Tokyo", days={"wed": ("09:00", "18:00")})
    assert within_business_hours(hours, datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # 09:00 Tokyo
    assert not within_business_hours(hours, datetime(2026, 11, 24, 23, 59, tzinfo=UTC))  # 08:59
    assert not within_business_hours(hours, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))  # 18:00
    assert not within_business_hours(hours, datetime(2026, 11, 26, 3, 0, tzinfo=UTC))  # Thursday
    saturday_noon = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    assert not conditions_met(
        GreetingConditions(business_hours_only=True), _row(), "", saturday_noon, BusinessHours()
    )


def test_bad_business_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        check_business_hours(BusinessHours(time_zone="Mars/Olympus"))
    with pytest.raises(ValueError, match="before"):
        check_business_hours(BusinessHours(days={"mon": ("18:00", "09:00")}))
    with pytest.raises(ValueError, match="HH:MM"):
        check_business_hours(BusinessHours(days={"mon": ("nine", "18:00")}))
    check_business_hours(BusinessHours(days={"sun": ("00:00", "24:00")}))


def _rule(
    name: str, site_id: str | None = None, enabled: bool = True, **conditions: object
) -> GreetingRuleRow:
    return GreetingRuleRow(
        id=name, name=name, site_id=site_id, enabled=enabled, text="hi", sender_name="", conditions=conditions
    )


def test_first_matching_rule_wins_in_order_skipping_disabled_and_other_sites() -> None:
    rules = [
        _rule("disabled", enabled=False),
        _rule("other-site", site_id="elsewhere"),
        _rule("too-early", min_time_on_site=3600),
        _rule("cart", site_id="shop", url_pattern="*/cart*"),
        _rule("anyone"),
    ]
    match = first_match(rules, "shop", _row(), "", NOW, HOURS)
    assert match is not None
    assert match.name == "cart"
    assert first_match(rules[:3], "shop", _row(), "", NOW, HOURS) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hanako Sato", "HS"),
        ("mei", "M"),
        ("佐藤 花子", "佐"),
        ("佐藤\u3000花子", "佐"),
        ("やまだ", "や"),
        ("  ", ""),
        ("", ""),
        ("Jean-Luc  Picard", "JP"),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected

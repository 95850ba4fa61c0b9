"""Admin pages' pure parts: minutes conversion, acceptance-rate text and the greeting rules model."""

from __future__ import annotations

from typing import Any

import pytest

from chat_protocol.traffic import GreetingRule
from operator_app.store.greeting_rules_model import GreetingRulesModel, rate_text
from operator_app.ui.admin.routing_page import from_minutes, to_minutes

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_minutes_keep_exact_seconds() -> None:
    assert to_minutes(1800) == 30
    assert to_minutes(30) == 1
    assert from_minutes(1, 30) == 30  # untouched: the server's 30 s stays
    assert from_minutes(2, 30) == 120
    assert from_minutes(5, None) == 300


def test_acceptance_rate_text(qapp: Any) -> None:
    rule = GreetingRule(rule_id="r", name="n", text="t", shown=8, accepted=2)
    assert rate_text(rule) == "25.0 %"


def test_greeting_rules_model(qtmodeltester: Any, qapp: Any) -> None:
    model = GreetingRulesModel()
    model.set_rules(
        [
            GreetingRule(rule_id="a", name="A", text="t", shown=4, accepted=1),
            GreetingRule(rule_id="b", name="B", text="t", site_id="s1"),
        ]
    )
    model.set_site_names({"s1": "Shop"})
    qtmodeltester.check(model)
    assert model.index(1, GreetingRulesModel.SITE).data() == "Shop"
    assert model.index(0, GreetingRulesModel.RATE).data() == "25.0 %"

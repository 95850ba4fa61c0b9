"""Canned-reply placeholders and `#` matching: pure logic, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chat_protocol.canned import CannedReply, expand, matches

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def reply(shortcut: str, title: str = "t", text: str = "x", owner: str | None = None) -> CannedReply:
    return CannedReply(
        canned_id=shortcut + (owner or ""),
        shortcut=shortcut,
        title=title,
        text=text,
        owner_id=owner,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("こんにちは、{visitor.name}様", {"visitor.name": "山田"}, "こんにちは、山田様"),
        ("{visitor.name|お客様}、ようこそ", {}, "お客様、ようこそ"),
        ("{visitor.name|お客様}、ようこそ", {"visitor.name": "  "}, "お客様、ようこそ"),
        ("Hi {visitor.name}!", {}, "Hi !"),
        ("{unknown.thing} stays", {"visitor.name": "x"}, "{unknown.thing} stays"),
        ("{visitor.nope|fb} stays", {}, "{visitor.nope|fb} stays"),
        (
            "{agent.name} on {page.url}",
            {"agent.name": "花子", "page.url": "https://shop.example/a"},
            "花子 on https://shop.example/a",
        ),
        ("unbalanced {visitor.name", {"visitor.name": "x"}, "unbalanced {visitor.name"),
        ("{{visitor.name}}", {"visitor.name": "x"}, "{x}"),
        ("{visitor.email|no e-mail}", {"visitor.email": None}, "no e-mail"),
    ],
)
def test_expand(template: str, values: dict[str, str | None], expected: str) -> None:
    assert expand(template, values) == expected


def test_colliding_shortcuts_are_both_offered_team_and_personal() -> None:
    team = reply("thanks", text="Thank you (team)")
    mine = reply("thanks", text="Thank you (mine)", owner="me")
    found = matches([team, mine, reply("hello")], "than")
    assert found == [mine, team]


def test_matching_ranks_shortcut_then_title_then_text() -> None:
    by_text = reply("zzz", text="shipping costs")
    by_title = reply("yyy", title="Shipping")
    by_shortcut = reply("ship")
    assert matches([by_text, by_title, by_shortcut], "ship") == [by_shortcut, by_title, by_text]
    assert matches([by_text], "nothing") == []

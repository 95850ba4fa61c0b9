"""Reports (`GET /api/v1/reports`) and the team's time zone (`/api/v1/settings/team`) on a real backend,
SQLite and PostgreSQL.

The scenarios are written straight into the database with fixed timestamps (chats, their events and
invitations), archived by the backend's own code (`archive.record_chat`, as a closing chat is), then
read through the running backend. The expected figures are worked out by hand in the comments."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, insert
from sqlalchemy.ext.asyncio import create_async_engine

from chat_backend.db.engine import async_url
from chat_backend.db.tables import Chat, EventRow, InvitationRow, Visitor
from chat_backend.domain import archive
from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of


@pytest.fixture
def backend(tidy_db_backend: BackendProcess) -> BackendProcess:
    return tidy_db_backend


@dataclass
class Spec:
    """One chat: created at `created` (UTC); message, rating and call times in seconds after it."""

    created: datetime
    agent: str | None
    closed_after: float
    visitor_after: float | None = None
    agent_after: float | None = None
    rating: str | None = None
    comment: str = ""
    call: bool = False
    group: str | None = None
    open: bool = False


@dataclass
class _Events:
    """Appends a chat's events, `after` seconds after its creation."""

    chat_id: str
    visitor_id: str
    at: datetime
    rows: list[dict[str, Any]]

    def __call__(
        self, kind: str, after: float, author: str | None, text: str | None = None, **data: Any
    ) -> None:
        self.rows.append(
            {
                "chat_id": self.chat_id,
                "seq": len(self.rows) + 1,
                "kind": kind,
                "audience": "all",
                "author_kind": "agent" if author else "visitor",
                "author_id": author,
                "author_key": f"agent:{author}" if author else f"visitor:{self.visitor_id}",
                "text": text,
                "data": data,
                "created_at": self.at + timedelta(seconds=after),
            }
        )


def _write(connection: Connection, site_id: str, specs: list[Spec]) -> list[str]:
    chat_ids = []
    for spec in specs:
        chat_id, visitor_id = str(uuid.uuid4()), str(uuid.uuid4())
        chat_ids.append(chat_id)
        at = spec.created
        connection.execute(
            insert(Visitor).values(
                id=visitor_id, site_id=site_id, number=1, token_hash=uuid.uuid4().hex * 2, name="Visitor"
            )
        )
        events: list[dict[str, Any]] = []
        event = _Events(chat_id, visitor_id, at, events)
        timeline: list[tuple[float, str]] = []
        if spec.visitor_after is not None:
            timeline.append((spec.visitor_after, "visitor"))
        if spec.agent_after is not None:
            timeline.append((spec.agent_after, "agent"))
        if spec.call:
            timeline.append(((spec.agent_after or 0) + 1, "call"))
        for after, what in sorted(timeline):
            if what == "visitor":
                event("message", after, None, "Hello, is anyone there?")
            elif what == "agent":
                event("message", after, spec.agent, "Hi, how can I help?")
            else:
                event("call", after, spec.agent, state="started")
        if not spec.open:
            event("chat_state", spec.closed_after, spec.agent, state="closed")
        if spec.rating:
            event("rating", spec.closed_after + 10, None, spec.comment, rating=spec.rating)
        connection.execute(
            insert(Chat).values(
                id=chat_id,
                site_id=site_id,
                visitor_id=visitor_id,
                state="taken" if spec.open else "closed",
                agent_id=spec.agent,
                group_id=spec.group,
                last_seq=len(events),
                created_at=at,
                taken_at=at if spec.agent else None,
                closed_at=None if spec.open else at + timedelta(seconds=spec.closed_after),
                previous_agent_ids=[],
            )
        )
        if events:
            connection.execute(insert(EventRow), events)
        archive.record_chat(connection, chat_id)
    return chat_ids


def _invitations(
    connection: Connection, site_id: str, rows: list[tuple[datetime, str | None, str | None, str]]
) -> None:
    """(created, rule id, agent id, state) per invitation."""
    visitor_id = str(uuid.uuid4())
    connection.execute(
        insert(Visitor).values(id=visitor_id, site_id=site_id, number=1, token_hash=uuid.uuid4().hex * 2)
    )
    for created, rule_id, agent_id, state in rows:
        connection.execute(
            insert(InvitationRow).values(
                id=str(uuid.uuid4()),
                site_id=site_id,
                visitor_id=visitor_id,
                visit_id=str(uuid.uuid4()),
                agent_id=agent_id,
                rule_id=rule_id,
                author_key=f"rule:{rule_id}" if rule_id else f"agent:{agent_id}",
                client_id=str(uuid.uuid4()),
                text="Can we help?",
                state=state,
                created_at=created,
            )
        )


async def _seed(backend: BackendProcess, site_id: str, specs: list[Spec], invitations: Any = ()) -> list[str]:
    engine = create_async_engine(async_url(backend.database_url))
    try:
        async with engine.begin() as connection:
            ids = await connection.run_sync(_write, site_id, specs)
            if invitations:
                await connection.run_sync(_invitations, site_id, list(invitations))
        return ids
    finally:
        await engine.dispose()


def _get(backend: BackendProcess, token: str, params: dict[str, str], expect: int = 200) -> Any:
    response = httpx.get(
        f"{backend.url}/api/v1/reports",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == expect, response.text
    return response.json()


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type]


def test_every_figure_of_a_hand_built_week(backend: BackendProcess) -> None:
    admin = admin_of(backend)
    admin.call("PUT", "/settings/team", {"time_zone": "Asia/Tokyo"})  # UTC+9, no daylight saving
    site = admin.call("POST", "/sites", {"name": f"Report shop {uuid.uuid4().hex[:6]}", "origins": []})
    group_a = admin.call("POST", "/groups", {"name": f"A-{uuid.uuid4().hex[:6]}", "agent_ids": []})[
        "group_id"
    ]
    group_b = admin.call("POST", "/groups", {"name": f"B-{uuid.uuid4().hex[:6]}", "agent_ids": []})[
        "group_id"
    ]
    a1 = admin.new_agent("Aiko", group_ids=(group_a,))
    a2 = admin.new_agent("Ben", group_ids=(group_a,))
    b1 = admin.new_agent("Chie", group_ids=(group_b,))
    sup_a = admin.new_agent("Sup A", role="supervisor", group_ids=(group_a,))
    agent = admin.new_agent("Plain", group_ids=(group_a,))
    rule = admin.call(
        "POST", "/greeting-rules", {"name": "Report welcome", "text": "Hello!", "enabled": False}
    )
    rule_id = rule["rule_id"]

    specs = [
        # 2025-03-10 09:15 JST (Monday): first response 30 s, 600 s long, good with a comment, a call.
        Spec(_utc(2025, 3, 10, 0, 15), a1.agent_id, 600, 0, 30, "good", "とても助かりました <b>", call=True),
        # 09:40 JST: first response 120 s (130 - 10), 300 s long, bad with a comment.
        Spec(_utc(2025, 3, 10, 0, 40), a2.agent_id, 300, 10, 130, "bad", '=HYPERLINK("x") too slow'),
        # 23:30 JST Monday, queued for group B, never answered: missed, 900 s long.
        Spec(_utc(2025, 3, 10, 14, 30), None, 900, 0, group=group_b),
        # 00:10 JST Tuesday (still Monday in UTC): first response 60 s, 1200 s long, good, no comment.
        Spec(_utc(2025, 3, 10, 15, 10), b1.agent_id, 1200, 0, 60, "good"),
        # Outside the range: Wednesday 00:05 JST and Sunday 23:59 JST; and a chat still open.
        Spec(_utc(2025, 3, 11, 15, 5), a1.agent_id, 60, 0, 5, "bad", "out of range"),
        Spec(_utc(2025, 3, 9, 14, 59), a1.agent_id, 60, 0, 5),
        Spec(_utc(2025, 3, 10, 1, 0), a1.agent_id, 60, 0, 5, open=True),
    ]
    invitations = [
        (_utc(2025, 3, 10, 1, 0), rule_id, None, "accepted"),
        (_utc(2025, 3, 10, 2, 0), rule_id, None, "dismissed"),
        (_utc(2025, 3, 10, 3, 0), rule_id, None, "shown"),
        (_utc(2025, 3, 12, 3, 0), rule_id, None, "accepted"),  # out of range
        (_utc(2025, 3, 10, 4, 0), None, a1.agent_id, "accepted"),
        (_utc(2025, 3, 10, 5, 0), None, a1.agent_id, "expired"),
        (_utc(2025, 3, 10, 6, 0), None, b1.agent_id, "dismissed"),
    ]
    chat_ids = asyncio.run(_seed(backend, site["site_id"], specs, invitations))
    week = {"since": "2025-03-10", "until": "2025-03-11"}
    # Tags, set after the chats closed: Aiko's chat has both, the missed chat the first.
    refund = admin.call("POST", "/tags", {"name": f"返品 {uuid.uuid4().hex[:6]}"})["tag_id"]
    vip = admin.call("POST", "/tags", {"name": f"VIP {uuid.uuid4().hex[:6]}"})["tag_id"]
    admin.call("PUT", f"/chats/{chat_ids[0]}/tags", {"tag_ids": [refund, vip]})
    admin.call("PUT", f"/chats/{chat_ids[2]}/tags", {"tag_ids": [refund]})

    report = _get(backend, admin.token, week)
    assert report["time_zone"] == "Asia/Tokyo"
    assert report["since"] == "2025-03-10"
    assert report["until"] == "2025-03-11"
    totals = report["totals"]
    assert totals["chats"] == 4
    assert totals["missed"] == 1
    assert totals["first_response"] == {"count": 3, "median": 60.0, "p90": 120.0}  # 30, 60, 120
    assert totals["duration"] == {"count": 4, "median": 750.0, "p90": 1200.0}  # 300, 600, 900, 1200
    assert (totals["good"], totals["bad"], totals["calls"]) == (2, 1, 1)
    assert totals["good_share"] == pytest.approx(2 / 3)
    assert report["by_hour"] == [1] + [0] * 8 + [2] + [0] * 13 + [1]  # 00, 09, 09, 23 JST
    assert report["by_weekday"] == [3, 1, 0, 0, 0, 0, 0]
    assert [c["text"] for c in report["comments"]] == ['=HYPERLINK("x") too slow', "とても助かりました <b>"]
    assert [c["rating"] for c in report["comments"]] == ["bad", "good"]
    assert report["rows"] == []
    greetings = {g["rule_id"]: g for g in report["greetings"]}
    assert (greetings[rule_id]["name"], greetings[rule_id]["shown"], greetings[rule_id]["accepted"]) == (
        "Report welcome",
        3,
        1,
    )
    assert report["greetings"][-1] == {"rule_id": None, "name": "", "manual": True, "shown": 3, "accepted": 1}

    by_agent = _get(backend, admin.token, {**week, "by": "agent"})["rows"]
    assert [(r["name"], r["chats"], r["missed"]) for r in by_agent] == [
        ("Aiko", 1, 0),
        ("Ben", 1, 0),
        ("Chie", 1, 0),
        ("", 1, 1),
    ]
    assert by_agent[0]["key"] == a1.agent_id
    assert by_agent[-1]["key"] is None
    assert by_agent[0]["first_response"] == {"count": 1, "median": 30.0, "p90": 30.0}
    assert by_agent[0]["calls"] == 1
    assert by_agent[0]["good_share"] == 1.0

    by_group = {r["key"]: r for r in _get(backend, admin.token, {**week, "by": "group"})["rows"]}
    assert set(by_group) == {group_a, group_b}
    assert (by_group[group_a]["chats"], by_group[group_b]["chats"], by_group[group_b]["missed"]) == (2, 2, 1)
    by_tag = {r["key"]: r for r in _get(backend, admin.token, {**week, "by": "tag"})["rows"]}
    assert set(by_tag) == {refund, vip, None}  # None: the two untagged chats
    assert (by_tag[refund]["chats"], by_tag[refund]["missed"]) == (2, 1)
    assert (by_tag[vip]["chats"], by_tag[vip]["good"], by_tag[vip]["calls"]) == (1, 1, 1)
    assert (by_tag[None]["chats"], by_tag[None]["missed"]) == (2, 0)
    assert by_tag[vip]["name"].startswith("VIP ")
    by_site = _get(backend, admin.token, {**week, "by": "site"})["rows"]
    assert [(r["key"], r["name"], r["chats"]) for r in by_site] == [(site["site_id"], site["name"], 4)]

    # Group A's supervisor: only Aiko's and Ben's chats, and only Aiko's manual invitations.
    sup_token = backend.login_tokens(sup_a.email, sup_a.password)["access_token"]
    mine = _get(backend, sup_token, {**week, "by": "group"})
    assert mine["totals"]["chats"] == 2
    assert mine["totals"]["missed"] == 0
    assert mine["by_hour"][9] == 2
    assert sum(mine["by_hour"]) == 2
    assert [r["key"] for r in mine["rows"]] == [group_a]
    assert len(mine["comments"]) == 2
    assert mine["greetings"][-1]["shown"] == 2
    assert mine["greetings"][-1]["accepted"] == 1

    # Agents are refused.
    agent_token = backend.login_tokens(agent.email, agent.password)["access_token"]
    refused = _get(backend, agent_token, week, expect=403)
    assert refused["detail"]["code"] == "forbidden"


def test_a_range_with_no_chats_is_all_zeros(backend: BackendProcess) -> None:
    admin = admin_of(backend)
    report = _get(backend, admin.token, {"since": "2020-02-01", "until": "2020-02-29", "by": "agent"})
    totals = report["totals"]
    assert totals["chats"] == totals["missed"] == totals["good"] == totals["bad"] == totals["calls"] == 0
    assert totals["first_response"] == {"count": 0, "median": None, "p90": None}
    assert totals["good_share"] is None
    assert report["by_hour"] == [0] * 24
    assert report["by_weekday"] == [0] * 7
    assert report["rows"] == []
    assert report["comments"] == []
    assert all(g["shown"] == 0 for g in report["greetings"])


def test_hours_are_counted_in_the_team_zone_across_a_daylight_saving_change(backend: BackendProcess) -> None:
    """New York leaves daylight saving on 2026-11-01 at 02:00 EDT: 01:00-01:59 happens twice and the day
    lasts 25 hours (04:00 UTC that day to 05:00 UTC the next)."""
    admin = admin_of(backend)
    admin.call("PUT", "/settings/team", {"time_zone": "America/New_York"})
    agent = admin.new_agent("DST agent")
    specs = [
        Spec(_utc(2026, 11, 1, 3, 59), agent.agent_id, 60, 0, 5),  # 23:59 EDT, Oct 31: out
        Spec(_utc(2026, 11, 1, 4, 30), agent.agent_id, 60, 0, 5),  # 00:30 EDT
        Spec(_utc(2026, 11, 1, 5, 30), agent.agent_id, 60, 0, 5),  # 01:30 EDT
        Spec(_utc(2026, 11, 1, 6, 30), agent.agent_id, 60, 0, 5),  # 01:30 EST
        Spec(_utc(2026, 11, 1, 7, 30), agent.agent_id, 60, 0, 5),  # 02:30 EST
        Spec(_utc(2026, 11, 2, 4, 30), agent.agent_id, 60, 0, 5),  # 23:30 EST, still Nov 1
        Spec(_utc(2026, 11, 2, 5, 0), agent.agent_id, 60, 0, 5),  # 00:00 EST, Nov 2: out
    ]
    asyncio.run(_seed(backend, backend.site_id, specs))
    try:
        report = _get(backend, admin.token, {"since": "2026-11-01", "until": "2026-11-01", "by": "agent"})
    finally:
        admin.call("PUT", "/settings/team", {"time_zone": "UTC"})
    assert report["totals"]["chats"] == 5
    expected = [0] * 24
    expected[0], expected[1], expected[2], expected[23] = 1, 2, 1, 1
    assert report["by_hour"] == expected
    assert report["by_weekday"] == [0, 0, 0, 0, 0, 0, 5]  # a Sunday
    assert [(r["key"], r["chats"]) for r in report["rows"]] == [(agent.agent_id, 5)]


def test_bad_ranges_and_zones_are_refused(backend: BackendProcess) -> None:
    admin = admin_of(backend)
    for params in (
        {"since": "2025-03-10", "until": "2025-03-09"},  # backwards
        {"since": "2024-01-01", "until": "2025-01-01"},  # 367 days
        {"since": "2025-03-10", "until": "2025-03-11", "by": "visitor"},
        {"since": "yesterday", "until": "2025-03-11"},
        {"until": "2025-03-11"},
        {"since": "9999-12-31", "until": "9999-12-31"},  # the day after it is no date
        {"since": "0001-01-01", "until": "0001-01-01"},
    ):
        assert _get(backend, admin.token, params, expect=422)
    assert _get(backend, admin.token, {"since": "2024-01-01", "until": "2024-12-31"})["totals"]["chats"] >= 0

    before = admin.call("GET", "/settings/team")
    response = httpx.put(
        f"{backend.url}/api/v1/settings/team",
        json={"time_zone": "Mars/Olympus_Mons"},
        headers={"Authorization": f"Bearer {admin.token}"},
        timeout=20,
    )
    assert response.status_code == 422
    assert admin.call("GET", "/settings/team") == before


def test_team_zone_is_the_one_zone_of_business_hours_and_is_audited(backend: BackendProcess) -> None:
    admin = admin_of(backend)
    agent = admin.new_agent("Reader")
    token = backend.login_tokens(agent.email, agent.password)["access_token"]
    try:
        admin.call("PUT", "/settings/team", {"time_zone": "Europe/Berlin"})
        assert admin.call("GET", "/settings/team", token=token) == {"time_zone": "Europe/Berlin"}
        assert admin.call("GET", "/settings/business-hours", token=token)["time_zone"] == "Europe/Berlin"
        with pytest.raises(httpx.HTTPStatusError) as refused:
            admin.call("PUT", "/settings/team", {"time_zone": "UTC"}, token=token)
        assert refused.value.response.status_code == 403
        # The business hours' own field still works: naming a zone sets the team's.
        hours = admin.call("GET", "/settings/business-hours")
        admin.call("PUT", "/settings/business-hours", {**hours, "time_zone": "Asia/Tokyo"})
        assert admin.call("GET", "/settings/team") == {"time_zone": "Asia/Tokyo"}
        # Left out, it keeps the team's zone.
        admin.call("PUT", "/settings/business-hours", {"days": hours["days"]})
        assert admin.call("GET", "/settings/team") == {"time_zone": "Asia/Tokyo"}
        entries = admin.call("GET", "/audit?limit=20")
        team_changes = [e for e in entries if e["action"] == "settings.team"]
        assert team_changes[0]["before"] == {"time_zone": "Europe/Berlin"}
        assert team_changes[0]["after"] == {"time_zone": "Asia/Tokyo"}
    finally:
        admin.call("PUT", "/settings/team", {"time_zone": "UTC"})

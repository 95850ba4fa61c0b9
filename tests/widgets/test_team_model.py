"""The team model alone: in-place updates under the model tester, and its texts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chat_protocol.admin import TeamMember
from operator_app.store.team_model import TeamModel, response_text
from operator_app.ui.team_view import local_midnight

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _member(agent_id: str, name: str, **changes: Any) -> TeamMember:
    values: dict[str, Any] = {
        "agent_id": agent_id,
        "name": name,
        "email": f"{agent_id}@example.com",
        "role": "agent",
        "status": "accepting",
        "online": True,
        "load": 1,
        "max_chats": 6,
        "group_ids": ["g1"],
        "chats_today": 3,
        "answered_today": 2,
        "first_response_today": 45.0,
    }
    return TeamMember.model_validate(values | changes)


def test_model_updates_in_place_and_passes_the_model_tester(qtmodeltester: Any, qapp: Any) -> None:
    model = TeamModel()
    model.set_group_names({"g1": "Tea", "g2": "Coffee"})
    model.set_members([_member("a", "Ann"), _member("b", "Ben", online=False), _member("c", "Cy")])
    qtmodeltester.check(model)
    resets: list[int] = []
    changed: list[int] = []
    model.modelAboutToBeReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda top, bottom, roles=(): changed.append(top.row()))
    model.set_members(
        [_member("c", "Cy", load=2), _member("a", "Ann"), _member("d", "Di", group_ids=["g1", "g2"])]
    )
    assert resets == []
    assert [model.member(r).agent_id for r in range(model.rowCount())] == ["a", "c", "d"]  # type: ignore[union-attr]
    assert changed == [1]  # only Cy's row changed
    assert model.index(1, TeamModel.LOAD).data() == "2 / 6"
    assert model.index(2, TeamModel.GROUPS).data() == "Coffee, Tea"
    assert model.index(0, TeamModel.STATUS).data() == "Accepting"
    qtmodeltester.check(model)


def test_texts(qapp: Any) -> None:
    assert response_text(None) == "\u2013"
    assert response_text(45.2) == "45 s"
    assert response_text(130) == "2 min 10 s"
    assert response_text(120) == "2 min"
    assert response_text(3900) == "1 h 5 min"
    midnight = local_midnight()
    assert midnight.tzinfo is not None
    assert (midnight.hour, midnight.minute) == (0, 0)
    assert midnight <= datetime.now(UTC)

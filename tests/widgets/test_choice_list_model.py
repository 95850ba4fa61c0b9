"""The choice list of the admin pages: passes the model tester, toggles checks (setData and Space in a
view), keeps checks by key across reloads, updates in place when the keys stay the same."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListView
from pytestqt.qtbot import QtBot

from operator_app.store.choice_list_model import KEY_ROLE, ChoiceListModel

CHECK = Qt.ItemDataRole.CheckStateRole
ENTRIES = [("g1", "Sales"), ("g2", "Support <b>EU</b>"), ("g3", "Billing")]


def _states(model: ChoiceListModel) -> list[Any]:
    return [model.index(row).data(CHECK) for row in range(model.rowCount())]


def _labels(model: ChoiceListModel) -> list[str]:
    return [model.index(row).data() for row in range(model.rowCount())]


@pytest.mark.parametrize("checkable", [True, False])
def test_models_pass_the_model_tester_empty_filled_and_changed(qtmodeltester: Any, checkable: bool) -> None:
    model = ChoiceListModel(checkable=checkable)
    qtmodeltester.check(model)
    model.set_entries(ENTRIES, {"g2"})
    qtmodeltester.check(model)
    model.set_entries([("g3", "Billing"), ("g1", "Sales")])
    qtmodeltester.check(model)
    model.set_entries([])
    qtmodeltester.check(model)


def test_rows_carry_key_and_plain_one_line_label() -> None:
    model = ChoiceListModel(checkable=True)
    model.set_entries([*ENTRIES, ("g4", "Two\nlines")])
    assert _labels(model) == ["Sales", "Support <b>EU</b>", "Billing", "Two lines"]
    assert [model.index(row).data(KEY_ROLE) for row in range(4)] == ["g1", "g2", "g3", "g4"]
    assert model.index(1).data(Qt.ItemDataRole.ToolTipRole) is None  # no tooltip to guess markup in
    assert (model.row_of("g3"), model.row_of("nope")) == (2, -1)
    assert (model.key_at(0), model.key_at(3), model.key_at(4), model.key_at(-1)) == ("g1", "g4", "", "")


def test_check_toggles_through_set_data(qtbot: QtBot) -> None:
    model = ChoiceListModel(checkable=True)
    model.set_entries(ENTRIES, {"g1"})
    assert model.flags(model.index(0)) & Qt.ItemFlag.ItemIsUserCheckable
    assert _states(model) == [Qt.CheckState.Checked, Qt.CheckState.Unchecked, Qt.CheckState.Unchecked]
    with qtbot.waitSignal(model.dataChanged) as changed:
        assert model.setData(model.index(2), Qt.CheckState.Checked, CHECK)
    assert changed.args is not None
    assert [changed.args[0].row(), changed.args[1].row()] == [2, 2]
    assert CHECK in changed.args[2]
    assert model.setData(model.index(0), Qt.CheckState.Unchecked.value, CHECK)  # an int, as views send
    assert model.checked_keys() == ["g3"]
    # Only the check state is settable.
    assert not model.setData(model.index(0), "Renamed", Qt.ItemDataRole.EditRole)
    assert not model.setData(model.index(0), Qt.CheckState.PartiallyChecked, CHECK)
    assert _labels(model)[0] == "Sales"
    assert model.checked_keys() == ["g3"]


def test_plain_list_has_no_check_boxes() -> None:
    model = ChoiceListModel()
    model.set_entries(ENTRIES, {"g1"})
    assert not model.flags(model.index(0)) & Qt.ItemFlag.ItemIsUserCheckable
    assert _states(model) == [None, None, None]
    assert not model.setData(model.index(0), Qt.CheckState.Checked, CHECK)
    model.set_checked(["g2"])
    assert model.checked_keys() == []


def test_space_toggles_the_current_row_in_a_list_view(qtbot: QtBot) -> None:
    model = ChoiceListModel(checkable=True)
    model.set_entries(ENTRIES)
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setCurrentIndex(model.index(1))
    QTest.keyClick(view, Qt.Key.Key_Space)
    assert model.checked_keys() == ["g2"]
    QTest.keyClick(view, Qt.Key.Key_Space)
    assert model.checked_keys() == []


def test_set_entries_keeps_checks_by_key(qtbot: QtBot) -> None:
    model = ChoiceListModel(checkable=True)
    model.set_entries(ENTRIES, {"g1", "g3", "gone"})
    assert model.checked_keys() == ["g1", "g3"]  # keys that are not rows are never reported
    # Other order and a row less: the checks follow the keys.
    model.set_entries([("g3", "Billing"), ("g2", "Support"), ("g0", "Admin")])
    assert model.checked_keys() == ["g3"]
    assert _states(model) == [Qt.CheckState.Checked, Qt.CheckState.Unchecked, Qt.CheckState.Unchecked]
    # A row that comes back does not bring its old check back.
    model.set_entries(ENTRIES)
    assert model.checked_keys() == ["g3"]
    # Given checks replace the old ones.
    model.set_entries(ENTRIES, {"g2"})
    assert model.checked_keys() == ["g2"]


def test_same_keys_update_in_place_on_the_changed_rows(qtbot: QtBot) -> None:
    model = ChoiceListModel(checkable=True)
    model.set_entries(ENTRIES, {"g1"})
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.set_entries([("g1", "Sales"), ("g2", "Support"), ("g3", "Billing")])
    assert changed.args is not None
    assert [changed.args[0].row(), changed.args[1].row()] == [1, 1]
    assert _labels(model) == ["Sales", "Support", "Billing"]
    assert model.checked_keys() == ["g1"]
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.set_checked(["g3", "unknown"])
    assert changed.args is not None
    assert [changed.args[0].row(), changed.args[1].row()] == [0, 2]
    assert model.checked_keys() == ["g3"]
    with qtbot.assertNotEmitted(model.dataChanged):
        model.set_entries(list(ENTRIES[:1]) + [("g2", "Support"), ENTRIES[2]])
    assert resets == []
    model.set_entries(ENTRIES[:2])
    assert resets == [True]

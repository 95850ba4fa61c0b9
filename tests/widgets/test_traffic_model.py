"""The traffic table model and its filter proxy, fed with `TrafficRow` data (no backend).

10,000 rows, deltas by row ranges (never a reset), the priority order, filters, and a resync that
drops ghosts.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from chat_protocol.traffic import (
    DeviceClass,
    TrafficDelta,
    TrafficRow,
    TrafficSnapshot,
    TrafficState,
    priority,
)
from operator_app.store.traffic_model import Column, TrafficModel, TrafficRole
from operator_app.store.traffic_proxy import TrafficFilterProxy

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
STATES = list(TrafficState)


def make_row(n: int, rng: random.Random | None = None, **fields: object) -> TrafficRow:
    rng = rng or random.Random(n)
    started = NOW - timedelta(seconds=rng.randint(0, 3600 * 2), microseconds=rng.randint(0, 999_999))
    values: dict[str, object] = {
        "visitor_id": f"v{n}",
        "number": n,
        "name": rng.choice(["", "", f"Name {n}", f"山田 {n}"]),
        "state": rng.choice(STATES),
        "active": rng.random() < 0.6,
        "page_url": f"https://shop.example/p/{n}",
        "page_title": f"Product {n % 97}",
        "visit_started_at": started,
        "page_started_at": started,
        "pages_viewed": rng.randint(0, 30),
        "visits": rng.randint(1, 5),
        "returning": rng.random() < 0.3,
        "messages_sent": rng.randint(0, 12),
        "cart_value": rng.choice([0.0, 0.0, round(rng.uniform(1, 90_000), 2)]),
        "cart_currency": "JPY",
        "location": rng.choice(["Japan (Tokyo)", "Germany", ""]),
        "device_class": rng.choice(list(DeviceClass)),
        "source": rng.choice(["", "google", "newsletter"]),
        "rev": 1,
    }
    values.update(fields)
    return TrafficRow.model_validate(values)


def snapshot(rows: list[TrafficRow], rev: int = 1) -> TrafficSnapshot:
    return TrafficSnapshot(rev=rev, rows=rows, generated_at=NOW)


class Signals:
    """Counts what a model emitted."""

    def __init__(self, model: TrafficModel | TrafficFilterProxy) -> None:
        self.resets = 0
        self.inserted: list[tuple[int, int]] = []
        self.removed: list[tuple[int, int]] = []
        self.changed: list[tuple[int, int]] = []
        self.layouts = 0
        model.modelReset.connect(self._reset)
        model.rowsInserted.connect(lambda parent, first, last: self.inserted.append((first, last)))
        model.rowsRemoved.connect(lambda parent, first, last: self.removed.append((first, last)))
        model.dataChanged.connect(lambda top, bottom, roles: self.changed.append((top.row(), bottom.row())))
        model.layoutChanged.connect(self._layout)

    def _reset(self) -> None:
        self.resets += 1

    def _layout(self) -> None:
        self.layouts += 1


@pytest.fixture
def model(qapp: object) -> TrafficModel:
    return TrafficModel(flush_ms=10_000, rescore_ms=3_600_000, clock=lambda: NOW)


def assert_priority_order(model: TrafficModel, rows: list[TrafficRow], now: datetime = NOW) -> None:
    """The model holds exactly `rows`, highest `priority()` first."""
    by_id = {r.visitor_id: r for r in rows}
    assert sorted(model.visitor_ids()) == sorted(by_id)
    scores = [priority(by_id[vid], now) for vid in model.visitor_ids()]
    assert scores == sorted(scores, reverse=True)


def test_model_passes_the_model_tester(model: TrafficModel, qtmodeltester: object) -> None:
    model.load_snapshot(snapshot([make_row(n) for n in range(1, 60)]))
    proxy = TrafficFilterProxy(model)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    qtmodeltester.check(proxy)  # type: ignore[attr-defined]
    model.apply_delta(TrafficDelta(rev=2, upserts=[make_row(70), make_row(3, name="x")], removed=["v5"]))
    model.flush()
    proxy.set_filters(text="name")
    qtmodeltester.check(proxy)  # type: ignore[attr-defined]


def test_priority_is_exactly_the_protocol_score_and_the_default_order(model: TrafficModel) -> None:
    rows = [make_row(n) for n in range(1, 2001)]
    model.load_snapshot(snapshot(rows))
    for row in rows:
        assert model.score_of(row.visitor_id) == priority(row, NOW)
    assert_priority_order(model, rows)
    top = model.index(0, Column.PRIORITY)
    assert top.data() == f"{priority(model.row_at(0), NOW):.1f}"  # type: ignore[arg-type]


def test_ten_thousand_rows_follow_deltas_by_ranges_without_a_reset(model: TrafficModel) -> None:
    rng = random.Random(7)
    rows = {f"v{n}": make_row(n, rng) for n in range(1, 10_001)}
    model.load_snapshot(snapshot(list(rows.values())))
    seen = Signals(model)
    rev = 1
    next_n = 10_001
    for _ in range(30):
        rev += 1
        upserts: list[TrafficRow] = []
        for vid in rng.sample(sorted(rows), 60):  # changed pages, carts, states
            old = rows[vid]
            new = old.model_copy(
                update={
                    "pages_viewed": old.pages_viewed + 1,
                    "page_title": f"Moved {rev}",
                    "state": rng.choice(STATES),
                    "cart_value": rng.choice([old.cart_value, 1200.0]),
                    "rev": rev,
                }
            )
            rows[vid] = new
            upserts.append(new)
        for _ in range(10):  # newcomers
            fresh = make_row(next_n, rng, rev=rev)
            next_n += 1
            rows[fresh.visitor_id] = fresh
            upserts.append(fresh)
        gone = rng.sample(sorted(set(rows) - {u.visitor_id for u in upserts}), 10)
        for vid in gone:
            del rows[vid]
        model.apply_delta(TrafficDelta(rev=rev, upserts=upserts, removed=gone))
        layouts = seen.layouts
        model.flush()
        assert seen.layouts == layouts  # a batch updates rows in place, adds and removes by ranges
        model.resort()  # the model's timer does this within a second of a batch
    assert seen.resets == 0
    assert seen.inserted
    assert seen.removed
    assert seen.changed
    # Every signal covered a range, never the whole table.
    assert max(last - first for first, last in seen.changed) < 100
    assert model.rowCount() == len(rows)
    assert_priority_order(model, list(rows.values()))
    for vid, row in rows.items():
        assert model.get(vid) == row
        assert model.index(model.row_of(vid), Column.PAGE).data() == row.page_title


def test_deltas_are_batched_until_the_flush(model: TrafficModel) -> None:
    model.load_snapshot(snapshot([make_row(1)]))
    seen = Signals(model)
    for rev in range(2, 50):
        model.apply_delta(TrafficDelta(rev=rev, upserts=[make_row(1, pages_viewed=rev, rev=rev)]))
    model.apply_delta(TrafficDelta(rev=50, upserts=[make_row(2, rev=50)]))
    model.apply_delta(TrafficDelta(rev=51, removed=["v2"]))
    assert seen.changed == []
    assert seen.inserted == []
    model.flush()
    assert model.visitor_ids() == ["v1"]
    assert model.get("v1").pages_viewed == 49  # type: ignore[union-attr]
    assert len(seen.changed) == 1
    assert seen.inserted == []
    assert seen.removed == []


def test_an_older_row_version_never_replaces_a_newer_one(model: TrafficModel) -> None:
    model.load_snapshot(snapshot([make_row(1, page_title="new", rev=9)], rev=9))
    model.apply_delta(TrafficDelta(rev=10, upserts=[make_row(1, page_title="old", rev=5)]))
    model.flush()
    assert model.get("v1").page_title == "new"  # type: ignore[union-attr]


def test_a_resync_snapshot_drops_ghosts_and_keeps_the_rest_in_place(model: TrafficModel) -> None:
    rows = [make_row(n) for n in range(1, 101)]
    model.load_snapshot(snapshot(rows))
    kept = model.index(model.row_of("v50"), 0)
    persistent = QPersistentModelIndex(kept)
    seen = Signals(model)
    again = [r for r in rows if r.number not in (3, 4, 5)] + [make_row(200)]
    model.load_snapshot(snapshot(again, rev=1))  # a restarted server counts revs from the start
    assert seen.resets == 0
    assert set(model.visitor_ids()) == {r.visitor_id for r in again}
    assert persistent.isValid()
    assert persistent.data(TrafficRole.VISITOR_ID) == "v50"
    model.load_snapshot(snapshot([make_row(300)], rev=2))  # almost everything changed: one reset
    assert seen.resets == 1
    assert model.visitor_ids() == ["v300"]


def test_sort_by_any_column_keeps_the_selection_target(model: TrafficModel) -> None:
    rows = [make_row(n) for n in range(1, 300)]
    model.load_snapshot(snapshot(rows))
    persistent = QPersistentModelIndex(model.index(model.row_of("v42"), 0))
    for column in Column:
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            model.sort_by(column, order)
            values = [
                model.index(r, column).data(Qt.ItemDataRole.DisplayRole) for r in range(model.rowCount())
            ]
            assert persistent.data(TrafficRole.VISITOR_ID) == "v42"
            if column in (Column.PAGES, Column.VISITS):
                numbers = [int(v) for v in values]
                expected = sorted(numbers, reverse=order == Qt.SortOrder.DescendingOrder)
                assert numbers == expected
    model.sort_by(Column.CART, Qt.SortOrder.DescendingOrder)
    carts = [model.row_at(r).cart_value for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert carts == sorted(carts, reverse=True)
    model.sort_by(Column.TIME_ON_SITE, Qt.SortOrder.DescendingOrder)
    starts = [model.row_at(r).visit_started_at for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert starts == sorted(starts)  # the longest on the site first


def test_rescore_moves_only_rows_whose_order_changed(qapp: object) -> None:
    now = [NOW]
    model = TrafficModel(flush_ms=10_000, rescore_ms=3_600_000, clock=lambda: now[0])
    # A long-idle visitor (time saturated at 30 min) above a fresh one who gains a point a minute.
    old = make_row(
        1,
        state=TrafficState.BROWSING,
        active=False,
        returning=False,
        messages_sent=0,
        pages_viewed=0,
        cart_value=0.0,
        visit_started_at=NOW - timedelta(hours=2),
    )
    fresh = make_row(
        2,
        state=TrafficState.BROWSING,
        active=False,
        returning=True,
        messages_sent=0,
        pages_viewed=0,
        cart_value=0.0,
        visit_started_at=NOW - timedelta(minutes=20),
    )
    others = [make_row(n, visit_started_at=NOW - timedelta(hours=1, seconds=n)) for n in range(3, 200)]
    model.load_snapshot(snapshot([old, fresh, *others]))
    assert model.row_of("v1") < model.row_of("v2")
    seen = Signals(model)
    now[0] = NOW + timedelta(minutes=11)
    model.rescore()
    assert model.row_of("v2") < model.row_of("v1")
    assert seen.resets == 0
    assert seen.layouts == 0
    assert len(seen.removed) == 1
    assert len(seen.inserted) == 1
    rows_now = [model.row_at(r) for r in range(model.rowCount())]
    assert_priority_order(model, rows_now, now[0])  # type: ignore[arg-type]


def test_filters_by_state_text_cart_and_returning(model: TrafficModel) -> None:
    rows = [make_row(n) for n in range(1, 1001)]
    rows.append(make_row(5000, name="<b>Zoë</b>", email="zoe@example.com", state=TrafficState.QUEUED))
    model.load_snapshot(snapshot(rows))
    proxy = TrafficFilterProxy(model)

    def shown() -> list[TrafficRow]:
        return [model.get(proxy.visitor_id_at(r) or "") for r in range(proxy.rowCount())]  # type: ignore[misc]

    proxy.set_filters(states=frozenset({TrafficState.CHATTING, TrafficState.QUEUED}))
    assert {r.state for r in shown()} == {TrafficState.CHATTING, TrafficState.QUEUED}
    assert len(shown()) == sum(r.state in (TrafficState.CHATTING, TrafficState.QUEUED) for r in rows)
    proxy.set_filters(states=frozenset(), with_cart=True)
    assert shown()
    assert all(r.cart_value > 0 for r in shown())
    proxy.set_filters(with_cart=False, returning_only=True)
    assert len(shown()) == sum(r.returning for r in rows)
    proxy.set_filters(returning_only=False, text="  ZOË  ")
    assert [r.visitor_id for r in shown()] == ["v5000"]
    proxy.set_filters(text="ZOE@EXAMPLE")
    assert [r.visitor_id for r in shown()] == ["v5000"]
    proxy.set_filters(text="product 5")
    assert {r.page_title for r in shown()} <= {f"Product {n}" for n in range(5, 97)}
    # The order under a filter is the model's order; a delta that stops matching hides the row.
    proxy.set_filters(text="zoe")
    model.apply_delta(
        TrafficDelta(rev=2, upserts=[rows[-1].model_copy(update={"email": "", "name": "", "rev": 2})])
    )
    model.flush()
    assert proxy.rowCount() == 0
    proxy.sort(Column.VISITS, Qt.SortOrder.AscendingOrder)
    assert model.sort_column == Column.VISITS


def test_hostile_values_are_one_capped_line(model: TrafficModel) -> None:
    title = "<script>alert(1)</script>\n" * 400
    row = make_row(1, page_title=title, name="<img src=x onerror=alert(1)>\n\nname")
    model.load_snapshot(snapshot([row]))
    shown = model.index(0, Column.PAGE).data()
    assert "\n" not in shown
    assert len(shown) <= 160
    assert shown.startswith("<script>alert(1)</script> <script>")
    assert model.index(0, Column.VISITOR).data() == "<img src=x onerror=alert(1)> name"
    tooltip = model.index(0, Column.PAGE).data(Qt.ItemDataRole.ToolTipRole)
    assert "<script>" not in tooltip
    assert "&lt;script&gt;" in tooltip


def test_cells_show_states_places_devices_and_carts(model: TrafficModel) -> None:
    row = make_row(
        7,
        name="",
        state=TrafficState.CHATTING,
        cart_value=12800,
        cart_currency="jpy",
        language="ja-JP",
        location="Japan (Tokyo)",
        location_approximate=True,
        device_class=DeviceClass.MOBILE,
        os="iOS",
        browser="Safari",
        source="",
        visit_started_at=NOW - timedelta(minutes=3, seconds=5),
    )
    model.load_snapshot(snapshot([row]))

    def cell(column: Column) -> object:
        return model.index(0, column).data()

    assert cell(Column.VISITOR) == "Visitor #7"
    assert cell(Column.STATE) == "chatting"
    assert model.index(0, Column.STATE).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert cell(Column.CART) == "12,800 JPY"
    assert cell(Column.LOCATION) == "ja-JP \u00b7 \u2248 Japan (Tokyo)"
    assert cell(Column.DEVICE) == "Mobile \u00b7 iOS / Safari"
    assert cell(Column.SOURCE) == "Direct"
    assert cell(Column.TIME_ON_SITE) == "3:05"
    assert model.index(0, 0).data(TrafficRole.ROW) == row
    assert model.rowCount(model.index(0, 0)) == 0
    assert not model.index(5, 0).isValid()


def test_a_changed_priority_waits_in_place_until_the_resort(model: TrafficModel) -> None:
    rows = [make_row(n, state=TrafficState.BROWSING, cart_value=0.0) for n in range(1, 200)]
    model.load_snapshot(snapshot(rows))
    last = model.visitor_ids()[-1]
    seen = Signals(model)
    queued = model.get(last).model_copy(update={"state": TrafficState.QUEUED, "rev": 2})  # type: ignore[union-attr]
    model.apply_delta(TrafficDelta(rev=2, upserts=[queued]))
    model.flush()
    assert model.row_of(last) == len(rows) - 1  # updated where it is: only that row repaints
    assert seen.changed == [(len(rows) - 1, len(rows) - 1)]
    assert model.unsorted
    model.resort()
    assert model.row_of(last) == 0  # a request to chat outranks everything
    assert not model.unsorted
    assert seen.resets == 0

"""The `#` canned-reply popup in the composer: filtered as you type, inserts the expanded reply, never sends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListView, QVBoxLayout, QWidget

from chat_protocol import Author, AuthorKind, ChatState, RoutingStatus, VisitorInfo
from chat_protocol.canned import CannedReply
from chat_protocol.models import ChatStateEvent, CloseReason, NoteEvent, RatingEvent
from chat_protocol.rest import AgentSummary, GroupInfo, Me, OfflineMessage, Snapshot
from operator_app.store.canned_cache import CannedCache
from operator_app.store.canned_model import CannedMatchesModel, CannedRepliesModel, CannedRole
from operator_app.store.chat_state import ChatStore
from operator_app.store.offline_messages_model import OfflineMessagesModel
from operator_app.store.store_signals import SignalForwarder, StoreSignals
from operator_app.store.transcript_model import EntryRole, TranscriptModel
from operator_app.store.transfer_targets import TargetRole, TransferTargetsModel
from operator_app.ui.composer import Composer

# The offscreen platform warns when a top-level window with size hints is shown; harmless here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def reply(
    canned_id: str, shortcut: str, text: str, *, owner: str | None = "me", title: str = ""
) -> CannedReply:
    return CannedReply(
        canned_id=canned_id,
        shortcut=shortcut,
        title=title or shortcut.title(),
        text=text,
        owner_id=owner,
        updated_at=NOW,
    )


REPLIES = [
    reply("t1", "thanks", "Thank you, {visitor.name|dear customer}! ({agent.name}, team)", owner=None),
    reply("t2", "thanks", "Thanks {visitor.name}, {agent.name} here.", owner="me"),
    reply(
        "o1", "order", "Your order {order.id} ships to {visitor.email|your address}.", title="Order status"
    ),
    reply("h1", "hello", "Hello!", title="Greeting"),
]


@pytest.fixture
def library(tmp_path: Path, qapp: Any) -> CannedRepliesModel:
    cache = CannedCache(tmp_path / "canned.json", "http://server|me")
    cache.save(REPLIES)
    model = CannedRepliesModel(cache, None)
    model.load_cached()
    return model


class Harness:
    def __init__(self, library: CannedRepliesModel, values: dict[str, str | None]) -> None:
        self.window = QWidget()
        self.window.resize(700, 420)
        layout = QVBoxLayout(self.window)
        layout.addStretch(1)
        self.composer = Composer(self.window)
        self.composer.setFixedHeight(76)
        layout.addWidget(self.composer)
        self.matches = CannedMatchesModel(library, self.window)
        self.composer.set_canned(self.matches, lambda: values)
        self.sent: list[str] = []
        self.composer.submitted.connect(self.sent.append)
        self.window.show()
        self.composer.setFocus()

    def popup_rows(self) -> list[tuple[str, str, str]]:
        popup = self.composer.popup
        assert popup is not None
        assert popup.isVisible()
        view = popup.findChild(QListView, "cannedPopupList")
        assert view is not None
        model = view.model()
        return [
            (
                str(model.index(r, 0).data(CannedRole.SHORTCUT)),
                str(model.index(r, 0).data(CannedRole.SCOPE)),
                str(model.index(r, 0).data(CannedRole.SCOPE_TEXT)),
            )
            for r in range(model.rowCount())
        ]


@pytest.fixture
def harness(library: CannedRepliesModel, qtbot: Any) -> Harness:
    h = Harness(library, {"visitor.name": "山田", "agent.name": "Alice", "visitor.email": None})
    qtbot.addWidget(h.window)
    return h


def test_hash_opens_the_popup_filtered_as_you_type(harness: Harness) -> None:
    composer = harness.composer
    QTest.keyClicks(composer, "Hi #")
    assert composer.popup is not None
    assert composer.popup.isVisible()
    assert composer.popup.objectName() == "cannedPopup"
    assert len(harness.popup_rows()) == 4
    QTest.keyClicks(composer, "ord")
    assert [row[0] for row in harness.popup_rows()] == ["order"]
    QTest.keyClicks(composer, "zzz")
    assert harness.popup_rows() == []  # no match: the popup says so
    QTest.keyClick(composer, Qt.Key.Key_Space)
    assert not composer.popup.isVisible()


def test_colliding_shortcuts_are_both_offered_marked_team_and_personal(harness: Harness) -> None:
    QTest.keyClicks(harness.composer, "#than")
    rows = harness.popup_rows()
    assert [(shortcut, scope) for shortcut, scope, _ in rows] == [("thanks", "personal"), ("thanks", "team")]
    assert [label for _, _, label in rows] == ["personal", "team"]


def test_tab_inserts_the_expanded_reply_for_editing_and_never_sends(harness: Harness) -> None:
    composer = harness.composer
    QTest.keyClicks(composer, "Hello there. #than")
    QTest.keyClick(composer, Qt.Key.Key_Down)  # the team reply
    QTest.keyClick(composer, Qt.Key.Key_Tab)
    assert composer.toPlainText() == "Hello there. Thank you, 山田! (Alice, team)"
    assert composer.popup is not None
    assert not composer.popup.isVisible()
    assert harness.sent == []
    assert composer.hasFocus() or not composer.window().isActiveWindow()
    QTest.keyClicks(composer, " :)")
    assert composer.toPlainText().endswith("team) :)")


def test_enter_inserts_and_a_second_enter_sends(harness: Harness) -> None:
    composer = harness.composer
    QTest.keyClicks(composer, "#thanks")
    QTest.keyClick(composer, Qt.Key.Key_Return)  # the personal one comes first
    assert composer.toPlainText() == "Thanks 山田, Alice here."
    assert harness.sent == []
    QTest.keyClick(composer, Qt.Key.Key_Return)
    assert harness.sent == ["Thanks 山田, Alice here."]


def test_unknown_placeholder_stays_literal_and_a_missing_value_falls_back(harness: Harness) -> None:
    QTest.keyClicks(harness.composer, "#order")
    QTest.keyClick(harness.composer, Qt.Key.Key_Tab)
    assert harness.composer.toPlainText() == "Your order {order.id} ships to your address."


def test_escape_closes_until_another_hash(harness: Harness) -> None:
    composer = harness.composer
    QTest.keyClicks(composer, "#hel")
    assert composer.popup is not None
    assert composer.popup.isVisible()
    QTest.keyClick(composer, Qt.Key.Key_Escape)
    assert not composer.popup.isVisible()
    QTest.keyClicks(composer, "l")
    assert not composer.popup.isVisible()
    QTest.keyClick(composer, Qt.Key.Key_Return)
    assert harness.sent == ["#hell"]
    QTest.keyClicks(composer, "#h")
    assert composer.popup.isVisible()


def test_a_hash_inside_a_word_is_not_a_shortcut(harness: Harness) -> None:
    QTest.keyClicks(harness.composer, "item#1")
    assert harness.composer.popup is None or not harness.composer.popup.isVisible()


def test_note_mode_looks_distinct_and_never_signals_typing(harness: Harness) -> None:
    composer = harness.composer
    typing: list[bool] = []
    composer.typing.connect(typing.append)
    composer.set_note_mode(True)
    assert composer.property("noteMode") is True
    assert "background" in composer.styleSheet()
    assert "visitor will not see" in composer.placeholderText()
    QTest.keyClicks(composer, "check the refund")
    assert True not in typing
    composer.set_note_mode(False)
    assert composer.styleSheet() == ""


def test_library_updates_by_rows_and_passes_the_model_tester(
    library: CannedRepliesModel, qtmodeltester: Any
) -> None:
    qtmodeltester.check(library)
    inserted: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    library.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    library.rowsRemoved.connect(lambda parent, first, last: removed.append((first, last)))
    resets: list[int] = []
    library.modelReset.connect(lambda: resets.append(1))
    changed = [
        *REPLIES[:3],
        reply("a1", "address", "Where to?"),
        reply("h1", "hello", "Hello again!", title="Greeting"),
    ]
    library._set_replies(changed)
    assert resets == []
    assert inserted == [(0, 0)]
    assert [library.reply_at(r).shortcut for r in range(library.rowCount())] == [  # type: ignore[union-attr]
        "address",
        "hello",
        "order",
        "thanks",
        "thanks",
    ]
    assert library.reply_at(1).text == "Hello again!"  # type: ignore[union-attr]
    library._set_replies(REPLIES[:1])
    assert library.rowCount() == 1
    assert removed
    qtmodeltester.check(library)


def test_other_new_models_pass_the_model_tester(library: CannedRepliesModel, qtmodeltester: Any) -> None:
    matches = CannedMatchesModel(library)
    matches.set_query("tha")
    qtmodeltester.check(matches)
    assert matches.rowCount() == 2

    targets = TransferTargetsModel()
    targets.set_targets(
        [
            AgentSummary(
                agent_id="me", name="Me", status=RoutingStatus.ACCEPTING, online=True, load=0, max_chats=6
            ),
            AgentSummary(
                agent_id="b", name="Bob", status=RoutingStatus.ACCEPTING, online=False, load=0, max_chats=6
            ),
            AgentSummary(
                agent_id="c", name="Cleo", status=RoutingStatus.ACCEPTING, online=True, load=1, max_chats=6
            ),
            AgentSummary(
                agent_id="d", name="Dan", status=RoutingStatus.ACCEPTING, online=True, load=2, max_chats=2
            ),
        ],
        [GroupInfo(group_id="g", name="Billing")],
        "me",
    )
    qtmodeltester.check(targets)
    ids = [targets.index(r, 0).data(TargetRole.TARGET_ID) for r in range(targets.rowCount())]
    assert ids == ["g", "c", "b", "d"]
    assert not targets.flags(targets.index(2, 0)) & Qt.ItemFlag.ItemIsEnabled
    assert "offline" in targets.index(2, 0).data(TargetRole.REASON)
    assert "full" in targets.index(3, 0).data(TargetRole.REASON)

    offline = OfflineMessagesModel()
    offline.set_messages(
        [
            OfflineMessage(
                message_id="m",
                site_id="s",
                visitor_id="v",
                name="<b>Ann</b>",
                email="ann@example.com",
                text="line one\nline two",
                created_at=NOW,
            )
        ]
    )
    qtmodeltester.check(offline)
    assert offline.index(0, 1).data() == "<b>Ann</b>"
    assert offline.index(0, 3).data() == "line one line two"


def test_transcript_names_the_close_reason_the_rating_and_the_transfer_note(
    qapp: Any, qtmodeltester: Any
) -> None:
    alice = Author(kind=AuthorKind.AGENT, id="a", name="Alice")
    me = Author(kind=AuthorKind.AGENT, id="me", name="Bob")
    visitor = Author(kind=AuthorKind.VISITOR, id="v")
    signals = StoreSignals()
    store = ChatStore(SignalForwarder(signals))
    store.load_snapshot(
        Snapshot(
            cursor=0,
            me=Me(agent_id="me", email="b@x", name="Bob", role="agent", status=RoutingStatus.ACCEPTING),
            my_chats=[],
            queue=[],
        )
    )
    model = TranscriptModel(store, signals)
    common: dict[str, Any] = {"chat_id": "c", "created_at": NOW}
    store.apply_event(
        ChatStateEvent(
            event_id=1,
            seq=1,
            author=alice,
            state=ChatState.TAKEN,
            agent=me,
            transferred_from=alice,
            visitor=VisitorInfo(visitor_id="v", number=3),
            **common,
        )
    )
    model.set_chat("c")
    store.apply_event(
        NoteEvent(event_id=2, seq=2, author=alice, text="VIP, be kind", audience="agents", **common)
    )
    store.apply_event(
        NoteEvent(event_id=3, seq=3, author=me, text="my own note", audience="agents", **common)
    )
    store.apply_event(
        ChatStateEvent(
            event_id=4, seq=4, author=me, state=ChatState.CLOSED, reason=CloseReason.AGENT, **common
        )
    )
    store.apply_event(
        RatingEvent(event_id=5, seq=5, author=visitor, rating="bad", comment="too slow", **common)
    )
    qtmodeltester.check(model)
    rows = [str(model.index(r, 0).data()) for r in range(model.rowCount())]
    assert rows == [
        "Chat transferred from Alice to Bob",
        "Transferred from Alice: VIP, be kind",
        "my own note",
        "Chat closed by Bob",
        "The visitor rated the chat as bad: \u201ctoo slow\u201d",
    ]
    assert model.index(3, 0).data(EntryRole.CLOSE_REASON) == "agent"
    assert model.index(4, 0).data(EntryRole.RATING) == "bad"
    assert model.index(4, 0).data(EntryRole.KIND) == "rating"

"""The item models: pass qtmodeltester, update by row ranges, tick the queue's waits narrowly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from chat_protocol import Author, AuthorKind, ChatState, RoutingStatus, VisitorInfo
from chat_protocol.models import ChatStateEvent, ChatSummary, MessageEvent
from chat_protocol.rest import Me, Snapshot
from operator_app.store.chat_list_model import ChatRole, MyChatsModel, QueueModel
from operator_app.store.chat_state import ChatStore
from operator_app.store.store_signals import SignalForwarder, StoreSignals
from operator_app.store.transcript_model import EntryRole, TranscriptModel

ME = Author(kind=AuthorKind.AGENT, id="agent-1", name="Alice")
NOW = datetime.now(UTC)


def visitor(n: int, name: str = "") -> VisitorInfo:
    return VisitorInfo(visitor_id=f"v{n}", number=n, name=name)


def summary(chat: str, state: ChatState, n: int, name: str = "", waited: int = 0) -> ChatSummary:
    return ChatSummary(
        chat_id=chat,
        state=state,
        visitor=visitor(n, name),
        agent=ME if state == ChatState.TAKEN else None,
        created_at=datetime.now(UTC) - timedelta(seconds=waited),
        queued_at=datetime.now(UTC) - timedelta(seconds=waited),
        last_seq=0,
    )


def msg(
    event_id: int, chat: str, seq: int, text: str, author: Author, client_id: str | None = None
) -> MessageEvent:
    return MessageEvent(
        event_id=event_id,
        chat_id=chat,
        seq=seq,
        created_at=NOW,
        author=author,
        text=text,
        client_id=client_id,
    )


def taken(event_id: int, chat: str, seq: int, agent: Author, n: int) -> ChatStateEvent:
    return ChatStateEvent(
        event_id=event_id,
        chat_id=chat,
        seq=seq,
        created_at=NOW,
        author=agent,
        state=ChatState.TAKEN,
        agent=agent,
        visitor=visitor(n),
    )


@pytest.fixture
def store(qapp: object) -> tuple[ChatStore, StoreSignals]:
    signals = StoreSignals()
    chat_store = ChatStore(SignalForwarder(signals))
    me = Me(agent_id="agent-1", email="a@x", name="Alice", role="agent", status=RoutingStatus.ACCEPTING)
    chat_store.load_snapshot(
        Snapshot(
            cursor=10,
            me=me,
            my_chats=[summary("a", ChatState.TAKEN, 1, "山田 太郎"), summary("b", ChatState.TAKEN, 2)],
            queue=[
                summary("q1", ChatState.QUEUED, 3, waited=90),
                summary("q2", ChatState.QUEUED, 4, waited=30),
            ],
        )
    )
    return chat_store, signals


def visitor_author(n: int) -> Author:
    return Author(kind=AuthorKind.VISITOR, id=f"v{n}")


def test_models_pass_the_model_tester_through_a_stream_of_events(
    qtmodeltester: object, store: tuple[ChatStore, StoreSignals]
) -> None:
    chat_store, signals = store
    mine, queue = MyChatsModel(chat_store, signals), QueueModel(chat_store, signals, tick_ms=60_000)
    transcript = TranscriptModel(chat_store, signals)
    transcript.set_chat("a")
    for model in (mine, queue, transcript):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    chat_store.apply_event(msg(11, "a", 1, "こんにちは", visitor_author(1)))
    chat_store.add_pending_message("a", "cid-1", "Hello! <b>How</b> can I help?")
    chat_store.apply_event(msg(12, "a", 2, "Hello! <b>How</b> can I help?", ME, "cid-1"))
    chat_store.apply_event(taken(13, "q1", 4, ME, 3))
    chat_store.apply_event(msg(14, "q2", 1, "waiting...", visitor_author(4)))
    for model in (mine, queue, transcript):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert mine.rowCount() == 3
    assert queue.rowCount() == 1


def test_queue_rows_show_the_name_or_visitor_number_the_preview_and_the_wait(
    store: tuple[ChatStore, StoreSignals],
) -> None:
    chat_store, signals = store
    queue = QueueModel(chat_store, signals, tick_ms=60_000)
    chat_store.apply_event(msg(11, "q2", 1, "Do you ship\nto Osaka?", visitor_author(4)))
    first, second = queue.index(0, 0), queue.index(1, 0)
    assert first.data(ChatRole.CHAT_ID) == "q1"  # the longest wait comes first
    assert first.data(Qt.ItemDataRole.DisplayRole) == "Visitor #3"
    assert second.data(ChatRole.PREVIEW) == "Do you ship to Osaka?"
    assert 90 <= first.data(ChatRole.WAIT_SECONDS) < 95
    assert first.data(ChatRole.WAIT_TEXT).startswith("1:3")


def test_an_event_inserts_exactly_one_row_and_never_resets(
    qtbot: QtBot, store: tuple[ChatStore, StoreSignals]
) -> None:
    chat_store, signals = store
    transcript = TranscriptModel(chat_store, signals)
    transcript.set_chat("a")
    resets: list[bool] = []
    transcript.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(transcript.rowsInserted) as inserted:
        chat_store.apply_event(msg(11, "a", 1, "hello", visitor_author(1)))
    assert inserted.args[1:] == [0, 0]
    chat_store.add_pending_message("a", "cid-9", "hi there")
    assert transcript.index(1, 0).data(EntryRole.DELIVERY) == "sending"
    with qtbot.waitSignal(transcript.dataChanged) as changed:
        chat_store.apply_event(msg(12, "a", 2, "hi there", ME, "cid-9"))
    assert (changed.args[0].row(), changed.args[1].row()) == (1, 1)
    assert transcript.index(1, 0).data(EntryRole.DELIVERY) == "sent"
    assert transcript.index(1, 0).data(EntryRole.IS_MINE) is True
    chat_store.apply_event(msg(13, "b", 1, "other chat", visitor_author(2)))
    assert transcript.rowCount() == 2
    assert resets == []


def test_the_queue_tick_changes_only_the_wait_roles(
    qtbot: QtBot, store: tuple[ChatStore, StoreSignals]
) -> None:
    chat_store, signals = store
    queue = QueueModel(chat_store, signals, tick_ms=50)
    with qtbot.waitSignal(queue.dataChanged, timeout=2000) as changed:
        pass
    top_left, bottom_right, roles = changed.args
    assert (top_left.row(), bottom_right.row()) == (0, queue.rowCount() - 1)
    assert set(roles) == {ChatRole.WAIT_SECONDS, ChatRole.WAIT_TEXT}
    assert Qt.ItemDataRole.DisplayRole not in roles


def test_a_colleague_taking_a_queued_chat_removes_just_that_row(
    qtbot: QtBot, store: tuple[ChatStore, StoreSignals]
) -> None:
    chat_store, signals = store
    queue = QueueModel(chat_store, signals, tick_ms=60_000)
    bob = Author(kind=AuthorKind.AGENT, id="agent-2", name="Bob")
    with qtbot.waitSignal(queue.rowsRemoved) as removed:
        chat_store.apply_event(taken(11, "q2", 4, bob, 4))
    assert removed.args[1:] == [1, 1]
    assert [queue.index(r, 0).data(ChatRole.CHAT_ID) for r in range(queue.rowCount())] == ["q1"]


def test_my_chats_count_unread_visitor_messages(store: tuple[ChatStore, StoreSignals]) -> None:
    chat_store, signals = store
    mine = MyChatsModel(chat_store, signals)
    chat_store.set_active_chat("a")
    chat_store.apply_event(msg(11, "b", 1, "are you there?", visitor_author(2)))
    chat_store.apply_event(msg(12, "b", 2, "hello??", visitor_author(2)))
    row_b = mine.row_of("b")
    assert mine.index(row_b, 0).data(ChatRole.UNREAD) == 2
    assert mine.index(mine.row_of("a"), 0).data(Qt.ItemDataRole.DisplayRole) == "山田 太郎"
    tooltip = mine.index(row_b, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "<p" in tooltip
    assert "??" in tooltip


def test_notes_ratings_and_state_changes_read_as_sentences(
    qtmodeltester: object, store: tuple[ChatStore, StoreSignals]
) -> None:
    from chat_protocol.models import CloseReason, NoteEvent, RatingEvent

    chat_store, signals = store
    transcript = TranscriptModel(chat_store, signals)
    transcript.set_chat("a")
    bob = Author(kind=AuthorKind.AGENT, id="agent-2", name="Bob")
    chat_store.apply_event(
        NoteEvent(
            event_id=11,
            chat_id="a",
            seq=1,
            audience="agents",
            created_at=NOW,
            author=bob,
            text="VIP customer",
        )
    )
    chat_store.apply_event(
        ChatStateEvent(
            event_id=12,
            chat_id="a",
            seq=2,
            created_at=NOW,
            author=bob,
            state=ChatState.TAKEN,
            agent=ME,
            transferred_from=bob,
        )
    )
    chat_store.apply_event(
        RatingEvent(
            event_id=13,
            chat_id="a",
            seq=3,
            created_at=NOW,
            author=visitor_author(1),
            rating="good",
            comment="<b>great</b>",
        )
    )
    chat_store.apply_event(
        ChatStateEvent(
            event_id=14,
            chat_id="a",
            seq=4,
            created_at=NOW,
            author=Author(kind=AuthorKind.SYSTEM),
            state=ChatState.CLOSED,
            reason=CloseReason.INACTIVE,
        )
    )
    qtmodeltester.check(transcript)  # type: ignore[attr-defined]
    rows = [transcript.index(r, 0) for r in range(transcript.rowCount())]
    assert [r.data(EntryRole.KIND) for r in rows] == ["note", "chat_state", "rating", "chat_state"]
    assert [r.data() for r in rows] == [
        "VIP customer",
        "Chat transferred from Bob to Alice",
        "The visitor rated the chat as good: \u201c<b>great</b>\u201d",
        "Chat closed after a period of inactivity",
    ]

"""The client's plain state: idempotent events, seq order, optimistic replies, membership, cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chat_protocol import Author, AuthorKind, ChatState, RoutingStatus, VisitorInfo
from chat_protocol.models import ChatStateEvent, ChatSummary, MessageEvent
from chat_protocol.rest import Me, Snapshot, TranscriptPage
from operator_app.store.chat_state import ChatStore, Delivery

ME = Author(kind=AuthorKind.AGENT, id="agent-1", name="Alice")
BOB = Author(kind=AuthorKind.AGENT, id="agent-2", name="Bob")
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def visitor(n: int, name: str = "") -> VisitorInfo:
    return VisitorInfo(visitor_id=f"v{n}", number=n, name=name)


def vauthor(n: int) -> Author:
    return Author(kind=AuthorKind.VISITOR, id=f"v{n}")


def message(
    event_id: int, chat: str, seq: int, text: str, author: Author, client_id: str | None = None
) -> MessageEvent:
    return MessageEvent(
        event_id=event_id,
        chat_id=chat,
        seq=seq,
        created_at=T0 + timedelta(seconds=event_id),
        author=author,
        text=text,
        client_id=client_id,
    )


def state(
    event_id: int, chat: str, seq: int, new: ChatState, agent: Author | None = None, n: int = 1
) -> ChatStateEvent:
    return ChatStateEvent(
        event_id=event_id,
        chat_id=chat,
        seq=seq,
        created_at=T0 + timedelta(seconds=event_id),
        author=agent or Author(kind=AuthorKind.SYSTEM),
        state=new,
        agent=agent,
        visitor=visitor(n),
    )


def summary(chat: str, new: ChatState, n: int, agent: Author | None = None, last_seq: int = 3) -> ChatSummary:
    return ChatSummary(
        chat_id=chat,
        state=new,
        visitor=visitor(n),
        agent=agent,
        created_at=T0,
        queued_at=T0,
        last_seq=last_seq,
    )


class Log:
    """A `StoreListener` writing down every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return lambda *args: self.calls.append((name, *args))


def store_with(
    my_chats: list[ChatSummary], queue: list[ChatSummary], cursor: int = 10
) -> tuple[ChatStore, Log]:
    log = Log()
    store = ChatStore(log)  # type: ignore[arg-type]
    me = Me(agent_id="agent-1", email="a@x", name="Alice", role="agent", status=RoutingStatus.ACCEPTING)
    store.load_snapshot(Snapshot(cursor=cursor, me=me, my_chats=my_chats, queue=queue))
    log.calls.clear()
    return store, log


def test_snapshot_sets_identity_status_cursor_and_membership() -> None:
    store, _ = store_with(
        [summary("a", ChatState.TAKEN, 1, ME)], [summary("q", ChatState.QUEUED, 2)], cursor=42
    )
    assert store.agent_id == "agent-1"
    assert store.status == RoutingStatus.ACCEPTING
    assert store.cursor == 42
    assert store.is_mine(store.chats["a"])
    assert store.is_queued(store.chats["q"])


def test_events_are_applied_once_in_seq_order_whatever_the_arrival_order() -> None:
    store, log = store_with([summary("a", ChatState.TAKEN, 1, ME, last_seq=0)], [])
    store.apply_event(message(13, "a", 3, "third", vauthor(1)))
    store.apply_event(message(11, "a", 1, "first", vauthor(1)))
    store.apply_event(message(12, "a", 2, "second", vauthor(1)))
    store.apply_event(message(12, "a", 2, "second", vauthor(1)))
    assert [e.text for e in store.chats["a"].entries] == ["first", "second", "third"]
    inserted = [c for c in log.calls if c[0] == "entries_inserted"]
    assert inserted == [("entries_inserted", "a", 0, 0)] * 2 + [("entries_inserted", "a", 1, 1)]
    assert store.cursor == 13


def test_my_reply_shows_as_sending_and_the_confirmed_event_replaces_it_in_place() -> None:
    store, log = store_with([summary("a", ChatState.TAKEN, 1, ME, last_seq=0)], [])
    store.apply_event(message(11, "a", 1, "hello", vauthor(1)))
    store.add_pending_message("a", "cid-1", "Hi! How can I help?")
    entry = store.chats["a"].entries[1]
    assert (entry.delivery, entry.seq, entry.text) == (Delivery.SENDING, None, "Hi! How can I help?")
    log.calls.clear()
    store.apply_event(message(12, "a", 2, "Hi! How can I help?", ME, client_id="cid-1"))
    assert [(e.text, e.delivery) for e in store.chats["a"].entries] == [
        ("hello", Delivery.SENT),
        ("Hi! How can I help?", Delivery.SENT),
    ]
    assert ("entries_changed", "a", 1, 1) in log.calls
    assert not [c for c in log.calls if c[0] in ("entries_inserted", "entries_removed")]


def test_a_visitor_message_that_overtakes_my_reply_keeps_seq_order() -> None:
    store, log = store_with([summary("a", ChatState.TAKEN, 1, ME, last_seq=0)], [])
    store.add_pending_message("a", "cid-1", "mine")
    store.apply_event(message(11, "a", 1, "theirs", vauthor(1)))
    assert [e.text for e in store.chats["a"].entries] == ["theirs", "mine"]
    store.apply_event(message(12, "a", 2, "mine", ME, client_id="cid-1"))
    assert [(e.text, e.seq) for e in store.chats["a"].entries] == [("theirs", 1), ("mine", 2)]
    store.add_pending_message("a", "cid-1", "mine")  # a stale restore after the event: ignored
    assert len(store.chats["a"].entries) == 2


def test_a_refused_reply_stays_visible_as_failed() -> None:
    store, _ = store_with([summary("a", ChatState.TAKEN, 1, ME)], [])
    store.add_pending_message("a", "cid-1", "too late")
    store.mark_failed("a", "cid-1")
    assert store.chats["a"].entries[-1].delivery == Delivery.FAILED


def test_a_queued_chat_taken_by_a_colleague_leaves_the_queue_and_mine_joins_my_chats() -> None:
    store, log = store_with([], [summary("q1", ChatState.QUEUED, 1), summary("q2", ChatState.QUEUED, 2)])
    store.apply_event(state(11, "q1", 4, ChatState.TAKEN, BOB))
    store.apply_event(state(12, "q2", 4, ChatState.TAKEN, ME, n=2))
    assert not store.is_queued(store.chats["q1"])
    assert not store.is_mine(store.chats["q1"])
    assert store.is_mine(store.chats["q2"])
    assert ("chat_changed", "q1") in log.calls
    assert ("chat_changed", "q2") in log.calls


def test_new_queued_chats_are_created_from_events_but_other_agents_chats_are_not() -> None:
    store, log = store_with([], [])
    store.apply_event(state(11, "new", 1, ChatState.INCOMING, n=7))
    store.apply_event(state(12, "new", 2, ChatState.QUEUED, n=7))
    store.apply_event(state(13, "other", 5, ChatState.CLOSED, BOB, n=8))
    assert store.is_queued(store.chats["new"])
    assert store.chats["new"].visitor.number == 7
    assert "other" not in store.chats
    assert store.cursor == 13


def test_a_chat_queued_for_a_group_is_in_the_queue_of_its_members_only() -> None:
    store, _ = store_with([summary("mine", ChatState.TAKEN, 1, ME)], [])
    assert store.me is not None
    store.me.group_ids = ["sales"]
    sent_to_support = state(11, "mine", 4, ChatState.QUEUED, n=1).model_copy(update={"group_id": "support"})
    store.apply_event(sent_to_support)
    assert not store.is_mine(store.chats["mine"])
    assert not store.is_queued(store.chats["mine"])  # my transfer to another group: gone from my lists
    store.apply_event(state(12, "s", 1, ChatState.QUEUED, n=2).model_copy(update={"group_id": "sales"}))
    store.apply_event(state(13, "o", 1, ChatState.QUEUED, n=3).model_copy(update={"group_id": "support"}))
    store.apply_event(state(14, "all", 1, ChatState.QUEUED, n=4))
    assert [c for c in ("s", "o", "all") if store.is_queued(store.chats[c])] == ["s", "all"]
    # Re-queued for everyone (say, its group was deleted): in my queue again.
    store.apply_event(state(15, "o", 2, ChatState.QUEUED, n=3))
    assert store.is_queued(store.chats["o"])


def test_a_message_for_an_unknown_chat_asks_for_its_details() -> None:
    store, log = store_with([], [])
    store.apply_event(message(11, "mystery", 3, "hello?", vauthor(3)))
    assert ("chat_details_missing", "mystery") in log.calls
    store.upsert_summary(summary("mystery", ChatState.QUEUED, 3))
    assert store.chats["mystery"].visitor.number == 3
    assert store.chats["mystery"].details_known


def test_unread_counts_visitor_messages_outside_the_open_chat_only() -> None:
    store, _ = store_with(
        [summary("a", ChatState.TAKEN, 1, ME, 0), summary("b", ChatState.TAKEN, 2, ME, 0)], []
    )
    store.set_active_chat("a")
    store.apply_event(message(11, "a", 1, "seen", vauthor(1)))
    store.apply_event(message(12, "b", 1, "unseen", vauthor(2)))
    store.apply_event(message(13, "b", 2, "mine", ME))
    assert (store.chats["a"].unread, store.chats["b"].unread) == (0, 1)
    store.set_active_chat("b")
    assert store.chats["b"].unread == 0


def test_history_and_action_results_do_not_move_the_resume_cursor() -> None:
    store, _ = store_with([summary("a", ChatState.TAKEN, 1, ME, 0)], [], cursor=10)
    store.apply_event(message(50, "a", 1, "old page", vauthor(1)), live=False)
    store.apply_event(message(51, "a", 2, "my result", ME, client_id="x"), advance_cursor=False)
    assert store.cursor == 10
    store.apply_event(message(51, "a", 2, "my result", ME, client_id="x"))
    assert store.cursor == 51
    assert len(store.chats["a"].entries) == 2


def test_a_visitor_message_clears_the_sneak_peek() -> None:
    store, log = store_with([summary("a", ChatState.TAKEN, 1, ME, 0)], [])
    store.set_sneak_peek("a", "I want to ret")
    store.apply_event(message(11, "a", 1, "I want to return this", vauthor(1)))
    assert store.chats["a"].sneak_peek == ""
    assert [c for c in log.calls if c[0] == "sneak_peek_changed"] == [
        ("sneak_peek_changed", "a", "I want to ret"),
        ("sneak_peek_changed", "a", ""),
    ]


def test_a_new_snapshot_keeps_pending_replies_and_the_open_chat() -> None:
    store, log = store_with(
        [summary("a", ChatState.TAKEN, 1, ME, 0), summary("b", ChatState.TAKEN, 2, ME, 0)], []
    )
    store.set_active_chat("b")
    store.add_pending_message("a", "cid", "queued while offline")
    me = Me(agent_id="agent-1", email="a@x", name="Alice", role="agent", status=RoutingStatus.NOT_ACCEPTING)
    store.load_snapshot(Snapshot(cursor=99, me=me, my_chats=[], queue=[summary("q", ChatState.QUEUED, 3)]))
    assert set(store.chats) == {"a", "b", "q"}
    assert store.chats["a"].entries[-1].text == "queued while offline"
    assert store.cursor == 99
    assert store.status == RoutingStatus.NOT_ACCEPTING
    assert log.calls[-2:] == [("store_reset",), ("status_changed", RoutingStatus.NOT_ACCEPTING)]


def test_a_slow_summary_older_than_the_events_applied_does_not_undo_them() -> None:
    store, _ = store_with([], [summary("q", ChatState.QUEUED, 1, last_seq=3)])
    store.apply_event(state(11, "q", 4, ChatState.TAKEN, ME))
    store.upsert_summary(
        summary("q", ChatState.QUEUED, 1, last_seq=3)
    )  # a transcript page sent before the take
    assert store.is_mine(store.chats["q"])
    store.upsert_summary(summary("q", ChatState.CLOSED, 1, ME, last_seq=5))
    assert store.chats["q"].state == ChatState.CLOSED


def test_notes_and_ratings_join_the_transcript_but_not_the_preview_or_unread() -> None:
    from chat_protocol.models import NoteEvent, RatingEvent

    store, _ = store_with([summary("a", ChatState.TAKEN, 1, ME, 0)], [])
    store.apply_event(message(11, "a", 1, "hello", vauthor(1)))
    note = NoteEvent(
        event_id=12, chat_id="a", seq=2, audience="agents", created_at=T0, author=BOB, text="VIP"
    )
    rating = RatingEvent(
        event_id=13, chat_id="a", seq=3, created_at=T0, author=vauthor(1), rating="good", comment=""
    )
    store.apply_event(note)
    store.apply_event(rating)
    store.apply_event(note)
    chat = store.chats["a"]
    assert [(e.kind, e.text, e.rating) for e in chat.entries] == [
        ("message", "hello", None),
        ("note", "VIP", None),
        ("rating", "", "good"),
    ]
    assert chat.last_text == "hello"
    assert chat.unread == 1
    assert store.cursor == 13


def test_a_transferred_chat_names_the_colleague_who_wrote_last_never_you() -> None:
    store, _ = store_with([summary("c1", ChatState.TAKEN, 1, agent=ME)], [])
    store.apply_event(message(11, "c1", 4, "I'll hand you to billing", BOB))
    chat = store.chats["c1"]
    assert chat.last_by_me is False
    assert chat.last_author_name == "Bob"
    store.apply_event(message(12, "c1", 5, "Hello, billing here", ME))
    assert chat.last_by_me is True


def test_a_visitor_message_a_transcript_brought_first_is_still_new_when_it_arrives_live() -> None:
    """A chat transferred to me loads its transcript; a message the visitor sent meanwhile may be in it
    before the socket brings it. On the socket it is still new: unread, and reported (notified)."""
    store, _log = store_with([summary("c1", ChatState.TAKEN, 1, ME)], [], cursor=10)
    store.active_chat_id = None
    late = message(12, "c1", 4, "still there?", vauthor(1))
    page = TranscriptPage(
        chat=summary("c1", ChatState.TAKEN, 1, ME, last_seq=4),
        events=[late],
        has_more=False,
        next_after_seq=4,
    )
    store.apply_transcript_page(page)
    assert store.chats["c1"].unread == 0  # history is never unread
    assert store.apply_event(late) is True
    assert store.chats["c1"].unread == 1
    assert store.apply_event(late) is False  # once only
    assert store.apply_event(message(12, "c1", 4, "still there?", vauthor(1))) is False
    assert store.chats["c1"].unread == 1

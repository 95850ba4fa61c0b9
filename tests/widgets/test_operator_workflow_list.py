"""The operator's chat workflow in the window: status circles, notifications, switching, away.

The window runs over a real `ChatSession` that is never connected: events are applied to its store
as the socket would, and the few calls that need a server are replaced by recorders.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QPushButton, QSlider
from pytestqt.qtbot import QtBot

from chat_protocol import Author, AuthorKind, ChatState, RoutingStatus, VisitorInfo
from chat_protocol.models import ChatStateEvent, ChatSummary, MessageEvent
from chat_protocol.rest import Me, RoutingSettings, Snapshot
from chat_protocol.socket_payloads import ReadPush, VisitorPresencePush
from operator_app.net.network import Route
from operator_app.settings import SettingsFile
from operator_app.store.chat_list_model import ChatRole, Circle, MyChatsModel
from operator_app.store.chat_session import ChatSession
from operator_app.store.chat_state import ChatStore
from operator_app.store.idle_monitor import IdleMonitor
from operator_app.store.store_signals import SignalForwarder, StoreSignals
from operator_app.store.transcript_model import EntryRole
from operator_app.ui.main_window import MainWindow
from operator_app.ui.notifications import Notifier
from operator_app.ui.settings_dialog import SettingsDialog
from operator_app.ui.tray_icon import TrayIcon
from tests.widgets.fixtures import run

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ME = Author(kind=AuthorKind.AGENT, id="agent-1", name="Alice")
VISITOR = Author(kind=AuthorKind.VISITOR, id="v", name="")
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def summary(chat: str, n: int, state: ChatState = ChatState.TAKEN, **extra: Any) -> ChatSummary:
    return ChatSummary(
        chat_id=chat,
        state=state,
        visitor=VisitorInfo(visitor_id=f"v{n}", number=n),
        agent=ME if state == ChatState.TAKEN else None,
        created_at=T0 - timedelta(minutes=10 - n),
        queued_at=T0 - timedelta(minutes=10 - n),
        **extra,
    )


def message(event_id: int, chat: str, seq: int, text: str, author: Author, at: datetime = T0) -> MessageEvent:
    return MessageEvent(event_id=event_id, chat_id=chat, seq=seq, created_at=at, author=author, text=text)


def snapshot(*chats: ChatSummary, queue: tuple[ChatSummary, ...] = ()) -> Snapshot:
    me = Me(
        agent_id="agent-1", email="a@example.com", name="Alice", role="agent", status=RoutingStatus.ACCEPTING
    )
    return Snapshot(cursor=0, me=me, my_chats=list(chats), queue=list(queue), routing=RoutingSettings())


def store_with(*chats: ChatSummary) -> tuple[ChatStore, StoreSignals]:
    signals = StoreSignals()
    store = ChatStore(SignalForwarder(signals))
    store.load_snapshot(snapshot(*chats))
    return store, signals


# --- the model: circles, typing, stable order -----------------------------------------------


def test_circle_turns_orange_then_red_while_the_visitor_waits(qtbot: QtBot, qtmodeltester: Any) -> None:
    store, signals = store_with(summary("c1", 1), summary("c2", 2))
    clock = Clock()
    model = MyChatsModel(store, signals, clock=clock, tick_ms=60_000)
    model.wait_warning, model.wait_alarm = 10, 20
    qtmodeltester.check(model)
    store.apply_event(message(1, "c1", 1, "hello?", VISITOR, at=T0))
    circles = lambda: [model.index(r, 0).data(ChatRole.CIRCLE) for r in range(2)]  # noqa: E731
    assert circles() == ["normal", "normal"]

    changed: list[tuple[int, int, list[int]]] = []
    model.dataChanged.connect(lambda a, b, roles: changed.append((a.row(), b.row(), list(roles))))
    clock.now = T0 + timedelta(seconds=5)
    model.tick()
    assert changed == []  # nothing changed colour: nothing repainted
    clock.now = T0 + timedelta(seconds=11)
    model.tick()
    assert circles() == ["warning", "normal"]
    assert changed == [(0, 0, [ChatRole.CIRCLE])]  # only that row
    clock.now = T0 + timedelta(seconds=21)
    model.tick()
    assert circles() == ["alarm", "normal"]
    # My reply ends the wait.
    store.apply_event(message(2, "c1", 2, "Hi!", ME, at=T0 + timedelta(seconds=22)))
    assert circles() == ["normal", "normal"]
    qtmodeltester.check(model)


def test_circle_uses_the_servers_thresholds_by_default(qtbot: QtBot) -> None:
    store, signals = store_with(summary("c1", 1))
    store.routing = RoutingSettings(wait_warning=60, wait_alarm=120)
    clock = Clock()
    model = MyChatsModel(store, signals, clock=clock, tick_ms=60_000)
    store.apply_event(message(1, "c1", 1, "hello?", VISITOR, at=T0))
    clock.now = T0 + timedelta(seconds=61)
    assert model.index(0, 0).data(ChatRole.CIRCLE) == Circle.WARNING
    clock.now = T0 + timedelta(seconds=121)
    assert model.index(0, 0).data(ChatRole.CIRCLE) == Circle.ALARM


def test_circle_is_grey_when_the_visitor_is_inactive_or_left(qtbot: QtBot, qtmodeltester: Any) -> None:
    store, signals = store_with(summary("c1", 1), summary("c2", 2, visitor_presence="inactive"))
    model = MyChatsModel(store, signals, clock=Clock(), tick_ms=60_000)
    assert model.index(1, 0).data(ChatRole.CIRCLE) == "away"  # from the snapshot
    store.set_visitor_presence("c1", "left")
    assert model.index(0, 0).data(ChatRole.CIRCLE) == "away"
    store.set_visitor_presence("c2", "active")
    assert model.index(1, 0).data(ChatRole.CIRCLE) == "normal"
    qtmodeltester.check(model)


def test_rows_stay_put_and_new_chats_append(qtbot: QtBot, qtmodeltester: Any) -> None:
    store, signals = store_with(summary("c1", 1), summary("c2", 2))
    model = MyChatsModel(store, signals, tick_ms=60_000)
    moved: list[object] = []
    model.rowsMoved.connect(lambda *a: moved.append(a))
    model.rowsRemoved.connect(lambda *a: moved.append(a))
    store.apply_event(message(1, "c1", 1, "first", VISITOR))
    store.apply_event(message(2, "c2", 1, "second", VISITOR))
    assert [model.chat_id_at(r) for r in range(2)] == ["c1", "c2"]
    assert moved == []
    # A chat that is older than both but became mine now comes last.
    old = ChatStateEvent(
        event_id=3,
        chat_id="c0",
        seq=1,
        created_at=T0 - timedelta(hours=1),
        author=ME,
        state=ChatState.TAKEN,
        agent=ME,
        visitor=VisitorInfo(visitor_id="v0", number=9),
    )
    store.apply_event(old)
    assert [model.chat_id_at(r) for r in range(3)] == ["c1", "c2", "c0"]
    qtmodeltester.check(model)


def test_row_says_visitor_is_typing_while_a_sneak_peek_is_shown(qtbot: QtBot) -> None:
    store, signals = store_with(summary("c1", 1))
    model = MyChatsModel(store, signals, tick_ms=60_000)
    with qtbot.waitSignal(model.dataChanged):
        store.set_sneak_peek("c1", "I would like")
    assert model.index(0, 0).data(ChatRole.VISITOR_TYPING) is True
    store.set_sneak_peek("c1", "")
    assert model.index(0, 0).data(ChatRole.VISITOR_TYPING) is False


# --- the window ---------------------------------------------------------------------------


class Recorder:
    def __init__(self, session: ChatSession) -> None:
        self.statuses: list[RoutingStatus] = []
        self.marks: list[tuple[str, int]] = []
        self.session = session

    async def set_status(self, status: RoutingStatus) -> None:
        self.statuses.append(status)
        self.session.store.set_status(status)

    async def notify(self, action: str, payload: Any) -> None:
        if action == "mark_read":
            self.marks.append((payload.chat_id, payload.seq))


@pytest.fixture
def window(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Any:
    direct = Route(ssl_context=None, proxy=None, proxy_ssl_context=None)
    auth = SimpleNamespace(
        server_url="http://127.0.0.1:9", api=SimpleNamespace(ssl_context=None, route=direct)
    )
    session = ChatSession(auth, tmp_path)  # type: ignore[arg-type]
    session.store.load_snapshot(snapshot(summary("c1", 1), summary("c2", 2), summary("c3", 3)))
    recorder = Recorder(session)
    session.set_status = recorder.set_status  # type: ignore[method-assign]
    session.realtime.notify = recorder.notify  # type: ignore[method-assign]
    session.realtime._connected.set()
    settings = SettingsFile()
    win = MainWindow(session, settings)
    qtbot.addWidget(win)
    win.alerts.viewing = lambda chat_id: (  # type: ignore[method-assign]
        win.isActiveWindow() and session.store.active_chat_id == chat_id
    )
    played: list[str] = []
    win.notifier.played.connect(played.append)
    win.notifier.player = None
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    yield SimpleNamespace(win=win, session=session, store=session.store, played=played, rec=recorder)
    run(qloop, win.dispose())


def test_ctrl_number_switches_chats_and_drafts_are_kept(window: Any, qtbot: QtBot) -> None:
    win = window.win
    QTest.keyClick(win, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert win.current_chat_id() == "c2"
    win.chat_panel.composer.setPlainText("half a reply for two")
    QTest.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert win.current_chat_id() == "c3"
    assert win.chat_panel.composer.toPlainText() == ""
    QTest.keyClick(win, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert win.chat_panel.composer.toPlainText() == "half a reply for two"
    QTest.keyClick(win, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)  # no 9th chat: stays
    assert win.current_chat_id() == "c2"
    assert win.next_unread_action.shortcut().toString() == "Alt+Down"


def test_next_unread_jumps_to_the_chat_with_unread_messages(window: Any) -> None:
    win, store = window.win, window.store
    win.select_my_chat(0)
    store.apply_event(message(1, "c3", 1, "over here", VISITOR))
    QTest.keyClick(win, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert win.current_chat_id() == "c3"
    assert store.get("c3").unread == 0  # type: ignore[union-attr]


def test_sound_for_other_chats_but_not_for_the_one_being_read(window: Any) -> None:
    win, store, played = window.win, window.store, window.played
    win.select_my_chat(0)
    window.session.on_event(message(1, "c1", 1, "in the open chat", VISITOR))
    assert played == []
    window.session.on_event(message(2, "c2", 1, "in another chat", VISITOR))
    assert played == ["new_message"]
    window.session.on_event(message(2, "c2", 1, "in another chat", VISITOR))  # replayed: once only
    assert played == ["new_message"]
    assert store.get("c2").unread == 1  # type: ignore[union-attr]


def test_transfer_and_assignment_have_their_own_sounds(window: Any) -> None:
    session, played = window.session, window.played
    bob = Author(kind=AuthorKind.AGENT, id="agent-2", name="Bob")
    base = {"created_at": T0, "author": ME, "state": ChatState.TAKEN, "agent": ME}
    visitor = VisitorInfo(visitor_id="v7", number=7)
    session.on_event(
        ChatStateEvent(event_id=5, chat_id="t1", seq=3, transferred_from=bob, visitor=visitor, **base)
    )
    session.on_event(ChatStateEvent(event_id=6, chat_id="a1", seq=2, assigned=True, visitor=visitor, **base))
    session.on_event(
        ChatStateEvent(event_id=7, chat_id="q1", seq=1, created_at=T0, author=VISITOR, state=ChatState.QUEUED)
    )
    assert played == ["transfer", "assigned", "new_chat"]


def test_queue_reminder_repeats_until_taken_or_the_visitor_leaves(window: Any, qtbot: QtBot) -> None:
    win, session, played = window.win, window.session, window.played
    win.alerts.reminder_ms = 50
    queued = {"created_at": T0, "author": VISITOR, "state": ChatState.QUEUED}
    session.on_event(ChatStateEvent(event_id=7, chat_id="q1", seq=1, **queued))
    qtbot.waitUntil(lambda: played.count("queue_reminder") >= 3, timeout=3000)
    session.on_visitor_presence(VisitorPresencePush(chat_id="q1", presence="left"))
    count = played.count("queue_reminder")
    QTest.qWait(250)
    assert played.count("queue_reminder") == count
    assert not win.alerts.reminder.isActive()

    session.on_event(ChatStateEvent(event_id=8, chat_id="q2", seq=1, **queued))
    qtbot.waitUntil(lambda: played.count("queue_reminder") >= count + 2, timeout=3000)
    taken = ChatStateEvent(
        event_id=9, chat_id="q2", seq=2, created_at=T0, author=ME, state=ChatState.TAKEN, agent=ME
    )
    session.on_event(taken)
    count = played.count("queue_reminder")
    QTest.qWait(250)
    assert played.count("queue_reminder") == count


def test_queue_reminder_is_quiet_while_away(window: Any, qtbot: QtBot) -> None:
    win, session, played = window.win, window.session, window.played
    win.alerts.reminder_ms = 50
    session.store.status = RoutingStatus.AWAY
    queued = {"created_at": T0, "author": VISITOR, "state": ChatState.QUEUED}
    session.on_event(ChatStateEvent(event_id=7, chat_id="q1", seq=1, **queued))
    QTest.qWait(300)
    assert "queue_reminder" not in played
    session.store.status = RoutingStatus.ACCEPTING
    qtbot.waitUntil(lambda: "queue_reminder" in played, timeout=3000)


def test_mute_and_per_kind_settings_silence_sounds(window: Any) -> None:
    win, played = window.win, window.played
    win.settings.set("sound_new_message", False)
    assert win.notifier.play("new_message") is False
    assert win.notifier.play("new_chat") is True
    win.settings.set("sound_muted", True)
    assert win.notifier.play("new_chat") is False
    assert played == ["new_chat"]


def test_seen_after_the_visitors_read_push_and_mark_read_sent(window: Any, qtbot: QtBot) -> None:
    win, session, store = window.win, window.session, window.store
    win.select_my_chat(0)
    session.on_event(message(1, "c1", 1, "hello", VISITOR))
    session.on_event(message(2, "c1", 2, "Hi, how can I help?", ME))
    qtbot.waitUntil(lambda: ("c1", 2) in window.rec.marks, timeout=3000)
    model = win.transcript
    rows = {model.index(r, 0).data(): r for r in range(model.rowCount())}
    reply = model.index(rows["Hi, how can I help?"], 0)
    assert reply.data(EntryRole.DELIVERY) == "sent"
    with qtbot.waitSignal(model.dataChanged):
        session.on_read(ReadPush(chat_id="c1", reader=AuthorKind.VISITOR, seq=2))
    assert reply.data(EntryRole.DELIVERY) == "seen"
    assert store.get("c1").visitor_read_seq == 2  # type: ignore[union-attr]


def test_away_after_idle_and_back_on_input(window: Any, qtbot: QtBot) -> None:
    win, store, rec = window.win, window.store, window.rec
    ticks = [0.0]
    monitor: IdleMonitor = win.idle_monitor
    monitor.clock = lambda: ticks[0]
    monitor.idle_after = 600
    monitor.input_seen()
    ticks[0] = 599
    monitor.check()
    assert rec.statuses == []
    ticks[0] = 601
    monitor.check()
    qtbot.waitUntil(lambda: store.status == RoutingStatus.AWAY)
    switch = win.findChild(QPushButton, "statusSwitch")
    notice = win.findChild(QLabel, "awayNotice")
    assert "Away" in switch.text()
    assert notice.isVisible()
    assert "after 10 minutes" in notice.text()
    # Any mouse or key input in the app brings the previous status back.
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(5, 5),
        QPointF(5, 5),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(win.chat_list.viewport(), move)
    qtbot.waitUntil(lambda: store.status == RoutingStatus.ACCEPTING)
    assert rec.statuses == [RoutingStatus.AWAY, RoutingStatus.ACCEPTING]
    assert not notice.isVisible()


def test_idle_away_can_be_off(window: Any) -> None:
    monitor: IdleMonitor = window.win.idle_monitor
    monitor.idle_after = None
    monitor.clock = lambda: 10_000_000.0
    monitor.check()
    assert not monitor.is_idle


def test_tray_icon_counts_unread_and_shows_status(window: Any) -> None:
    win, session = window.win, window.session
    tray: TrayIcon = win.tray
    session.on_event(message(1, "c2", 1, "one", VISITOR))
    session.on_event(message(2, "c3", 1, "two", VISITOR))
    assert "3 chats, 2 unread, 0 in the queue" in tray.tooltip
    assert "Accepting chats" in tray.tooltip
    assert not tray.icon.isNull()


def test_settings_dialog_saves_each_choice(qtbot: QtBot) -> None:
    settings = SettingsFile()
    notifier = Notifier(settings)
    dialog = SettingsDialog(settings, notifier)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.objectName() == "settingsDialog"
    dialog.findChild(QSlider, "soundVolume").setValue(30)
    dialog.findChild(QCheckBox, "soundNewChat").setChecked(False)
    dialog.findChild(QCheckBox, "desktopNotifications").setChecked(False)
    dialog.language.setCurrentIndex(dialog.language.findData("ja"))
    again = SettingsFile()
    assert again.values.sound_volume == 30
    assert again.values.sound_new_chat is False
    assert again.values.desktop_notifications is False
    assert again.values.language == "ja"
    dialog.findChild(QCheckBox, "soundMuted").setChecked(True)
    assert not dialog.findChild(QCheckBox, "soundNewMessage").isEnabled()
    assert SettingsFile().values.sound_muted is True


def test_desktop_notification_only_when_the_window_is_not_in_front(window: Any) -> None:
    win, session = window.win, window.session
    shown: list[tuple[str, str]] = []
    win.notifier.notified.connect(lambda title, text: shown.append((title, text)))
    session.on_event(message(1, "c2", 1, "seen in the list", VISITOR))
    assert window.played == ["new_message"]
    assert shown == []  # the operator is looking at the app: the row's badge is enough
    win.isActiveWindow = lambda: False  # as when another application is in front
    session.on_event(message(2, "c3", 1, "<b>plain</b> text", VISITOR))
    assert shown == [("Visitor #3", "<b>plain</b> text")]


def test_settings_open_from_the_menu_and_the_language_menu_follows(window: Any) -> None:
    from PySide6.QtWidgets import QMenu

    win = window.win
    QTest.keyClick(win, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = win.settings_dialog
    assert dialog is not None
    assert dialog.isVisible()
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    menu = win.findChild(QMenu, "languageMenu")
    menu.aboutToShow.emit()
    assert [a.data() for a in menu.actions() if a.isChecked()] == ["en"]
    dialog.reject()
    assert win.settings_dialog is None


def test_mark_read_is_throttled_and_not_sent_for_my_own_replies(window: Any, qtbot: QtBot) -> None:
    win, session, marks = window.win, window.session, window.rec.marks
    win.select_my_chat(1)
    session.on_event(message(1, "c2", 1, "one", VISITOR))
    qtbot.waitUntil(lambda: marks == [("c2", 1)], timeout=2000)
    session.on_event(message(2, "c2", 2, "two", VISITOR))
    session.on_event(message(3, "c2", 3, "three", VISITOR))
    QTest.qWait(300)
    assert marks == [("c2", 1)]  # at most one a second...
    qtbot.waitUntil(lambda: marks == [("c2", 1), ("c2", 3)], timeout=2000)  # ...then the newest seq
    session.on_event(message(4, "c2", 4, "my answer", ME))
    QTest.qWait(1200)
    assert marks == [("c2", 1), ("c2", 3)]
    win.isActiveWindow = lambda: False  # not looking: nothing is marked read
    session.on_event(message(5, "c2", 5, "hello?", VISITOR))
    QTest.qWait(1200)
    assert marks == [("c2", 1), ("c2", 3)]

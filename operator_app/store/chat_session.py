"""The signed-in agent's live session: keeps `ChatStore` in sync and carries out user actions.

Start-up: snapshot over HTTP -> store (the app's window is built and drawn from it) -> `go_online`:
socket login -> resume from the snapshot's cursor -> outbox replay. Mutations (reply, take, close) go
through the outbox, so they survive a restart.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from chat_protocol import AuthorKind, ChatState, ChatStateEvent, RoutingStatus
from chat_protocol.models import AnyEvent, CallEvent
from chat_protocol.rest import AgentSummary, GroupInfo, OfflineMessage, Snapshot
from operator_app.errors import ApiError, RealtimeError
from operator_app.net.api import websocket_url
from operator_app.net.outbox import Outbox, OutboxDelivery, OutboxItem
from operator_app.net.realtime import ConnectionState, RealtimeConnection
from operator_app.net.session import AuthSession
from operator_app.store.attachments_service import AttachmentsService
from operator_app.store.call_controller import CallController
from operator_app.store.canned_cache import CACHE_FILE, CannedCache
from operator_app.store.canned_model import CannedRepliesModel
from operator_app.store.chat_state import ChatStore
from operator_app.store.preview_controller import PreviewController
from operator_app.store.store_signals import SignalForwarder, StoreSignals
from operator_app.store.tags_service import TagsService
from operator_app.store.transcript_pages import load_transcript
from operator_app.store.watching import Watching
from operator_app.tasks import BackgroundTasks

if TYPE_CHECKING:
    # The socket's models come with the first connection, once the window is shown.
    from chat_protocol.socket_payloads import (
        AgentLoginResult,
        ChatActionResult,
        PagePushResult,
        ReadPush,
        SneakPeekPush,
        StatusPush,
        TypingPush,
        VisitorPresencePush,
    )

    # Administration: imported when first asked for (`ChatSession.admin`).
    from operator_app.store.admin_service import AdminService

log = logging.getLogger(__name__)

TYPING_REFRESH_S = 3.0
TYPING_IDLE_S = 5.0
MARK_READ_EVERY_S = 1.0


class ChatSession:
    """Owns the store, the socket, the outbox and the REST session of one signed-in agent."""

    def __init__(
        self,
        auth: AuthSession,
        data_dir: Path,
        *,
        realtime_options: dict[str, Any] | None = None,
    ) -> None:
        self.auth = auth
        self.signals = StoreSignals()
        self.store = ChatStore(SignalForwarder(self.signals))
        self.tasks = BackgroundTasks()
        self._data_dir = data_dir
        self.realtime = RealtimeConnection(
            websocket_url(auth.server_url),
            self,
            self._token,
            ssl_context=auth.api.route.ssl_context,
            proxy=auth.api.route.proxy,
            proxy_ssl_context=auth.api.route.proxy_ssl_context,
            **(realtime_options or {}),
        )
        self.outbox: Outbox | None = None
        self.delivery: OutboxDelivery | None = None
        self.canned: CannedRepliesModel | None = None
        self.tags = TagsService(auth)
        self.attachments = AttachmentsService(auth, self.store)  # files sent into my chats
        self._history_tasks: dict[str, asyncio.Task[None]] = {}
        self._typing_sent: dict[str, float] = {}
        self._typing_stop: dict[str, asyncio.TimerHandle] = {}
        self._read_sent: dict[str, int] = {}
        self._read_timer: dict[str, asyncio.TimerHandle] = {}
        self._read_sent_at: dict[str, float] = {}
        self.signals.chat_details_missing.connect(self._load_details)
        # Supervision: the chats I watch live in a store of their own (never in my chat list).
        self.watching = Watching(auth, self.realtime, self.tasks)
        self.watch_signals = self.watching.signals
        self.watch_store = self.watching.store
        self.watch_events = self.watching.events
        self.watched = self.watching.chat_ids
        # 1:1 video calls: the controller gets the call pushes; the video widget drives the media.
        self.calls = CallController(self.realtime)
        self.realtime.on_call = self.calls.on_push
        self.previews = PreviewController(self.realtime)
        self.realtime.on_preview = self.previews.on_push
        self.realtime.on_ticket = self.signals.ticket_pushed.emit

    @property
    def connection_state(self) -> ConnectionState:
        return self.realtime.state

    # --- lifecycle --------------------------------------------------------------------------

    @functools.cached_property
    def admin(self) -> AdminService:
        """Administration, team and password changes (imported with the first dialog or view that asks)."""
        from operator_app.store.admin_service import AdminService

        return AdminService(self.auth)

    async def start(self, snapshot: Snapshot | None = None, *, online: bool = True) -> Snapshot:
        """Load the snapshot (unless given a fresh one), restore unsent replies, then connect (unless
        `online` is False: `go_online` then connects, once the caller's window is on screen)."""
        if snapshot is None:
            snapshot = await self.auth.snapshot()
        self.store.load_snapshot(snapshot)
        account = f"{self.auth.server_url}|{snapshot.me.agent_id}"
        self.outbox = Outbox(self._data_dir / "outbox.sqlite3", account)
        for item in self.outbox.pending():
            if item.action in ("send_message", "send_note"):
                created = datetime.fromtimestamp(item.created_at, UTC)
                text = str(item.payload.get("text", ""))
                note = item.action == "send_note"
                kind: Literal["message", "note"] = "note" if note else "message"
                self.store.add_pending_message(item.chat_id, item.client_id, text, created, kind=kind)
        self.canned = CannedRepliesModel(CannedCache(self._data_dir / CACHE_FILE, account), self.auth)
        self.canned.load_cached()
        if online:
            self.go_online()
        return snapshot

    def go_online(self) -> None:
        """The network side of `start` (once): the canned replies' refresh, the socket, the outbox's
        delivery."""
        if self.delivery is not None or self.outbox is None or self.canned is None:
            return
        self.tasks.spawn(self.canned.refresh_quietly(), name="canned-refresh")
        self.delivery = OutboxDelivery(self.outbox, self.realtime, self._on_delivered, self._on_refused)
        self.realtime.start()
        self.delivery.start()

    async def shutdown(self) -> None:
        """Stop the socket and the delivery, close the outbox and the HTTP client."""
        if self.calls.active and self.realtime.is_connected:
            await self.calls.hangup()
        for handle in [*self._typing_stop.values(), *self._read_timer.values()]:
            handle.cancel()
        self._typing_stop.clear()
        self._read_timer.clear()
        if self.delivery is not None:
            await self.delivery.stop()
        await self.realtime.stop()
        await self.tasks.cancel_all()
        await self.attachments.close()
        for task in self._history_tasks.values():
            task.cancel()
        if self.outbox is not None:
            self.outbox.close()
            self.outbox = None
        await self.auth.api.aclose()

    async def logout(self) -> None:
        await self.auth.logout()
        await self.shutdown()

    async def _token(self, force_refresh: bool) -> str:
        return await self.auth.access_token(force_refresh=force_refresh)

    # --- RealtimeListener -------------------------------------------------------------------

    def get_cursor(self) -> int:
        return self.store.cursor

    def on_logged_in(self, result: AgentLoginResult) -> None:
        self.store.set_status(result.status)

    def on_event(self, event: AnyEvent) -> None:
        if self._colleagues_chat(event):
            self.store.cursor = max(self.store.cursor, event.event_id)  # seen, but not one of my lists
        elif self.store.apply_event(event):
            self.signals.live_event.emit(event)
        self.watching.on_event(event)
        if isinstance(event, ChatStateEvent) and event.transferred_from is not None:
            self._transferred_to_me(event)
        if isinstance(event, CallEvent):
            self.calls.on_event(event)

    def _colleagues_chat(self, event: AnyEvent) -> bool:
        """A supervisor receives every event of the chats in scope: a message or note of a chat that
        is neither mine nor queued (no state event made it known) belongs to the supervised pane."""
        me = self.store.me
        if me is None or me.role not in ("supervisor", "admin") or isinstance(event, ChatStateEvent):
            return False
        return self.store.get(event.chat_id) is None

    def _transferred_to_me(self, event: ChatStateEvent) -> None:
        """A chat handed to me arrives with its whole transcript."""
        mine = event.agent is not None and event.agent.id == self.store.agent_id
        chat = self.store.get(event.chat_id)
        if mine and event.state == ChatState.TAKEN and chat is not None and not chat.history_loaded:
            self.tasks.spawn(self._load_history_quietly(event.chat_id), name=f"history-{event.chat_id}")

    async def _load_history_quietly(self, chat_id: str) -> None:
        try:
            await self.load_history(chat_id)
        except ApiError as exc:
            log.warning("could not load the transcript of %s: %s", chat_id, exc)

    def on_read(self, push: ReadPush) -> None:
        if push.reader == "visitor":
            self.store.set_visitor_read(push.chat_id, push.seq)

    def on_visitor_presence(self, push: VisitorPresencePush) -> None:
        self.store.set_visitor_presence(push.chat_id, push.presence)

    def on_sneak_peek(self, push: SneakPeekPush) -> None:
        self.store.set_sneak_peek(push.chat_id, push.text)
        self.watching.on_sneak_peek(push)

    def on_typing(self, push: TypingPush) -> None:
        log.debug("typing %s in %s: %s", push.author.kind, push.chat_id, push.typing)
        self.watching.on_typing(push)

    def on_status(self, push: StatusPush) -> None:
        self.store.set_status(push.status)

    def on_state(self, state: ConnectionState) -> None:
        self.signals.connection_state_changed.emit(state.value)

    async def resync(self) -> None:
        self.store.load_snapshot(await self.auth.snapshot())

    def on_resumed(self) -> None:
        if self.delivery is not None:
            self.delivery.kick()
        self.watching.on_resumed()

    def on_fatal(self, error: Exception) -> None:
        reason = "incompatible" if isinstance(error, RealtimeError) else "session_expired"
        self.signals.session_ended.emit(reason)

    # --- outbox outcomes --------------------------------------------------------------------

    def _on_delivered(self, item: OutboxItem, result: dict[str, Any]) -> None:
        from chat_protocol.socket_payloads import ChatActionResult, MessageResult, NoteResult

        if item.action == "send_message":
            self.store.apply_event(MessageResult.model_validate(result).event, advance_cursor=False)
        elif item.action == "send_note":
            self.store.apply_event(NoteResult.model_validate(result).event, advance_cursor=False)
        else:
            done = ChatActionResult.model_validate(result)
            self.store.apply_event(done.event, advance_cursor=False)
            self.store.upsert_summary(done.chat)
        self.signals.action_done.emit(item.action, item.chat_id)

    def _on_refused(self, item: OutboxItem, error: RealtimeError) -> None:
        if item.action in ("send_message", "send_note"):
            self.store.mark_failed(item.chat_id, item.client_id)
        self.signals.action_failed.emit(item.action, item.chat_id, error.code)

    # --- actions ----------------------------------------------------------------------------

    def _queue(self, action: str, payload: dict[str, Any]) -> str:
        if self.outbox is None:
            raise RuntimeError("the session is not started")
        self.outbox.add(action, payload)
        if self.delivery is not None:  # else it goes with the others once the session is online
            self.delivery.kick()
        return str(payload["client_id"])

    def send_message(self, chat_id: str, text: str) -> str:
        """Show the reply as sending and queue it; returns its client_id."""
        client_id = str(uuid.uuid4())
        self.set_typing(chat_id, False)
        self.store.add_pending_message(chat_id, client_id, text)
        return self._queue("send_message", {"chat_id": chat_id, "client_id": client_id, "text": text})

    def send_note(self, chat_id: str, text: str) -> str:
        """An internal note (agents only), shown as sending and queued like a reply; its client_id."""
        client_id = str(uuid.uuid4())
        self.store.add_pending_message(chat_id, client_id, text, kind="note")
        return self._queue("send_note", {"chat_id": chat_id, "client_id": client_id, "text": text})

    async def transfer_chat(
        self,
        chat_id: str,
        client_id: str,
        *,
        to_agent_id: str | None = None,
        to_group_id: str | None = None,
        note: str = "",
    ) -> ChatActionResult:
        """Hand a chat to a colleague or a group (needs the socket; raises `RealtimeError` when
        refused, e.g. `target_unavailable`). Not queued: whether the target can accept is decided now,
        and the caller keeps `client_id` for a retry, which the server makes idempotent."""
        from chat_protocol.socket_payloads import ChatActionResult, TransferRequest

        request = TransferRequest(
            chat_id=chat_id, client_id=client_id, to_agent_id=to_agent_id, to_group_id=to_group_id, note=note
        )
        done = ChatActionResult.model_validate(await self.realtime.request("transfer_chat", request))
        self.store.apply_event(done.event, advance_cursor=False)
        self.store.upsert_summary(done.chat)
        self.signals.action_done.emit("transfer_chat", chat_id)
        return done

    async def push_page(self, chat_id: str, client_id: str, url: str) -> PagePushResult:
        """Offer the visitor a page of the site (needs the socket; raises `RealtimeError`, e.g.
        `page_not_allowed`). The offer and the visitor's answer arrive as `page_push` events."""
        from chat_protocol.socket_payloads import PagePushResult
        from chat_protocol.traffic import PushPageRequest

        request = PushPageRequest(chat_id=chat_id, client_id=client_id, url=url)
        done = PagePushResult.model_validate(await self.realtime.request("push_page", request))
        self.store.apply_event(done.event, advance_cursor=False)
        return done

    # --- supervision (supervisors and admins; watching a chat: `watching`) --------------------

    async def take_over(self, chat_id: str) -> ChatActionResult:
        """Reassign a watched chat to me: it stops being watched and becomes one of my chats."""
        from chat_protocol.socket_payloads import ChatActionResult
        from chat_protocol.supervision import TakeOverRequest

        request = TakeOverRequest(chat_id=chat_id, client_id=str(uuid.uuid4()))
        done = ChatActionResult.model_validate(await self.realtime.request("take_over", request))
        self.store.upsert_summary(done.chat)
        self.store.apply_event(done.event, advance_cursor=False)
        self.watching.stop_watching(chat_id)
        self.signals.action_done.emit("take_over", chat_id)
        self.tasks.spawn(self._load_history_quietly(chat_id), name=f"history-{chat_id}")
        return done

    async def agents(self) -> list[AgentSummary]:
        return await self.auth.call(self.auth.api.list_agents)

    async def groups(self) -> list[GroupInfo]:
        return await self.auth.call(self.auth.api.list_groups)

    async def offline_messages(self) -> list[OfflineMessage]:
        return await self.auth.call(self.auth.api.list_offline_messages)

    def take_chat(self, chat_id: str) -> str:
        return self._queue("take_chat", {"chat_id": chat_id, "client_id": str(uuid.uuid4())})

    def close_chat(self, chat_id: str) -> str:
        return self._queue("close_chat", {"chat_id": chat_id, "client_id": str(uuid.uuid4())})

    async def set_status(self, status: RoutingStatus) -> None:
        """Ask the server to change my routing status (needs the socket)."""
        from chat_protocol.socket_payloads import SetStatusRequest, StatusPush

        result = await self.realtime.request("set_status", SetStatusRequest(status=status))
        self.store.set_status(StatusPush.model_validate(result).status)

    def set_typing(self, chat_id: str, typing: bool) -> None:
        """Throttled typing state: true at most every few seconds, false after a pause or a send."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        handle = self._typing_stop.pop(chat_id, None)
        if handle is not None:
            handle.cancel()
        if typing:
            last = self._typing_sent.get(chat_id)
            if last is None or now - last >= TYPING_REFRESH_S:
                self._typing_sent[chat_id] = now
                self._notify_typing(chat_id, True)
            self._typing_stop[chat_id] = loop.call_later(TYPING_IDLE_S, self.set_typing, chat_id, False)
        elif self._typing_sent.pop(chat_id, None) is not None:
            self._notify_typing(chat_id, False)

    def _notify_typing(self, chat_id: str, typing: bool) -> None:
        from chat_protocol.socket_payloads import AgentTypingRequest

        payload = AgentTypingRequest(chat_id=chat_id, typing=typing)
        self.tasks.spawn(self.realtime.notify("typing", payload), name="typing")

    def set_active_chat(self, chat_id: str | None) -> None:
        self.store.set_active_chat(chat_id)

    def mark_read(self, chat_id: str) -> None:
        """Tell the server I have read the chat up to its newest seq; at most once a second per chat."""
        chat = self.store.get(chat_id)
        if chat is None or not self.store.is_mine(chat) or chat.last_author != AuthorKind.VISITOR:
            return  # nothing new to the agent: my own reply needs no read receipt
        if chat.last_seq <= max(chat.agent_read_seq, self._read_sent.get(chat_id, 0)):
            return
        if chat_id in self._read_timer:
            return  # a send is already scheduled; it reads the newest seq when it runs
        loop = asyncio.get_running_loop()
        last = self._read_sent_at.get(chat_id)
        delay = 0.0 if last is None else max(0.0, MARK_READ_EVERY_S - (loop.time() - last))
        self._read_timer[chat_id] = loop.call_later(delay, self._send_mark_read, chat_id)

    def _send_mark_read(self, chat_id: str) -> None:
        from chat_protocol.socket_payloads import MarkReadRequest

        self._read_timer.pop(chat_id, None)
        chat = self.store.get(chat_id)
        if chat is None or not self.realtime.is_connected:
            return
        self._read_sent[chat_id] = chat.last_seq
        self._read_sent_at[chat_id] = asyncio.get_running_loop().time()
        payload = MarkReadRequest(chat_id=chat_id, seq=chat.last_seq)
        self.tasks.spawn(self.realtime.notify("mark_read", payload), name="mark-read")

    async def load_history(self, chat_id: str) -> None:
        """Fetch a chat's transcript pages (once at a time per chat) and merge them."""
        running = self._history_tasks.get(chat_id)
        if running is None or running.done():
            running = asyncio.create_task(self._fetch_history(chat_id), name=f"history-{chat_id}")
            self._history_tasks[chat_id] = running
        await asyncio.shield(running)

    async def _fetch_history(self, chat_id: str) -> None:
        await load_transcript(self.auth, self.store, chat_id)

    def _load_details(self, chat_id: str) -> None:
        self.tasks.spawn(self._fetch_details(chat_id), name=f"details-{chat_id}")

    async def _fetch_details(self, chat_id: str) -> None:
        try:
            page = await self.auth.transcript(chat_id, after_seq=0, limit=1)
        except ApiError as exc:
            log.warning("could not load chat %s: %s", chat_id, exc)
            return
        self.store.upsert_summary(page.chat)

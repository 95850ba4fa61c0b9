"""Supervision's live side (supervisors and admins): the teammates' chats I watch, in a store of their own
(never in my chat list), and what a supervisor sends into them (a whisper, joining, a message).

`ChatSession` owns one (`session.watching`) and hands it what the socket pushes. The socket's models
are imported by the calls that use them, after the first window.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from chat_protocol import AuthorKind
from operator_app.errors import ApiError, ConnectionLost, RealtimeError
from operator_app.net.realtime import RealtimeConnection
from operator_app.net.session import AuthSession
from operator_app.store.chat_state import ChatStore
from operator_app.store.store_signals import SignalForwarder, StoreSignals, WatchSignals
from operator_app.store.transcript_pages import load_transcript
from operator_app.tasks import BackgroundTasks

if TYPE_CHECKING:
    from chat_protocol.models import AnyEvent
    from chat_protocol.socket_payloads import SneakPeekPush, TypingPush
    from chat_protocol.supervision import SupervisedChat

log = logging.getLogger(__name__)


class Watching:
    """`watch_chat` / `stop_watching` a teammate's chat; `store` holds what I watch, `chat_ids` which."""

    def __init__(self, auth: AuthSession, realtime: RealtimeConnection, tasks: BackgroundTasks) -> None:
        self.auth = auth
        self.realtime = realtime
        self.tasks = tasks
        self.signals = StoreSignals()
        self.store = ChatStore(SignalForwarder(self.signals))
        self.events = WatchSignals()
        self.chat_ids: set[str] = set()

    # --- what the socket pushes -------------------------------------------------------------

    def on_event(self, event: AnyEvent) -> None:
        if event.chat_id in self.chat_ids:
            self.store.apply_event(event, advance_cursor=False)

    def on_sneak_peek(self, push: SneakPeekPush) -> None:
        if push.chat_id in self.chat_ids:
            self.store.set_sneak_peek(push.chat_id, push.text)

    def on_typing(self, push: TypingPush) -> None:
        if push.chat_id in self.chat_ids and push.author.kind == AuthorKind.AGENT:
            self.events.typing_changed.emit(push.chat_id, push.typing)

    def on_resumed(self) -> None:
        for chat_id in sorted(self.chat_ids):  # a new socket has no watches: ask again
            self.tasks.spawn(self._rewatch(chat_id), name=f"rewatch-{chat_id}")

    # --- what a supervisor does -------------------------------------------------------------

    async def supervised_chats(self) -> list[SupervisedChat]:
        return await self.auth.call(self.auth.api.supervised_chats)

    async def watch_chat(self, chat_id: str, watch: bool = True) -> None:
        """Start watching a teammate's chat (its transcript goes into `store`, with the sneak peek and
        the agent's typing), or stop. Raises `RealtimeError` when refused."""
        if not watch:
            self.stop_watching(chat_id)
            return
        await self._watch(chat_id)
        self.chat_ids.add(chat_id)
        self.events.watching_changed.emit(chat_id, True)
        await load_transcript(self.auth, self.store, chat_id)

    def stop_watching(self, chat_id: str) -> None:
        """Stop watching at once (the `watch_chat {watch: false}` request goes out in the background)."""
        from chat_protocol.supervision import WatchChatRequest

        if chat_id not in self.chat_ids:
            return
        self.chat_ids.discard(chat_id)
        self.events.watching_changed.emit(chat_id, False)
        if self.realtime.is_connected:
            request = WatchChatRequest(chat_id=chat_id, watch=False)
            self.tasks.spawn(self.realtime.notify("watch_chat", request), name=f"unwatch-{chat_id}")

    async def _watch(self, chat_id: str) -> None:
        from chat_protocol.supervision import WatchChatRequest, WatchChatResult

        result = await self.realtime.request("watch_chat", WatchChatRequest(chat_id=chat_id, watch=True))
        self.store.upsert_summary(WatchChatResult.model_validate(result).chat)

    async def _rewatch(self, chat_id: str) -> None:
        try:
            await self._watch(chat_id)
        except (RealtimeError, ApiError, ConnectionLost) as exc:
            log.warning("could not watch %s again: %s", chat_id, exc)

    async def whisper(self, chat_id: str, text: str) -> None:
        """A note only the agent (and supervisors) see, inside a watched chat."""
        from chat_protocol.socket_payloads import NoteResult
        from chat_protocol.supervision import WhisperRequest

        request = WhisperRequest(chat_id=chat_id, client_id=str(uuid.uuid4()), text=text)
        done = NoteResult.model_validate(await self.realtime.request("whisper", request))
        self.store.apply_event(done.event, advance_cursor=False)

    async def join_chat(self, chat_id: str) -> None:
        """Join a watched chat: afterwards `send_as_supervisor` writes to the visitor too."""
        from chat_protocol.socket_payloads import MessageResult
        from chat_protocol.supervision import JoinChatRequest

        request = JoinChatRequest(chat_id=chat_id, client_id=str(uuid.uuid4()))
        done = MessageResult.model_validate(await self.realtime.request("join_chat", request))
        self.store.apply_event(done.event, advance_cursor=False)

    async def send_as_supervisor(self, chat_id: str, text: str) -> None:
        """A message to the visitor of a chat I joined (not queued: the join may have lapsed)."""
        from chat_protocol.socket_payloads import MessageResult, SendMessageRequest

        request = SendMessageRequest(chat_id=chat_id, client_id=str(uuid.uuid4()), text=text)
        done = MessageResult.model_validate(await self.realtime.request("send_message", request))
        self.store.apply_event(done.event, advance_cursor=False)

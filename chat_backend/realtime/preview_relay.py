"""Live page preview (`chat_protocol.preview`): agents watch a chat's visitor page; the widget's
recording is relayed to them as ephemeral pushes, never stored.

An agent's `watch_preview` subscribes its socket to `Topic.preview(chat_id)` and asks the visitor's
widget to start (`preview_request`, asking the visitor first when the site's `preview` is `consent`);
`stop_preview`, or the socket closing, tells the widget to stop once no socket of this node watches
the chat any more. The visitor's `preview_frames` are checked (at most `PREVIEW_FRAME_BYTES` of events
per frame, `PREVIEW_BYTES_PER_SECOND` per visitor socket) and pushed to the watchers, droppable under
load; a frame refused over the caps is dropped, and the widget is asked for a fresh full snapshot,
while later frames are dropped until it comes."""

from __future__ import annotations

import json
import time
from typing import Any, Literal

from chat_backend.domain import ephemeral, preview
from chat_backend.realtime.connection import Connection
from chat_backend.realtime.hub import Topic
from chat_backend.realtime.rate_limit import TokenBucket
from chat_protocol import Envelope, ErrorCode
from chat_protocol import preview as pv

AGENT_PREVIEW_ACTIONS = ("watch_preview", "stop_preview")
VISITOR_PREVIEW_ACTIONS = ("preview_frames", "preview_state")
# How long a visitor socket trusts the chat it last looked up for its frames, in seconds.
CHAT_RECHECK_EVERY = 5.0
# Asks for a fresh snapshot at most this often, in seconds.
SNAPSHOT_ASK_EVERY = 1.0
FULL_SNAPSHOT = 2  # rrweb's EventType.FullSnapshot
Want = Literal["start", "snapshot", "stop"]


def _request(visitor_id: str, chat_id: str, want: Want, consent: bool = True) -> tuple[Topic, Envelope]:
    push = pv.PreviewRequestPush(chat_id=chat_id, want=want, consent=consent)
    return Topic.visitor(visitor_id), Envelope.push("preview_request", push)


async def agent_preview(
    conn: Connection, watching: dict[str, str], action: str, payload: Any, req_id: str | None
) -> None:
    """`watch_preview` / `stop_preview`; `watching` maps the socket's watched chats to their visitors."""
    assert conn.agent is not None
    assert isinstance(payload, pv.PreviewChatRequest)
    if action == "stop_preview":
        visitor_id = watching.pop(payload.chat_id, None)
        conn.hub.unsubscribe(Topic.preview(payload.chat_id), conn)
        if visitor_id is not None:
            stop_if_unwatched(conn, payload.chat_id, visitor_id)
        conn.send(Envelope.response(action, {}, req_id))
        return
    async with conn.db.read() as session:
        chat, site = await preview.watchable_chat(session, conn.agent.agent_id, payload.chat_id)
    watching[chat.id] = chat.visitor_id
    conn.hub.subscribe(Topic.preview(chat.id), conn)
    consent = site.preview == "consent"
    result = pv.WatchPreviewResult(chat_id=chat.id, consent=consent, origins=list(site.origins or []))
    conn.send(Envelope.response(action, result, req_id))
    want: Want = "snapshot" if payload.snapshot else "start"
    conn.hub.publish(*_request(chat.visitor_id, chat.id, want, consent))


def stop_if_unwatched(conn: Connection, chat_id: str, visitor_id: str) -> None:
    if not conn.hub.subscribers(Topic.preview(chat_id)):
        conn.hub.publish(*_request(visitor_id, chat_id, "stop"))


def agent_gone(conn: Connection, watching: dict[str, str]) -> None:
    """The agent socket closed (the hub has already dropped its subscriptions)."""
    for chat_id, visitor_id in watching.items():
        stop_if_unwatched(conn, chat_id, visitor_id)
    watching.clear()


class VisitorPreview:
    """A visitor socket's side: its chat, its byte budget, and whether it waits for a snapshot."""

    def __init__(self) -> None:
        self.bucket = TokenBucket(pv.PREVIEW_BURST_BYTES, pv.PREVIEW_BYTES_PER_SECOND)
        self.chat_id: str | None = None
        self.checked = -CHAT_RECHECK_EVERY
        self.awaiting_snapshot = False
        self.asked = -SNAPSHOT_ASK_EVERY

    async def _chat(self, conn: Connection) -> str | None:
        now = time.monotonic()
        if now - self.checked >= CHAT_RECHECK_EVERY:
            assert conn.visitor_id is not None
            async with conn.db.read() as session:
                chat = await ephemeral.chat_of_visitor_with_agent(session, conn.visitor_id)
            self.chat_id, self.checked = (chat.id if chat else None), now
        return self.chat_id

    async def handle(self, conn: Connection, action: str, payload: Any, req_id: str | None) -> None:
        chat_id = await self._chat(conn)
        assert conn.visitor_id is not None
        if chat_id is None:  # no chat with an agent (any more): the widget stops recording
            conn.send_ephemeral(_request(conn.visitor_id, "", "stop")[1])
            return
        if isinstance(payload, pv.PreviewStateRequest):
            push = pv.PreviewStatePush(chat_id=chat_id, state=payload.state)
            conn.hub.publish(Topic.preview(chat_id), Envelope.push("preview_state", push))
            return
        assert isinstance(payload, pv.PreviewFramesRequest)
        size = len(json.dumps(payload.events, separators=(",", ":")).encode()) + len(payload.piece.encode())
        if size > pv.PREVIEW_FRAME_BYTES:
            conn.send(
                Envelope.error(action, ErrorCode.FRAME_TOO_LARGE, "Preview frames are limited.", req_id)
            )
            self._drop(conn, chat_id)
            return
        full = payload.full or any(event.get("type") == FULL_SNAPSHOT for event in payload.events)
        if (self.awaiting_snapshot and not full) or self.bucket.take(size) is not None:
            self._drop(conn, chat_id)
            return
        if full:
            self.awaiting_snapshot = False
        frames = pv.PreviewPush(chat_id=chat_id, **payload.model_dump())
        conn.hub.push(Topic.preview(chat_id), Envelope.push("preview", frames))

    def _drop(self, conn: Connection, chat_id: str) -> None:
        """Frames are missing from now on: ask for a fresh snapshot (again at most once a second)."""
        now = time.monotonic()
        first, self.awaiting_snapshot = not self.awaiting_snapshot, True
        if first or now - self.asked >= SNAPSHOT_ASK_EVERY:
            self.asked = now
            assert conn.visitor_id is not None
            conn.send_ephemeral(_request(conn.visitor_id, chat_id, "snapshot")[1])

"""The agent's side of the live page preview (`chat_protocol.preview`): asks to watch a chat's visitor
page, hands the recording's frames to the preview pane in order (a batch too big for one frame comes
in pieces, joined here), and asks again for a full snapshot when a frame is missing. Nothing is kept
but the frames of the chat watched now, and only until the pane took them. No widgets here."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from chat_protocol.preview import WatchPreviewResult


log = logging.getLogger(__name__)

MAX_PIECES_CHARS = 4 * 1024 * 1024  # a joined snapshot bigger than this is dropped


class PreviewRequester(Protocol):
    async def request(
        self, action: str, payload: Any, *, answer_within: float | None = None
    ) -> dict[str, Any]: ...


class PreviewController(QObject):
    """Signals: ``started(chat_id, consent, origins)``; ``events(chat_id, list)`` rrweb events in
    order (after a gap, from a full snapshot on); ``state_changed(chat_id, state)``; ``stopped(chat_id)``."""

    started = Signal(str, bool, list)
    events = Signal(str, list)
    state_changed = Signal(str, str)
    stopped = Signal(str)

    def __init__(self, requester: PreviewRequester, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._requester = requester
        self.chat_id: str | None = None
        self.origins: list[str] = []
        self._seq = 0
        self._pieces: list[str] = []
        self._waiting_full = True

    async def watch(self, chat_id: str) -> WatchPreviewResult:
        from chat_protocol.preview import PreviewChatRequest, WatchPreviewResult

        if self.chat_id and self.chat_id != chat_id:
            await self.stop()
        self.chat_id, self._seq, self._pieces, self._waiting_full = chat_id, 0, [], True
        raw = await self._requester.request("watch_preview", PreviewChatRequest(chat_id=chat_id))
        result = WatchPreviewResult.model_validate(raw)
        self.origins = result.origins
        self.started.emit(chat_id, result.consent, result.origins)
        return result

    async def stop(self) -> None:
        from chat_protocol.preview import PreviewChatRequest

        chat_id, self.chat_id = self.chat_id, None
        if chat_id is None:
            return
        self.stopped.emit(chat_id)
        await self._requester.request("stop_preview", PreviewChatRequest(chat_id=chat_id))

    def on_push(self, action: str, payload: dict[str, Any]) -> None:
        chat_id = payload.get("chat_id")
        if not chat_id or chat_id != self.chat_id:
            return
        if action == "preview_state":
            self.state_changed.emit(chat_id, str(payload.get("state") or ""))
            return
        seq = payload.get("seq")
        if not isinstance(seq, int):
            return
        if payload.get("full"):  # a full snapshot (or its first piece) starts: all before it is moot
            self._waiting_full, self._pieces = False, []
        elif seq != self._seq + 1 and not self._waiting_full:
            # A frame was lost: wait for a fresh snapshot, and ask for one.
            log.info("preview frames missing (%s after %s)", seq, self._seq)
            self._waiting_full, self._pieces = True, []
            self.missing_frames()
        self._seq = seq
        if self._waiting_full:
            return
        piece = payload.get("piece")
        if isinstance(piece, str) and piece:
            self._pieces.append(piece)
            if sum(map(len, self._pieces)) > MAX_PIECES_CHARS:
                self._pieces, self._waiting_full = [], True
                return
            if not payload.get("last_piece", True):
                return
            try:
                events = json.loads("".join(self._pieces))
            except ValueError:
                events = []
            self._pieces = []
        else:
            events = payload.get("events")
        if isinstance(events, list) and events:
            self.events.emit(chat_id, events)

    def missing_frames(self) -> None:
        """Ask the widget for a full snapshot (`watch_preview` with `snapshot`)."""
        from chat_protocol.preview import PreviewChatRequest

        chat_id = self.chat_id
        if chat_id is None:
            return
        request = PreviewChatRequest(chat_id=chat_id, snapshot=True)
        task = asyncio.ensure_future(self._requester.request("watch_preview", request))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

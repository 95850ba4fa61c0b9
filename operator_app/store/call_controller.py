"""The agent's side of a 1:1 video call (`chat_protocol.calls`): a state machine over the socket.

It sends the call frames, follows the server's `call_state`, `call_signal` and `call_media` pushes
(and the durable `call` events, which survive a reconnect) and counts the connected time. It never
touches widgets: the video widget listens to its signals and drives the media engine.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from chat_protocol.models import CallEvent

if TYPE_CHECKING:
    from chat_protocol.calls import (
        CallInviteResult,
        CallMedia,
        CallSignal,
        CallStatePush,
        IceServer,
    )

log = logging.getLogger(__name__)

# Local states: `calling` (invite sent, not yet ringing), then the server's states; `idle` when none.
ACTIVE_STATES = ("calling", "ringing", "connecting", "connected", "reconnecting")
HANGUP_WITHIN_S = 3.0  # hanging up never waits long: the call ends here anyway


class CallRequester(Protocol):
    """What the controller needs of the socket (`RealtimeConnection`)."""

    async def request(
        self, action: str, payload: Any, *, answer_within: float | None = None
    ) -> dict[str, Any]: ...


class CallController(QObject):
    """One call at a time. Signals: ``state_changed(state)``; ``ended(reason, ended_by, duration_s)``;
    ``signal_received(CallSignal)`` (answer / ICE for the engine); ``offer_needed()`` when the visitor
    accepted (again after a page push: a fresh offer on a new peer connection); ``peer_dropped()`` when
    the visitor opens a pushed page (their peer connection is gone; the call waits for the new page);
    ``remote_media_changed(microphone, camera)``; ``local_media_changed(microphone, camera)``;
    ``duration_changed(seconds)`` every second while connected."""

    state_changed = Signal(str)
    ended = Signal(str, str, float)
    signal_received = Signal(object)
    offer_needed = Signal()
    peer_dropped = Signal()
    remote_media_changed = Signal(bool, bool)
    local_media_changed = Signal(bool, bool)
    duration_changed = Signal(int)

    def __init__(
        self,
        requester: CallRequester,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._requester = requester
        self._clock = clock
        self.state = "idle"
        self.chat_id: str | None = None
        self.call_id: str | None = None
        self.ice_servers: list[IceServer] = []
        self.microphone = True
        self.camera = True
        self.remote_microphone = True
        self.remote_camera = True
        self.end_reason: str | None = None
        self.ended_by: str | None = None
        self._connected_at: float | None = None
        self._offer_sent = False
        self._early: list[CallStatePush | CallSignal | CallMedia] = []
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)

    # --- queries ----------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    def duration(self) -> float:
        """Seconds connected so far (0 before `connected`)."""
        return 0.0 if self._connected_at is None else max(0.0, self._clock() - self._connected_at)

    # --- actions ----------------------------------------------------------------------------

    async def start(self, chat_id: str) -> CallInviteResult:
        """Ring the visitor of `chat_id`. Raises `RealtimeError` (`call_in_progress`,
        `visitor_offline`, `forbidden`...) or `ConnectionLost`; the controller is idle again then."""
        from chat_protocol.calls import CallInviteRequest, CallInviteResult

        if self.active:
            raise RuntimeError("a call is already running")
        self._reset()
        self.chat_id = chat_id
        self._set_state("calling")
        request = CallInviteRequest(chat_id=chat_id, client_id=uuid.uuid4().hex)
        try:
            result = CallInviteResult.model_validate(await self._requester.request("call_invite", request))
        except BaseException:
            self._early.clear()
            self.chat_id = None
            self._set_state("idle")
            raise
        self.call_id = result.call_id
        self.ice_servers = list(result.ice_servers)
        early, self._early = self._early, []
        for push in early:
            if push.call_id == result.call_id:
                self.on_push(push)
        return result

    async def hangup(self) -> None:
        """Cancel (before an answer) or hang up. Ends the call here even when the server is out of
        reach (it then ends the call itself after its grace period)."""
        from chat_protocol.calls import CallHangupRequest

        call_id = self.call_id
        if not self.active:
            return
        if call_id is None:  # the invite is still on its way: nothing to hang up on the server yet
            self._finish("cancelled", "agent")
            return
        try:
            await self._requester.request(
                "call_hangup", CallHangupRequest(call_id=call_id), answer_within=HANGUP_WITHIN_S
            )
        except Exception as exc:
            log.warning("hang up of %s failed: %r", call_id, exc)
        if self.call_id == call_id and self.active:
            reason = "hangup" if self.state in ("connected", "reconnecting", "connecting") else "cancelled"
            self._finish(reason, "agent")

    async def set_microphone(self, on: bool) -> None:
        await self.set_media(on, self.camera)

    async def set_camera(self, on: bool) -> None:
        await self.set_media(self.microphone, on)

    async def set_media(self, microphone: bool, camera: bool) -> None:
        """Tell the visitor whether my microphone and camera are on (`call_media`)."""
        from chat_protocol.calls import CallMedia

        self.microphone, self.camera = microphone, camera
        self.local_media_changed.emit(microphone, camera)
        if self.call_id is not None and self.active:
            media = CallMedia(call_id=self.call_id, microphone=microphone, camera=camera)
            await self._requester.request("call_media", media)

    async def send_signal(
        self,
        kind: str,
        *,
        sdp: str = "",
        candidate: str = "",
        sdp_mid: str | None = None,
        index: int | None = None,
    ) -> None:
        """Forward the engine's offer or ICE candidate to the visitor."""
        from chat_protocol.calls import CallSignal

        if self.call_id is None or not self.active:
            return
        signal = CallSignal.model_validate(
            {
                "call_id": self.call_id,
                "kind": kind,
                "sdp": sdp,
                "candidate": candidate,
                "sdp_mid": sdp_mid,
                "sdp_mline_index": index,
            }
        )
        await self._requester.request("call_signal", signal)

    async def report_media_state(self, state: str, detail: str = "") -> None:
        """The engine's view: `connected`, `reconnecting` or `failed` (the server ends the call)."""
        from chat_protocol.calls import CallStateReport

        if self.call_id is None or not self.active:
            return
        report = CallStateReport.model_validate({"call_id": self.call_id, "state": state, "detail": detail})
        try:
            await self._requester.request("call_state_report", report)
        except Exception:
            if state == "failed":
                self._finish("failed", "agent")
            raise

    def fail_locally(self, reason: str = "failed") -> None:
        """The media engine could not start: end the call here (the caller hangs up on the server)."""
        if self.active:
            self._finish(reason, "agent")

    # --- pushes and events ------------------------------------------------------------------

    def on_push(self, push: CallStatePush | CallSignal | CallMedia) -> None:
        """A `call_state`, `call_signal` or `call_media` push from the socket."""
        from chat_protocol.calls import CallSignal, CallStatePush

        if self.call_id is None:
            if self.state == "calling":
                self._early.append(push)  # arrived before the invite's answer
            return
        if push.call_id != self.call_id:
            log.debug("ignored a push of another call (%s)", push.call_id)
            return
        if isinstance(push, CallStatePush):
            self._apply_state(push)
        elif isinstance(push, CallSignal):
            if self.active:
                self.signal_received.emit(push)
        elif push.party != "agent":
            self.remote_microphone, self.remote_camera = push.microphone, push.camera
            self.remote_media_changed.emit(push.microphone, push.camera)

    def on_event(self, event: CallEvent) -> None:
        """A durable `call` event: an `ended` of my call ends it here too (a push lost in a reconnect)."""
        if event.call_id == self.call_id and event.state == "ended" and self.active:
            self._finish(event.reason or "disconnected", event.ended_by or "system", event.duration_s)

    def _apply_state(self, push: CallStatePush) -> None:
        if not self.active:
            return
        if push.state == "ended":
            self._finish(push.reason or "hangup", push.ended_by or "system", push.duration_s)
            return
        if push.state == "connected" and self._connected_at is None:
            self._connected_at = self._clock()
            self._ticker.start()
            self.duration_changed.emit(0)
        self._set_state(push.state)
        if push.state == "reconnecting" and push.page_push:
            self._offer_sent = False  # the pushed page's `connecting` asks for a fresh offer
            self.peer_dropped.emit()
        if push.state == "connecting" and not self._offer_sent:
            self._offer_sent = True
            self.offer_needed.emit()

    # --- internals --------------------------------------------------------------------------

    def _set_state(self, state: str) -> None:
        if state != self.state:
            log.info("call %s: %s -> %s", self.call_id or "-", self.state, state)
            self.state = state
            self.state_changed.emit(state)

    def _finish(self, reason: str, ended_by: str, duration: float | None = None) -> None:
        seconds = duration if duration is not None else self.duration()
        self._ticker.stop()
        self.end_reason, self.ended_by = reason, ended_by
        self._set_state("ended")
        self.ended.emit(reason, ended_by, float(seconds))

    def _reset(self) -> None:
        self._ticker.stop()
        self.call_id = None
        self.chat_id = None
        self.ice_servers = []
        self.microphone = self.camera = True
        self.remote_microphone = self.remote_camera = True
        self.end_reason = self.ended_by = None
        self._connected_at = None
        self._offer_sent = False
        self._early = []

    def _tick(self) -> None:
        self.duration_changed.emit(int(self.duration()))

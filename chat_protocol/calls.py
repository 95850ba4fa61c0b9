"""1:1 video calls between a chat's assigned agent and that chat's visitor (see docs/video.md).

Signalling travels over the existing sockets as ephemeral frames (never stored, never replayed) under a
`call_id` the server issues and that expires. Only the agent holding the chat and that chat's visitor
take part; anything else is refused (`forbidden`, or `not_found` for an unknown or stale `call_id`) and
nothing is forwarded. The server records the call's start and end as durable `call` events in the
transcript (`CallEvent` in `chat_protocol.models`).

Flow::

    agent   call_invite {chat_id}                -> res {call_id, expires_at, ice_servers}
    visitor <- push call_incoming {call_id, agent_name, recording_notice, ice_servers}
    visitor call_ringing {call_id}               -> agent <- call_state ringing
    visitor call_answer {call_id, accept}        -> both <- call_state connecting | ended(declined)
    agent   call_signal {kind offer, sdp}        -> visitor <- push call_signal
    visitor call_signal {kind answer, sdp}       -> agent <- push call_signal
    both    call_signal {kind ice, candidate}    -> the other side <- push call_signal
    either  call_state_report {state connected}  -> both <- call_state connected (first report only)
    either  call_media {microphone, camera}      -> the other side <- push call_media
    either  call_hangup {call_id}                -> both <- call_state ended(hangup, ended_by)

A call survives a page push the visitor accepted (`answer_page_push` with `accept`): both sides get
`call_state reconnecting` with `page_push` set (the agent drops its peer connection, keeping its
devices); the pushed page's widget logs in naming the call (`reloaded_call_id`) and, once its socket
is registered, both get `call_state connecting` for the same call: the agent makes a fresh offer on a
new peer connection and the call goes on (`connected`, one call in the transcript). A pushed page
that does not log in within `PAGE_PUSH_GRACE_S` ends the call as `disconnected`.

The agent makes the WebRTC offer (after `connecting`); the visitor answers. Ending: the agent cancels
before an answer (`cancelled`), the visitor declines (`declined`), nobody answers within
`RING_TIMEOUT_S` (`no_answer`), either hangs up (`hangup`), the visitor's page is reloaded (a new
visitor login while a call runs, other than the page of an accepted page push: `page_reloaded`), a
socket of either side closes and does not come back within `DISCONNECT_GRACE_S` (`disconnected`;
after an accepted page push, within `PAGE_PUSH_GRACE_S`), either side reports media failure
(`failed`), or the chat is closed or transferred (`chat_ended`).
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from chat_protocol.base import ProtocolModel
from chat_protocol.models import MAX_NAME_CHARS

RING_TIMEOUT_S = 45
DISCONNECT_GRACE_S = 10
PAGE_PUSH_GRACE_S = 15
MAX_SDP_CHARS = 20_000
MAX_CANDIDATE_CHARS = 1_000
MAX_NOTICE_CHARS = 500

CallStateName = Literal["ringing", "connecting", "connected", "reconnecting", "ended"]
CallEndReason = Literal[
    "declined",
    "no_answer",
    "cancelled",
    "hangup",
    "page_reloaded",
    "disconnected",
    "failed",
    "chat_ended",
]
CallParty = Literal["agent", "visitor", "system"]


class IceServer(ProtocolModel):
    """A STUN or TURN server as `RTCPeerConnection` takes it (`urls` like `stun:host:3478`)."""

    urls: list[str] = Field(min_length=1, max_length=8)
    username: str = Field(default="", max_length=256)
    credential: str = Field(default="", max_length=256)


# --- agent socket ------------------------------------------------------------------------------


class CallInviteRequest(ProtocolModel):
    """Ring the visitor of a chat I hold. One call per chat at a time (else `call_in_progress`); the
    visitor must be connected (else `visitor_offline`). A retry with the same `client_id` returns the
    same call while it runs."""

    chat_id: str
    client_id: str = Field(min_length=8, max_length=64)


class CallInviteResult(ProtocolModel):
    call_id: str
    chat_id: str
    expires_at: datetime = Field(description="The invitation's ring timeout; after it: `no_answer`.")
    ice_servers: list[IceServer] = Field(default_factory=list)


# --- visitor socket ----------------------------------------------------------------------------


class CallIncomingPush(ProtocolModel):
    """An agent calls (push `call_incoming` to the visitor). `recording_notice`, when not empty, must be
    shown before the visitor accepts. `agent_name` is plain text."""

    call_id: str
    chat_id: str
    agent_name: str = Field(max_length=MAX_NAME_CHARS)
    expires_at: datetime
    recording_notice: str = Field(default="", max_length=MAX_NOTICE_CHARS)
    ice_servers: list[IceServer] = Field(default_factory=list)


class CallRingingRequest(ProtocolModel):
    """The widget shows the incoming call."""

    call_id: str


class CallAnswerRequest(ProtocolModel):
    """Accept or decline the incoming call."""

    call_id: str
    accept: bool


# --- both sockets ------------------------------------------------------------------------------


class CallSignal(ProtocolModel):
    """WebRTC signalling, forwarded as is to the other party (request and push `call_signal`).
    `offer` and `answer` carry `sdp`; `ice` carries `candidate` (empty: end of candidates)."""

    call_id: str
    kind: Literal["offer", "answer", "ice"]
    sdp: str = Field(default="", max_length=MAX_SDP_CHARS)
    candidate: str = Field(default="", max_length=MAX_CANDIDATE_CHARS)
    sdp_mid: str | None = Field(default=None, max_length=64)
    sdp_mline_index: int | None = Field(default=None, ge=0, le=16)


class CallMedia(ProtocolModel):
    """My microphone and camera are on or off (request and push `call_media`; the push says whose)."""

    call_id: str
    microphone: bool
    camera: bool
    party: CallParty | None = Field(default=None, description="Set by the server on the push.")


class CallStateReport(ProtocolModel):
    """My media state: `connected` (first media flowing), `reconnecting` (ICE lost, trying again) or
    `failed` (gave up: ends the call with reason `failed`)."""

    call_id: str
    state: Literal["connected", "reconnecting", "failed"]
    detail: str = Field(default="", max_length=200)


class CallHangupRequest(ProtocolModel):
    """End the call: the agent before an answer cancels, anyone after it hangs up."""

    call_id: str


class CallStatePush(ProtocolModel):
    """The call's state as the server sees it (push `call_state` to both parties)."""

    call_id: str
    chat_id: str
    state: CallStateName
    reason: CallEndReason | None = None
    ended_by: CallParty | None = None
    duration_s: float | None = Field(default=None, description="Connected time, once ended.")
    page_push: bool = Field(
        default=False,
        description="With `reconnecting`: the visitor opens a pushed page; the call resumes "
        "(`connecting`, a fresh offer) when that page's widget logs in.",
    )


class CallOk(ProtocolModel):
    """The server accepted the frame (and forwarded it)."""


# --- REST --------------------------------------------------------------------------------------


class CallSettings(ProtocolModel):
    """`GET/PUT /api/v1/settings/calls` (admins): STUN/TURN servers (none needed on a LAN) and the
    recording notice shown to visitors before a call connects (empty: none)."""

    ice_servers: list[IceServer] = Field(default_factory=list, max_length=8)
    recording_notice_enabled: bool = False
    recording_notice: str = Field(default="", max_length=MAX_NOTICE_CHARS)

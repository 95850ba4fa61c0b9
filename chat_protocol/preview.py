"""Live preview of the visitor's page: the agent asks to watch (`watch_preview`), the widget records
the page with rrweb (after the visitor's consent where the site asks for it) and sends bounded chunks
of events (`preview_frames`), which the server relays to the watching agents as `preview` pushes.

Nothing of a preview is stored: the frames are ephemeral pushes, dropped first under load; a drop (a
gap in `seq` seen by the app, or frames the server refuses over the caps) makes the widget send a
fresh full snapshot."""

from typing import Any, Literal

from pydantic import Field

from chat_protocol.base import ProtocolModel
from chat_protocol.bounds import DbInt

PreviewMode = Literal["consent", "allowed", "off"]
PreviewState = Literal["asking", "recording", "declined", "stopped", "unavailable"]

# One `preview_frames` frame's events, as JSON, in bytes (the widget batches under it).
PREVIEW_FRAME_BYTES = 48 * 1024
# Events in one frame.
PREVIEW_FRAME_EVENTS = 2000
# A visitor's preview bytes: this many at once, refilled at `PREVIEW_BYTES_PER_SECOND`.
PREVIEW_BURST_BYTES = 512 * 1024
PREVIEW_BYTES_PER_SECOND = 96 * 1024


class PreviewChatRequest(ProtocolModel):
    """`watch_preview` / `stop_preview` (the chat's holder, or a supervisor with it in scope).
    `snapshot`: the app missed frames and wants a fresh full snapshot."""

    chat_id: str = Field(max_length=36)
    snapshot: bool = False


class WatchPreviewResult(ProtocolModel):
    chat_id: str
    consent: bool = Field(description="The visitor is asked first (the site's `preview` is `consent`).")
    origins: list[str] = Field(
        default_factory=list, description="The site's origins: the only ones the app loads images from."
    )


class PreviewRequestPush(ProtocolModel):
    """To the visitor's widget: start (asking first when `consent`), send a full snapshot, or stop."""

    chat_id: str
    want: Literal["start", "snapshot", "stop"]
    consent: bool = True


class PreviewFramesRequest(ProtocolModel):
    """Visitor: a chunk of rrweb events (at most `PREVIEW_FRAME_BYTES` of JSON, checked by the server).
    `seq` counts the widget's frames of this recording, so the app sees a gap. A batch too big for one
    frame (a full snapshot of a large page) goes as its JSON text in `piece`s over consecutive frames,
    the last with `last_piece`. `full`: the frame starts a full snapshot."""

    seq: DbInt
    events: list[dict[str, Any]] = Field(default_factory=list, max_length=PREVIEW_FRAME_EVENTS)
    piece: str = Field(default="", max_length=PREVIEW_FRAME_BYTES)
    last_piece: bool = True
    full: bool = False


class PreviewStateRequest(ProtocolModel):
    """Visitor: the preview is being asked, records, was declined or stopped."""

    state: PreviewState


class PreviewPush(ProtocolModel):
    """To the watching agents: a chunk of the visitor's page recording (ephemeral, never stored)."""

    chat_id: str
    seq: DbInt
    events: list[dict[str, Any]] = Field(default_factory=list)
    piece: str = ""
    last_piece: bool = True
    full: bool = False


class PreviewStatePush(ProtocolModel):
    """To the watching agents: the preview's state as the visitor's widget tells it."""

    chat_id: str
    state: PreviewState


__all__ = [
    "PREVIEW_BURST_BYTES",
    "PREVIEW_BYTES_PER_SECOND",
    "PREVIEW_FRAME_BYTES",
    "PREVIEW_FRAME_EVENTS",
    "PreviewChatRequest",
    "PreviewFramesRequest",
    "PreviewMode",
    "PreviewPush",
    "PreviewRequestPush",
    "PreviewState",
    "PreviewStatePush",
    "PreviewStateRequest",
    "WatchPreviewResult",
]

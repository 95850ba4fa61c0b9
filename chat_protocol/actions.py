"""The catalogue of socket actions: who sends what, with which payload model.

Both the server (to validate requests) and `docgen` (to write docs/protocol.md) read it.
"""

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from chat_protocol import calls as c
from chat_protocol import preview as pv
from chat_protocol import socket_payloads as p
from chat_protocol import supervision as s
from chat_protocol import tickets as tk
from chat_protocol import traffic as t

Socket = Literal["agent", "visitor"]


@dataclass(frozen=True)
class Action:
    socket: Socket
    name: str
    kind: Literal["req", "push"]
    payload: type[BaseModel]
    result: type[BaseModel] | None
    summary: str


ACTIONS: tuple[Action, ...] = (
    Action("agent", "login", "req", p.AgentLoginRequest, p.AgentLoginResult, "First frame, within 10 s."),
    Action("agent", "ping", "req", p.Empty, p.Empty, "Answered with `res` action `pong`. Every 20 s."),
    Action(
        "agent", "resume", "req", p.ResumeRequest, p.Resumed, "Replay after the cursor, or `resync_required`."
    ),
    Action("agent", "send_message", "req", p.SendMessageRequest, p.MessageResult, "Reply in a chat I hold."),
    Action("agent", "take_chat", "req", p.ChatActionRequest, p.ChatActionResult, "Take a queued chat."),
    Action("agent", "close_chat", "req", p.ChatActionRequest, p.ChatActionResult, "Close a chat I hold."),
    Action("agent", "typing", "req", p.AgentTypingRequest, None, "I am typing in a chat (ephemeral)."),
    Action("agent", "set_status", "req", p.SetStatusRequest, p.StatusPush, "Accepting / not accepting."),
    Action("agent", "send_note", "req", p.SendNoteRequest, p.NoteResult, "Internal note (agents only)."),
    Action("agent", "transfer_chat", "req", p.TransferRequest, p.ChatActionResult, "To an agent or a group."),
    Action("agent", "mark_read", "req", p.MarkReadRequest, None, "I have read up to seq."),
    Action("agent", "watch_traffic", "req", t.WatchTrafficRequest, p.Empty, "Start/stop `traffic` deltas."),
    Action("agent", "invite_visitor", "req", t.InviteRequest, t.InviteResult, "Invite a visitor to chat."),
    Action("agent", "push_page", "req", t.PushPageRequest, p.PagePushResult, "Offer a page of the site."),
    Action("agent", "watch_chat", "req", s.WatchChatRequest, s.WatchChatResult, "Watch a supervised chat."),
    Action("agent", "whisper", "req", s.WhisperRequest, p.NoteResult, "A note to the agent (supervisors)."),
    Action("agent", "join_chat", "req", s.JoinChatRequest, p.MessageResult, "Join to write to the visitor."),
    Action("agent", "take_over", "req", s.TakeOverRequest, p.ChatActionResult, "Reassign the chat to me."),
    Action("agent", "call_invite", "req", c.CallInviteRequest, c.CallInviteResult, "Ring my chat's visitor."),
    Action("agent", "call_signal", "req", c.CallSignal, c.CallOk, "Offer / ICE to the visitor."),
    Action("agent", "call_media", "req", c.CallMedia, c.CallOk, "My microphone / camera on or off."),
    Action("agent", "call_state_report", "req", c.CallStateReport, c.CallOk, "Media connected / lost."),
    Action("agent", "call_hangup", "req", c.CallHangupRequest, c.CallOk, "Cancel or hang up."),
    Action("agent", "watch_preview", "req", pv.PreviewChatRequest, pv.WatchPreviewResult, "Watch the page."),
    Action("agent", "stop_preview", "req", pv.PreviewChatRequest, p.Empty, "Stop watching the page."),
    Action("agent", "event", "push", p.EventPush, None, "A durable event I may see."),
    Action("agent", "sneak_peek", "push", p.SneakPeekPush, None, "What the visitor types (ephemeral)."),
    Action("agent", "typing", "push", p.TypingPush, None, "Typing state (ephemeral)."),
    Action("agent", "status", "push", p.StatusPush, None, "My routing status changed."),
    Action("agent", "read", "push", p.ReadPush, None, "The visitor read up to seq."),
    Action("agent", "visitor_presence", "push", p.VisitorPresencePush, None, "Visitor active/inactive/left."),
    Action("agent", "traffic", "push", t.TrafficDelta, None, "Live list changes (while watching)."),
    Action("agent", "call_state", "push", c.CallStatePush, None, "My call's state changed."),
    Action("agent", "ticket", "push", tk.TicketPush, None, "A ticket I see is new, got a reply, or changed."),
    Action("agent", "call_signal", "push", c.CallSignal, None, "Answer / ICE from the visitor."),
    Action("agent", "call_media", "push", c.CallMedia, None, "The visitor's microphone / camera."),
    Action("agent", "preview", "push", pv.PreviewPush, None, "The visitor's page recording (ephemeral)."),
    Action("agent", "preview_state", "push", pv.PreviewStatePush, None, "The preview's state."),
    Action(
        "visitor", "login", "req", p.VisitorLoginRequest, p.VisitorLoginResult, "First frame, within 10 s."
    ),
    Action("visitor", "ping", "req", p.Empty, p.Empty, "Answered with `res` action `pong`."),
    Action("visitor", "resume", "req", p.ResumeRequest, p.Resumed, "Replay after the cursor."),
    Action("visitor", "transcript", "req", p.VisitorTranscriptRequest, p.VisitorTranscript, "My open chat."),
    Action("visitor", "send_message", "req", p.VisitorSendRequest, p.MessageResult, "Opens a chat if none."),
    Action("visitor", "sneak_peek", "req", p.VisitorSneakPeekRequest, None, "Throttled; empty = stopped."),
    Action("visitor", "close_chat", "req", p.VisitorCloseRequest, p.ChatActionResult, "End my chat."),
    Action("visitor", "rate_chat", "req", p.VisitorRateRequest, p.RatingResult, "Good/bad with a comment."),
    Action("visitor", "mark_read", "req", p.MarkReadRequest, None, "I have read up to seq."),
    Action("visitor", "activity", "req", p.VisitorActivityRequest, None, "Tab active or hidden."),
    Action("visitor", "offline_message", "req", p.OfflineMessageRequest, p.OfflineMessageResult, "No agent."),
    Action(
        "visitor",
        "email_transcript",
        "req",
        p.EmailTranscriptRequest,
        p.EmailTranscriptResult,
        "E-mail me the transcript.",
    ),
    Action("visitor", "page_view", "req", t.PageView, None, "Single-page-app navigation."),
    Action("visitor", "identify", "req", t.IdentifyRequest, None, "`identify()` from the site."),
    Action("visitor", "custom_data", "req", t.CustomDataRequest, None, "`setCustomData()` from the site."),
    Action("visitor", "cart", "req", t.Cart, None, "`setCart()` from the site."),
    Action("visitor", "dismiss_invitation", "req", t.InvitationAnswerRequest, None, "Close a greeting."),
    Action(
        "visitor", "answer_page_push", "req", t.PagePushAnswerRequest, p.PagePushResult, "Open it or not."
    ),
    Action("visitor", "call_ringing", "req", c.CallRingingRequest, c.CallOk, "The call is shown."),
    Action("visitor", "call_answer", "req", c.CallAnswerRequest, c.CallOk, "Accept or decline."),
    Action("visitor", "call_signal", "req", c.CallSignal, c.CallOk, "Answer / ICE to the agent."),
    Action("visitor", "call_media", "req", c.CallMedia, c.CallOk, "My microphone / camera on or off."),
    Action("visitor", "call_state_report", "req", c.CallStateReport, c.CallOk, "Media connected / lost."),
    Action("visitor", "call_hangup", "req", c.CallHangupRequest, c.CallOk, "Hang up."),
    Action("visitor", "preview_frames", "req", pv.PreviewFramesRequest, None, "Page recording (ephemeral)."),
    Action("visitor", "preview_state", "req", pv.PreviewStateRequest, None, "Asking, recording, declined..."),
    Action("visitor", "event", "push", p.EventPush, None, "A durable event of my chat (audience `all`)."),
    Action("visitor", "typing", "push", p.TypingPush, None, "The agent is typing (ephemeral)."),
    Action("visitor", "read", "push", p.ReadPush, None, "The agent read up to seq."),
    Action("visitor", "queue_position", "push", p.QueuePositionPush, None, "Place in the queue."),
    Action("visitor", "availability", "push", p.AvailabilityPush, None, "Agents available or not."),
    Action("visitor", "invitation", "push", t.InvitationPush, None, "A greeting from an agent or a rule."),
    Action("visitor", "call_incoming", "push", c.CallIncomingPush, None, "An agent calls."),
    Action("visitor", "call_state", "push", c.CallStatePush, None, "The call's state changed."),
    Action("visitor", "call_signal", "push", c.CallSignal, None, "Offer / ICE from the agent."),
    Action("visitor", "call_media", "push", c.CallMedia, None, "The agent's microphone / camera."),
    Action("visitor", "preview_request", "push", pv.PreviewRequestPush, None, "Start, snapshot or stop."),
)


def request_model(socket: Socket, action: str) -> type[BaseModel] | None:
    """The payload model of a client request, or None if the action is unknown."""
    for entry in ACTIONS:
        if entry.socket == socket and entry.name == action and entry.kind == "req":
            return entry.payload
    return None

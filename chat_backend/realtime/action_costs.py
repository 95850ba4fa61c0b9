"""What each socket request costs in its user's frame budget (`Settings.frame_burst`, refilled at
`Settings.frame_rate` tokens a second, across all of the user's sockets).

Every request action of `chat_protocol.actions` is listed (a unit test checks it): 1 for a frame that is
cheap to answer or whose write is coalesced, more for one that writes, reads a lot or fans out. A frame
that is not a valid request is answered with an error and costs `INVALID_FRAME_COST`."""

from __future__ import annotations

from chat_protocol.actions import Socket

INVALID_FRAME_COST = 1.0

ACTION_COSTS: dict[Socket, dict[str, float]] = {
    "agent": {
        "login": 1,  # a second login on a logged-in socket (refused)
        "ping": 1,
        "resume": 5,  # replays up to `max_replay` events
        "send_message": 1,
        "take_chat": 1,
        "close_chat": 1,
        "typing": 1,
        "set_status": 2,
        "send_note": 1,
        "transfer_chat": 2,
        "mark_read": 1,  # coalesced write
        "watch_traffic": 2,
        "invite_visitor": 2,
        "push_page": 2,
        "watch_chat": 2,
        "whisper": 1,
        "join_chat": 2,
        "take_over": 2,
        "call_invite": 5,
        "call_signal": 1,
        "call_media": 1,
        "call_state_report": 1,
        "call_hangup": 1,
        "watch_preview": 2,
        "stop_preview": 1,
    },
    "visitor": {
        "login": 1,
        "ping": 1,
        "resume": 5,
        "transcript": 5,  # a page of up to 500 events
        "send_message": 1,
        "sneak_peek": 1,  # the widget sends about 5 a second while typing
        "close_chat": 1,
        "rate_chat": 2,
        "mark_read": 1,  # coalesced write
        "activity": 1,  # coalesced write
        "offline_message": 5,  # also limited per IP and per site
        "email_transcript": 5,  # also limited per IP and per site
        "page_view": 1,
        "identify": 2,
        "custom_data": 2,
        "cart": 2,
        "dismiss_invitation": 2,
        "answer_page_push": 2,
        "call_ringing": 1,
        "call_answer": 1,
        "call_signal": 1,
        "call_media": 1,
        "call_state_report": 1,
        "call_hangup": 1,
        "preview_frames": 1,  # about 5-10 a second while recording; its bytes have their own cap
        "preview_state": 1,
    },
}


def action_cost(socket: Socket, action: str) -> float:
    return ACTION_COSTS[socket].get(action, INVALID_FRAME_COST)

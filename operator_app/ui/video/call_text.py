"""The sentences of a call shown to the operator: states, end reasons, quality, refusals."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from chat_protocol import ErrorCode
from operator_app.errors import RealtimeError
from operator_app.ui.error_text import describe_error


def state_text(state: str) -> str:
    texts = {
        "calling": QCoreApplication.translate("CallText", "Calling the visitor\u2026"),
        "ringing": QCoreApplication.translate("CallText", "Ringing\u2026"),
        "connecting": QCoreApplication.translate("CallText", "The visitor answered. Connecting\u2026"),
        "connected": QCoreApplication.translate("CallText", "Connected"),
        "reconnecting": QCoreApplication.translate("CallText", "Connection lost. Reconnecting\u2026"),
        "ended": QCoreApplication.translate("CallText", "Call ended"),
    }
    return texts.get(state, "")


def ended_text(reason: str, ended_by: str) -> str:
    """Why the call ended, in plain words."""
    if reason == "declined":
        return QCoreApplication.translate("CallText", "The visitor declined the call.")
    if reason == "no_answer":
        return QCoreApplication.translate("CallText", "The visitor did not answer.")
    if reason == "cancelled":
        return QCoreApplication.translate("CallText", "You cancelled the call.")
    if reason == "page_reloaded":
        return QCoreApplication.translate("CallText", "Call ended: the visitor reloaded or left the page.")
    if reason == "disconnected":
        return QCoreApplication.translate(
            "CallText", "Call ended: the connection was lost and did not come back."
        )
    if reason == "failed":
        return QCoreApplication.translate(
            "CallText",
            "Call failed: audio and video could not get through the network. A TURN server may be needed.",
        )
    if reason == "chat_ended":
        return QCoreApplication.translate(
            "CallText", "Call ended because the chat was closed or transferred."
        )
    if ended_by == "visitor":
        return QCoreApplication.translate("CallText", "The visitor hung up.")
    if ended_by == "agent":
        return QCoreApplication.translate("CallText", "You hung up.")
    return QCoreApplication.translate("CallText", "Call ended.")


def quality_text(level: str) -> str:
    texts = {
        "good": QCoreApplication.translate("CallText", "Quality: good"),
        "fair": QCoreApplication.translate("CallText", "Quality: fair"),
        "poor": QCoreApplication.translate("CallText", "Quality: poor"),
    }
    return texts.get(level, "")


def devices_text(microphone: bool, camera: bool) -> str:
    """What is missing after the local devices were tried ("" when both work)."""
    if microphone and camera:
        return ""
    if microphone:
        return QCoreApplication.translate(
            "CallText", "No camera found: audio only. The visitor hears you but does not see you."
        )
    if camera:
        return QCoreApplication.translate(
            "CallText", "No microphone found: video only. The visitor sees you but does not hear you."
        )
    return QCoreApplication.translate(
        "CallText", "No camera or microphone found: you can only see and hear the visitor."
    )


def remote_media_text(microphone: bool, camera: bool) -> str:
    if not microphone and not camera:
        return QCoreApplication.translate("CallText", "The visitor turned off their microphone and camera.")
    if not microphone:
        return QCoreApplication.translate("CallText", "The visitor's microphone is off.")
    if not camera:
        return QCoreApplication.translate("CallText", "The visitor's camera is off.")
    return ""


def describe_call_error(error: BaseException) -> str:
    """A refused `call_invite` (or another call request) in one sentence."""
    if isinstance(error, RealtimeError):
        if error.code == ErrorCode.VISITOR_OFFLINE:
            return QCoreApplication.translate(
                "CallText", "The visitor is not connected right now, so they cannot be called."
            )
        if error.code == ErrorCode.CALL_IN_PROGRESS:
            return QCoreApplication.translate("CallText", "A call with this visitor is already running.")
    return describe_error(error)


def duration_text(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

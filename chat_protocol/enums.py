"""The wire format's plain enums, without pydantic: the app's first window names them (an error's
code, a visitor's state and device, a ticket's state) without importing the models that carry them.
Each is also importable from the module of its models (`envelope`, `traffic`, `tickets`)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable error codes carried by `err` frames and REST error bodies."""

    BAD_FRAME = "bad_frame"
    FRAME_TOO_LARGE = "frame_too_large"
    UNKNOWN_ACTION = "unknown_action"
    INVALID_PAYLOAD = "invalid_payload"
    LOGIN_REQUIRED = "login_required"
    LOGIN_TIMEOUT = "login_timeout"
    INVALID_TOKEN = "invalid_token"
    INVALID_CREDENTIALS = "invalid_credentials"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    UNSUPPORTED_VERSION = "unsupported_version"
    RATE_LIMITED = "rate_limited"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CHAT_ALREADY_TAKEN = "chat_already_taken"
    CHAT_CLOSED = "chat_closed"
    NOT_ACCEPTING = "not_accepting"
    RESYNC_REQUIRED = "resync_required"
    CLIENT_ID_CONFLICT = "client_id_conflict"
    TARGET_UNAVAILABLE = "target_unavailable"
    ALREADY_INVITED = "already_invited"
    PAGE_NOT_ALLOWED = "page_not_allowed"
    ALREADY_EXISTS = "already_exists"
    CALL_IN_PROGRESS = "call_in_progress"
    VISITOR_OFFLINE = "visitor_offline"
    BLOCKED = "blocked"
    TAG_REQUIRED = "tag_required"
    AGENT_REPLY_REQUIRED = "agent_reply_required"
    EMAIL_REQUIRED = "email_required"
    INTERNAL = "internal"


class DeviceClass(StrEnum):
    DESKTOP = "desktop"
    TABLET = "tablet"
    MOBILE = "mobile"
    UNKNOWN = "unknown"


class TrafficState(StrEnum):
    """Where a visitor on the site stands, in the order the customers view colours them."""

    BROWSING = "browsing"
    INVITED = "invited"
    QUEUED = "queued"
    CHATTING = "chatting"
    LEFT = "left"


class TicketState(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    SOLVED = "solved"
    SPAM = "spam"

// Limits and timings; the caps mirror chat_protocol (the server checks them too).

export const PROTOCOL = 1;
export const MAX_TEXT = 20000; // characters, as chat_protocol.models.MAX_MESSAGE_CHARS
export const MAX_NAME = 100; // chat_protocol.models.MAX_NAME_CHARS
export const MAX_FRAME = 64 * 1024; // bytes, as chat_protocol.envelope.MAX_FRAME_BYTES
export const PING_EVERY = 20000;
export const DEAD_AFTER = 45000;
export const BACKOFF_MIN = 500;
export const BACKOFF_MAX = 30000;
export const DRAIN_RECONNECT_MAX = 2000; // a node going away (1001): back within 0-2 s, spread out
export const PEEK_EVERY = 200;
export const REQUEST_TIMEOUT = 15000;
export const LOGIN_TIMEOUT = 10000;
export const TYPING_TTL = 15000;
export const TRANSCRIPT_PAGE = 500;
export const OUTBOX_MAX_AGE = 7 * 24 * 3600 * 1000;
export const MARK_READ_EVERY = 500; // at most one mark_read frame per 500 ms
export const MAX_COMMENT = 2000; // chat_protocol VisitorRateRequest.comment
export const MAX_EMAIL = 254;
export const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s.]+$/; // stricter than the server's ^[^@\s]+@[^@\s]+$ (typos)
// Caps of chat_protocol.traffic (the server cuts too): URL, page title, short text, label, value.
export const MAX_URL = 2048;
export const MAX_TITLE = 300;
export const MAX_SHORT = 100;
export const MAX_LABEL = 64;
export const MAX_VALUE = 1000;
export const MAX_CUSTOM_FIELDS = 50;
export const MAX_CART_ITEMS = 100;
export const PAGE_VIEW_DEBOUNCE = 300; // ms after a single-page-app navigation (the title is usually set by then)
export const MAX_GREETING = 2000; // chat_protocol.traffic.InviteRequest.text
// Login errors that a retry will not fix soon: stay "offline" and retry slowly.
export const FATAL_LOGIN = ["origin_not_allowed", "unsupported_version", "forbidden", "not_found", "invalid_payload"];
// Send errors that a retry with the same frame will not fix.
export const PERMANENT_SEND = [
  "invalid_payload", "frame_too_large", "client_id_conflict", "forbidden", "not_found", "bad_frame", "unknown_action",
  "blocked",
];

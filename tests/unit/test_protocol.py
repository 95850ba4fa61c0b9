"""The wire models and their generated reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_backend.domain.sites import normalize_origin
from chat_protocol import Envelope, ErrorCode, MessageEvent, parse_event
from chat_protocol.actions import ACTIONS, request_model
from chat_protocol.docgen import render

ROOT = Path(__file__).resolve().parents[2]


def test_protocol_doc_is_up_to_date() -> None:
    current = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    assert current == render(), "run: python -m chat_protocol.docgen docs/protocol.md"


def test_error_envelope_echoes_req_id_and_code() -> None:
    frame = Envelope.error("send_message", ErrorCode.RATE_LIMITED, "slow down", "r1", retry_after=1.5)
    data = Envelope.model_validate_json(frame.dumps())
    assert data.req_id == "r1"
    assert data.payload == {"code": "rate_limited", "message": "slow down", "retry_after": 1.5}


def test_events_parse_by_kind() -> None:
    event = parse_event(
        {
            "kind": "message",
            "event_id": 3,
            "chat_id": "c",
            "seq": 2,
            "created_at": "2026-01-01T00:00:00Z",
            "author": {"kind": "visitor", "id": "v", "name": ""},
            "text": "<b>hi</b>",
        }
    )
    assert isinstance(event, MessageEvent)
    assert event.text == "<b>hi</b>"


def test_every_request_action_has_a_payload_model() -> None:
    for action in ACTIONS:
        if action.kind == "req":
            assert request_model(action.socket, action.name) is action.payload
    assert request_model("visitor", "take_chat") is None


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("HTTPS://Shop.Example:443/path", "https://shop.example"),
        ("http://127.0.0.1:8470", "http://127.0.0.1:8470"),
        ("http://shop.example:80", "http://shop.example"),
    ],
)
def test_origins_are_normalized(url: str, origin: str) -> None:
    assert normalize_origin(url) == origin


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "//evil.example", "https://user@evil.example", "ftp://shop.example"]
)
def test_non_origins_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="origin"):
        normalize_origin(url)

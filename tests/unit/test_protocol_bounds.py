"""What a client may send is bounded before it reaches the server's code: integers within the range
a database column and a JavaScript number hold, and JSON nesting within `MAX_JSON_DEPTH`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from chat_protocol import MAX_JSON_DEPTH, Envelope, parse_frame
from chat_protocol.actions import ACTIONS
from chat_protocol.bounds import MAX_SAFE_INT
from chat_protocol.envelope import nesting_exceeds


def _integer_schemas(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if node.get("type") == "integer":
            found.append((path, node))
        for key, value in node.items():
            found += _integer_schemas(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _integer_schemas(value, f"{path}[{i}]")
    return found


@pytest.mark.parametrize(
    "model",
    sorted({a.payload for a in ACTIONS if a.kind == "req"} | {Envelope}, key=lambda m: m.__name__),
    ids=lambda m: m.__name__,
)
def test_every_integer_a_client_sends_is_bounded(model: type[BaseModel]) -> None:
    """Refused with `invalid_payload`, never passed to the database as 10**30."""
    for path, schema in _integer_schemas(model.model_json_schema()):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        assert low is not None, f"{model.__name__}{path} has no lower bound"
        assert high is not None, f"{model.__name__}{path} has no upper bound"
        assert -MAX_SAFE_INT <= low <= high <= MAX_SAFE_INT, f"{model.__name__}{path}"


def test_nesting_is_limited_before_parsing_and_strings_do_not_count() -> None:
    assert not nesting_exceeds("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, MAX_JSON_DEPTH)
    assert nesting_exceeds("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)
    assert nesting_exceeds("{" + '"a":[' * 40 + "1" + "]" * 40 + "}", MAX_JSON_DEPTH)
    text = json.dumps({"text": '[{"\\' * 5000, "wide": [[1], [2]] * 500})
    assert not nesting_exceeds(text, MAX_JSON_DEPTH)
    with pytest.raises(ValueError, match="nested too deep"):
        parse_frame("[" * 5000 + "]" * 5000)
    with pytest.raises(ValueError, match="nested too deep"):
        parse_frame('{"v":1,"type":"req","action":"ping","payload":{"a":' + "[" * 5000 + "]" * 5000 + "}}")
    frame = parse_frame(json.dumps({"type": "req", "action": "cart", "payload": {"items": [{"name": "[["}]}}))
    assert frame.payload == {"items": [{"name": "[["}]}

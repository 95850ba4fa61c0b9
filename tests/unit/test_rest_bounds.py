"""Every integer and number a client can send over REST (query parameters, path parameters, bodies) has
a lower and an upper bound in the published OpenAPI document: a huge one is refused with 422 instead of
overflowing a column or a timer (500)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chat_backend.app import create_app
from chat_backend.settings import Settings


def _unbounded(
    schema: dict[str, Any], where: str, components: dict[str, Any], seen: frozenset[str]
) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return (
            []
            if name in seen
            else _unbounded(components[name], f"{where}<{name}>", components, seen | {name})
        )
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _unbounded(option, where, components, seen)
    if schema.get("type") in ("integer", "number"):
        low = "minimum" in schema or "exclusiveMinimum" in schema
        high = "maximum" in schema or "exclusiveMaximum" in schema
        if not (low and high):
            found.append(where)
    for name, prop in schema.get("properties", {}).items():
        found += _unbounded(prop, f"{where}.{name}", components, seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += _unbounded(schema["additionalProperties"], f"{where}.*", components, seen)
    if isinstance(schema.get("items"), dict):
        found += _unbounded(schema["items"], f"{where}[]", components, seen)
    return found


def test_every_client_sent_number_is_bounded(tmp_path: Path) -> None:
    spec = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}")).openapi()
    components = spec.get("components", {}).get("schemas", {})
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['in']} {parameter['name']}"
                found += _unbounded(parameter["schema"], where, components, frozenset())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(
                    content["schema"], f"{method.upper()} {path} body", components, frozenset()
                )
    assert found == []

"""Hypothesis strategies for hostile input: JSON values that break naive code, and payloads shaped by a
JSON schema (a pydantic model's, or a route's in `/openapi.json`) whose every value may turn hostile.

Ids are drawn from pools of real ids (`IdPools`) as often as from garbage, so that generated requests
reach past the first lookup into the code behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

# Integers at the edges of every integer type a backend or database may use.
EDGE_INTS = (
    -1,
    0,
    1,
    2**31 - 1,
    2**31,
    2**53,
    2**63 - 1,
    2**63,
    2**64,
    10**30,
    -(2**63) - 1,
    -(10**30),
)
# Strings that have broken parsers, databases, file systems and terminals.
EDGE_STRINGS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil",
    "../../etc/passwd",
    "CON",
    "<script>alert(1)</script>",
    "'; DROP TABLE chats; --",
    "%00",
    "%s%s%n",
    "\ud800",  # a lone surrogate: not encodable as UTF-8
    "抹茶" * 40,
    "🍵" * 300,
    "x" * 70_000,
    "NaN",
    "-1",
    "1e999",
    "null",
    "javascript:alert(1)",
    "https://evil.example/",
    "00000000-0000-0000-0000-000000000000",
)

hostile_scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(EDGE_INTS),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(EDGE_STRINGS),
    st.text(max_size=40),
)

hostile_json: st.SearchStrategy[Any] = st.recursive(
    hostile_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(EDGE_STRINGS[:12]), st.text(max_size=12)), inner, max_size=4
        ),
    ),
    max_leaves=12,
)


def deep_text(depth: int) -> str:
    """JSON text of a value nested `depth` levels deep (lists), built as text: encoding it from Python
    would exhaust the test's own stack."""
    return "[" * depth + "1" + "]" * depth


IdPools = Mapping[str, list[str]]


def _ids_for(name: str, pools: IdPools) -> list[str]:
    """Real ids a field named `name` may hold: the pool of its kind, else every pool."""
    kind = name.removesuffix("_ids").removesuffix("_id")
    if kind in pools:
        return pools[kind]
    return [value for values in pools.values() for value in values]


class SchemaStrategies:
    """Strategies for values of a JSON schema, with `$ref`s resolved against `definitions`."""

    def __init__(self, definitions: Mapping[str, Any], pools: IdPools) -> None:
        self.definitions = definitions
        self.pools = pools

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        seen = 0
        while "$ref" in schema and seen < 20:
            schema = self.definitions.get(schema["$ref"].rsplit("/", 1)[-1], {})
            seen += 1
        return schema

    def value(self, schema: Mapping[str, Any], name: str = "", depth: int = 0) -> st.SearchStrategy[Any]:
        """A plausible value of `schema` three times in four, else a hostile one."""
        return st.one_of(
            self._plausible(schema, name, depth), self._plausible(schema, name, depth), hostile_json
        )

    def _plausible(self, schema: Mapping[str, Any], name: str, depth: int) -> st.SearchStrategy[Any]:
        schema = self.resolve(schema)
        if depth > 4:
            return hostile_scalars
        if "enum" in schema:
            return st.sampled_from(list(schema["enum"]))
        if "const" in schema:
            return st.just(schema["const"])
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                return st.one_of([self._plausible(s, name, depth + 1) for s in schema[key]])
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self._plausible({**schema, "type": k}, name, depth) for k in kind])
        ids = _ids_for(name, self.pools) if name.endswith(("_id", "_ids")) or name == "id" else []
        if kind == "integer":
            return st.one_of(st.integers(min_value=-5, max_value=10**6), st.sampled_from(EDGE_INTS))
        if kind == "number":
            return st.one_of(st.floats(), st.sampled_from([0.0, 1e308, -1e308]))
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        if kind == "string":
            texts = st.one_of(st.text(max_size=60), st.sampled_from(EDGE_STRINGS))
            return st.one_of(st.sampled_from(ids), texts) if ids else texts
        if kind == "array":
            item = schema.get("items", {})
            if ids and not item:
                item = {"type": "string"}
            return st.lists(self._plausible(item, name, depth + 1), max_size=5)
        if kind == "object" or "properties" in schema:
            return self.object(schema, depth + 1)
        return hostile_json

    def object(self, schema: Mapping[str, Any], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
        """Any subset of the schema's properties (each maybe hostile), sometimes with an unknown key."""
        schema = self.resolve(schema)
        properties = schema.get("properties", {})
        fields = {key: self.value(sub, key, depth) for key, sub in properties.items()}
        required = set(schema.get("required", ()))
        shaped = st.fixed_dictionaries(
            {k: v for k, v in fields.items() if k in required},
            optional={k: v for k, v in fields.items() if k not in required},
        )
        return st.one_of(
            shaped,
            shaped,
            shaped,
            st.fixed_dictionaries({}, optional=fields),  # required ones may be missing too
            st.builds(
                lambda d, extra: {**d, **extra},
                shaped,
                st.dictionaries(st.text(max_size=8), hostile_json, max_size=2),
            ),
        )

"""Writes docs/protocol.md from the models: `python -m chat_protocol.docgen [path]`."""

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from chat_protocol import envelope, models
from chat_protocol.actions import ACTIONS

HEADER = """# Wire protocol (version {version})

Generated from `chat_protocol` by `python -m chat_protocol.docgen docs/protocol.md`; a test fails when
this file is out of date. The REST API is described by the server's `/openapi.json`.

Every WebSocket frame is one JSON envelope:
`{{"v": 1, "type": "req" | "res" | "push" | "err", "action": str, "req_id": str?, "payload": {{...}}}}`.
Frames are at most {max_bytes} bytes; a larger one is answered with `err` code `frame_too_large`.
Every `res` and `err` echoes the `req_id` of its request; `ping` is answered with action `pong`.

Durable events carry `event_id` (the resume cursor) and a per-chat `seq`; clients order by `seq`.
Mutations carry a `client_id`; a retry with the same id returns the original result.
Ephemeral pushes (`typing`, `sneak_peek`) are never replayed.
"""


def _schema(model: type[BaseModel]) -> str:
    schema = model.model_json_schema()
    return "```json\n" + json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n```\n"


def render() -> str:
    out = [HEADER.format(version=envelope.PROTOCOL_VERSION, max_bytes=envelope.MAX_FRAME_BYTES)]
    out.append("\n## Error codes\n\n")
    out.extend(f"- `{code.value}`\n" for code in envelope.ErrorCode)
    out.append("\nError payload:\n\n" + _schema(envelope.ErrorPayload))
    out.append("\n## Chat states\n\n" + " -> ".join(f"`{s.value}`" for s in models.ChatState) + "\n")
    for socket in ("agent", "visitor"):
        out.append(
            f"\n## `/ws/{socket}` actions\n\n| action | frame | payload | result | |\n|---|---|---|---|---|\n"
        )
        for a in ACTIONS:
            if a.socket == socket:
                result = f"`{a.result.__name__}`" if a.result else ""
                out.append(f"| `{a.name}` | {a.kind} | `{a.payload.__name__}` | {result} | {a.summary} |\n")
    seen: set[str] = set()
    out.append("\n## Payload models\n")
    for a in ACTIONS:
        for model in (a.payload, a.result):
            if model is not None and model.__name__ not in seen:
                seen.add(model.__name__)
                doc = (model.__doc__ or "").strip()
                out.append(f"\n### {model.__name__}\n\n{doc}\n\n" + _schema(model))
    return "".join(out)


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/protocol.md")
    target.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()

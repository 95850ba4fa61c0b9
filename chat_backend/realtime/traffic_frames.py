"""The `traffic` delta pushes: JSON text built once per flush and sent as is to every watcher, split
into frames under the size cap."""

from __future__ import annotations

from pydantic import PrivateAttr

from chat_protocol import Envelope

# Protocol rule 11 holds for our pushes too: a delta with many rows is split into frames this big.
MAX_DELTA_BYTES = 60 * 1024


class PreparedFrame(Envelope):
    """A push whose JSON text is built once and sent as is to every watcher."""

    _text: str = PrivateAttr(default="")

    @classmethod
    def of(cls, action: str, text: str) -> PreparedFrame:
        frame = cls.model_construct(type="push", action=action, payload={})
        frame._text = text
        return frame

    def dumps(self) -> str:
        return self._text


def delta_frames(rev: int, upserts: list[str], removed: list[str]) -> list[PreparedFrame]:
    """`traffic` pushes with all of `upserts` and `removed` (JSON texts), each under MAX_DELTA_BYTES,
    with `rev`, `rev + 1`, ... in order."""
    head = '{"v":1,"type":"push","action":"traffic","payload":{"rev":'
    frames: list[PreparedFrame] = []
    rows: list[str] = []
    ids: list[str] = []
    size = len(head) + 60

    def close() -> None:
        number = f"{rev + len(frames)}"
        text = f'{head}{number},"upserts":[{",".join(rows)}],"removed":[{",".join(ids)}]}}}}'
        frames.append(PreparedFrame.of("traffic", text))

    for kind, item in [("u", u) for u in upserts] + [("r", r) for r in removed]:
        cost = len(item.encode()) + 1
        if (rows or ids) and size + cost > MAX_DELTA_BYTES:
            close()
            rows, ids, size = [], [], len(head) + 60
        (rows if kind == "u" else ids).append(item)
        size += cost
    if rows or ids:
        close()
    return frames

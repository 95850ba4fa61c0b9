"""The outbox on disk and its delivery order, with a scripted requester (no server needed)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from operator_app.errors import ConnectionLost, RealtimeError
from operator_app.net.outbox import Outbox, OutboxDelivery, OutboxItem


def reply(chat_id: str, text: str) -> dict[str, Any]:
    return {"chat_id": chat_id, "client_id": str(uuid.uuid4()), "text": text}


def test_queued_mutations_survive_reopening_in_order_per_account(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    alice = Outbox(path, "https://chat.example|agent-1")
    first = alice.add("send_message", reply("c1", "first"))
    second = alice.add("take_chat", {"chat_id": "c2", "client_id": str(uuid.uuid4())})
    Outbox(path, "https://chat.example|agent-2").add("send_message", reply("c9", "someone else's"))
    alice.close()

    reopened = Outbox(path, "https://chat.example|agent-1")
    items = reopened.pending()
    assert [i.client_id for i in items] == [first.client_id, second.client_id]
    assert items[0].payload["text"] == "first"
    reopened.remove(first.client_id)
    assert [i.client_id for i in reopened.pending()] == [second.client_id]
    reopened.close()


def test_only_mutations_are_queued(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", "a")
    with pytest.raises(ValueError, match="typing"):
        outbox.add("typing", {"chat_id": "c", "client_id": "x" * 10})
    outbox.close()


class ScriptedRequester:
    """Answers requests from a script of results or exceptions; records every attempt."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.sent: list[tuple[str, str]] = []
        self.connected = asyncio.Event()
        self.connected.set()

    async def wait_connected(self) -> None:
        await self.connected.wait()

    async def request(
        self, action: str, payload: dict[str, Any], *, answer_within: float | None = None
    ) -> dict[str, Any]:
        self.sent.append((action, payload["client_id"]))
        outcome = self.script.pop(0) if self.script else {"ok": True}
        if isinstance(outcome, Exception):
            raise outcome
        return dict(outcome)


@pytest.mark.asyncio
async def test_delivery_keeps_order_and_drops_rows_on_result_or_definitive_error(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", "a")
    items = [outbox.add("send_message", reply("c1", f"m{n}")) for n in range(4)]
    requester = ScriptedRequester(
        [
            {"n": 0},
            ConnectionLost("dropped"),  # kept, sent again
            {"n": 1},
            RealtimeError("rate_limited", "slow down", retry_after=0.01),  # kept, sent again
            {"n": 2},
            RealtimeError("chat_closed", "ended"),  # definitive: dropped and reported
        ]
    )
    done: list[tuple[str, dict[str, Any]]] = []
    failed: list[tuple[str, str]] = []

    def on_failed(item: OutboxItem, error: RealtimeError) -> None:
        failed.append((item.client_id, error.code))

    delivery = OutboxDelivery(
        outbox, requester, lambda item, res: done.append((item.client_id, res)), on_failed, retry_pause=0.01
    )
    delivery.start()
    try:
        await asyncio.wait_for(delivery.idle.wait(), 5)
    finally:
        await delivery.stop()
    ids = [i.client_id for i in items]
    assert [c for _, c in requester.sent] == [ids[0], ids[1], ids[1], ids[2], ids[2], ids[3]]
    assert done == [(ids[0], {"n": 0}), (ids[1], {"n": 1}), (ids[2], {"n": 2})]
    assert failed == [(ids[3], "chat_closed")]
    assert outbox.pending() == []
    outbox.close()

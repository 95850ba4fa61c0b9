"""Live page preview over the real sockets: who may watch, the widget asked (with or without consent),
frames relayed to the watchers and never stored, the size and rate caps asking for a fresh snapshot,
a declined preview told to the agent, and a site with previews `off` refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id

pytestmark = pytest.mark.asyncio


def _set_preview(backend: BackendProcess, mode: str) -> None:
    admin = admin_of(backend)
    site = next(s for s in admin.call("GET", "/sites") if s["site_id"] == backend.site_id)
    body = {"name": site["name"], "origins": site["origins"], "preview": mode}
    assert admin.call("PUT", f"/sites/{backend.site_id}", body)["preview"] == mode


async def _chat_taken(backend: BackendProcess) -> tuple[WireClient, WireClient, str]:
    agent = await connect_agent(backend)
    await agent.ok("set_status", {"status": "accepting"})
    visitor, _ = await connect_visitor(backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "見てもらえますか"})
    await visitor.next_event(kind="chat_state", state="taken")
    return agent, visitor, sent["event"]["chat_id"]


def _snapshot(text: str) -> list[dict[str, Any]]:
    return [
        {"type": 4, "data": {"href": "https://shop.example/", "width": 1024, "height": 700}, "timestamp": 1},
        {"type": 2, "data": {"node": {"type": 0, "childNodes": [], "id": 1}, "text": text}, "timestamp": 2},
    ]


async def test_preview_is_asked_relayed_capped_declined_and_refused_when_off(
    tidy_db_backend: BackendProcess,
) -> None:
    backend = tidy_db_backend
    agent, visitor, chat_id = await _chat_taken(backend)
    try:
        # A colleague who is a plain agent may not watch; the holder may, and the widget is asked.
        started = await agent.ok("watch_preview", {"chat_id": chat_id})
        assert started["consent"] is True
        assert backend.url in started["origins"]
        asked = (await visitor.next_push("preview_request"))["payload"]
        assert asked == {"chat_id": chat_id, "want": "start", "consent": True}

        await visitor.send("preview_state", {"state": "recording"})
        state = (await agent.next_push("preview_state"))["payload"]
        assert state == {"chat_id": chat_id, "state": "recording"}

        # Frames reach the watcher as they were sent.
        await visitor.send("preview_frames", {"seq": 1, "events": _snapshot("一")})
        frame = (await agent.next_push("preview"))["payload"]
        assert (frame["chat_id"], frame["seq"], frame["events"]) == (chat_id, 1, _snapshot("一"))

        # Over the size cap: refused, and the widget is asked for a fresh snapshot; increments are
        # dropped until it comes.
        big = [
            {"type": 3, "data": {"source": 0, "texts": [{"id": 1, "value": "x" * 50_000}]}, "timestamp": 3}
        ]
        refused = await visitor.request("preview_frames", {"seq": 2, "events": big})
        assert refused["type"] == "err"
        assert refused["payload"]["code"] == "frame_too_large"
        again = (await visitor.next_push("preview_request"))["payload"]
        assert again["want"] == "snapshot"
        await visitor.send("preview_frames", {"seq": 3, "events": [{"type": 3, "data": {}, "timestamp": 4}]})
        await visitor.send("preview_frames", {"seq": 4, "events": _snapshot("二")})
        assert (await agent.next_push("preview"))["payload"]["seq"] == 4

        # Over the byte rate: a burst of frames of ~40 KB each passes the burst, then is dropped and a
        # snapshot is asked for.
        chunk = [{"type": 3, "data": {"pad": "y" * 40_000}, "timestamp": 5}]
        for seq in range(5, 25):
            await visitor.send("preview_frames", {"seq": seq, "events": chunk})
        assert (await visitor.next_push("preview_request"))["payload"]["want"] == "snapshot"
        relayed = []
        while not agent.pushes.empty():
            push = agent.pushes.get_nowait()
            if push["action"] == "preview":
                relayed.append(push["payload"]["seq"])
        assert len(relayed) < 20

        # Nothing of it is stored: the transcript holds no preview.
        transcript = await visitor.ok("transcript", {"after_seq": 0})
        assert "preview" not in json.dumps([e["kind"] for e in transcript["events"]])

        # The visitor declines or stops: the agent hears it. The agent stops: the widget is told.
        await visitor.send("preview_state", {"state": "declined"})
        assert (await agent.next_push("preview_state"))["payload"]["state"] == "declined"
        await agent.ok("stop_preview", {"chat_id": chat_id})
        assert (await visitor.next_push("preview_request"))["payload"]["want"] == "stop"

        # Allowed without asking; then off: refused.
        _set_preview(backend, "allowed")
        assert (await agent.ok("watch_preview", {"chat_id": chat_id}))["consent"] is False
        assert (await visitor.next_push("preview_request"))["payload"]["consent"] is False
        _set_preview(backend, "off")
        off = await agent.request("watch_preview", {"chat_id": chat_id})
        assert off["type"] == "err"
        assert off["payload"]["code"] == "forbidden"
    finally:
        _set_preview(backend, "consent")
        await agent.close()
        await visitor.close()

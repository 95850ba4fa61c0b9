"""Training mode on a real backend (SQLite and PostgreSQL): a trainee gets a scripted visitor, a real
agent never does; the script waits for the trainee's replies, shows its typing, asks for a transfer,
rates and leaves; the trainee's results reach the admin; nothing of it is in the reports, the archives,
the traffic list or the sites."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from chat_backend.domain import training_script
from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id

FIRST = training_script.load_scenarios()["en-delivery"]  # the first in file order


@pytest.fixture
def backend(tidy_db_backend: BackendProcess) -> BackendProcess:
    return tidy_db_backend


async def _call(
    backend: BackendProcess, token: str, method: str, path: str, body: Any = None
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=backend.url, timeout=20) as http:
        return await http.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})


async def _ok(backend: BackendProcess, token: str, method: str, path: str, body: Any = None) -> Any:
    response = await _call(backend, token, method, path, body)
    assert response.status_code < 300, response.text
    return response.json()


async def _my_chats(backend: BackendProcess, token: str, within: float = 20) -> list[dict[str, Any]]:
    """My chats once I hold at least one."""
    async with asyncio.timeout(within):
        while True:
            chats: list[dict[str, Any]] = (await _ok(backend, token, "GET", "/api/v1/snapshot"))["my_chats"]
            if chats:
                return chats
            await asyncio.sleep(0.1)


async def _visitor_line(agent: WireClient, chat_id: str, within: float = 20) -> str:
    event = await agent.next_event(within, chat_id=chat_id, kind="message")
    while event["author"]["kind"] != "visitor":
        event = await agent.next_event(within, chat_id=chat_id, kind="message")
    return str(event["text"])


async def _reply(agent: WireClient, chat_id: str, text: str) -> None:
    await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": text})


@pytest.mark.asyncio
async def test_trainee_practises_on_a_scripted_visitor_apart_from_real_work(backend: BackendProcess) -> None:
    admin = admin_of(backend)
    worker_account = admin.new_agent("Worker")
    trainee_account = admin.new_agent("Trainee")
    worker = await connect_agent(backend, worker_account.email, worker_account.password)
    trainee = await connect_agent(backend, trainee_account.email, trainee_account.password)
    token = trainee.token  # type: ignore[attr-defined]
    canned_text = f"Thank you for waiting, {uuid.uuid4().hex[:6]}!"
    await _ok(
        backend, token, "POST", "/api/v1/canned", {"shortcut": "wait", "title": "Wait", "text": canned_text}
    )
    visitor: WireClient | None = None
    try:
        me = await _ok(backend, token, "PUT", "/api/v1/training", {"training": True})
        assert me["training"] is True
        await worker.ok("set_status", {"status": "accepting"})
        await trainee.ok("set_status", {"status": "accepting"})

        # The scripted visitor's first line reaches the trainee, routed by the real routing.
        chat = (await _my_chats(backend, token))[0]
        chat_id = chat["chat_id"]
        assert chat["visitor"]["name"] == FIRST.visitor
        transcript = await _ok(backend, token, "GET", f"/api/v1/chats/{chat_id}/events")
        texts = [e.get("text") for e in transcript["events"] if e["kind"] == "message"]
        assert texts == [FIRST.steps[0]["say"]]

        # A real visitor goes to the real agent, never to the trainee; the worker sees no training chat.
        visitor, _login = await connect_visitor(backend)
        await visitor.ok("send_message", {"client_id": new_id(), "text": "A real question"})
        real = await _my_chats(backend, worker.token)  # type: ignore[attr-defined]
        assert [c["chat_id"] for c in real] != [chat_id]
        worker_view = await _ok(backend, worker.token, "GET", "/api/v1/snapshot")  # type: ignore[attr-defined]
        assert chat_id not in [c["chat_id"] for c in worker_view["my_chats"] + worker_view["queue"]]
        trainee_view = await _ok(backend, token, "GET", "/api/v1/snapshot")
        assert [c["chat_id"] for c in trainee_view["my_chats"]] == [chat_id]
        assert trainee_view["queue"] == []
        # Nor can the worker take it, nor the trainee leave training while holding it.
        refused = await worker.request("take_chat", {"chat_id": chat_id, "client_id": new_id()})
        assert refused["type"] == "err"
        leave = await _call(backend, token, "PUT", "/api/v1/training", {"training": False})
        assert leave.status_code == 403

        # The next line waits for the trainee's reply; the visitor is seen typing it first.
        await asyncio.sleep(1.5)
        assert [
            e["text"]
            for e in (await _ok(backend, token, "GET", f"/api/v1/chats/{chat_id}/events"))["events"]
            if e["kind"] == "message"
        ] == texts
        await _reply(trainee, chat_id, canned_text)
        peek = await trainee.next_push("sneak_peek", within=10)
        assert peek["payload"]["chat_id"] == chat_id
        assert FIRST.steps[1]["say"].startswith(peek["payload"]["text"])
        assert await _visitor_line(trainee, chat_id) == FIRST.steps[1]["say"]

        # After the trainee's answer and a pause, the visitor asks for someone else: a transfer to a
        # real agent is refused.
        await _reply(trainee, chat_id, "Your parcel left our warehouse yesterday.")
        assert await _visitor_line(trainee, chat_id) == FIRST.steps[3]["say"]
        moved = await trainee.request(
            "transfer_chat",
            {"chat_id": chat_id, "client_id": new_id(), "to_agent_id": worker_account.agent_id},
        )
        assert moved["type"] == "err"
        assert moved["payload"]["code"] == "target_unavailable"
        await trainee.ok("send_note", {"chat_id": chat_id, "client_id": new_id(), "text": "asks for refunds"})
        await _reply(trainee, chat_id, "Our refunds team answers by e-mail within a day.")
        # Then the visitor rates the chat and leaves.
        rating = await trainee.next_event(20, chat_id=chat_id, kind="rating")
        assert rating["rating"] == "good"
        closed = await trainee.next_event(20, chat_id=chat_id, kind="chat_state", state="closed")
        assert closed["chat_id"] == chat_id

        # The results: three replies, one of them a canned reply, a first response, a good rating.
        results = await _ok(backend, admin.token, "GET", "/api/v1/training/results")
        mine = next(r for r in results if r["agent_id"] == trainee_account.agent_id)
        assert mine["chats"] == 1
        assert mine["replies"] == 3
        assert mine["canned_replies"] == 1
        assert mine["rated_good"] == 1
        assert mine["first_response"] is not None
        assert trainee_account.agent_id not in [
            r["agent_id"] for r in results if r["agent_id"] != mine["agent_id"]
        ]
        agent_refused = await _call(backend, worker.token, "GET", "/api/v1/training/results")  # type: ignore[attr-defined]
        assert agent_refused.status_code == 403

        # Nothing of it in the reports, the archives, the traffic list or the sites.
        today = datetime.now(UTC).date()
        span = f"since={today - timedelta(days=1)}&until={today + timedelta(days=1)}"
        report = await _ok(backend, admin.token, "GET", f"/api/v1/reports?{span}&by=agent")
        assert trainee_account.agent_id not in [row["key"] for row in report["rows"]]
        by_site = await _ok(backend, admin.token, "GET", f"/api/v1/reports?{span}&by=site")
        assert "training" not in [row["key"] for row in by_site["rows"]]
        hits = (await _ok(backend, admin.token, "POST", "/api/v1/archives/search", {}))["hits"]
        assert chat_id not in [hit["chat_id"] for hit in hits]
        own = (await _ok(backend, token, "POST", "/api/v1/archives/search", {}))["hits"]
        assert own == []
        traffic = await _ok(backend, admin.token, "GET", "/api/v1/traffic")
        assert FIRST.visitor not in json.dumps(traffic, ensure_ascii=False)
        sites = await _ok(backend, admin.token, "GET", "/api/v1/sites")
        assert "training" not in [site["site_id"] for site in sites]
    finally:
        await trainee.ok("set_status", {"status": "not_accepting"})
        await _call(backend, token, "PUT", "/api/v1/training", {"training": False})
        if visitor is not None:
            await visitor.close()
        for chat in (await _ok(backend, worker.token, "GET", "/api/v1/snapshot"))["my_chats"]:  # type: ignore[attr-defined]
            await worker.ok("close_chat", {"chat_id": chat["chat_id"], "client_id": new_id()})
        await worker.close()
        await trainee.close()


def test_every_shipped_scenario_is_valid_and_both_languages_are_there() -> None:
    scenarios = training_script.load_scenarios()
    assert {s.lang for s in scenarios.values()} == {"en", "ja"}
    kinds = {key for s in scenarios.values() for step in s.steps for key in step if step.get(key)}
    assert {"say", "peek", "wait", "rate", "leave", "transfer"} <= kinds


def test_a_bad_scenario_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({"id": "x", "steps": [{"wait": 1}]}), encoding="utf-8")
    with pytest.raises(ValueError, match="bad.json"):
        training_script.load_scenarios(tmp_path)

"""Bad input and faults at the protocol level, against the real backend."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
import websockets

from tests.support.backend import BackendProcess
from tests.support.wire import WireClient, connect_agent, connect_visitor, new_id

pytestmark = pytest.mark.asyncio

HOSTILE = [
    "<b>bold</b><script>alert(1)</script>",
    '<img src="file:///etc/passwd">',
    "javascript:alert(document.cookie)",
    "مرحبا بالعالم — שלום",
    "絵文字 🎉👍🏽 と日本語のテキスト",
    "x" * 20_000,
]


async def test_hostile_text_round_trips_intact(db_backend: BackendProcess) -> None:
    agent = await connect_agent(db_backend)
    await agent.ok("set_status", {"status": "accepting"})
    visitor, _ = await connect_visitor(db_backend)
    name = '<img src=x onerror="alert(1)">'
    first = await visitor.ok("send_message", {"client_id": new_id(), "text": HOSTILE[0], "name": name})
    chat_id = first["event"]["chat_id"]
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    for text in HOSTILE[1:]:
        await visitor.ok("send_message", {"client_id": new_id(), "text": text})
        await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": text})
    transcript = await visitor.ok("transcript", {"after_seq": 0})
    texts = [e["text"] for e in transcript["events"] if e["kind"] == "message"]
    assert texts == [HOSTILE[0]] + [t for text in HOSTILE[1:] for t in (text, text)]
    assert transcript["chat"]["visitor"]["name"] == name
    await agent.close()
    await visitor.close()


async def test_visitor_socket_from_unlisted_origin_is_refused(db_backend: BackendProcess) -> None:
    ws = await websockets.connect(f"{db_backend.ws_url}/ws/visitor", origin="https://evil.example")  # type: ignore[arg-type]
    client = WireClient(ws)
    answer = await client.request("login", {"site_id": db_backend.site_id})
    assert answer["type"] == "err"
    assert answer["payload"]["code"] == "origin_not_allowed"
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == 4003
    await client.close()


async def test_lookalike_origins_are_refused(db_backend: BackendProcess) -> None:
    for origin in (
        db_backend.url + ".evil.example",
        "http://127.0.0.1",
        db_backend.url.replace("http", "https"),
    ):
        ws = await websockets.connect(f"{db_backend.ws_url}/ws/visitor", origin=origin)  # type: ignore[arg-type]
        client = WireClient(ws)
        answer = await client.request("login", {"site_id": db_backend.site_id})
        assert answer["payload"]["code"] == "origin_not_allowed", origin
        await client.close()


async def test_frame_over_64_kib_gets_an_error_frame_and_the_socket_stays_usable(
    db_backend: BackendProcess,
) -> None:
    visitor, _ = await connect_visitor(db_backend)
    await visitor.ws.send(
        json.dumps({"v": 1, "type": "req", "action": "ping", "payload": {"pad": "x" * 70_000}})
    )
    for _ in range(50):
        if visitor.unsolicited:
            break
        await asyncio.sleep(0.05)
    assert visitor.unsolicited[0]["payload"]["code"] == "frame_too_large"
    assert (await visitor.request("ping"))["action"] == "pong"
    await visitor.close()


async def test_nothing_is_answered_before_login(db_backend: BackendProcess) -> None:
    ws = await websockets.connect(f"{db_backend.ws_url}/ws/agent")
    client = WireClient(ws)
    answer = await client.request("ping")
    assert answer["payload"]["code"] == "login_required"
    await asyncio.wait_for(ws.wait_closed(), 5)
    await client.close()


async def test_invalid_agent_token_is_refused(db_backend: BackendProcess) -> None:
    ws = await websockets.connect(f"{db_backend.ws_url}/ws/agent")
    client = WireClient(ws)
    answer = await client.request("login", {"token": "forged"})
    assert answer["payload"]["code"] == "invalid_token"
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == 4001
    await client.close()


async def test_resume_replays_missed_events_once_in_order(db_backend: BackendProcess) -> None:
    agent = await connect_agent(db_backend)
    await agent.ok("set_status", {"status": "accepting"})
    visitor, login = await connect_visitor(db_backend)
    chat_id = (await visitor.ok("send_message", {"client_id": new_id(), "text": "start"}))["event"]["chat_id"]
    await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
    await visitor.next_event(kind="chat_state", state="taken")
    transcript = await visitor.ok("transcript", {"after_seq": 0})
    cursor = max(e["event_id"] for e in transcript["events"])
    await visitor.close()
    for i in range(3):
        await agent.ok("send_message", {"chat_id": chat_id, "client_id": new_id(), "text": f"while away {i}"})
    # The returning client resumes once, from its own cursor (the login's cursor may lag the log by a
    # moment: resuming from it first could push the newest message ahead of the replay).
    again, _ = await connect_visitor(db_backend, token=login["visitor_token"], resume=False)
    # A fresh resume from the old cursor replays exactly the three messages.
    resumed = await again.ok("resume", {"cursor": cursor})
    assert resumed["replayed"] == 3
    replayed = [await again.next_event(kind="message") for _ in range(3)]
    assert [e["text"] for e in replayed] == ["while away 0", "while away 1", "while away 2"]
    assert [e["seq"] for e in replayed] == sorted(e["seq"] for e in replayed)
    await agent.close()
    await again.close()


async def test_cursor_from_the_future_requires_resync(db_backend: BackendProcess) -> None:
    agent = await connect_agent(db_backend, resume=False)
    answer = await agent.request("resume", {"cursor": 10_000_000})
    assert answer["type"] == "err"
    assert answer["payload"]["code"] == "resync_required"
    await agent.close()


async def test_backend_killed_and_restarted_loses_nothing_and_deduplicates(
    db_backend: BackendProcess,
) -> None:
    visitor, login = await connect_visitor(db_backend)
    sent = await visitor.ok("send_message", {"client_id": new_id(), "text": "before"})
    lost_answer_id = new_id()
    await visitor.ok("send_message", {"client_id": lost_answer_id, "text": "answer lost"})
    db_backend.kill()
    db_backend.start()
    again, relogin = await connect_visitor(db_backend, token=login["visitor_token"])
    assert relogin["chat"]["chat_id"] == sent["event"]["chat_id"]
    # The widget re-sends what it never saw acknowledged: same client_id, one message.
    await again.ok("send_message", {"client_id": lost_answer_id, "text": "answer lost"})
    await again.ok("send_message", {"client_id": new_id(), "text": "after"})
    transcript = await again.ok("transcript", {"after_seq": 0})
    texts = [e["text"] for e in transcript["events"] if e["kind"] == "message"]
    assert texts == ["before", "answer lost", "after"]
    await again.close()


async def test_a_visitor_token_reads_only_its_own_chat(db_backend: BackendProcess) -> None:
    mine, _ = await connect_visitor(db_backend)
    other, _ = await connect_visitor(db_backend)
    await other.ok("send_message", {"client_id": new_id(), "text": "secret of the other visitor"})
    transcript = await mine.ok("transcript", {"after_seq": 0})
    assert transcript == {"chat": None, "events": [], "has_more": False}
    await mine.ok("send_message", {"client_id": new_id(), "text": "mine"})
    await asyncio.sleep(0.2)
    while not mine.pushes.empty():
        push = mine.pushes.get_nowait()
        assert "secret" not in json.dumps(push)
    await mine.close()
    await other.close()


async def test_wrong_password_is_refused_and_repeated_failures_throttled(db_backend: BackendProcess) -> None:
    async with httpx.AsyncClient(base_url=db_backend.url) as http:
        body = {"email": db_backend.agent_email, "password": "wrong"}
        first = await http.post("/api/v1/auth/login", json=body)
        assert first.status_code == 401
        assert first.json()["detail"]["code"] == "invalid_credentials"
        for _ in range(10):
            last = await http.post("/api/v1/auth/login", json=body)
        assert last.status_code == 429
        assert last.json()["detail"]["code"] == "rate_limited"


async def test_logout_closes_sockets_and_revokes_the_token(db_backend: BackendProcess) -> None:
    agent = await connect_agent(db_backend)
    token = agent.token  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=db_backend.url) as http:
        headers = {"Authorization": f"Bearer {token}"}
        assert (await http.post("/api/v1/auth/logout", headers=headers)).status_code == 204
        await asyncio.wait_for(agent.ws.wait_closed(), 5)
        assert agent.ws.close_code == 4001
        assert (await http.get("/api/v1/me", headers=headers)).status_code == 401


async def test_refresh_rotates_tokens(db_backend: BackendProcess) -> None:
    tokens = db_backend.login_tokens()
    async with httpx.AsyncClient(base_url=db_backend.url) as http:
        fresh = await http.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert fresh.status_code == 200
        me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh.json()['access_token']}"})
        assert me.json()["email"] == db_backend.agent_email
        reused = await http.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert reused.status_code == 401


async def test_a_flood_of_messages_is_rate_limited_with_a_retry_hint(backend: BackendProcess) -> None:
    visitor, _ = await connect_visitor(backend)
    # All at once, as a script would. The bucket allows 250 at once, then 20 a second: however fast or
    # slow the server handles them (a loaded machine), it never accepts more than that, so a server
    # that got through all 500 in under 12.5 s must have refused some.
    started = time.monotonic()
    answers = await asyncio.gather(
        *(
            visitor.request("send_message", {"client_id": new_id(), "text": "x"}, within=120)
            for _ in range(500)
        )
    )
    elapsed = time.monotonic() - started
    accepted = [a for a in answers if a["type"] == "res"]
    limited = [a for a in answers if a["type"] == "err"]
    assert len(accepted) + len(limited) == 500
    assert len(accepted) <= 250 + 20 * elapsed + 1, (len(accepted), elapsed)
    assert all(a["payload"]["code"] == "rate_limited" for a in limited)
    assert all(a["payload"]["retry_after"] > 0 for a in limited)
    await visitor.close()

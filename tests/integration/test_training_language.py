"""A trainee practises in the language they chose (`PUT /api/v1/training` with `language`): on a real
backend, a trainee in English gets only the English scenarios and one in Japanese only the Japanese
ones, each in turn, both in training at once; a client that names no language gets every language
(as before); a language the server has no scenarios for is refused."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from chat_backend.domain import training_script
from tests.support.backend import BackendProcess
from tests.support.sharing import admin_of
from tests.support.wire import WireClient, connect_agent, new_id

SCENARIOS = training_script.load_scenarios()


def _of(language: str) -> dict[str, training_script.Scenario]:
    """The shipped scenarios of a language, by their visitor's name."""
    return {s.visitor: s for s in SCENARIOS.values() if s.lang == language}


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


async def _next_chat(backend: BackendProcess, agent: WireClient, seen: set[str]) -> dict[str, Any]:
    """The next training chat routed to `agent` (one not in `seen`)."""
    token = agent.token  # type: ignore[attr-defined]
    async with asyncio.timeout(30):
        while True:
            mine = (await _ok(backend, token, "GET", "/api/v1/snapshot"))["my_chats"]
            fresh = [chat for chat in mine if chat["chat_id"] not in seen]
            if fresh:
                seen.add(fresh[0]["chat_id"])
                return dict(fresh[0])
            await asyncio.sleep(0.2)


async def _first_line(backend: BackendProcess, agent: WireClient, chat_id: str) -> str:
    token = agent.token  # type: ignore[attr-defined]
    events = (await _ok(backend, token, "GET", f"/api/v1/chats/{chat_id}/events"))["events"]
    return next(str(e["text"]) for e in events if e["kind"] == "message")


@pytest.mark.asyncio
async def test_each_trainee_gets_scripted_visitors_of_their_language_only(backend: BackendProcess) -> None:
    admin = admin_of(backend)
    accounts = {language: admin.new_agent(f"Trainee {language}") for language in ("en", "ja")}
    trainees = {
        language: await connect_agent(backend, account.email, account.password)
        for language, account in accounts.items()
    }
    old_account = admin.new_agent("Trainee of an older app")
    old = await connect_agent(backend, old_account.email, old_account.password)
    try:
        for language, trainee in trainees.items():
            token = trainee.token  # type: ignore[attr-defined]
            me = await _ok(
                backend, token, "PUT", "/api/v1/training", {"training": True, "language": language}
            )
            assert (me["training"], me["training_language"]) == (True, language)
            snapshot = await _ok(backend, token, "GET", "/api/v1/snapshot")
            assert snapshot["me"]["training_language"] == language
        # An older app names no language: every language, as before. A language of no scenario, or
        # anything else, is refused.
        old_token = old.token  # type: ignore[attr-defined]
        me = await _ok(backend, old_token, "PUT", "/api/v1/training", {"training": True})
        assert (me["training"], me["training_language"]) == (True, None)
        for bad in ("fr", "", "EN", 1, ["en"], "en-US"):
            refused = await _call(
                backend, old_token, "PUT", "/api/v1/training", {"training": True, "language": bad}
            )
            assert refused.status_code == 422, (bad, refused.text)
        me = await _ok(backend, old_token, "PUT", "/api/v1/training", {"training": False, "language": "ja"})
        assert (me["training"], me["training_language"]) == (False, None)  # out of training: no language

        for trainee in trainees.values():
            await trainee.ok("set_status", {"status": "accepting"})
        # Two rounds each, both trainees at once: every chat is of the trainee's language, and the
        # scenarios of that language take turns.
        seen: set[str] = set()
        met: dict[str, list[str]] = {"en": [], "ja": []}
        for _round in range(2):
            chats = {
                language: await _next_chat(backend, trainee, seen) for language, trainee in trainees.items()
            }
            for language, chat in chats.items():
                trainee = trainees[language]
                scenario = _of(language).get(chat["visitor"]["name"])
                assert scenario is not None, (language, chat["visitor"])
                assert await _first_line(backend, trainee, chat["chat_id"]) == scenario.steps[0]["say"]
                met[language].append(scenario.id)
                await trainee.ok("close_chat", {"chat_id": chat["chat_id"], "client_id": new_id()})
        for language in ("en", "ja"):
            assert sorted(met[language]) == sorted(s.id for s in _of(language).values()), met
    finally:
        for trainee in (*trainees.values(), old):
            token = trainee.token  # type: ignore[attr-defined]
            await trainee.ok("set_status", {"status": "not_accepting"})
            for chat in (await _ok(backend, token, "GET", "/api/v1/snapshot"))["my_chats"]:
                await trainee.ok("close_chat", {"chat_id": chat["chat_id"], "client_id": new_id()})
            await _call(backend, token, "PUT", "/api/v1/training", {"training": False})
            await trainee.close()

"""Canned replies on disk: kept per account, survive a damaged file, and stay usable while the server is down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import httpx

from chat_protocol.canned import CannedReply
from chat_protocol.rest import TokenPair
from operator_app.net.api import ApiClient
from operator_app.net.session import AuthSession
from operator_app.store.canned_cache import CannedCache
from operator_app.store.canned_model import CannedRepliesModel

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def reply(canned_id: str, shortcut: str, owner: str | None = "me") -> CannedReply:
    return CannedReply(
        canned_id=canned_id,
        shortcut=shortcut,
        title=shortcut,
        text=f"{shortcut} text",
        owner_id=owner,
        updated_at=NOW,
    )


def auth_for(handler: httpx.MockTransport) -> AuthSession:
    api = ApiClient("http://chat.test", transport=handler)
    return AuthSession(api, TokenPair(access_token="a", refresh_token="r", expires_in=3600), email="me@test")


def test_cache_keeps_each_account_apart(tmp_path: Path) -> None:
    path = tmp_path / "data" / "canned.json"
    mine = CannedCache(path, "http://a|me")
    theirs = CannedCache(path, "http://a|other")
    mine.save([reply("1", "hello"), reply("2", "thanks", owner=None)])
    theirs.save([reply("3", "bye")])
    assert [r.shortcut for r in mine.load()] == ["hello", "thanks"]
    assert mine.load()[1].owner_id is None
    assert [r.shortcut for r in theirs.load()] == ["bye"]
    assert CannedCache(path, "http://b|me").load() == []


def test_a_damaged_cache_counts_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "canned.json"
    path.write_text("{not json", encoding="utf-8")
    cache = CannedCache(path, "acct")
    assert cache.load() == []
    cache.save([reply("1", "hello")])
    assert [r.shortcut for r in cache.load()] == ["hello"]
    path.write_text('{"acct": {"replies": [{"shortcut": 1}]}}', encoding="utf-8")
    assert cache.load() == []


def test_replies_come_from_the_cache_when_the_server_is_down(tmp_path: Path) -> None:
    cache = CannedCache(tmp_path / "canned.json", "acct")
    cache.save([reply("1", "hello"), reply("2", "thanks", owner=None)])

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async def scenario() -> CannedRepliesModel:
        auth = auth_for(httpx.MockTransport(down))
        model = CannedRepliesModel(cache, auth)
        model.load_cached()
        await model.refresh_quietly()
        await auth.api.aclose()
        return model

    model = asyncio.run(scenario())
    assert model.source == "cache"
    assert [r.shortcut for r in model.replies()] == ["hello", "thanks"]


def test_a_refresh_replaces_the_list_and_the_cache(tmp_path: Path) -> None:
    cache = CannedCache(tmp_path / "canned.json", "acct")
    cache.save([reply("1", "hello")])
    fresh = [reply("2", "thanks", owner=None), reply("3", "bye")]

    def server(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/canned"
        assert request.headers["authorization"] == "Bearer a"
        return httpx.Response(200, json=[r.model_dump(mode="json") for r in fresh])

    async def scenario() -> CannedRepliesModel:
        auth = auth_for(httpx.MockTransport(server))
        model = CannedRepliesModel(cache, auth)
        model.load_cached()
        await model.refresh()
        await auth.api.aclose()
        return model

    model = asyncio.run(scenario())
    assert model.source == "server"
    assert [r.shortcut for r in model.replies()] == ["bye", "thanks"]
    assert [r.shortcut for r in CannedCache(tmp_path / "canned.json", "acct").load()] == ["thanks", "bye"]

"""`POST /api/v1/archives/search` from the client's side: the body it sends for a search and its
filters (a body, so a long search text fits), the page it reads back, and a refusal as the usual
typed error."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from chat_protocol.archive import MAX_SEARCH_CHARS, ArchiveQuery
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.api import ApiClient

JST = timezone(timedelta(hours=9))
HIT = {
    "chat_id": "c1",
    "site_id": "s1",
    "visitor": {"visitor_id": "v1", "number": 3, "name": "<b>x</b>"},
    "created_at": "2026-12-07T01:00:00Z",
    "closed_at": "2026-12-07T01:10:00Z",
    "snippet": "抹茶をください",
    "highlights": [[0, 2]],
    "match": "message",
}


@pytest.mark.asyncio
async def test_the_client_posts_the_search_with_the_token_and_reads_the_page() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if json.loads(request.content).get("cursor") == "bad":
            return httpx.Response(422, json={"detail": {"code": "invalid", "message": "bad cursor"}})
        return httpx.Response(200, json={"hits": [HIT], "next_cursor": "k2"})

    api = ApiClient("https://chat.example.com", transport=httpx.MockTransport(handler))
    try:
        query = ArchiveQuery(
            q="抹茶" * (MAX_SEARCH_CHARS // 2),  # far too long for a URL
            since=datetime(2026, 12, 1, tzinfo=JST),
            until=datetime(2026, 12, 8, tzinfo=UTC),
            agent_id="a1",
            rating="none",
            had_call=True,
            transferred=False,
            visitor="ann@",
            cursor="k1",
            limit=20,
        )
        page = await api.archives("tok", query)
        assert page.next_cursor == "k2"
        assert page.hits[0].highlights == [(0, 2)]
        assert page.hits[0].visitor.name == "<b>x</b>"
        request = seen[0]
        assert request.method == "POST"
        assert request.url.path == "/api/v1/archives/search"
        assert request.url.query == b""  # nothing of the search in the URL
        assert request.headers["Authorization"] == "Bearer tok"
        body = json.loads(request.content)
        assert body == {
            "q": query.q,
            "since": "2026-12-01T00:00:00+09:00",
            "until": "2026-12-08T00:00:00Z",
            "agent_id": "a1",
            "rating": "none",
            "had_call": True,
            "transferred": False,
            "visitor": "ann@",
            "tag_ids": [],
            "cursor": "k1",
            "limit": 20,
        }
        assert ArchiveQuery.model_validate(body) == query

        with pytest.raises(ApiError) as caught:
            await api.archives("tok", ArchiveQuery(cursor="bad"))
        assert caught.value.kind is ApiErrorKind.HTTP
        assert caught.value.status == 422
    finally:
        await api.aclose()


def test_a_kind_of_match_a_newer_server_adds_reads_as_a_message() -> None:
    from chat_protocol.archive import ArchiveHit

    hit = {
        "chat_id": "c",
        "site_id": "s",
        "visitor": {"visitor_id": "v", "number": 1},
        "created_at": "2026-12-01T10:00:00Z",
        "closed_at": "2026-12-01T10:05:00Z",
    }
    assert ArchiveHit.model_validate({**hit, "match": "file"}).match == "file"
    assert ArchiveHit.model_validate({**hit, "match": "call_transcript"}).match == "message"
    assert ArchiveHit.model_validate({**hit, "match": None}).match is None

"""A stand-in for the server's tag and export routes behind the real REST client (httpx's mock
transport): tags, chats' tags, the tag rule and exports, with every request recorded."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import httpx

from operator_app.net.api import ApiClient
from operator_app.store.tags_service import TagsService


class TagServer:
    """`tags` by id, `chat_tags` by chat; `refuse` maps "METHOD path" to an error status."""

    def __init__(self) -> None:
        self.tags: dict[str, dict[str, str]] = {}
        self.chat_tags: dict[str, list[str]] = {}
        self.require = False
        self.refuse: dict[str, int] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.exports: dict[str, tuple[bytes, str, str]] = {}  # path -> (content, type, disposition)
        self.next_id = 1

    def add(self, name: str, colour: str = "#607d8b") -> str:
        tag_id = f"t{self.next_id}"
        self.next_id += 1
        self.tags[tag_id] = {"tag_id": tag_id, "name": name, "colour": colour}
        return tag_id

    def puts(self, chat_id: str) -> list[list[str]]:
        return [
            body["tag_ids"]
            for method, path, body in self.requests
            if (method, path) == ("PUT", f"/api/v1/chats/{chat_id}/tags")
        ]

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, path, body))
        status = self.refuse.get(f"{request.method} {path}")
        if status is not None:
            return httpx.Response(
                status,
                json={
                    "detail": {
                        "code": "not_found" if status == 404 else "already_exists",
                        "message": "refused",
                    }
                },
            )
        parts = path.removeprefix("/api/v1/").split("/")
        if parts == ["tags"] and request.method == "GET":
            return httpx.Response(200, json=list(self.tags.values()))
        if parts == ["tags"] and request.method == "POST":
            if any(t["name"] == body["name"] for t in self.tags.values()):
                return httpx.Response(
                    409,
                    json={"detail": {"code": "already_exists", "message": "A tag with this name exists."}},
                )
            tag_id = self.add(body["name"], body["colour"])
            return httpx.Response(201, json=self.tags[tag_id])
        if parts[0] == "tags" and len(parts) == 2:
            if request.method == "DELETE":
                self.tags.pop(parts[1], None)
                for ids in self.chat_tags.values():
                    if parts[1] in ids:
                        ids.remove(parts[1])
                return httpx.Response(204)
            self.tags[parts[1]] = {"tag_id": parts[1], **body}
            return httpx.Response(200, json=self.tags[parts[1]])
        if parts[:1] == ["chats"] and parts[2:] == ["tags"]:
            if request.method == "PUT":
                self.chat_tags[parts[1]] = [t for t in body["tag_ids"] if t in self.tags]
            return httpx.Response(200, json={"tag_ids": self.chat_tags.get(parts[1], [])})
        if parts == ["settings", "tags"]:
            if request.method == "PUT":
                self.require = body["require_tag_to_close"]
            return httpx.Response(200, json={"require_tag_to_close": self.require})
        if path in self.exports:
            content, media_type, disposition = self.exports[path]
            return httpx.Response(
                200, content=content, headers={"content-type": media_type, "content-disposition": disposition}
            )
        return httpx.Response(404, json={"detail": {"code": "not_found", "message": path}})


def fake_auth(server: TagServer) -> Any:
    """What `AuthSession` gives the services: `call(fn)` with a token, and the REST client."""
    api = ApiClient("https://chat.example.com", transport=httpx.MockTransport(server.handle))

    async def call(fn: Any) -> Any:
        return await fn("token")

    return SimpleNamespace(call=call, api=api)


def tags_service(server: TagServer) -> TagsService:
    return TagsService(fake_auth(server))

"""REST calls of files in chats (`chat_protocol.attachments`, docs/roles.md "Attachments"): the admin's
limits, an upload into a chat I hold (streamed, with progress, idempotent by its client id) and the
bytes of a file or of an image's thumbnail.

An upload is cancelled by cancelling the task that awaits it; a retry with the same `client_id` never
stores the file twice (the server answers with the first event). Refusals raise `ApiError` with the
server's `code` (``too_large``, ``type_not_allowed``...)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from urllib.parse import quote

from pydantic import ValidationError

from chat_protocol.attachments import AttachmentSettings
from chat_protocol.models import MessageEvent
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.api import ApiClient

CHUNK_BYTES = 64 * 1024

Progress = Callable[[int, int], None]


def _q(value: str) -> str:
    return quote(value, safe="")


async def chunks(
    data: bytes, progress: Progress | None = None, size: int = CHUNK_BYTES
) -> AsyncIterator[bytes]:
    """`data` in pieces, telling `progress(sent, total)` after each piece is handed to the connection."""
    total = len(data)
    view = memoryview(data)
    for start in range(0, total, size):
        piece = bytes(view[start : start + size])
        yield piece
        if progress is not None:
            progress(min(total, start + size), total)


class AttachmentsApi:
    """Typed calls; each takes the access token first, like `ApiClient`'s, for `AuthSession.call`."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def settings(self, token: str) -> AttachmentSettings:
        """`GET /settings/attachments` (any agent): enabled, the largest file, the kinds allowed."""
        return await self.api.request_model("GET", "/settings/attachments", AttachmentSettings, token=token)

    async def upload(
        self,
        token: str,
        chat_id: str,
        *,
        name: str,
        data: bytes,
        client_id: str,
        progress: Progress | None = None,
    ) -> MessageEvent:
        """`POST /chats/{id}/attachments`: the file becomes a message of the chat (its event)."""
        from chat_protocol.socket_payloads import MessageResult

        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(len(data)),
            "X-File-Name": _q(name),
            "X-Client-Id": client_id,
        }
        response = await self.api.send_body(
            "POST",
            f"/chats/{_q(chat_id)}/attachments",
            token=token,
            content=chunks(data, progress),
            headers=headers,
        )
        try:
            return MessageResult.model_validate_json(response.content).event
        except ValidationError as exc:
            raise ApiError(ApiErrorKind.BAD_RESPONSE, f"unexpected upload answer: {exc}") from exc

    async def download(self, token: str, attachment_id: str) -> bytes:
        """`GET /attachments/{id}`: the file's bytes as stored."""
        response = await self.api.request_raw("GET", f"/attachments/{_q(attachment_id)}", token=token)
        return response.content

    async def thumbnail(self, token: str, attachment_id: str) -> bytes:
        """`GET /attachments/{id}/thumbnail`: an image's thumbnail (JPEG or PNG, fits 320x320)."""
        response = await self.api.request_raw(
            "GET", f"/attachments/{_q(attachment_id)}/thumbnail", token=token
        )
        return response.content

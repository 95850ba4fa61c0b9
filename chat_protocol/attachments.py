"""Files in chats: what an attachment looks like on the wire, and the admin's limits.

Uploads and downloads go over HTTP, never over the sockets (`docs/protocol.md`, "Attachments"):

- an agent: `POST /api/v1/chats/{chat_id}/attachments` (the raw file as the body; its name in the
  `X-File-Name` header, percent-encoded UTF-8; a `X-Client-Id` header makes a retry idempotent), then
  `GET /api/v1/attachments/{attachment_id}` and `.../thumbnail` with the usual bearer token;
- a visitor: `POST /api/v1/visitor/chats/{chat_id}/attachments` and
  `GET /api/v1/visitor/attachments/{attachment_id}` (and `.../thumbnail`), the visitor's token in the
  `X-Visitor-Token` header and the site in `X-Site-Id`; only from one of the site's origins (CORS).

An accepted upload is a chat message whose `attachment` is set (`text` is empty): it reaches everyone
in the chat as any message does, through the event log.
"""

from typing import Literal

from pydantic import Field

from chat_protocol.base import ProtocolModel

MAX_FILE_NAME_CHARS = 120
# The most an admin may allow per file; the default is 10 MB.
MAX_UPLOAD_BYTES_CEILING = 50 * 1024 * 1024
DEFAULT_UPLOAD_BYTES = 10 * 1024 * 1024
# Thumbnails fit in this square (pixels).
THUMBNAIL_EDGE = 320

FileCategory = Literal["images", "pdf", "text", "office"]
ALL_CATEGORIES: tuple[FileCategory, ...] = ("images", "pdf", "text", "office")


class AttachmentInfo(ProtocolModel):
    """A stored file of a chat. `name` is the sender's file name made safe (plain text, no folders,
    no control or direction characters); `content_type` is what the server found in the content."""

    attachment_id: str
    name: str = Field(max_length=MAX_FILE_NAME_CHARS + 10)
    size: int = Field(ge=0, description="Bytes, as stored (an image after re-encoding).")
    content_type: str
    category: FileCategory
    width: int | None = Field(default=None, description="Images: pixels.")
    height: int | None = None
    thumbnail: bool = Field(default=False, description="A thumbnail can be fetched (images).")


class AttachmentSettings(ProtocolModel):
    """`/api/v1/settings/attachments` (admins write): whether visitors and agents may send files, the
    largest file, and the kinds allowed (images: PNG, JPEG, GIF, WebP; pdf; text: plain text and CSV;
    office: Word, Excel, PowerPoint and OpenDocument files)."""

    enabled: bool = True
    max_bytes: int = Field(default=DEFAULT_UPLOAD_BYTES, ge=1024, le=MAX_UPLOAD_BYTES_CEILING)
    allowed: list[FileCategory] = Field(default_factory=lambda: list(ALL_CATEGORIES))


class UploadRefusal(ProtocolModel):
    """The `detail` of a refused upload (HTTP 4xx): a stable `code` and a message for people.

    Codes: `too_large` (413), `empty` (422), `type_not_allowed` (415), `name_mismatch` (415: the
    content is not what the name says), `damaged` (422: an image or document that cannot be read),
    `too_complex` (422: a decompression bomb), `disabled` (403), `rate_limited` (429),
    `chat_closed` (409)."""

    code: str
    message: str

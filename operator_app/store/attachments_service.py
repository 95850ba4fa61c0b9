"""Files in my chats: the uploads of each chat (sending with their progress, failed with a reason and a
retry, or cancelled), the admin's limits (fetched when first needed) and a small in-memory cache of
thumbnails, images and files fetched for the transcript.

An upload shows at once in the transcript as a "sending" line keyed by its client id (like a reply);
the confirmed message event, from the upload's answer or from the socket, replaces it. A retry reuses
the client id, so the server never stores the file twice. Cancelling removes the line.

Signals: ``uploads_changed(chat_id)`` when an upload of the chat starts, fails, ends or is cancelled;
``upload_progress(chat_id, client_id)`` as bytes go out; ``image_ready(attachment_id)`` when a
thumbnail was fetched (or could not be).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QImage

from chat_protocol.attachments import AttachmentInfo, AttachmentSettings
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.attachments_api import AttachmentsApi
from operator_app.net.session import AuthSession
from operator_app.store.attachment_kinds import EXTENSIONS, category_of, human_size
from operator_app.store.chat_state import ChatStore, Delivery

log = logging.getLogger(__name__)
V = TypeVar("V")

THUMBNAILS_KEPT = 200
IMAGES_KEPT = 6
FILES_KEPT = 4


class UploadRefused(Exception):
    """A file refused before it is sent; `text` says why (translated, one sentence)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def refusal_text(code: str | None, fallback: str = "") -> str:
    """Why the server refused a file, in the operator's language (the server's message otherwise)."""
    texts = {
        "too_large": QCoreApplication.translate("Attachments", "The file is too large."),
        "empty": QCoreApplication.translate("Attachments", "The file is empty."),
        "type_not_allowed": QCoreApplication.translate(
            "Attachments", "Files of this kind cannot be sent in chats."
        ),
        "name_mismatch": QCoreApplication.translate(
            "Attachments", "The file's content does not match its name."
        ),
        "damaged": QCoreApplication.translate("Attachments", "The file is damaged and cannot be read."),
        "too_complex": QCoreApplication.translate("Attachments", "The file is too complex to be checked."),
        "disabled": QCoreApplication.translate(
            "Attachments", "Sending files is turned off by your administrator."
        ),
        "rate_limited": QCoreApplication.translate(
            "Attachments", "Too many files at once. Please wait a moment and retry."
        ),
        "unavailable": QCoreApplication.translate(
            "Attachments", "The file store is unavailable. Please retry later."
        ),
        "incomplete": QCoreApplication.translate("Attachments", "The upload was interrupted."),
        "chat_closed": QCoreApplication.translate("Attachments", "The chat is closed."),
        "forbidden": QCoreApplication.translate("Attachments", "You no longer hold this chat."),
        "not_found": QCoreApplication.translate("Attachments", "The chat or the file no longer exists."),
    }
    return (
        texts.get(code or "", "")
        or fallback
        or QCoreApplication.translate("Attachments", "The file could not be sent.")
    )


@dataclass(eq=False)
class Upload:
    """One file on its way into a chat. `state`: sending, failed or cancelled."""

    chat_id: str
    name: str
    data: bytes
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    sent: int = 0
    state: str = "sending"
    reason: str = ""
    task: asyncio.Task[None] | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def percent(self) -> int:
        return 100 if not self.data else min(100, self.sent * 100 // len(self.data))


class AttachmentsService(QObject):
    uploads_changed = Signal(str)
    upload_progress = Signal(str, str)
    image_ready = Signal(str)

    def __init__(self, auth: AuthSession, store: ChatStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._auth = auth
        self._api = AttachmentsApi(auth.api)
        self._store = store
        self._limits: AttachmentSettings | None = None
        self._uploads: dict[str, list[Upload]] = {}
        self._thumbs: OrderedDict[str, QImage] = OrderedDict()
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._files: OrderedDict[str, bytes] = OrderedDict()
        self._fetching: dict[str, asyncio.Task[None]] = {}
        self.broken: set[str] = set()  # thumbnails that could not be fetched

    # --- limits ---------------------------------------------------------------------------------

    async def limits(self) -> AttachmentSettings:
        if self._limits is None:
            self._limits = await self._auth.call(self._api.settings)
        return self._limits

    async def check(self, name: str, size: int) -> None:
        """Refuse (`UploadRefused`) a file the server would refuse by its size or kind."""
        limits = await self.limits()
        if not limits.enabled:
            raise UploadRefused(refusal_text("disabled"))
        if size <= 0:
            raise UploadRefused(refusal_text("empty"))
        if size > limits.max_bytes:
            raise UploadRefused(
                QCoreApplication.translate(
                    "Attachments", "The file is too large: %1. Files up to %2 can be sent."
                )
                .replace("%1", human_size(size))
                .replace("%2", human_size(limits.max_bytes))
            )
        category = category_of(name)
        has_extension = "." in name.strip(".")
        if (category is None and has_extension) or (category is not None and category not in limits.allowed):
            allowed = sorted(ext for ext, kind in EXTENSIONS.items() if kind in limits.allowed)
            raise UploadRefused(
                QCoreApplication.translate(
                    "Attachments", "Files of this kind cannot be sent in chats. Allowed: %1"
                ).replace("%1", ", ".join(allowed))
            )

    # --- uploads --------------------------------------------------------------------------------

    def uploads(self, chat_id: str) -> list[Upload]:
        return list(self._uploads.get(chat_id, []))

    async def send(self, chat_id: str, name: str, data: bytes) -> Upload:
        """Check the file, show it as sending in the transcript and start sending it."""
        await self.check(name, len(data))
        upload = Upload(chat_id, name, data)
        info = AttachmentInfo(
            attachment_id="",
            name=name[:130],
            size=len(data),
            content_type="",
            category=category_of(name) or "text",
        )
        self._store.add_pending_message(chat_id, upload.client_id, "", attachment=info)
        self._uploads.setdefault(chat_id, []).append(upload)
        self._start(upload)
        return upload

    def retry(self, upload: Upload) -> None:
        """Send a failed file again under the same client id (stored once whatever happens)."""
        if upload.state != "failed":
            return
        self._store.mark_failed(upload.chat_id, upload.client_id, Delivery.SENDING)
        self._start(upload)

    def cancel(self, upload: Upload) -> None:
        """Stop sending (or give up a failed file): its line leaves the transcript."""
        if upload.task is not None and not upload.task.done():
            upload.task.cancel()
            return
        self._forget(upload, "cancelled")

    def _start(self, upload: Upload) -> None:
        upload.state, upload.reason, upload.sent = "sending", "", 0
        upload.task = asyncio.create_task(self._run(upload), name=f"upload-{upload.client_id}")
        self.uploads_changed.emit(upload.chat_id)

    async def _run(self, upload: Upload) -> None:
        def progress(sent: int, total: int) -> None:
            upload.sent = sent
            self.upload_progress.emit(upload.chat_id, upload.client_id)

        try:
            event = await self._auth.call(
                lambda token: self._api.upload(
                    token,
                    upload.chat_id,
                    name=upload.name,
                    data=upload.data,
                    client_id=upload.client_id,
                    progress=progress,
                )
            )
        except asyncio.CancelledError:
            self._forget(upload, "cancelled")
            raise
        except ApiError as exc:
            log.warning("upload %s into %s refused: %r", upload.client_id, upload.chat_id, exc)
            upload.state = "failed"
            upload.reason = refusal_text(exc.code, "") if exc.code else _api_reason(exc)
            self._store.mark_failed(upload.chat_id, upload.client_id)
            self.uploads_changed.emit(upload.chat_id)
            return
        self._store.apply_event(event, advance_cursor=False)
        self._forget(upload, "sent")

    def _forget(self, upload: Upload, state: str) -> None:
        upload.state = state
        if state == "cancelled":
            self._store.drop_pending(upload.chat_id, upload.client_id)
        queue = self._uploads.get(upload.chat_id, [])
        if upload in queue:
            queue.remove(upload)
        self.uploads_changed.emit(upload.chat_id)

    # --- fetching -------------------------------------------------------------------------------

    def thumbnail(self, info: AttachmentInfo) -> QImage | None:
        """The cached thumbnail, or None while it is fetched (``image_ready`` tells when)."""
        key = info.attachment_id
        image = self._thumbs.get(key)
        if image is not None:
            self._thumbs.move_to_end(key)
            return image
        if key and info.thumbnail and key not in self._fetching and key not in self.broken:
            self._fetching[key] = asyncio.ensure_future(self._fetch_thumbnail(key))
        return None

    async def _fetch_thumbnail(self, attachment_id: str) -> None:
        try:
            data = await self._auth.call(lambda token: self._api.thumbnail(token, attachment_id))
            image = QImage.fromData(data)
            if image.isNull():
                raise ValueError("not an image")
            _keep(self._thumbs, attachment_id, image, THUMBNAILS_KEPT)
        except (ApiError, ValueError) as exc:
            log.warning("thumbnail %s: %r", attachment_id, exc)
            self.broken.add(attachment_id)
        finally:
            self._fetching.pop(attachment_id, None)
        self.image_ready.emit(attachment_id)

    async def file_bytes(self, attachment_id: str) -> bytes:
        """The file as stored (raises `ApiError`)."""
        data = self._files.get(attachment_id)
        if data is None:
            data = await self._auth.call(lambda token: self._api.download(token, attachment_id))
            _keep(self._files, attachment_id, data, FILES_KEPT)
        return data

    async def image(self, attachment_id: str) -> QImage:
        """The full image (raises `ApiError`, or `ValueError` when it cannot be decoded)."""
        image = self._images.get(attachment_id)
        if image is None:
            image = QImage.fromData(await self.file_bytes(attachment_id))
            if image.isNull():
                raise ValueError("the image cannot be shown")
            _keep(self._images, attachment_id, image, IMAGES_KEPT)
        return image

    async def close(self) -> None:
        tasks = [u.task for queue in self._uploads.values() for u in queue if u.task is not None]
        tasks += list(self._fetching.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _keep(cache: OrderedDict[str, V], key: str, value: V, most: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > most:
        cache.popitem(last=False)


def _api_reason(error: ApiError) -> str:
    if error.kind in (ApiErrorKind.UNREACHABLE, ApiErrorKind.TIMEOUT, ApiErrorKind.PROXY, ApiErrorKind.TLS):
        return QCoreApplication.translate("Attachments", "The server could not be reached. Please retry.")
    return refusal_text(None, error.message)

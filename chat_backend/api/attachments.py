"""`/api/v1`: files in chats, sent and fetched over HTTP (`chat_protocol.attachments`).

An upload is the raw file as the request body, its name in `X-File-Name` (percent-encoded UTF-8) and
an idempotency key in `X-Client-Id`; the answer is the chat message that carries it. A download is the
file itself, always as an attachment (`Content-Disposition`), never sniffed, under a policy that runs
nothing. Agents send their bearer token; visitors their token in `X-Visitor-Token` and their site in
`X-Site-Id`, from one of the site's origins (CORS allows only those)."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import NoReturn
from urllib.parse import quote, unquote, urlsplit

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from chat_backend.api.deps import AppState, CurrentActor, State, raise_http
from chat_backend.domain import attachments, chats, sites
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.errors import DomainError
from chat_backend.files.names import size_text
from chat_backend.files.store import FileStore, StoreError, new_key
from chat_backend.files.upload_body import BodyIncomplete, BodyTooLarge, read_body
from chat_backend.net import client_ip, limit_key
from chat_protocol import ErrorCode
from chat_protocol.attachments import AttachmentSettings
from chat_protocol.models import MessageEvent
from chat_protocol.socket_payloads import MessageResult

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1")

MAX_UPLOADS_READING = 16
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_MAX_NAME_HEADER = 2048
# Files are served as downloads that nothing may run or frame, to anyone who may have them only.
_FILE_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


class Refused(Exception):
    """An upload refused before it is stored: HTTP status, stable code, message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


_REFUSAL_STATUS = {"too_large": 413, "type_not_allowed": 415, "name_mismatch": 415}


def _client_id(value: str | None) -> str:
    if value is None or not _CLIENT_ID.fullmatch(value):
        raise Refused(422, "invalid_payload", "X-Client-Id (8-64 letters, digits, - or _) is required.")
    return value


def _file_name(value: str | None) -> str:
    if value is None or len(value) > _MAX_NAME_HEADER:
        return ""
    return unquote(value, errors="replace")


async def _receive(
    state: AppState, request: Request, name: str, limits: AttachmentSettings
) -> attachments.StoredFile:
    """The body read, inspected and stored, once sending files is on. At most `MAX_UPLOADS_READING`
    uploads are between their first byte and the store on a node (each body is held in memory until
    it is stored, also while it waits for its turn to be inspected): more are asked to come back
    shortly."""
    if not limits.enabled:
        raise Refused(403, "disabled", "Files cannot be sent in this chat.")
    if state.uploads_reading >= MAX_UPLOADS_READING:
        raise Refused(503, "unavailable", "Too many files are arriving right now; please try again.")
    state.uploads_reading += 1
    try:
        try:
            data = await read_body(request, limits.max_bytes)
        except BodyTooLarge as exc:
            raise Refused(
                413, "too_large", f"This file is larger than {size_text(limits.max_bytes)}."
            ) from exc
        except BodyIncomplete as exc:
            raise Refused(400, "incomplete", "The upload was interrupted.") from exc
        return await _store(state, data, name, limits)
    finally:
        state.uploads_reading -= 1


async def _store(
    state: AppState, data: bytes, name: str, limits: AttachmentSettings
) -> attachments.StoredFile:
    """Inspect the file (its type from its content; images re-encoded) and put it into the store."""
    from chat_backend.files.inspect import FileRefused, inspect_file  # Pillow only once a file comes

    async with state.file_work:
        try:
            found = await asyncio.to_thread(inspect_file, data, name, limits.allowed, limits.max_bytes)
        except FileRefused as exc:
            raise Refused(_REFUSAL_STATUS.get(exc.code, 422), exc.code, exc.message) from exc
    stored = attachments.StoredFile(
        attachment_id=attachments.new_attachment_id(),
        inspected=found,
        storage_key=new_key("chat"),
        thumbnail_key=new_key("thumb") if found.thumbnail is not None else None,
    )
    store = _files(state)
    try:
        await store.put(stored.storage_key, found.data)
        if stored.thumbnail_key is not None and found.thumbnail is not None:
            await store.put(stored.thumbnail_key, found.thumbnail)
    except StoreError as exc:
        await _forget(state, stored)
        log.warning("file store: %s", exc)
        raise Refused(503, "unavailable", "Files cannot be stored right now; please try again.") from exc
    return stored


def _files(state: AppState) -> FileStore:
    if state.files is None:
        raise Refused(503, "unavailable", "Files cannot be stored right now; please try again.")
    return state.files


async def _forget(state: AppState, stored: attachments.StoredFile) -> None:
    if state.files is None:
        return
    try:
        await state.files.delete(stored.keys)
    except StoreError as exc:
        log.warning("file store: cannot delete an unrecorded upload: %s", exc)


async def _rate(state: AppState, user: str, request: Request) -> None:
    wait = await state.hub.limits.upload_everywhere(user, limit_key(client_ip(request.scope)))
    if wait is not None:
        raise Refused(429, "rate_limited", "Too many files in a short time; please wait a moment.")


def _retry_after(exc: Refused) -> dict[str, str]:
    return {"Retry-After": "5"} if exc.status in (429, 503) else {}


def _refusal(exc: Refused, headers: dict[str, str] | None = None) -> JSONResponse:
    detail = {"code": exc.code, "message": exc.message}
    return JSONResponse(
        {"detail": detail}, status_code=exc.status, headers={**(headers or {}), **_retry_after(exc)}
    )


def _raise(exc: Refused) -> NoReturn:
    detail = {"code": exc.code, "message": exc.message}
    raise HTTPException(exc.status, detail=detail, headers=_retry_after(exc) or None) from exc


async def _fetch(state: AppState, key: str | None) -> bytes:
    if key is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such file.")
    try:
        return await _files(state).get(key)
    except KeyError as exc:
        log.warning("file store: a recorded file is missing (%s)", key)
        raise DomainError(ErrorCode.NOT_FOUND, "No such file.") from exc
    except StoreError as exc:
        log.warning("file store: %s", exc)
        raise Refused(503, "unavailable", "Files cannot be fetched right now; please try again.") from exc


def _disposition(name: str) -> str:
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _file_response(
    data: bytes, content_type: str, name: str, extra: dict[str, str] | None = None
) -> Response:
    headers = {
        "Content-Disposition": _disposition(name),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": _FILE_POLICY,
        "Cache-Control": "private, no-store",
        **(extra or {}),
    }
    return Response(content=data, media_type=content_type, headers=headers)


# --- agents -----------------------------------------------------------------------------------------


async def agent_upload(
    chat_id: str,
    request: Request,
    agent: AgentIdentity,
    state: AppState,
    x_file_name: str | None,
    x_client_id: str | None,
) -> MessageResult:
    """Send a file into a chat the agent holds (the route is `chats`')."""
    author = chats.agent_author(agent)
    try:
        client_id = _client_id(x_client_id)
        async with state.db.read() as session:
            retry = await attachments.agent_retry(session, agent, chat_id, client_id)
            if retry is not None:
                return MessageResult(event=retry)
            await attachments.agent_chat(session, agent, chat_id)
            limits = await attachments.attachment_settings(session)
        await _rate(state, f"agent:{agent.agent_id}", request)
        stored = await _receive(state, request, _file_name(x_file_name), limits)
    except DomainError as exc:
        raise_http(exc)
    except Refused as exc:
        _raise(exc)

    async def write() -> MessageEvent:
        async with state.db.write() as session:
            chat = await attachments.agent_chat(session, agent, chat_id)
            return await attachments.record(session, chat, author, client_id, stored)

    async def again() -> MessageEvent | None:
        async with state.db.read() as session:
            return await attachments.agent_retry(session, agent, chat_id, client_id)

    try:
        return MessageResult(
            event=await attachments.record_once(write, again, lambda: _forget(state, stored))
        )
    except DomainError as exc:
        raise_http(exc)


async def _agent_file(state: AppState, actor: CurrentActor, attachment_id: str) -> attachments.FileRef:
    async with state.db.read() as session:
        return await attachments.for_agent(session, actor, attachment_id)


@router.get("/attachments/{attachment_id}", response_class=Response)
async def agent_download(attachment_id: str, actor: CurrentActor, state: State) -> Response:
    """A file of a chat the agent may read (the transcript rule of `docs/roles.md`)."""
    try:
        row = await _agent_file(state, actor, attachment_id)
        return _file_response(await _fetch(state, row.storage_key), row.content_type, row.name)
    except DomainError as exc:
        raise_http(exc)
    except Refused as exc:
        _raise(exc)


@router.get("/attachments/{attachment_id}/thumbnail", response_class=Response)
async def agent_thumbnail(attachment_id: str, actor: CurrentActor, state: State) -> Response:
    try:
        row = await _agent_file(state, actor, attachment_id)
        data = await _fetch(state, row.thumbnail_key)
        return _file_response(data, _thumbnail_type(data), "thumbnail-" + row.name)
    except DomainError as exc:
        raise_http(exc)
    except Refused as exc:
        _raise(exc)


def _thumbnail_type(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"


# --- visitors ---------------------------------------------------------------------------------------


async def site_origin(state: AppState, origin: str | None) -> bool:
    """Whether `origin` is one of any site's origins (a preflight names no site)."""
    if not origin:
        return False
    async with state.db.read() as session:
        return any(sites.origin_allowed(site, origin) for site in await sites.list_sites(session))


def _cors(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": "Content-Disposition, Content-Length",
        "Vary": "Origin",
    }


async def _visitor(state: AppState, request: Request) -> str:
    """The id of the visitor behind `X-Visitor-Token` on the site `X-Site-Id`, asking from one of its
    origins."""
    token = request.headers.get("x-visitor-token")
    site_id = request.headers.get("x-site-id")
    if not token or not site_id or len(token) > 200 or len(site_id) > 64:
        raise DomainError(ErrorCode.INVALID_TOKEN, "X-Visitor-Token and X-Site-Id are required.")
    async with state.db.read() as session:
        return await attachments.visitor_of_token(session, site_id, token, _page_origin(state, request))


def _page_origin(state: AppState, request: Request) -> str | None:
    """The asking page's origin: its Origin header. A browser sends none with a GET to its own origin
    (a page on this server, as the demo shop is), but says `Sec-Fetch-Site: same-origin`: then it is
    this server's origin (CHAT_PUBLIC_URL, else the URL asked), which the site must still list."""
    origin = request.headers.get("origin")
    if origin or request.headers.get("sec-fetch-site") != "same-origin":
        return origin
    own = urlsplit(state.settings.public_url or str(request.base_url))
    return f"{own.scheme}://{own.netloc}"


def _domain_refusal(exc: DomainError) -> Refused:
    status = {
        ErrorCode.INVALID_TOKEN: 401,
        ErrorCode.ORIGIN_NOT_ALLOWED: 403,
        ErrorCode.FORBIDDEN: 403,
        ErrorCode.BLOCKED: 403,
        ErrorCode.NOT_FOUND: 404,
        ErrorCode.CHAT_CLOSED: 409,
        ErrorCode.CLIENT_ID_CONFLICT: 409,
    }.get(exc.code, 400)
    return Refused(status, exc.code.value, exc.message)


@router.post("/visitor/chats/{chat_id}/attachments", status_code=201, response_model=MessageResult)
async def visitor_upload(chat_id: str, request: Request, state: State) -> Response:
    """Send a file into the visitor's own open chat."""
    origin = request.headers.get("origin") or ""
    cors: dict[str, str] = {}
    try:
        visitor = await _visitor(state, request)
        cors = _cors(origin)
        client_id = _client_id(request.headers.get("x-client-id"))
        async with state.db.read() as session:
            retry = await attachments.visitor_retry(session, visitor, chat_id, client_id)
            if retry is None:
                await attachments.visitor_chat(session, visitor, chat_id)
                limits = await attachments.attachment_settings(session)
        if retry is not None:
            return _json(MessageResult(event=retry), 201, cors)
        await _rate(state, f"visitor:{visitor}", request)
        stored = await _receive(state, request, _file_name(request.headers.get("x-file-name")), limits)

        async def write() -> MessageEvent:
            async with state.db.write() as session:
                chat, author = await attachments.visitor_chat(session, visitor, chat_id)
                return await attachments.record(session, chat, author, client_id, stored)

        async def again() -> MessageEvent | None:
            async with state.db.read() as session:
                return await attachments.visitor_retry(session, visitor, chat_id, client_id)

        event = await attachments.record_once(write, again, lambda: _forget(state, stored))
        state.traffic.message_sent(visitor, event.event_id)  # the live list counts it as a message
        return _json(MessageResult(event=event), 201, cors)
    except DomainError as exc:
        return _refusal(_domain_refusal(exc), cors)
    except Refused as exc:
        return _refusal(exc, cors)


def _json(result: MessageResult, status: int, headers: dict[str, str]) -> Response:
    return Response(
        result.model_dump_json(), status_code=status, media_type="application/json", headers=headers
    )


async def _visitor_download(
    state: AppState, request: Request, attachment_id: str, thumbnail: bool
) -> Response:
    cors: dict[str, str] = {}
    try:
        visitor = await _visitor(state, request)
        if request.headers.get("origin"):
            cors = _cors(request.headers.get("origin") or "")
        async with state.db.read() as session:
            row = await attachments.for_visitor(session, visitor, attachment_id)
        if thumbnail:
            data = await _fetch(state, row.thumbnail_key)
            return _file_response(data, _thumbnail_type(data), "thumbnail-" + row.name, cors)
        return _file_response(await _fetch(state, row.storage_key), row.content_type, row.name, cors)
    except DomainError as exc:
        return _refusal(_domain_refusal(exc), cors)
    except Refused as exc:
        return _refusal(exc, cors)


@router.get("/visitor/attachments/{attachment_id}", response_class=Response)
async def visitor_download(attachment_id: str, request: Request, state: State) -> Response:
    """A file of one of the visitor's own chats."""
    return await _visitor_download(state, request, attachment_id, thumbnail=False)


@router.get("/visitor/attachments/{attachment_id}/thumbnail", response_class=Response)
async def visitor_thumbnail(attachment_id: str, request: Request, state: State) -> Response:
    return await _visitor_download(state, request, attachment_id, thumbnail=True)

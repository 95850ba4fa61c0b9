"""The REST client of one server: typed calls under ``/api/v1`` and failures mapped to `ApiError`."""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import BaseModel, TypeAdapter, ValidationError

from chat_protocol.rest import (
    AgentSummary,
    GroupInfo,
    LoginRequest,
    Me,
    OfflineMessage,
    RefreshRequest,
    ServerInfo,
    Snapshot,
    TokenPair,
    TranscriptPage,
)
from operator_app import __version__
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.answers import Answer, http_error, not_our_server, same_protocol, validated
from operator_app.net.network import Route, normalize_server_url, redact, route_to

if TYPE_CHECKING:  # httpx (with httpcore, h11, anyio) comes with the first request (`ApiClient._http`)
    import httpx

    # The models of what the first window does not show are imported by the calls that read them.
    from chat_protocol.archive import ArchivePage, ArchiveQuery, VisitorDeleted
    from chat_protocol.canned import CannedReply, CannedReplyInput
    from chat_protocol.supervision import SupervisedChat
    from chat_protocol.traffic import TrafficSnapshot, VisitorProfile, VisitorUpdate

log = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)
T = TypeVar("T")


@functools.cache
def list_adapter(model: type[ModelT]) -> TypeAdapter[list[ModelT]]:
    """The validator of a JSON list of `model`, built on first use (not at import, like the models)."""
    return TypeAdapter(list[model])  # type: ignore[valid-type]


# Seconds: to connect, and for anything else (`httpx.Timeout`; the early sign-in's sockets too).
CONNECT_TIMEOUT = 8.0
TIMEOUT = 15.0
USER_AGENT = f"operator-app/{__version__}"


def websocket_url(server_url: str, path: str = "/ws/agent") -> str:
    """The socket URL for a normalized server URL (``https`` -> ``wss``). Never carries a token."""
    parts = urlsplit(server_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + path, "", ""))


def is_tls_failure(exc: BaseException) -> bool:
    """True when an exception (or anything in its cause chain) is an SSL error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


class ApiClient:
    """One httpx `AsyncClient` per server: timeouts, the proxy, the TLS context (with a CA bundle).

    `proxy` is the ``proxy_url`` setting ("" the system's, "none" direct, or a proxy URL); the
    socket takes the same `route` (``operator_app/net/network.py``).
    """

    def __init__(
        self,
        server_url: str,
        *,
        ca_bundle: str | None = None,
        proxy: str = "",
        timeout: httpx.Timeout | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        route: Route | None = None,
    ) -> None:
        self.server_url = normalize_server_url(server_url)
        # `route`: one already made for this server with these settings (its TLS context loaded the
        # trust store, ~25 ms), as the early sign-in's.
        self.route = route or route_to(self.server_url, proxy_setting=proxy, ca_bundle=ca_bundle)
        self.ssl_context = self.route.ssl_context
        # A second handshake names an untrusted certificate; an injected transport has no real server.
        self._probe_certificates = transport is None
        self._timeout, self._transport = timeout, transport
        self._client: httpx.AsyncClient | None = None
        self._closed = False

    @property
    def _http(self) -> httpx.AsyncClient:
        """The httpx client, made (and httpx imported) for the first request: a sign-in from the
        command line reaches the main window without it (`operator_app.net.early_signin`)."""
        if self._client is None:
            if self._closed:
                raise RuntimeError("the API client is closed")
            import httpx

            tls = self.route.ssl_context or self.route.proxy_ssl_context
            self._client = httpx.AsyncClient(
                base_url=self.server_url + "/api/v1",
                timeout=self._timeout or httpx.Timeout(TIMEOUT, connect=CONNECT_TIMEOUT),
                verify=tls if tls is not None else False,  # False: no TLS is spoken at all
                proxy=self.route.proxy,
                trust_env=False,  # the environment's proxy is already in `route` (or overridden)
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                transport=self._transport,
            )
        return self._client

    async def aclose(self) -> None:
        self._closed = True
        if self._client is not None:
            await self._client.aclose()

    # --- calls -----------------------------------------------------------------------------

    async def server_info(self) -> ServerInfo:
        """`GET /info`, refusing a server that speaks another protocol (or none of ours)."""
        try:
            info = await self._request("GET", "/info", ServerInfo)
        except ApiError as exc:
            refusal = not_our_server(exc)
            if refusal is exc:
                raise
            raise refusal from exc
        return same_protocol(info)

    async def login(self, email: str, password: str) -> TokenPair:
        body = LoginRequest(email=email, password=password).model_dump()
        return await self._request("POST", "/auth/login", TokenPair, json=body, login=True)

    async def refresh(self, refresh_token: str) -> TokenPair:
        body = RefreshRequest(refresh_token=refresh_token).model_dump()
        return await self._request("POST", "/auth/refresh", TokenPair, json=body)

    async def logout(self, access_token: str) -> None:
        await self._send("POST", "/auth/logout", token=access_token)

    async def me(self, access_token: str) -> Me:
        return await self._request("GET", "/me", Me, token=access_token)

    async def snapshot(self, access_token: str) -> Snapshot:
        return await self._request("GET", "/snapshot", Snapshot, token=access_token)

    async def transcript(
        self, access_token: str, chat_id: str, *, after_seq: int = 0, limit: int = 200
    ) -> TranscriptPage:
        return await self._request(
            "GET",
            f"/chats/{chat_id}/events",
            TranscriptPage,
            token=access_token,
            params={"after_seq": after_seq, "limit": limit},
        )

    async def archives(self, access_token: str, query: ArchiveQuery) -> ArchivePage:
        """`POST /archives/search` (a body: a long search text fits): closed chats, newest first."""
        from chat_protocol.archive import ArchivePage

        body = query.model_dump(mode="json", exclude_none=True)
        return await self._request("POST", "/archives/search", ArchivePage, token=access_token, json=body)

    # --- canned replies, colleagues, offline messages -----------------------------------------

    async def list_canned(self, access_token: str) -> list[CannedReply]:
        """`GET /canned`: my personal replies and the team's."""
        from chat_protocol.canned import CannedReply

        return await self._request_list("GET", "/canned", list_adapter(CannedReply), token=access_token)

    async def create_canned(self, access_token: str, body: CannedReplyInput) -> CannedReply:
        """`POST /canned`; a team reply (`shared`) needs a supervisor or admin (403 otherwise)."""
        from chat_protocol.canned import CannedReply

        return await self._request(
            "POST", "/canned", CannedReply, token=access_token, json=body.model_dump(mode="json")
        )

    async def update_canned(self, access_token: str, canned_id: str, body: CannedReplyInput) -> CannedReply:
        from chat_protocol.canned import CannedReply

        return await self._request(
            "PUT", f"/canned/{canned_id}", CannedReply, token=access_token, json=body.model_dump(mode="json")
        )

    async def delete_canned(self, access_token: str, canned_id: str) -> None:
        await self._send("DELETE", f"/canned/{canned_id}", token=access_token)

    async def list_agents(self, access_token: str) -> list[AgentSummary]:
        """`GET /agents`: colleagues with online flag, status and load (for transfers)."""
        return await self._request_list("GET", "/agents", list_adapter(AgentSummary), token=access_token)

    async def list_groups(self, access_token: str) -> list[GroupInfo]:
        return await self._request_list("GET", "/groups", list_adapter(GroupInfo), token=access_token)

    async def list_offline_messages(self, access_token: str) -> list[OfflineMessage]:
        """`GET /offline-messages`: left by visitors while nobody accepted chats, newest first."""
        return await self._request_list(
            "GET", "/offline-messages", list_adapter(OfflineMessage), token=access_token
        )

    async def supervised_chats(self, access_token: str) -> list[SupervisedChat]:
        """`GET /supervision/chats`: teammates' open chats in my scope (supervisors and admins)."""
        from chat_protocol.supervision import SupervisedChat

        return await self._request_list(
            "GET", "/supervision/chats", list_adapter(SupervisedChat), token=access_token
        )

    # --- visitors on the site --------------------------------------------------------------

    async def traffic_snapshot(self, access_token: str) -> TrafficSnapshot:
        """`GET /traffic`: every visitor on the site now (send `watch_traffic` first)."""
        from chat_protocol.traffic import TrafficSnapshot

        return await self._request("GET", "/traffic", TrafficSnapshot, token=access_token)

    async def visitor_profile(self, access_token: str, visitor_id: str) -> VisitorProfile:
        from chat_protocol.traffic import VisitorProfile

        return await self._request(
            "GET", f"/visitors/{quote(visitor_id, safe='')}", VisitorProfile, token=access_token
        )

    async def update_visitor(self, access_token: str, visitor_id: str, body: VisitorUpdate) -> VisitorProfile:
        """`PATCH /visitors/{id}`: only the fields set in `body` change."""
        from chat_protocol.traffic import VisitorProfile

        return await self._request(
            "PATCH",
            f"/visitors/{quote(visitor_id, safe='')}",
            VisitorProfile,
            token=access_token,
            json=body.model_dump(mode="json", exclude_none=True),
        )

    async def mark_spam(self, access_token: str, visitor_id: str) -> VisitorProfile:
        """`PUT /visitors/{id}/spam`: the visitor opens no new chat and leaves no offline message."""
        from chat_protocol.traffic import VisitorProfile

        path = f"/visitors/{quote(visitor_id, safe='')}/spam"
        return await self._request("PUT", path, VisitorProfile, token=access_token)

    async def unmark_spam(self, access_token: str, visitor_id: str) -> VisitorProfile:
        """`DELETE /visitors/{id}/spam`: supervisors, admins and the agent who set the mark."""
        from chat_protocol.traffic import VisitorProfile

        path = f"/visitors/{quote(visitor_id, safe='')}/spam"
        return await self._request("DELETE", path, VisitorProfile, token=access_token)

    async def visitor_data(self, access_token: str, visitor_id: str) -> bytes:
        """`GET /visitors/{id}/data` (admins): everything held about the visitor, as the JSON bytes the
        server sent (saved as they are)."""
        response = await self._send("GET", f"/visitors/{quote(visitor_id, safe='')}/data", token=access_token)
        return response.content

    async def delete_visitor(self, access_token: str, visitor_id: str) -> VisitorDeleted:
        """`DELETE /visitors/{id}` (admins): refused (`forbidden`) while the visitor is on the site."""
        from chat_protocol.archive import VisitorDeleted

        path = f"/visitors/{quote(visitor_id, safe='')}"
        return await self._request("DELETE", path, VisitorDeleted, token=access_token)

    # --- generic typed calls (operator_app/net/admin_api.py builds on these) -------------------

    async def request_model(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        *,
        token: str,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> ModelT:
        return await self._request(method, path, model, token=token, json=json, params=params)

    async def request_list(
        self,
        method: str,
        path: str,
        adapter: TypeAdapter[T],
        *,
        token: str,
        params: dict[str, Any] | None = None,
    ) -> T:
        return await self._request_list(method, path, adapter, token=token, params=params)

    async def request_none(
        self, method: str, path: str, *, token: str, json: dict[str, Any] | None = None
    ) -> None:
        await self._send(method, path, token=token, json=json)

    async def request_raw(
        self,
        method: str,
        path: str,
        *,
        token: str,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """The response itself (a file to save, not a model), after the same error mapping."""
        return await self._send(method, path, token=token, json=json, params=params)

    # --- plumbing ----------------------------------------------------------------------------

    async def _request_list(
        self,
        method: str,
        path: str,
        adapter: TypeAdapter[T],
        *,
        token: str,
        params: dict[str, Any] | None = None,
    ) -> T:
        response = await self._send(method, path, token=token, params=params)
        try:
            return adapter.validate_json(response.content)
        except ValidationError as exc:
            raise ApiError(
                ApiErrorKind.BAD_RESPONSE, f"unexpected {path} body: {exc}", status=response.status_code
            ) from exc

    async def _request(
        self,
        method: str,
        path: str,
        model: type[ModelT],
        *,
        token: str | None = None,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        login: bool = False,
    ) -> ModelT:
        response = await self._send(method, path, token=token, json=json, params=params, login=login)
        return validated(Answer(method, path, response.status_code, "", response.content), model)

    async def send_body(
        self, method: str, path: str, *, token: str, content: AsyncIterator[bytes], headers: dict[str, str]
    ) -> httpx.Response:
        """A request whose body is streamed from `content` (an upload), after the same error mapping."""
        return await self._send(method, path, token=token, content=content, headers=headers)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        login: bool = False,
        content: AsyncIterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        import httpx

        headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        try:
            response = await self._http.request(
                method, path, headers=headers, json=json, params=params, content=content
            )
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout):
                raise ApiError(ApiErrorKind.UNREACHABLE, f"connection timed out: {exc}") from exc
            raise ApiError(ApiErrorKind.TIMEOUT, f"the server did not answer in time: {exc}") from exc
        except httpx.TransportError as exc:
            raise await self._transport_error(exc) from exc
        if response.status_code == 407 and self.route.proxy is not None:
            raise self._proxy_error("the proxy requires a valid user name and password (407)", status=407)
        if response.is_success:
            return response
        raise self._http_error(response, login=login)

    async def _transport_error(self, exc: httpx.TransportError) -> ApiError:
        import httpx  # imported already: `_http` made the client that raised `exc`

        if is_tls_failure(exc):
            from operator_app.net.certinfo import untrusted_certificate_details

            details = (
                await untrusted_certificate_details(self.server_url, self.route.proxy, exc)
                if self._probe_certificates
                else {}
            )
            log.warning("TLS failure with %s: %s %s", self.server_url, exc, details)
            return ApiError(ApiErrorKind.TLS, f"TLS failure: {exc}", details=details)
        if self.route.proxy is not None and isinstance(exc, httpx.ProxyError | httpx.ConnectError):
            # The proxy's answer to CONNECT: 407 (tinyproxy says 401) means its credentials were refused.
            refused = isinstance(exc, httpx.ProxyError) and str(exc)[:4] in ("407 ", "401 ")
            return self._proxy_error(f"through the proxy: {exc}", status=407 if refused else None)
        return ApiError(ApiErrorKind.UNREACHABLE, f"cannot reach the server: {exc}")

    def _proxy_error(self, message: str, *, status: int | None) -> ApiError:
        shown = redact(self.route.proxy or "")
        log.warning("proxy %s: %s", shown, message)
        return ApiError(ApiErrorKind.PROXY, message, status=status, details={"proxy": shown})

    @staticmethod
    def _http_error(response: httpx.Response, *, login: bool) -> ApiError:
        answer = Answer(
            response.request.method,
            response.request.url.path,
            response.status_code,
            response.reason_phrase,
            response.content,
            response.headers.get("retry-after"),
        )
        return http_error(answer, login=login)

"""What the website tells about its visitor over the widget's socket (`page_view`, `identify`,
`custom_data`, `cart`): stored, then shown in the live traffic list. And the visitor's
`email_transcript`: a chat's transcript queued as an e-mail, within the socket limits."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from chat_backend.db.engine import Database
from chat_backend.domain import transcript_mail, visitors
from chat_backend.domain.errors import DomainError
from chat_backend.domain.traffic import record_page_view
from chat_backend.realtime.rate_limit import SocketLimits
from chat_backend.realtime.traffic_list import TrafficList
from chat_protocol import ErrorCode
from chat_protocol.socket_payloads import EmailTranscriptRequest, EmailTranscriptResult
from chat_protocol.traffic import Cart, CustomDataRequest, IdentifyRequest, PageView

VISITOR_ACTIONS = frozenset({"page_view", "identify", "custom_data", "cart"})


async def visitor_action(
    db: Database, traffic: TrafficList, visitor_id: str, action: str, payload: Any
) -> None:
    """Store one of `VISITOR_ACTIONS`, then update the visitor's live row (the frame was charged to
    the visitor's budget, like every frame: `action_costs`)."""
    if action == "page_view":
        assert isinstance(payload, PageView)
        visit_id = traffic.current_visit_id(visitor_id)
        if visit_id is None:
            return
        async with db.write() as session:
            pages = await record_page_view(session, visit_id, payload, datetime.now(UTC))
        if traffic.current_visit_id(visitor_id) == visit_id:
            traffic.page_viewed(visitor_id, payload.url, payload.title, pages)
    elif action == "identify":
        assert isinstance(payload, IdentifyRequest)
        async with db.write() as session:
            visitor = await visitors.identify(session, visitor_id, payload)
        traffic.identified(visitor)
    elif action == "custom_data":
        assert isinstance(payload, CustomDataRequest)
        async with db.write() as session:
            await visitors.set_custom_data(session, visitor_id, payload.data)
    elif action == "cart":
        assert isinstance(payload, Cart)
        async with db.write() as session:
            kept = await visitors.set_cart(session, visitor_id, payload)
        traffic.cart_changed(visitor_id, *visitors.cart_value(kept))


async def email_transcript(
    db: Database,
    limits: SocketLimits,
    ip: str,
    site_id: str,
    visitor_id: str,
    request: EmailTranscriptRequest,
) -> EmailTranscriptResult:
    """Queue the transcript of one of the visitor's chats. Only a request that would queue a mail is
    charged to the per-IP and per-site limits: a refusal, an "already sent" or a retry costs none."""
    args = (request.client_id, request.chat_id, request.email)
    async with db.read() as session:
        known = await transcript_mail.known_answer(
            session, await visitors.visitor_by_id(session, visitor_id), *args
        )
    if known is not None:
        return EmailTranscriptResult(queued=known)
    wait = await limits.transcript_mail_everywhere(ip, site_id)
    if wait is not None:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            "Too many e-mailed conversations from here; try again later.",
            retry_after=max(math.ceil(wait * 1000) / 1000, 0.001),
        )
    async with db.write() as session:
        visitor = await visitors.visitor_by_id(session, visitor_id)
        queued = await transcript_mail.send(session, visitor, *args, request.lang)
    return EmailTranscriptResult(queued=queued)

"""`/api/v1/mail/*` (admins): the e-mail that waits or failed (`chat_protocol.tickets.MailStatus`),
and sending a failed one again (`chat_backend.domain.mail_send`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path

from chat_backend.api.deps import CurrentAgent, State, admin_only, raise_invalid
from chat_backend.domain import mail_send
from chat_backend.domain.errors import DomainError
from chat_protocol.tickets import MailStatus

router = APIRouter(prefix="/api/v1")


@router.get("/mail/outbox")
async def outbox(agent: CurrentAgent, state: State) -> list[MailStatus]:
    """Admins only: mail that waits (queued, with its attempts and last error) or failed, newest first."""
    admin_only(agent)
    async with state.db.read() as session:
        return await mail_send.outbox(session)


@router.post("/mail/outbox/{mail_id}/retry")
async def retry(
    mail_id: Annotated[str, Path(max_length=36)], agent: CurrentAgent, state: State
) -> MailStatus:
    """Admins only: a failed mail is queued again (a waiting one retried) now; 404 unknown, 422 sent."""
    admin_only(agent)
    try:
        async with state.db.write_quiet() as session:
            shown = await mail_send.retry(session, agent, mail_id, datetime.now(UTC))
    except DomainError as exc:
        raise_invalid(exc)
    state.mail_kick()
    return shown

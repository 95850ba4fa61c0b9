"""What the tickets workspace asks of the server (every agent; docs/roles.md "Tickets" says which
tickets each role sees): the list with its counts, a ticket's thread, replies, notes, changes, merges,
tickets by hand or from a chat, attachments. Every method raises `operator_app.errors.ApiError` when
the server refuses or cannot be reached.

`TicketFilter` is what the list shows (state, whose, group, search text); a merge takes the other
ticket's number, as people say it, and finds its id first.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from chat_protocol.enums import TicketState
from chat_protocol.rest import AgentSummary, GroupInfo
from operator_app.errors import ApiError, ApiErrorKind
from operator_app.net.export_api import ExportFile
from operator_app.net.tickets_api import TicketsApi
from operator_app.store.chat_session import ChatSession

if TYPE_CHECKING:
    from chat_protocol.tickets import (
        TicketCounts,
        TicketDetail,
        TicketList,
    )

__all__ = ["ExportFile", "TicketFilter", "TicketsService", "Whose"]

Whose = Literal["all", "me", "none"]
PAGE_SIZE = 50


@dataclass(frozen=True)
class TicketFilter:
    state: TicketState = TicketState.OPEN
    whose: Whose = "all"
    group_id: str | None = None
    text: str = ""

    def with_state(self, state: TicketState) -> TicketFilter:
        return replace(self, state=state)


def new_client_id() -> str:
    return uuid.uuid4().hex


class TicketsService:
    """Typed calls with the signed-in agent's token (refreshed once on expiry)."""

    def __init__(self, session: ChatSession) -> None:
        self._session = session
        me = session.store.me
        self.my_id = me.agent_id if me is not None else ""

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """A task of the session (ended when it is)."""
        return self._session.tasks.spawn(coro, name=name)

    def _api(self) -> TicketsApi:
        return TicketsApi(self._session.auth.api)

    async def tickets(self, search: TicketFilter, *, cursor: str | None = None) -> TicketList:
        auth = self._session.auth
        assignee = None if search.whose == "all" else search.whose
        return await auth.call(
            lambda token: self._api().tickets(
                token,
                state=search.state,
                assignee=assignee,
                group_id=search.group_id,
                q=search.text,
                cursor=cursor,
                limit=PAGE_SIZE,
            )
        )

    async def counts(self) -> TicketCounts:
        """How many tickets I see in each state (no filter)."""
        auth = self._session.auth
        listed = await auth.call(lambda token: self._api().tickets(token, limit=1))
        return listed.counts

    async def ticket(self, ticket_id: str) -> TicketDetail:
        auth = self._session.auth
        return await auth.call(lambda token: self._api().ticket(token, ticket_id))

    async def reply(self, ticket_id: str, text: str, state: TicketState | None = None) -> TicketDetail:
        from chat_protocol.tickets import TicketReply

        body = TicketReply(client_id=new_client_id(), text=text, state=state)
        auth = self._session.auth
        return await auth.call(lambda token: self._api().reply(token, ticket_id, body))

    async def note(self, ticket_id: str, text: str) -> TicketDetail:
        from chat_protocol.tickets import TicketReply

        body = TicketReply(client_id=new_client_id(), text=text)
        auth = self._session.auth
        return await auth.call(lambda token: self._api().note(token, ticket_id, body))

    async def change(
        self,
        ticket_id: str,
        *,
        state: TicketState | None = None,
        assignee_id: str | None = None,
        group_id: str | None = None,
    ) -> TicketDetail:
        """Only what is given changes; ``""`` unassigns or leaves the ticket without a group."""
        from chat_protocol.tickets import TicketChange

        body = TicketChange(state=state, assignee_id=assignee_id, group_id=group_id)
        auth = self._session.auth
        return await auth.call(lambda token: self._api().change(token, ticket_id, body))

    async def find_number(self, number: int) -> str:
        """The id of the ticket `#number` (in any state); `ApiError` ``not_found`` when I see none."""
        auth = self._session.auth
        listed = await auth.call(lambda token: self._api().tickets(token, q=f"#{number}", limit=5))
        for ticket in listed.tickets:
            if ticket.number == number:
                return ticket.ticket_id
        raise ApiError(ApiErrorKind.HTTP, f"no ticket #{number}", status=404, code="not_found")

    async def merge(self, ticket_id: str, into_number: int) -> TicketDetail:
        """This ticket goes into the one numbered `into_number`; answers the kept ticket."""
        from chat_protocol.tickets import TicketMerge

        into = await self.find_number(into_number)
        auth = self._session.auth
        return await auth.call(lambda token: self._api().merge(token, ticket_id, TicketMerge(into=into)))

    async def create(
        self,
        *,
        site_id: str,
        subject: str,
        email: str,
        name: str,
        text: str,
        group_id: str | None = None,
    ) -> TicketDetail:
        from chat_protocol.tickets import TicketCreate

        body = TicketCreate(
            client_id=new_client_id(),
            site_id=site_id,
            subject=subject,
            requester_email=email,
            requester_name=name,
            text=text,
            group_id=group_id,
        )
        auth = self._session.auth
        return await auth.call(lambda token: self._api().create(token, body))

    async def from_chat(self, chat_id: str, *, subject: str = "", email: str = "") -> TicketDetail:
        from chat_protocol.tickets import ChatTicketCreate

        body = ChatTicketCreate(client_id=new_client_id(), subject=subject, requester_email=email)
        auth = self._session.auth
        return await auth.call(lambda token: self._api().from_chat(token, chat_id, body))

    async def attachment(self, ticket_id: str, attachment_id: str) -> ExportFile:
        auth = self._session.auth
        return await auth.call(lambda token: self._api().attachment(token, ticket_id, attachment_id))

    async def agents(self) -> list[AgentSummary]:
        return await self._session.agents()

    async def groups(self) -> list[GroupInfo]:
        return await self._session.groups()

    async def sites(self) -> list[tuple[str, str]]:
        return [(s.site_id, s.name) for s in await self._session.admin.list_sites()]

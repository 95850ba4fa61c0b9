"""REST calls of tickets (`chat_protocol.tickets`): the list with counts per state, one ticket's
thread, replies, internal notes, changes (state, assignee, group), merges, tickets written by hand or
made from a chat, and an attachment's bytes. Who may do what: docs/roles.md "Tickets"."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from operator_app.net.api import ApiClient
from operator_app.net.export_api import ExportFile, attachment_name

if TYPE_CHECKING:  # the models come with the first call (the tickets' count loads after the window shows)
    from chat_protocol.enums import TicketState
    from chat_protocol.tickets import (
        ChatTicketCreate,
        TicketChange,
        TicketCreate,
        TicketDetail,
        TicketList,
        TicketMerge,
        TicketReply,
    )


def _q(value: str) -> str:
    return quote(value, safe="")


class TicketsApi:
    """Typed calls; each takes the access token first, like `ApiClient`'s, for `AuthSession.call`."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def tickets(
        self,
        token: str,
        *,
        state: TicketState | None = None,
        assignee: str | None = None,
        group_id: str | None = None,
        q: str = "",
        cursor: str | None = None,
        limit: int = 50,
    ) -> TicketList:
        """`GET /tickets`: newest change first, with the counts per state. `assignee`: an agent id,
        ``me`` or ``none``; `q`: words of the subject or requester, or ``#number``."""
        from chat_protocol.tickets import TicketList

        params: dict[str, str | int] = {"limit": limit}
        for key, value in (
            ("state", state.value if state is not None else None),
            ("assignee", assignee),
            ("group_id", group_id),
            ("q", q.strip() or None),
            ("cursor", cursor),
        ):
            if value is not None:
                params[key] = value
        return await self.api.request_model("GET", "/tickets", TicketList, token=token, params=params)

    async def ticket(self, token: str, ticket_id: str) -> TicketDetail:
        from chat_protocol.tickets import TicketDetail

        return await self.api.request_model("GET", f"/tickets/{_q(ticket_id)}", TicketDetail, token=token)

    async def create(self, token: str, body: TicketCreate) -> TicketDetail:
        """`POST /tickets`: written by hand (a retry with the same `client_id` answers the first)."""
        from chat_protocol.tickets import TicketDetail

        return await self.api.request_model(
            "POST", "/tickets", TicketDetail, token=token, json=body.model_dump(mode="json")
        )

    async def from_chat(self, token: str, chat_id: str, body: ChatTicketCreate) -> TicketDetail:
        """`POST /chats/{id}/ticket`: a ticket with the chat's transcript as its first entry."""
        from chat_protocol.tickets import TicketDetail

        return await self.api.request_model(
            "POST",
            f"/chats/{_q(chat_id)}/ticket",
            TicketDetail,
            token=token,
            json=body.model_dump(mode="json"),
        )

    async def reply(self, token: str, ticket_id: str, body: TicketReply) -> TicketDetail:
        """`POST /tickets/{id}/replies`: e-mailed to the requester."""
        from chat_protocol.tickets import TicketDetail

        return await self.api.request_model(
            "POST",
            f"/tickets/{_q(ticket_id)}/replies",
            TicketDetail,
            token=token,
            json=body.model_dump(mode="json", exclude_none=True),
        )

    async def note(self, token: str, ticket_id: str, body: TicketReply) -> TicketDetail:
        """`POST /tickets/{id}/notes`: agents only."""
        from chat_protocol.tickets import TicketDetail

        return await self.api.request_model(
            "POST",
            f"/tickets/{_q(ticket_id)}/notes",
            TicketDetail,
            token=token,
            json=body.model_dump(mode="json", exclude_none=True),
        )

    async def change(self, token: str, ticket_id: str, body: TicketChange) -> TicketDetail:
        """`PATCH /tickets/{id}`: only the fields given change."""
        from chat_protocol.tickets import TicketDetail

        return await self.api.request_model(
            "PATCH",
            f"/tickets/{_q(ticket_id)}",
            TicketDetail,
            token=token,
            json=body.model_dump(mode="json", exclude_none=True),
        )

    async def merge(self, token: str, ticket_id: str, body: TicketMerge) -> TicketDetail:
        """`POST /tickets/{id}/merge`: answers the ticket kept."""
        from chat_protocol.tickets import TicketDetail

        return await self.api.request_model(
            "POST",
            f"/tickets/{_q(ticket_id)}/merge",
            TicketDetail,
            token=token,
            json=body.model_dump(mode="json"),
        )

    async def attachment(self, token: str, ticket_id: str, attachment_id: str) -> ExportFile:
        """`GET /tickets/{id}/attachments/{attachment_id}`: the file's bytes as received."""
        path = f"/tickets/{_q(ticket_id)}/attachments/{_q(attachment_id)}"
        response = await self.api.request_raw("GET", path, token=token)
        return ExportFile(
            attachment_name(response.headers.get("content-disposition", "")),
            response.content,
            response.headers.get("content-type", ""),
        )

"""The `ticket` push: agents who may see a ticket hear that it is new, that its visitor wrote again,
or that it changed, on every node (`Hub.publish` to each one's agent topic: never dropped under load).
The app then reloads what it shows; a lost push costs freshness (the app reloads the list when it
reconnects), never data: the ticket itself is in the database."""

from __future__ import annotations

from typing import Literal

from chat_backend.db.engine import Database
from chat_backend.domain import tickets
from chat_backend.realtime.hub import Hub, Topic
from chat_protocol import Envelope


async def announce(
    db: Database, hub: Hub, ticket_id: str, reason: Literal["created", "visitor_reply", "changed"]
) -> None:
    async with db.read() as session:
        found = await tickets.news(session, ticket_id, reason)
    if found is None:
        return
    push, agent_ids = found
    envelope = Envelope.push("ticket", push)
    for agent_id in sorted(agent_ids):
        hub.publish(Topic.agent(agent_id), envelope)

"""Fill a running backend with chats: some taken by the demo agent, some waiting in the queue.

The queued ones stay queued only with auto-assignment off (`chat-backend routing --auto-assign off`)
or once the agent is at its limit; `take_chat` succeeds either way (a chat routed to the agent first
counts as taken).
"""

from __future__ import annotations

from tests.support.backend import BackendProcess
from tests.support.wire import connect_agent, connect_visitor, new_id


async def seed_chats(backend: BackendProcess, mine: int, queued: int, messages: int = 5) -> None:
    agent = await connect_agent(backend)
    await agent.ok("set_status", {"status": "accepting"})
    for index in range(mine + queued):
        visitor, _ = await connect_visitor(backend)
        name = f"お客様 {index + 1}" if index % 2 else f"Visitor {index + 1}"
        first = await visitor.ok("send_message", {"client_id": new_id(), "text": "こんにちは", "name": name})
        chat_id = first["event"]["chat_id"]
        if index < mine:
            await agent.ok("take_chat", {"chat_id": chat_id, "client_id": new_id()})
            for n in range(messages):
                await visitor.ok(
                    "send_message", {"client_id": new_id(), "text": f"質問 {n}: 在庫はありますか？"}
                )
                await agent.ok(
                    "send_message", {"chat_id": chat_id, "client_id": new_id(), "text": f"Answer {n}"}
                )
        await visitor.close()
    await agent.close()

"""Steps of the benchmark scenarios that drive the operator app, written to survive the races of a
live system: they wait for a state that will really come, never for one another actor may move past.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.waiting import until

if TYPE_CHECKING:
    from operator_app.ui.main_window import MainWindow


async def hold_new_chat(window: MainWindow, within: float = 20.0) -> str:
    """The single chat a visitor just opened, held by this agent and shown in the chat panel.

    With auto-assignment on and the agent accepting, the server may route the chat to the agent
    before the app ever lists it in the queue, or while the app takes it; so wait for the chat in
    either list, take it if it is still queued (taking a chat already routed to me succeeds), and
    wait until it is mine."""
    await until(
        lambda: window.my_chats.rowCount() + window.queue.rowCount() >= 1,
        within=within,
        what="the chat, queued or routed to the agent",
    )
    if window.my_chats.rowCount() == 0:
        window.take_next()  # does nothing if the chat left the queue meanwhile
    await until(lambda: window.my_chats.rowCount() == 1, within=within, what="the chat held by the agent")
    chat_id = window.my_chats.chat_id_at(0)
    assert chat_id is not None
    window.select_chat(chat_id)
    await until(lambda: window.current_chat_id() == chat_id, within=within, what="the chat shown")
    return chat_id

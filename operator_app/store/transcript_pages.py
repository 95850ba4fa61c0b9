"""A chat's whole transcript, read page by page into a store: my chats' (`ChatSession`) and the ones a
supervisor watches (`Watching`)."""

from __future__ import annotations

from operator_app.net.session import AuthSession
from operator_app.store.chat_state import ChatStore


async def load_transcript(auth: AuthSession, store: ChatStore, chat_id: str) -> None:
    """Every page of `chat_id`'s events, in order, until the server says there are no more."""
    after = 0
    while True:
        page = await auth.transcript(chat_id, after_seq=after)
        store.apply_transcript_page(page)
        if not page.has_more or page.next_after_seq <= after:
            return
        after = page.next_after_seq

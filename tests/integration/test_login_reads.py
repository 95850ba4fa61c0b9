"""A returning visitor's login reads everything in one statement (`domain.login_reads`), and what that
statement answers is what the separate reads answer.

A reconnect storm after a node restart is made of returning visitors; each used to cost six statements
(site, visitor, open chat, messages of the visit, last page, showing invitation). The backend is served
in this process so that the test can see the statements it runs; the data is made by real sockets.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from sqlalchemy import select

from chat_backend.app import DEMO_SITE_ID
from chat_backend.db.engine import Database
from chat_backend.db.tables import PageViewRow, Visit
from chat_backend.domain import chats, invitations, sites, traffic
from chat_backend.domain.auth import as_utc
from chat_backend.domain.errors import DomainError
from chat_backend.domain.login_reads import returning_login
from chat_backend.domain.visitors import site_for_origin, visitor_by_token
from tests.support.served_backend import ServedBackend
from tests.support.wire import connect_agent, connect_visitor, new_id

pytestmark = pytest.mark.asyncio

# What a login reads about the visitor: any of these tables in a statement other than the one query.
_VISITOR_READS = re.compile(
    r"\bFROM\s+(visitors|visits|page_views|invitations|calls|chats|sites)\b", re.IGNORECASE
)


def _page(served: ServedBackend, name: str) -> dict[str, Any]:
    return {"page": {"url": f"{served.address.url}/demo/{name}", "title": name}}


async def test_a_returning_visitors_login_reads_in_one_statement(served: ServedBackend) -> None:
    visitor, login = await connect_visitor(served.address, **_page(served, "index.html"))
    await visitor.close()
    await served.quiet()

    statements = served.record()
    again, back = await connect_visitor(served.address, login["visitor_token"], **_page(served, "index.html"))
    served.stop_recording()
    assert back["visitor_id"] == login["visitor_id"]
    assert back["chat"] is None
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and _VISITOR_READS.search(s)]
    assert len(reads) == 1, "\n\n".join(reads)
    assert "token_hash" in reads[0]
    await again.close()


async def test_the_one_query_answers_what_the_separate_reads_answer(
    served: ServedBackend, database_url: str
) -> None:
    url = served.address.url
    agent = await connect_agent(served.address)
    await agent.ok("set_status", {"status": "not_accepting"})
    # Talking: an open chat, two messages this visit, two pages viewed.
    talking, talking_login = await connect_visitor(served.address, **_page(served, "index.html"))
    await talking.send("page_view", {"url": f"{url}/demo/cart.html", "title": "cart"})
    for text in ("hello", "anyone?"):
        await talking.ok("send_message", {"client_id": new_id(), "text": text})
    # Invited: an invitation showing, no chat.
    invited, invited_login = await connect_visitor(served.address, **_page(served, "index.html"))
    sent = await agent.request(
        "invite_visitor", {"visitor_id": invited_login["visitor_id"], "client_id": new_id(), "text": "Hi"}
    )
    assert sent["type"] == "res", sent
    await invited.next_push("invitation")
    # Quiet: nothing but a visit.
    quiet, quiet_login = await connect_visitor(served.address, **_page(served, "index.html"))
    await served.quiet()

    db = Database(database_url)
    try:
        for _ in range(200):  # the page view is written with a later batch
            async with db.read() as session:
                found = await returning_login(session, DEMO_SITE_ID, url, talking_login["visitor_token"])
            if found.facts.last_url == f"{url}/demo/cart.html":
                break
            await asyncio.sleep(0.05)
        async with db.write_quiet() as session:
            other = await sites.create_site(session, "Other", ["https://other.example"])
        async with db.read() as session:
            site = await site_for_origin(session, served.address.site_id, url)
            for login in (talking_login, invited_login, quiet_login):
                token = login["visitor_token"]
                one = await returning_login(session, site.id, url, token)
                visitor = await visitor_by_token(session, site, token)
                assert (one.site.id, one.visitor.id, one.live_call) == (site.id, visitor.id, False)
                visit = await session.get(Visit, visitor.current_visit_id)
                assert visit is not None
                assert one.facts.visit is not None
                assert one.facts.visit.id == visit.id
                messages = await traffic.messages_in_visit(session, visitor.id, as_utc(visit.started_at))
                last_url = await session.scalar(
                    select(PageViewRow.url)
                    .where(PageViewRow.visit_id == visit.id)
                    .order_by(PageViewRow.id.desc())
                )
                assert (one.facts.messages_sent, one.facts.last_message_event) == messages
                assert one.facts.last_url == last_url
                assert one.open_chat == (await chats.open_chat_of(session, visitor.id) is not None)
                shown, _stale = await invitations.shown_at_login(session, visitor.id, visit.id)
                assert one.shown_invitation == (shown is not None)
            talking_one = await returning_login(session, site.id, url, talking_login["visitor_token"])
            assert (talking_one.facts.messages_sent, talking_one.facts.last_url) == (
                2,
                f"{url}/demo/cart.html",
            )
            assert talking_one.open_chat
            assert not talking_one.shown_invitation
            invited_one = await returning_login(session, site.id, url, invited_login["visitor_token"])
            assert invited_one.shown_invitation
            assert not invited_one.open_chat

            # Refused as the separate reads refuse: site, then origin, then token.
            refusals = [
                ("no-such-site", url, talking_login["visitor_token"], "not_found"),
                (site.id, "https://evil.example", talking_login["visitor_token"], "origin_not_allowed"),
                (other.id, "https://other.example", talking_login["visitor_token"], "invalid_token"),
                (site.id, url, "not-a-token", "invalid_token"),
            ]
            for site_id, origin, token, code in refusals:
                with pytest.raises(DomainError) as refused:
                    await returning_login(session, site_id, origin, token)
                assert refused.value.code.value == code, (site_id, origin)
    finally:
        await db.dispose()
    for client in (agent, talking, invited, quiet):
        await client.close()

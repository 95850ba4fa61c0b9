"""What `serve --demo` adds so the demo can be tried at once, and the demo server's tie to its app.

- A few team canned replies in Japanese and English (type ``#`` in the app), a greeting rule for the
  demo shop, both only when there are none yet (the demo database persists between runs), and the demo
  agent set to accepting chats on every start (routing offers the first visitor's chat right away).
- `exit_when_stdin_closes`: the demo app starts this server with a pipe as its standard input; when the
  app ends in any way (quit, crash, Qt aborting, killed) the pipe closes and the server stops too.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, CannedReplyRow, GreetingRuleRow, utcnow
from chat_backend.domain import greetings
from chat_protocol import RoutingStatus
from chat_protocol.traffic import GreetingConditions, GreetingRuleInput

log = logging.getLogger(__name__)

# (shortcut, title, text): team replies, so every agent of the demo has them.
DEMO_CANNED_REPLIES = (
    (
        "hello",
        "Greeting (English)",
        "Hello {visitor.name|there}, thank you for contacting us! How can I help you today?",
    ),
    (
        "あいさつ",
        "あいさつ（日本語）",
        "{visitor.name|お客様}、お問い合わせありがとうございます。担当の{agent.name}です。ご用件をお聞かせください。",
    ),
    (
        "shipping",
        "Shipping times (English)",
        "Orders placed before 3 pm ship the same day; delivery takes 1 to 3 business days.",
    ),
    (
        "配送",
        "配送について（日本語）",
        "15時までのご注文は当日発送いたします。お届けまで1〜3営業日ほどかかります。",
    ),
    ("thanks", "Closing (English)", "Thank you for chatting with us. Have a nice day!"),
    (
        "ありがとう",
        "お礼（日本語）",
        "お問い合わせありがとうございました。またのご利用をお待ちしております。",
    ),
)
DEMO_GREETING = GreetingRuleInput(
    name="Demo shop welcome",
    text="こんにちは！何かお探しですか？ / Hello! Can we help you find something?",
    sender_name="Demo shop",
    conditions=GreetingConditions(min_time_on_page=5),
)
STDIN_EOF_GRACE = 10.0  # seconds for a graceful stop before the process ends itself


async def seed_demo(session: AsyncSession, site_id: str, agent: Agent | None) -> None:
    """Canned replies and a greeting rule when there are none; the demo agent accepting chats."""
    if not await session.scalar(select(func.count()).select_from(CannedReplyRow)):
        for shortcut, title, text in DEMO_CANNED_REPLIES:
            session.add(
                CannedReplyRow(
                    id=str(uuid.uuid4()), owner_id=None, shortcut=shortcut, title=title, text=text,
                    updated_at=utcnow(),
                )
            )  # fmt: skip
        log.info("demo: %d canned replies added", len(DEMO_CANNED_REPLIES))
    if not await session.scalar(select(func.count()).select_from(GreetingRuleRow)):
        await greetings.create_rule(session, DEMO_GREETING.model_copy(update={"site_id": site_id}))
        log.info("demo: greeting rule added")
    if agent is not None:
        agent.status = RoutingStatus.ACCEPTING.value
    await session.flush()


def exit_when_stdin_closes() -> threading.Thread:
    """Stop this process (SIGTERM: uvicorn's graceful shutdown) when standard input reaches EOF."""

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        log.warning("the demo app that started this server has ended: stopping")
        timer = threading.Timer(STDIN_EOF_GRACE, os._exit, args=(0,))
        timer.daemon = True
        timer.start()
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="stdin-eof-watch", daemon=True)
    thread.start()
    return thread

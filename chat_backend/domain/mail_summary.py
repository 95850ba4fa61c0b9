"""The daily summary e-mail to supervisors and admins (`SmtpSettings.summary_hour`).

From that hour of the team's time zone on, each active supervisor and admin with an address gets one
mail about the day before, in the scope of their reports (`domain/reports.py`: admins everything,
supervisors their groups): chats, missed chats, good and bad ratings, and the tickets open now.
English and Japanese in the same short mail. `summary:<date>:<agent_id>` is its dedupe key, so a
person gets at most one per day, whichever node queues it, however often the job looks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent
from chat_backend.db.ticket_tables import MailOutboxRow
from chat_backend.domain import authz, mail_out, reports, team_zone, tickets
from chat_protocol.reports import ReportFigures
from chat_protocol.tickets import SmtpSettings

KIND = "summary"


def summary_key(day: date, agent_id: str) -> str:
    return f"summary:{day.isoformat()}:{agent_id}"


def summary_text(
    day: date, zone_name: str, everything: bool, totals: ReportFigures, open_tickets: int
) -> str:
    scope_en = "all sites and groups" if everything else "your groups"
    scope_ja = "全体" if everything else "担当グループ"
    return (
        f"Summary of {day.isoformat()} ({zone_name}), {scope_en}\n"
        f"{day.isoformat()} の集計（{zone_name}、{scope_ja}）\n"
        "\n"
        f"Chats / チャット: {totals.chats}\n"
        f"Missed chats / 応答なしのチャット: {totals.missed}\n"
        f"Good ratings / 良い評価: {totals.good}\n"
        f"Bad ratings / 悪い評価: {totals.bad}\n"
        f"Open tickets now / 現在の未対応チケット: {open_tickets}\n"
        "\n"
        "This message was sent automatically. / このメールは自動送信されています。\n"
    )


async def queue_due(session: AsyncSession, config: SmtpSettings, now: datetime) -> int:
    """Queue today's summaries not queued yet, if the summary hour has come; how many were queued."""
    if config.summary_hour is None:
        return 0
    zone_name = (await team_zone.team_settings(session)).time_zone
    local = now.astimezone(team_zone.zone_or_utc(zone_name))
    if local.hour < config.summary_hour:
        return 0
    today = local.date()
    day = today - timedelta(days=1)
    prefix = f"summary:{today.isoformat()}:"
    done = set(
        (
            await session.scalars(
                select(MailOutboxRow.dedupe_key).where(MailOutboxRow.dedupe_key.startswith(prefix))
            )
        ).all()
    )
    people = (
        await session.scalars(
            select(Agent)
            .where(Agent.active.is_(True), Agent.role.in_((authz.SUPERVISOR, authz.ADMIN)), Agent.email != "")
            .order_by(Agent.id)
        )
    ).all()
    queued = 0
    for person in people:
        key = summary_key(today, person.id)
        if key in done:
            continue
        actor = await authz.load_actor(session, person.id)
        figures = await reports.report(session, actor, day, day, None)
        open_tickets = await tickets.open_count(session, None if actor.is_admin else sorted(actor.group_ids))
        await mail_out.enqueue(
            session,
            kind=KIND,
            to_addr=person.email,
            to_name=person.name,
            subject=f"Daily summary {day.isoformat()} / 日次サマリー {day.isoformat()}",
            body_text=summary_text(day, zone_name, actor.is_admin, figures.totals, open_tickets),
            dedupe_key=key,
            auto_submitted=True,
            when=now,
        )
        queued += 1
    return queued

"""The training job: on exactly one node (lease `training`), every second, new scripted visitors for
the trainees who wait for one, and each scripted chat's next step (`chat_backend.domain.training_script`).
Sneak peeks go out after the commit; routing runs when a chat opened or changed."""

from __future__ import annotations

import logging
from collections.abc import Callable

from chat_backend.cluster.lease import ClusterJob, Lease
from chat_backend.db.engine import Database
from chat_backend.domain import training_script
from chat_backend.realtime.hub import Hub, Topic
from chat_protocol import Envelope
from chat_protocol.socket_payloads import SneakPeekPush

log = logging.getLogger(__name__)

TRAINING_EVERY = 1.0


def training_job(
    db: Database,
    hub: Hub,
    lease: Lease,
    kick_routing: Callable[[], None],
    scenarios: dict[str, training_script.Scenario] | None = None,
) -> ClusterJob:
    loaded = training_script.load_scenarios() if scenarios is None else scenarios

    async def run() -> None:
        async with db.read() as session:
            if not await training_script.has_work(session):
                return
        online = hub.online_agents()
        async with db.write() as session:
            await lease.check(session)
            spawned = await training_script.spawn_visitors(session, loaded, online)
            progress = await training_script.step_chats(session, loaded)
        for agent_id, chat_id, text in progress.peeks:
            push = Envelope.push("sneak_peek", SneakPeekPush(chat_id=chat_id, text=text))
            hub.push(Topic.agent(agent_id), push, f"peek:{chat_id}")
            hub.push(Topic.chat(chat_id), push, f"peek:{chat_id}")
        if spawned:
            log.info("training: %d scripted visitors started", spawned)
        if spawned or progress.changed:
            kick_routing()

    return ClusterJob(lease, run, TRAINING_EVERY, at_start=True)

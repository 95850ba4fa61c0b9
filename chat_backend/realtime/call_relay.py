"""Video call signalling on this node: the call actions of both sockets, `call_state` pushes after
each committed change, and the timers (ring timeout, disconnect grace) that trigger state changes
stored in the `calls` table. Signalling (`call_signal`, `call_media`) is forwarded to the other party's
live sockets only: never stored, never replayed, never sent to supervisors watching the chat.

Ring timeouts are a cluster-wide job (`calls` lease, `chat_backend.cluster.lease`): the holder ends every
call ringing past its `expires_at`, about once a second, so a call rung from a node that died still
ends. On taking the lease it also gives the parties of calls still running the disconnect grace. The
disconnect grace of a socket that closes is this node's: it saw the socket go."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from chat_backend.cluster.lease import ClusterJob, Lease
from chat_backend.db.engine import Database
from chat_backend.db.outage import report_failure
from chat_backend.domain import calls
from chat_backend.domain.calls import CallChange
from chat_backend.realtime.hub import Hub, Topic
from chat_backend.realtime.subscriber import Subscriber
from chat_protocol import Envelope
from chat_protocol.calls import (
    DISCONNECT_GRACE_S,
    PAGE_PUSH_GRACE_S,
    RING_TIMEOUT_S,
    CallMedia,
    CallOk,
    CallParty,
    CallSignal,
)

log = logging.getLogger(__name__)

RING_SWEEP_EVERY = 1.0  # seconds: how late past its ring timeout a call may end


class CallRelay:
    def __init__(
        self,
        db: Database,
        hub: Hub,
        ring_timeout: float = RING_TIMEOUT_S,
        disconnect_grace: float = DISCONNECT_GRACE_S,
        lease: Lease | None = None,
        push_grace: float = PAGE_PUSH_GRACE_S,
    ) -> None:
        self.db = db
        self.push_grace = push_grace
        self.hub = hub
        self.ring_timeout = ring_timeout
        self.disconnect_grace = disconnect_grace
        self._gone: dict[tuple[CallParty, str], asyncio.Task[None]] = {}
        self._carrying: set[asyncio.Task[None]] = set()
        self.lease = lease or Lease("calls", "", single_node=True)
        self.job = ClusterJob(self.lease, self.expire_once, RING_SWEEP_EVERY, at_start=True)
        self._resume_due = True  # give running calls' parties the grace on taking the lease

    # --- after commit ----------------------------------------------------------------------------

    def committed(self, info: dict[Any, Any]) -> None:
        """`Database.after_commit`: push `call_state` for every change the transaction made."""
        for change in info.pop("call_changes", []):
            self.publish(change)

    def publish(self, change: CallChange) -> None:
        push = Envelope.push("call_state", change.push())
        self.hub.publish(Topic.agent(change.agent_id), push)
        if change.state != "ringing":
            self.hub.publish(Topic.visitor(change.visitor_id), push)

    # --- requests ---------------------------------------------------------------------------------

    async def agent_request(self, conn: Subscriber, action: str, payload: Any, req_id: str | None) -> None:
        """One of the agent socket's call actions (`call_invite` is rate-limited by the socket)."""
        assert conn.agent is not None
        agent = conn.agent
        if action == "call_invite":
            async with self.db.write() as session:
                call, result, incoming = await calls.invite(
                    session,
                    agent,
                    payload.chat_id,
                    payload.client_id,
                    visitor_online=lambda visitor_id: self.hub.visitor_connection_count(visitor_id) > 0,
                    ring_timeout=self.ring_timeout,
                )
                visitor_id = call.visitor_id
            conn.send(Envelope.response(action, result, req_id))
            if incoming is not None:
                self.hub.publish(Topic.visitor(visitor_id), Envelope.push("call_incoming", incoming))
            return
        if action in ("call_signal", "call_media"):
            async with self.db.read() as session:
                call = await calls.agent_call(session, agent.agent_id, payload.call_id)
            self._forward(action, call.state, payload, "agent", call.visitor_id)
        else:
            async with self.db.write() as session:
                call = await calls.agent_call(session, agent.agent_id, payload.call_id)
                if action == "call_state_report":
                    await calls.report(session, call, "agent", payload.state)
                else:  # call_hangup
                    await calls.hangup(session, call, "agent")
        conn.send(Envelope.response(action, CallOk(), req_id))

    async def visitor_request(self, conn: Subscriber, action: str, payload: Any, req_id: str | None) -> None:
        assert conn.visitor_id is not None
        if action in ("call_signal", "call_media"):
            async with self.db.read() as session:
                call = await calls.visitor_call(session, conn.visitor_id, payload.call_id)
            self._forward(action, call.state, payload, "visitor", call.agent_id)
        else:
            async with self.db.write() as session:
                call = await calls.visitor_call(session, conn.visitor_id, payload.call_id)
                if action == "call_ringing":
                    calls.ringing(session, call)
                elif action == "call_answer":
                    await calls.answer(session, call, payload.accept)
                elif action == "call_state_report":
                    await calls.report(session, call, "visitor", payload.state)
                else:  # call_hangup
                    await calls.hangup(session, call, "visitor")
        conn.send(Envelope.response(action, CallOk(), req_id))

    def _forward(self, action: str, state: str, payload: Any, sender: CallParty, to: str) -> None:
        if action == "call_signal":
            assert isinstance(payload, CallSignal)
            calls.require_answered_state(state)
            envelope = Envelope.push("call_signal", payload)
        else:
            assert isinstance(payload, CallMedia)
            envelope = Envelope.push("call_media", payload.model_copy(update={"party": sender}))
        self.hub.push(Topic.visitor(to) if sender == "agent" else Topic.agent(to), envelope)

    # --- timers -----------------------------------------------------------------------------------

    async def expire_once(self) -> None:
        """The `calls` job's pass (lease holder only): end calls ringing past their timeout; the first
        pass of a tenure also gives the parties of running calls the disconnect grace (their node may
        have died with its timers)."""
        async with self.db.read() as session:
            due = await calls.ringing_due(session)
        if due:
            async with self.db.write() as session:
                await self.lease.check(session)
                await calls.expire_ringing(session)
        async with self.db.read() as session:
            carried = await calls.carried_due(session)
        if carried:
            async with self.db.write() as session:
                await self.lease.check(session)
                await calls.expire_carried(session)
        if self._resume_due:
            self._resume_due = False
            async with self.db.read() as session:
                live = await calls.live_calls(session)
            for call in live:
                self.party_gone("agent", call.agent_id)
                self.party_gone("visitor", call.visitor_id)

    def party_gone(self, party: CallParty, user_id: str) -> None:
        """A socket closed: if it was the party's last one, their calls end after the grace."""
        if self._online(party, user_id) or (party, user_id) in self._gone:
            return
        task = asyncio.get_running_loop().create_task(self._gone_later(party, user_id))
        self._gone[(party, user_id)] = task

    def _online(self, party: CallParty, user_id: str) -> bool:
        """A socket of the party is open on some node."""
        if party == "agent":
            return self.hub.agent_online(user_id)
        return self.hub.visitor_connection_count(user_id) > 0

    def party_back(self, party: CallParty, user_id: str) -> None:
        task = self._gone.pop((party, user_id), None)
        if task is not None:
            task.cancel()

    async def _gone_later(self, party: CallParty, user_id: str) -> None:
        try:
            await asyncio.sleep(self.disconnect_grace)
            self._gone.pop((party, user_id), None)
            async with self.db.read() as session:
                live = await calls.live_calls(
                    session,
                    agent_id=user_id if party == "agent" else "",
                    visitor_id=user_id if party == "visitor" else "",
                )
            if not live:
                return
            async with self.db.write() as session:
                if not self._online(party, user_id):
                    await calls.end_party_calls(session, party, user_id, "disconnected")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            report_failure(log, f"ending the calls of a disconnected {party}", exc)

    def page_reloaded(self, visitor_id: str, call_id: str) -> None:
        """A visitor socket that named the call its tab ran before (`reloaded_call_id`) is registered:
        if that tab opened a pushed page during the call, the call goes on (`calls.carry_over`)."""
        task = asyncio.get_running_loop().create_task(self._carry_over(visitor_id, call_id))
        self._carrying.add(task)
        task.add_done_callback(self._carrying.discard)

    async def _carry_over(self, visitor_id: str, call_id: str) -> None:
        try:
            async with self.db.read() as session:
                waiting = await calls.carry_waiting(session, visitor_id, call_id)
            if waiting:
                async with self.db.write() as session:
                    await calls.carry_over(session, visitor_id, call_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            report_failure(log, "resuming a call after a page push", exc)

    def lease_acquired(self) -> None:
        self._resume_due = True
        self.job.kick()

    async def run(self) -> None:
        self.lease.on_acquired = self.lease_acquired
        await self.job.run()

    def stop(self) -> None:
        for task in [*self._gone.values(), *self._carrying]:
            task.cancel()

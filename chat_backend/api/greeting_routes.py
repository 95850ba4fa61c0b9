"""`/api/v1`: automatic greeting rules and business hours (read by any agent, written by admins)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from chat_backend.api.deps import CurrentAgent, State, raise_http
from chat_backend.domain import greetings
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.traffic import BusinessHours, GreetingRule, GreetingRuleInput

router = APIRouter(prefix="/api/v1")


def _admin(agent: AgentIdentity) -> None:
    if agent.role != "admin":
        raise_http(DomainError(ErrorCode.FORBIDDEN, "Only admins may change this."))


@router.get("/greeting-rules")
async def list_rules(_agent: CurrentAgent, state: State) -> list[GreetingRule]:
    """Every rule in creation order (the order they are tried), with how often each was shown and
    accepted."""
    async with state.db.read() as session:
        return [greetings.to_model(rule) for rule in await greetings.rules(session)]


@router.post("/greeting-rules", status_code=201)
async def create_rule(body: GreetingRuleInput, agent: CurrentAgent, state: State) -> GreetingRule:
    _admin(agent)
    try:
        async with state.db.write() as session:
            return await greetings.create_rule(session, body)
    except DomainError as exc:
        raise_http(exc)


@router.put("/greeting-rules/{rule_id}")
async def update_rule(
    rule_id: str, body: GreetingRuleInput, agent: CurrentAgent, state: State
) -> GreetingRule:
    _admin(agent)
    try:
        async with state.db.write() as session:
            return await greetings.update_rule(session, rule_id, body)
    except DomainError as exc:
        raise_http(exc)


@router.delete("/greeting-rules/{rule_id}", status_code=204)
async def delete_rule(rule_id: str, agent: CurrentAgent, state: State) -> Response:
    _admin(agent)
    try:
        async with state.db.write() as session:
            await greetings.delete_rule(session, rule_id)
    except DomainError as exc:
        raise_http(exc)
    return Response(status_code=204)


@router.get("/settings/business-hours")
async def get_business_hours(_agent: CurrentAgent, state: State) -> BusinessHours:
    async with state.db.read() as session:
        return await greetings.business_hours(session)


@router.put("/settings/business-hours")
async def put_business_hours(body: BusinessHours, agent: CurrentAgent, state: State) -> BusinessHours:
    _admin(agent)
    try:
        async with state.db.write() as session:
            await greetings.save_business_hours(session, body)
    except DomainError as exc:
        raise_http(exc)
    return body

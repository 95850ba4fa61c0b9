"""`/api/v1/greeting-rules*`: automatic greeting rules (read by any agent, written by admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from chat_backend.api.deps import CurrentAgent, State, admin_only, raise_http
from chat_backend.domain import audit, greetings
from chat_backend.domain.errors import DomainError
from chat_protocol.traffic import GreetingRule, GreetingRuleInput

router = APIRouter(prefix="/api/v1")


def _dump(model: BaseModel | None) -> dict[str, Any] | None:
    return model.model_dump(mode="json") if model is not None else None


@router.get("/greeting-rules")
async def list_rules(_agent: CurrentAgent, state: State) -> list[GreetingRule]:
    """Every rule in creation order (the order they are tried), with how often each was shown and
    accepted."""
    async with state.db.read() as session:
        return [greetings.to_model(rule) for rule in await greetings.rules(session)]


@router.post("/greeting-rules", status_code=201)
async def create_rule(body: GreetingRuleInput, agent: CurrentAgent, state: State) -> GreetingRule:
    admin_only(agent)
    try:
        async with state.db.write() as session:
            rule = await greetings.create_rule(session, body)
            await audit.record(session, agent, "greeting_rule.create", rule.rule_id, None, _dump(rule))
            return rule
    except DomainError as exc:
        raise_http(exc)


@router.put("/greeting-rules/{rule_id}")
async def update_rule(
    rule_id: str, body: GreetingRuleInput, agent: CurrentAgent, state: State
) -> GreetingRule:
    admin_only(agent)
    try:
        async with state.db.write() as session:
            before = _dump(await greetings.rule(session, rule_id))
            rule = await greetings.update_rule(session, rule_id, body)
            await audit.record(session, agent, "greeting_rule.update", rule_id, before, _dump(rule))
            return rule
    except DomainError as exc:
        raise_http(exc)


@router.delete("/greeting-rules/{rule_id}", status_code=204)
async def delete_rule(rule_id: str, agent: CurrentAgent, state: State) -> Response:
    admin_only(agent)
    try:
        async with state.db.write() as session:
            before = _dump(await greetings.rule(session, rule_id))
            await greetings.delete_rule(session, rule_id)
            await audit.record(session, agent, "greeting_rule.delete", rule_id, before, None)
    except DomainError as exc:
        raise_http(exc)
    return Response(status_code=204)

"""Training mode: an agent practises on scripted visitors of the training site; training chats go to
agents in training only, and appear in no report, archive or traffic list, only in the results that
supervisors (their groups) and admins read."""

from __future__ import annotations

from pydantic import Field

from chat_protocol.base import ProtocolModel


class TrainingMode(ProtocolModel):
    """`PUT /api/v1/training` (any agent, for themselves): in training or not. A switch refuses while
    the agent holds chats of the other kind."""

    training: bool


class TrainingResult(ProtocolModel):
    """`GET /api/v1/training/results`: one trainee's figures over their training chats."""

    agent_id: str
    name: str
    training: bool = Field(description="In training mode now.")
    chats: int = Field(description="Training chats they held.")
    replies: int = Field(description="Messages they wrote in them.")
    canned_replies: int = Field(description="Of those, messages that are the text of a canned reply.")
    first_response: float | None = Field(
        default=None, description="Mean seconds from the visitor's first message to their first reply."
    )
    rated_good: int = 0
    rated_bad: int = 0

"""Training mode: an agent practises on scripted visitors of the training site; training chats go to
agents in training only, and appear in no report, archive or traffic list, only in the results that
supervisors (their groups) and admins read."""

from typing import Literal

from pydantic import Field

from chat_protocol.base import ProtocolModel

TrainingLanguage = Literal["ja", "en"]


class TrainingMode(ProtocolModel):
    """`PUT /api/v1/training` (any agent, for themselves): in training or not, and in which language.
    A switch refuses while the agent holds chats of the other kind."""

    training: bool
    language: TrainingLanguage | None = Field(
        default=None,
        description="The language of the scripted visitors to practise on; absent: every language."
        " Kept while in training, cleared when training ends.",
    )


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

"""REST calls of training mode (`chat_protocol.training`): my own mode, and the trainees' results
(supervisors and admins). See docs/roles.md."""

from __future__ import annotations

from chat_protocol.rest import Me
from chat_protocol.training import TrainingLanguage, TrainingMode, TrainingResult
from operator_app.net.api import ApiClient, list_adapter


class TrainingApi:
    """Typed calls; each takes the access token first, like `ApiClient`'s, for `AuthSession.call`."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def set_training(self, token: str, training: bool, language: TrainingLanguage | None = None) -> Me:
        """`PUT /training`: my mode, and the language of my scripted visitors (None: every language);
        refused (403) while I hold a chat of the other kind."""
        body = TrainingMode(training=training, language=language).model_dump(mode="json", exclude_none=True)
        return await self.api.request_model("PUT", "/training", Me, token=token, json=body)

    async def results(self, token: str) -> list[TrainingResult]:
        """`GET /training/results`: the trainees of my groups (admins: all)."""
        return await self.api.request_list(
            "GET", "/training/results", list_adapter(TrainingResult), token=token
        )

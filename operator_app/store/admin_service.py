"""The team view's and the admin settings' access to the server: `AdminApi` calls with the signed-in
agent's token, refreshed once on expiry (`AuthSession.call`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from operator_app.net.admin_api import AdminApi
from operator_app.net.session import AuthSession

P = ParamSpec("P")
T = TypeVar("T")


class AdminService:
    """`await service.call(service.api.create_agent, body)`: raises `ApiError` when refused."""

    def __init__(self, auth: AuthSession) -> None:
        self.auth = auth
        self.api = AdminApi(auth.api)

    async def call(
        self, fn: Callable[Concatenate[str, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return await self.auth.call(lambda token: fn(token, *args, **kwargs))

"""The operator app's minimum and latest versions and its download link (an admin setting), which
`GET /api/v1/info` tells every app before sign-in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.domain import server_settings
from chat_protocol.rest import AppUpdateSettings

_SETTINGS_KEY = "app_updates"


async def app_update_settings(session: AsyncSession) -> AppUpdateSettings:
    return await server_settings.load(session, _SETTINGS_KEY, AppUpdateSettings)


async def save_app_update_settings(session: AsyncSession, value: AppUpdateSettings) -> None:
    await server_settings.save(session, _SETTINGS_KEY, value)

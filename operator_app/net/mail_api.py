"""REST calls of the e-mail settings and the mail outbox (admins; `chat_protocol.tickets`). Passwords
are write-only: the server answers `password_set`, and a `password` left out (None) keeps the stored
one."""

from __future__ import annotations

from urllib.parse import quote

from chat_protocol.tickets import MailStatus, SmtpSettings
from operator_app.net.api import ApiClient, list_adapter


class MailApi:
    """Typed calls; each takes the access token first, like `ApiClient`'s, for `AuthSession.call`."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def email_settings(self, token: str) -> SmtpSettings:
        return await self.api.request_model("GET", "/settings/email", SmtpSettings, token=token)

    async def save_email_settings(self, token: str, body: SmtpSettings) -> SmtpSettings:
        payload = body.model_dump(mode="json", exclude={"password_set", "imap_password_set"})
        return await self.api.request_model("PUT", "/settings/email", SmtpSettings, token=token, json=payload)

    async def outbox(self, token: str) -> list[MailStatus]:
        """`GET /mail/outbox`: e-mail that waits or failed, newest first."""
        return await self.api.request_list("GET", "/mail/outbox", list_adapter(MailStatus), token=token)

    async def retry(self, token: str, mail_id: str) -> None:
        """`POST /mail/outbox/{id}/retry`: a failed e-mail is queued again now."""
        await self.api.request_none("POST", f"/mail/outbox/{quote(mail_id, safe='')}/retry", token=token)

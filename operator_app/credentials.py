"""The refresh token of a remembered session, in the OS keyring and nowhere else.

Where no keyring backend exists (a headless Linux), "remember me" is unavailable: there is no
plaintext fallback. `keyring` is imported on first use: finding its backend costs start-up time.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

SERVICE = "operator-app"


class CredentialStore:
    """Refresh tokens keyed by server URL and e-mail address."""

    def __init__(self) -> None:
        self._broken = False

    def available(self) -> bool:
        """Whether a real keyring backend is there (checked without writing to it)."""
        if self._broken:
            return False
        import keyring
        import keyring.backends.fail

        backend = keyring.get_keyring()
        if isinstance(backend, keyring.backends.fail.Keyring):
            return False
        priority = getattr(backend, "priority", 1)
        return not (isinstance(priority, int | float) and priority <= 0)

    @staticmethod
    def _user(server_url: str, email: str) -> str:
        return f"{email.strip().lower()}@{server_url}"

    def save(self, server_url: str, email: str, refresh_token: str) -> bool:
        """Store the token; False (and the store marked unavailable) when the keyring fails."""
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(SERVICE, self._user(server_url, email), refresh_token)
        except KeyringError as exc:
            log.warning("keyring unavailable: %s", exc)
            self._broken = True
            return False
        return True

    def load(self, server_url: str, email: str) -> str | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(SERVICE, self._user(server_url, email))
        except KeyringError as exc:
            log.warning("keyring unavailable: %s", exc)
            return None

    def forget(self, server_url: str, email: str) -> None:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.delete_password(SERVICE, self._user(server_url, email))
        except KeyringError as exc:
            log.debug("nothing to forget: %s", exc)

"""End-to-end fixtures: the app's Qt/qasync fixtures, and one Chromium per module in its own thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.browser import BrowserThread
from tests.widgets.fixtures import app_home, memory_keyring, qloop

__all__ = ["app_home", "chromium", "memory_keyring", "qloop"]


@pytest.fixture(scope="module")
def chromium() -> Iterator[BrowserThread]:
    browser = BrowserThread()
    yield browser
    browser.close()


# Every Chromium visitor of a module connects from 127.0.0.1, to one backend shared by the module's
# tests: as many people as a whole module's tests make, from one address. The per-IP allowances are
# raised through their documented settings (the limits stay on; tests/integration/test_socket_limits.py
# proves them at their defaults).
BROWSER_VISITORS_ENV = {
    "CHAT_NEW_CHATS_PER_IP_BURST": "1000",
    "CHAT_OFFLINE_MESSAGES_PER_IP_BURST": "1000",
    "CHAT_TRANSCRIPT_MAILS_PER_IP_BURST": "1000",
    "CHAT_UPLOADS_PER_IP_BURST": "1000",
    "CHAT_CONNECT_BURST": "3000",
}


@pytest.fixture(scope="module", autouse=True)
def browser_visitors_share_one_address() -> Iterator[None]:
    """Set before the module's backends start (autouse fixtures of a scope come first)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in BROWSER_VISITORS_ENV.items():
            patch.setenv(name, value)
        yield

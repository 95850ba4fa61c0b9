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

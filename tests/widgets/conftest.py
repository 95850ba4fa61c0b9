"""Widget tests: offscreen Qt, a qasync loop, an in-memory keyring and a private app home."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.widgets.app_harness import controller  # noqa: E402
from tests.widgets.fixtures import app_home, memory_keyring, no_keyring, qloop  # noqa: E402

__all__ = ["app_home", "controller", "memory_keyring", "no_keyring", "qloop"]

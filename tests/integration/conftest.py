"""Integration fixtures: the app's own (a qasync loop, an in-memory keyring, a private app home), and
the real app controller with the people around it against the real backend (tests/widgets/app_harness.py),
and a Redis of a module's own for the cluster tests (tests/support/cluster.py)."""

from __future__ import annotations

from tests.support.cluster import redis_server
from tests.widgets.app_harness import controller, people, proxy
from tests.widgets.fixtures import app_home, memory_keyring, no_keyring, qloop

__all__ = [
    "app_home",
    "controller",
    "memory_keyring",
    "no_keyring",
    "people",
    "proxy",
    "qloop",
    "redis_server",
]

"""Integration fixtures: the app's own (a qasync loop, an in-memory keyring, a private app home), and
the real app controller with the people around it against the real backend (tests/widgets/app_harness.py),
a Redis of a module's own for the cluster tests (tests/support/cluster.py), and moto's S3 server for the
session (tests/support/s3.py: the attachment store's tests and the clusters' shared bucket), and the
backend's app served in the test's own process (tests/support/served_backend.py)."""

from __future__ import annotations

from tests.support.cluster import redis_server
from tests.support.s3 import s3_server
from tests.support.served_backend import served
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
    "s3_server",
    "served",
]

"""Parts of /metrics that need no server: the error counter and the live collector."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY

from chat_backend.cluster.metrics import Installed, LiveCollector


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_errors_are_counted_once_from_our_loggers_and_uvicorns(caplog: pytest.LogCaptureFixture) -> None:
    installed = Installed(LiveCollector(lambda: {"agent": 2, "visitor": 5}))
    uvicorn = logging.getLogger("uvicorn")
    propagate, uvicorn.propagate = uvicorn.propagate, False  # as uvicorn configures it
    before = _value("chat_log_errors_total")
    installed.start()
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("chat_backend.realtime.router").error("a pass failed")
            logging.getLogger("uvicorn.error").error("Exception in ASGI application")
            logging.getLogger("chat_backend.realtime.router").warning("not an error")
        assert _value("chat_log_errors_total") - before == 2
        assert _value("chat_sockets", kind="visitor") == 5
        assert _value("chat_sockets", kind="agent") == 2
    finally:
        installed.stop()
        uvicorn.propagate = propagate
    logging.getLogger("chat_backend").error("after the app stopped")
    assert _value("chat_log_errors_total") - before == 2
    assert REGISTRY.get_sample_value("chat_sockets", {"kind": "visitor"}) is None

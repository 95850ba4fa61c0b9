"""`/readyz`'s checks (chat_backend/cluster/health.py): required and optional checks, failures named,
one round of checks however many requests come at once."""

from __future__ import annotations

import asyncio

import pytest

from chat_backend.cluster.health import Readiness


@pytest.mark.asyncio
async def test_a_required_check_failing_makes_the_node_not_ready_an_optional_one_is_only_reported() -> None:
    calls = {"database": 0}

    async def database() -> str | None:
        calls["database"] += 1
        await asyncio.sleep(0.05)
        return None

    async def redis() -> str | None:
        return "unreachable"

    async def broken() -> str | None:
        raise OSError("connection refused")

    readiness = Readiness()
    readiness.add("database", database)
    readiness.add("redis", redis, required=False)
    reports = await asyncio.gather(*(readiness.report() for _ in range(20)))
    assert reports[0] == {"database": "ok", "redis": "unreachable"}
    assert all(report == reports[0] for report in reports)
    assert calls["database"] == 1  # twenty requests at once: one round of checks
    assert readiness.ready(reports[0])

    readiness = Readiness()
    readiness.add("database", broken)
    report = await readiness.report()
    assert report == {"database": "unreachable"}  # the error itself is not shown to the public
    assert not readiness.ready(report)

"""A backend that logs an error fails the test that started it, unless the test declares it expected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

INNER = '''
import sqlite3

import httpx
import pytest


def break_canned_replies(backend):
    """Drop a table under the running backend, then ask for it: a real 500 with a traceback."""
    with sqlite3.connect(backend.database_url.removeprefix("sqlite:///")) as db:
        db.execute("DROP TABLE canned_replies")
    token = backend.login_tokens()["access_token"]
    response = httpx.get(f"{backend.url}/api/v1/canned", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500


def test_unexpected_backend_error(backend):
    break_canned_replies(backend)


@pytest.mark.backend_errors_expected("no such table: canned_replies")
def test_declared_backend_error(backend):
    break_canned_replies(backend)
'''


# An inner pytest session that starts two backends: more than one test's worth of time.
@pytest.mark.timeout(600)
def test_a_traceback_in_the_backend_log_fails_the_test_unless_declared(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest('pytest_plugins = ["tests.conftest"]')
    pytester.makepyfile(test_inner=INNER)
    pytester.makeini("[pytest]\nmarkers =\n    backend\n    browser\n    qt\n    pure\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-q", timeout=600)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_unexpected_backend_error*",
            "*the backend logged errors*",
            "*Traceback (most recent call last)*",
            "*no such table: canned_replies*",
        ]
    )
    assert "ERROR at teardown of test_declared_backend_error" not in result.stdout.str()

"""The admin CLI, the published documents and the static files, on a real database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.backend import BackendProcess


@pytest.fixture
def backend(shared_backend: BackendProcess) -> BackendProcess:
    """These tests make their own visitors and agents and leave the server as it was: one backend
    serves the whole module."""
    return shared_backend


def test_create_site_prints_the_embed_snippet(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    cmd = [sys.executable, "-m", "chat_backend.cli", "--database-url", url, "create-site", "--name", "Shop"]
    cmd += ["--origin", "https://Shop.Example:443/", "--origin", "https://www.shop.example"]
    cmd += ["--server-url", "https://chat.shop.example"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert '<script src="https://chat.shop.example/widget.js" data-site="' in out


def test_create_site_refuses_a_non_http_origin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    cmd = [sys.executable, "-m", "chat_backend.cli", "--database-url", url, "create-site", "--name", "S"]
    done = subprocess.run([*cmd, "--origin", "javascript:alert(1)"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "not an http(s) origin" in done.stderr


def test_create_agent_reads_the_password_from_stdin_and_refuses_duplicates(backend: BackendProcess) -> None:
    backend.create_agent("lead@example.com", "Lead", "lead-password", role="supervisor")
    tokens = backend.login_tokens("lead@example.com", "lead-password")
    me = httpx.get(f"{backend.url}/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["role"] == "supervisor"
    with pytest.raises(RuntimeError, match="already exists"):
        backend.create_agent("lead@example.com", "Lead", "lead-password")


def test_openapi_health_widget_and_demo_shop_are_served(backend: BackendProcess) -> None:
    paths = httpx.get(f"{backend.url}/openapi.json").json()["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/snapshot",
        "/api/v1/chats/{chat_id}/events",
        "/api/v1/info",
    ):
        assert path in paths
    assert httpx.get(f"{backend.url}/healthz").json() == {"status": "ok"}
    widget = httpx.get(f"{backend.url}/widget.js")
    assert widget.status_code == 200
    assert "javascript" in widget.headers["content-type"]
    page = httpx.get(backend.demo_url).text
    assert f'data-site="{backend.site_id}"' in page
    assert httpx.get(f"{backend.url}/demo/..%2Fwidget.js").status_code == 404


def test_unauthenticated_rest_calls_are_refused(backend: BackendProcess) -> None:
    for path in ("/api/v1/me", "/api/v1/snapshot", "/api/v1/chats/x/events"):
        response = httpx.get(f"{backend.url}{path}")
        assert response.status_code == 401
        assert response.json()["detail"]["code"] == "invalid_token"

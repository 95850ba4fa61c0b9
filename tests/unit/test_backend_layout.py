"""The backend stays grouped by resource: one REST module per first path segment under /api/v1, and SQL
only in `chat_backend/domain/` (never in `api/` or `realtime/`). A drift back fails here."""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute

from chat_backend.app import create_app
from chat_backend.settings import Settings
from tests.support.syntax import parse_file

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "/api/v1/"
# Operations endpoints outside the API (health, readiness, metrics), in their own module.
OPS_MODULE = "chat_backend.api.ops"
# Storage is the domain's: handlers and sockets call domain functions over a session.
STORAGE = ("sqlalchemy", "chat_backend.db.tables")
# Modules of realtime/ that name ORM row classes in type hints (rows the domain hands them), running no
# SQL; the sockets and the connection import no storage at all. A module that no longer needs its entry
# fails the test below.
REALTIME_ROW_TYPE_HINTS = {
    "greeter.py",
    "traffic_list.py",
}
# Session methods that run SQL; `api/deps.py` opens sessions (chat_backend.db.engine) but runs none.
SQL_CALLS = {"execute", "scalar", "scalars", "stream", "stream_scalars"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> set[str]:
    """Every module a file imports, anywhere in it (also inside functions), made absolute; `from a import
    b` counts as both `a` and `a.b`."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(parse_file(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def storage_imports(path: Path, module: str | None = None) -> list[str]:
    return sorted(
        imported
        for imported in imports_of(path, module or module_name(path))
        if any(imported == banned or imported.startswith(banned + ".") for banned in STORAGE)
    )


def sql_calls(path: Path) -> list[str]:
    """`x.execute(...)`-style calls, by line."""
    tree = parse_file(path)
    return [
        f"line {node.lineno}: .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS
    ]


def api_files() -> list[Path]:
    return sorted((ROOT / "chat_backend" / "api").rglob("*.py"))


def realtime_files() -> list[Path]:
    return sorted((ROOT / "chat_backend" / "realtime").rglob("*.py"))


def test_no_rest_module_touches_storage() -> None:
    files = api_files()
    assert len(files) > 5
    problems = {str(f.relative_to(ROOT)): storage_imports(f) + sql_calls(f) for f in files}
    assert {name: found for name, found in problems.items() if found} == {}


def test_no_socket_module_imports_storage_beyond_the_allow_list() -> None:
    offending = {f.name for f in realtime_files() if storage_imports(f)}
    assert offending - REALTIME_ROW_TYPE_HINTS == set(), "new storage imports in chat_backend/realtime/"
    assert REALTIME_ROW_TYPE_HINTS - offending == set(), (
        "no longer needed: remove from REALTIME_ROW_TYPE_HINTS"
    )


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from sqlalchemy import select\n", "sqlalchemy"),
        ("def f():\n    import sqlalchemy.ext.asyncio\n", "sqlalchemy.ext.asyncio"),
        ("from chat_backend.db.tables import Agent\n", "chat_backend.db.tables"),
        ("from chat_backend.db import tables\n", "chat_backend.db.tables"),
        ("from ..db import tables\n", "chat_backend.db.tables"),
    ],
)
def test_the_walk_sees_a_storage_import(tmp_path: Path, source: str, found: str) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert found in storage_imports(probe, "chat_backend.api.probe")


def test_the_walk_sees_sql_run_in_a_handler(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("async def f(session):\n    return await session.execute(q)\n", encoding="utf-8")
    assert sql_calls(probe) == ["line 2: .execute()"]


def routes_by_module() -> dict[str, list[APIRoute]]:
    found: dict[str, list[APIRoute]] = {}
    for path in api_files():
        module = importlib.import_module(module_name(path))
        routers = [value for value in vars(module).values() if isinstance(value, APIRouter)]
        found[module.__name__] = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    return found


def first_segment(path: str) -> str:
    assert path.startswith(PREFIX), path
    return path.removeprefix(PREFIX).split("/", 1)[0]


def test_each_resource_has_one_rest_module() -> None:
    """`/agents...` routes all live in one module, `/settings/...` in one, and so on."""
    modules_of: dict[str, set[str]] = defaultdict(set)
    for module, routes in routes_by_module().items():
        if module == OPS_MODULE:
            assert not [r.path for r in routes if r.path.startswith("/api/")], "API routes belong elsewhere"
            continue
        for route in routes:
            modules_of[first_segment(route.path)].add(module)
    assert len(modules_of) > 10
    assert {segment: sorted(mods) for segment, mods in modules_of.items() if len(mods) > 1} == {}


def test_the_app_serves_every_route_of_the_rest_modules(tmp_path: Path) -> None:
    """Read from the OpenAPI document, which lists what the app routes (every REST route is in it)."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'chat.db'}"))
    served = {
        (path, method.upper()) for path, operations in app.openapi()["paths"].items() for method in operations
    }
    declared = {
        (route.path, method)
        for routes in routes_by_module().values()
        for route in routes
        for method in route.methods
    }
    assert declared == served

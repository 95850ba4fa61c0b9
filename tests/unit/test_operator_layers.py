"""Dependencies point one way: ui -> store -> net -> chat_protocol. A back-edge fails here."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.syntax import parse_file

ROOT = Path(__file__).resolve().parents[2]
QT = ("PySide6", "shiboken6", "qasync")

# package prefix -> module prefixes it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "chat_protocol": ("operator_app", "chat_backend", *QT),
    "operator_app.net": ("operator_app.store", "operator_app.ui", "operator_app.app", "chat_backend", *QT),
    "operator_app.store": ("operator_app.ui", "operator_app.app", "chat_backend"),
    # Widgets read models and call store services; errors and tasks come from the plain modules.
    "operator_app.ui": ("operator_app.net", "operator_app.app", "chat_backend"),
    # Plain modules beside the layers: no Qt, no widgets.
    "operator_app.paths": ("operator_app.store", "operator_app.ui", *QT),
    "operator_app.settings": ("operator_app.store", "operator_app.ui", *QT),
    "operator_app.credentials": ("operator_app.store", "operator_app.ui", *QT),
    "operator_app.logging_setup": ("operator_app.store", "operator_app.ui", *QT),
    "operator_app.errors": ("operator_app.net", "operator_app.store", "operator_app.ui", *QT),
    "operator_app.tasks": ("operator_app.net", "operator_app.store", "operator_app.ui", *QT),
    "operator_app.updates": ("operator_app.net", "operator_app.store", "operator_app.ui", *QT),
    "operator_app.atomic_file": ("operator_app.net", "operator_app.store", "operator_app.ui", *QT),
    # The client never imports the backend (the demo launcher starts it as a process).
    "operator_app.app": ("chat_backend",),
    "operator_app.__main__": ("chat_backend",),
    "operator_app.launcher": ("chat_backend",),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> set[str]:
    """Every module a file imports, anywhere in it (also inside functions), made absolute."""
    tree = parse_file(path)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base)
                found.add(f"{prefix}.{node.module}" if node.module else prefix)
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def layer_files() -> list[tuple[str, Path]]:
    files = sorted((ROOT / "chat_protocol").rglob("*.py")) + sorted((ROOT / "operator_app").rglob("*.py"))
    return [(module_name(f), f) for f in files if f.name != "demo.py"]


def rules_for(module: str) -> tuple[str, ...]:
    forbidden: tuple[str, ...] = ()
    for prefix, banned in FORBIDDEN.items():
        if module == prefix or module.startswith(prefix + "."):
            forbidden += banned
    return forbidden


def back_edges(files: list[tuple[str, Path]]) -> list[str]:
    problems = []
    for module, path in files:
        for imported in sorted(imports_of(path, module)):
            for banned in rules_for(module):
                if imported == banned or imported.startswith(banned + "."):
                    problems.append(f"{module} imports {imported}")
    return problems


def test_no_module_imports_against_the_layering() -> None:
    files = layer_files()
    assert len(files) > 20
    assert back_edges(files) == []


@pytest.mark.parametrize(
    ("module", "source", "edge"),
    [
        ("operator_app.net.probe", "from PySide6.QtCore import QObject\n", "PySide6.QtCore"),
        ("operator_app.net.probe", "from ..store import chat_state\n", "operator_app.store"),
        (
            "operator_app.store.probe",
            "def f():\n    import operator_app.ui.main_window\n",
            "operator_app.ui.main_window",
        ),
        ("chat_protocol.probe", "from operator_app.net import api\n", "operator_app.net"),
        (
            "operator_app.ui.probe",
            "from operator_app.net.traffic_feed import FeedState\n",
            "operator_app.net.traffic_feed",
        ),
        ("operator_app.ui.video.probe", "def f():\n    from ...net import api\n", "operator_app.net"),
    ],
)
def test_the_walk_sees_a_back_edge(tmp_path: Path, module: str, source: str, edge: str) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert f"{module} imports {edge}" in back_edges([(module, probe)])


def test_importing_the_network_layer_loads_no_qt() -> None:
    """Catches transitive imports too: load every net module and look at sys.modules."""
    modules = [module_name(p) for p in sorted((ROOT / "operator_app" / "net").glob("*.py"))]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "import operator_app.settings, operator_app.paths, operator_app.credentials\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""

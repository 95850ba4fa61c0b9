"""No two modules of ours import each other, directly or around a circle.

Every import counts, also one inside a function or under `TYPE_CHECKING`: a deferred import hides a
circle, it does not remove it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from tests.support.syntax import parse_file

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("chat_backend", "chat_protocol", "operator_app")


def module_files(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name -> file, for every module of `packages` under `root` (migrations aside)."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts:
                continue
            found[".".join(relative.with_suffix("").parts).removesuffix(".__init__")] = path
    return found


def import_graph(files: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports anywhere in its body."""
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        tree = parse_file(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    kept = parts[: len(parts) - node.level + 1]
                    base = ".".join([*kept, base] if base else kept)
                # `from package import module` imports the module; `from module import name` the module.
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            graph[name].update(t for t in targets if t in files and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Each group of modules that reach one another through imports (Tarjan's strongly connected
    components with more than one module), as a sorted tuple."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(tuple(sorted(group)))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(graph):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(found)


def project_cycles() -> list[tuple[str, ...]]:
    return cycles(import_graph(module_files(ROOT, PACKAGES)))


def test_no_modules_of_the_project_import_each_other_in_a_circle() -> None:
    assert project_cycles() == []


def test_the_walker_finds_a_circle_hidden_in_a_function_and_under_type_checking(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def later() -> None:\n    from .sub import c\n")
    (package / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n"
    )
    (package / "d.py").write_text("from pkg.a import something\n")  # imports into the circle, not part of it
    (package / "migrations").mkdir()
    (package / "migrations" / "env.py").write_text("import pkg.d\n")

    graph = import_graph(module_files(tmp_path, ("pkg",)))

    assert graph["pkg.b"] == {"pkg.sub", "pkg.sub.c"}
    assert "pkg.migrations.env" not in graph
    assert cycles(graph) == [("pkg.a", "pkg.b", "pkg.sub.c")]
    (package / "a.py").write_text("")
    assert cycles(import_graph(module_files(tmp_path, ("pkg",)))) == []

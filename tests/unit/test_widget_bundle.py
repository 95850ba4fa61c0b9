"""The website widget: the committed bundle is built from its ES-module sources, which stay safe and small."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "chat_backend" / "widget"
SOURCES = WIDGET / "src"
BUNDLE = ROOT / "chat_backend" / "static" / "widget.js"
REBUILD = "npm ci --prefix chat_backend/widget && npm run build --prefix chat_backend/widget"
MAX_MODULE_LINES = 600
# Ways to turn a string into markup; the widget builds every node with DOM APIs instead.
MARKUP_SINKS = ("innerHTML", "outerHTML", "insertAdjacentHTML")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: the widget's bundle is built with Node.js (>= 18) and npm")
    return path


def _run(args: list[str], what: str) -> None:
    result = subprocess.run(args, cwd=WIDGET, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        pytest.fail(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def _build(outfile: Path) -> None:
    """The build of `npm run build`, written to `outfile`; esbuild installed from the lockfile if missing."""
    if not (WIDGET / "node_modules" / "esbuild" / "package.json").is_file():
        _run([_tool("npm"), "ci", "--no-audit", "--no-fund"], "npm ci in chat_backend/widget")
    _run([_tool("node"), "build.mjs", "--outfile", str(outfile)], "node build.mjs")


def _sources() -> list[Path]:
    found = sorted(SOURCES.rglob("*.js"))
    assert found, f"no widget sources under {SOURCES}"
    return found


def test_committed_widget_bundle_matches_its_sources(tmp_path: Path) -> None:
    fresh = tmp_path / "widget.js"
    _build(fresh)
    same = fresh.read_bytes() == BUNDLE.read_bytes()
    assert same, f"chat_backend/static/widget.js is out of date with chat_backend/widget/src; run: {REBUILD}"


def test_widget_build_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.js", tmp_path / "b.js"
    _build(first)
    _build(second)
    same = first.read_bytes() == second.read_bytes()
    assert same, "two builds of the same widget sources differ"


def test_widget_bundle_starts_with_the_header_comment() -> None:
    text = BUNDLE.read_text(encoding="utf-8")
    assert text.startswith("/*!\n * Live chat website widget.")
    assert '*/\n"use strict";\n(() => {' in text


def test_widget_sources_never_write_markup() -> None:
    offenders = {
        path.relative_to(WIDGET).as_posix(): sink
        for path in _sources()
        for sink in MARKUP_SINKS
        if sink in path.read_text(encoding="utf-8")
    }
    assert offenders == {}


def test_widget_source_modules_stay_small() -> None:
    too_long = {}
    for path in _sources():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_long[path.relative_to(WIDGET).as_posix()] = lines
    assert too_long == {}, f"split these modules (at most {MAX_MODULE_LINES} lines each)"

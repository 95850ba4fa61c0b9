"""The website widget: the committed build (loader, chunks, their .gz/.br, the manifest) is what its
ES-module sources build to; the sources stay safe and small."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "chat_backend" / "widget"
SOURCES = WIDGET / "src"
STATIC = ROOT / "chat_backend" / "static"
BUNDLE = STATIC / "widget.js"
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


def _build(outdir: Path) -> None:
    """The build of `npm run build`, written under `outdir`; esbuild installed from the lockfile if missing."""
    if not (WIDGET / "node_modules" / "esbuild" / "package.json").is_file():
        _run([_tool("npm"), "ci", "--no-audit", "--no-fund"], "npm ci in chat_backend/widget")
    _run([_tool("node"), "build.mjs", "--outdir", str(outdir)], "node build.mjs")


def _outputs(root: Path) -> dict[str, bytes]:
    """Every file the build writes under `root`: the loader (and its .gz/.br) and all of widget/."""
    found = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.glob("widget.js*")}
    found |= {
        p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "widget").rglob("*") if p.is_file()
    }
    return found


def _brotli_decompress(data: bytes) -> bytes:
    script = "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))"
    result = subprocess.run(
        [_tool("node"), "-e", script], input=data, capture_output=True, timeout=60, check=True
    )
    return result.stdout


def _sources() -> list[Path]:
    found = sorted(SOURCES.rglob("*.js"))
    assert found, f"no widget sources under {SOURCES}"
    return found


def test_committed_widget_build_matches_its_sources(tmp_path: Path) -> None:
    """Scripts and manifest byte for byte; a .gz/.br must hold exactly its script (the compressed bytes
    may differ with the zlib of another Node.js, and a stale one would be served to most browsers)."""
    _build(tmp_path)
    fresh, committed = _outputs(tmp_path), _outputs(STATIC)
    stale = f"chat_backend/static/widget* is out of date with chat_backend/widget/src; run: {REBUILD}"
    assert sorted(fresh) == sorted(committed), stale
    for name, data in committed.items():
        if name.endswith(".gz"):
            assert gzip.decompress(data) == committed[name[:-3]], f"{name}: {stale}"
        elif name.endswith(".br"):
            assert _brotli_decompress(data) == committed[name[:-3]], f"{name}: {stale}"
        else:
            assert data == fresh[name], f"{name}: {stale}"


def test_widget_build_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _build(first)
    _build(second)
    assert _outputs(first) == _outputs(second), "two builds of the same widget sources differ"


def test_the_loader_is_small_and_names_the_entry_chunk() -> None:
    manifest = json.loads((STATIC / "widget" / "manifest.json").read_text(encoding="utf-8"))
    loader = BUNDLE.read_bytes()
    assert loader.startswith(b"/*! Live chat widget loader")
    assert len(gzip.compress(loader)) < 1024
    assert manifest["entry"].encode() in loader
    assert manifest["entry"] in manifest["chunks"]
    assert any(name.startswith("call_media-") for name in manifest["chunks"]), (
        "the WebRTC code is its own chunk"
    )


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

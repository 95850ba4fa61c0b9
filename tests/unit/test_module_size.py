"""Modules stay small enough to read: a file over the limit is a file doing two things."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_PYTHON_LINES = 500
# Generated or vendored files carry no design of their own.
GENERATED = ("chat_backend/db/migrations/",)


def tracked(pattern: str) -> list[str]:
    done = subprocess.run(["git", "ls-files", pattern], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.split()


def too_long(paths: list[str], limit: int) -> list[str]:
    found = []
    for path in paths:
        lines = (ROOT / path).read_text(encoding="utf-8").count("\n")
        if lines > limit:
            found.append(f"{path}: {lines} lines")
    return found


def test_no_python_module_outside_the_tests_is_over_500_lines() -> None:
    paths = [p for p in tracked("*.py") if not p.startswith(("tests/", *GENERATED))]
    assert len(paths) > 100
    assert too_long(paths, MAX_PYTHON_LINES) == []


def test_the_check_sees_a_long_file(tmp_path: Path) -> None:
    long_file = tmp_path / "long.py"
    long_file.write_text("x = 1\n" * 501, encoding="utf-8")
    assert too_long([str(long_file)], MAX_PYTHON_LINES) == [f"{long_file}: 501 lines"]

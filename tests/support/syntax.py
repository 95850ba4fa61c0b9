"""Parse a source file for the layout tests, on a thread of its own.

CPython 3.11.7 can fail `ast.parse` with "SystemError: AST constructor recursion depth mismatch" when
the calling thread's recursion counter was left skewed by earlier work in the same process (seen once
in a test worker after Qt tests); a fresh thread starts with a clean counter.
"""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def parse_file(path: Path) -> ast.Module:
    source = path.read_text(encoding="utf-8")
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(ast.parse, source, str(path)).result()

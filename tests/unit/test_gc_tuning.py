"""A serving node collects cyclic garbage rarely and never scans what it built at start-up
(`chat_backend.cli._tune_garbage_collection`; why, with figures, in its docstring)."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys

from chat_backend import cli


def test_tuning_freezes_what_exists_and_raises_the_thresholds() -> None:
    code = (
        "import gc\n"
        "from chat_backend import cli\n"
        "cli._tune_garbage_collection()\n"
        "print(gc.get_threshold(), gc.get_freeze_count() > 10_000)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"{cli.GC_THRESHOLDS} True"


def test_serve_tunes_after_building_the_app() -> None:
    calls = [
        node.func.id
        for node in ast.walk(ast.parse(inspect.getsource(cli._serve)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    ]
    assert "_tune_garbage_collection" in calls
    assert calls.index("create_app") < calls.index("_tune_garbage_collection")

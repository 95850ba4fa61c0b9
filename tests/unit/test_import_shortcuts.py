"""The start-up's shortcuts around pydantic's plugin search and PySide6's per-import source check give the
libraries' own answers, and notice when a new release of either no longer has what they replace."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _run(code: str, cwd: Path | None = None, **env: str) -> str:
    import os

    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=cwd,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
    )
    return done.stdout.strip().splitlines()[-1]


PLUGINS = """
import json, os, sys
{setup}
from pydantic import BaseModel
class Model(BaseModel):
    n: int
from pydantic.plugin._loader import get_plugins
print(json.dumps([Model.model_validate({{"n": "4"}}).n, list(get_plugins()), "importlib.metadata" in sys.modules,
                  os.environ.get("PYDANTIC_DISABLE_PLUGINS")]))
"""


def test_pydantic_finds_no_plugin_without_reading_the_metadata() -> None:
    setup = (
        "os.environ.pop('PYDANTIC_DISABLE_PLUGINS', None)\n"
        "from operator_app.import_shortcuts import without_pydantic_plugins; without_pydantic_plugins()"
    )
    assert json.loads(_run(PLUGINS.format(setup=setup))) == [4, [], False, "__all__"]


def test_pydantic_itself_still_has_the_loader_the_shortcut_stands_in_for() -> None:
    """Without the shortcut pydantic imports its own loader (a release that renamed it would fail here)
    and, with every plugin disabled by its variable, gets no plugin from it either."""
    setup = "os.environ['PYDANTIC_DISABLE_PLUGINS'] = '__all__'"
    assert json.loads(_run(PLUGINS.format(setup=setup))) == [
        4,
        [],
        True,
        "__all__",
    ]


def test_a_variable_naming_some_plugins_keeps_pydantics_own_search() -> None:
    code = (
        "import os, sys\n"
        "os.environ['PYDANTIC_DISABLE_PLUGINS'] = 'one_plugin'\n"
        "from operator_app.import_shortcuts import without_pydantic_plugins; without_pydantic_plugins()\n"
        "print('pydantic.plugin._loader' in sys.modules)\n"
    )
    assert _run(code) == "False"


FLAGS = """
import json, sys
sys.path.insert(0, ".")
import PySide6.QtCore
from operator_app.import_shortcuts import quick_pyside_module_check
feature = sys.modules["shibokensupport.feature"]
original = feature._mod_uses_pyside
installed = quick_pyside_module_check()
import uses_qt, plain, uses_qt_in_a_string
import email.mime.text  # a module of the standard library
print(json.dumps({
    "installed": installed,
    "again": quick_pyside_module_check(),
    "flags": {n: feature.pyside_feature_dict[n] for n in ("uses_qt", "plain", "uses_qt_in_a_string")},
    "theirs": {n: 0 if original(sys.modules[n]) else -1 for n in ("uses_qt", "plain", "uses_qt_in_a_string", "email.mime.text")},
    "ours": {n: 0 if feature._mod_uses_pyside(sys.modules[n]) else -1 for n in ("uses_qt", "plain", "uses_qt_in_a_string", "email.mime.text")},
}))
"""


def test_pyside6_gets_the_same_flag_for_each_module_from_the_quick_check(tmp_path: Path) -> None:
    (tmp_path / "uses_qt.py").write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    (tmp_path / "plain.py").write_text("VALUE = 1\n", encoding="utf-8")
    (tmp_path / "uses_qt_in_a_string.py").write_text("NAME = 'PySide6'\n", encoding="utf-8")
    result = json.loads(_run(FLAGS, cwd=tmp_path))
    assert result["installed"] is True
    assert result["again"] is False  # installed once
    assert result["flags"] == {"uses_qt": 0, "plain": -1, "uses_qt_in_a_string": 0}
    assert result["ours"] == result["theirs"]

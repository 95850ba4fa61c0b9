"""Two libraries' import-time work that the app does not need, skipped at start-up (`launcher`).

- pydantic looks for plugins (entry points in every installed distribution's metadata) the first time
  a model builds its validator. The app uses none: `without_pydantic_plugins` says so in pydantic's own
  variable and, when that says "none at all", answers pydantic's question without importing
  `importlib.metadata` (about 7 ms).
- PySide6 replaces `__import__` and, after every import, reads the whole source of the new module
  through `inspect.getsource` to learn whether it mentions "PySide6" (for its opt-in `__feature__`
  switches, which the app never uses). `quick_pyside_module_check` asks the same question by reading
  the file's bytes: about 13 ms over the 140 modules the first window imports after PySide6.

Both keep each library's answer: no plugin is loaded either way, and every module gets the flag
PySide6 would have given it.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable, Iterable
from typing import Any

PLUGINS_VARIABLE = "PYDANTIC_DISABLE_PLUGINS"
_LOADER = "pydantic.plugin._loader"
_FEATURE_MODULE = "shibokensupport.feature"


def without_pydantic_plugins() -> None:
    """Before pydantic is imported: no plugins, and (unless the variable names only some) no metadata
    read to find them."""
    os.environ.setdefault(PLUGINS_VARIABLE, "__all__")
    if os.environ[PLUGINS_VARIABLE] == "__all__" and _LOADER not in sys.modules:
        sys.modules[_LOADER] = _no_plugins_loader()


def _no_plugins_loader() -> types.ModuleType:
    """pydantic's loader as it behaves with every plugin disabled (`get_plugins` is all it is asked)."""
    loader = types.ModuleType(_LOADER, "pydantic's plugin loader with every plugin disabled")

    def get_plugins() -> Iterable[Any]:
        return ()

    loader.get_plugins = get_plugins  # type: ignore[attr-defined]
    return loader


def quick_pyside_module_check() -> bool:
    """After PySide6 is imported: its per-import source check reads bytes instead. False when this
    PySide6 has no such check (nothing to do)."""
    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "quick", False):
        return False
    feature._mod_uses_pyside = _quick_check(original)  # type: ignore[attr-defined]
    return True


def _quick_check(original: Callable[[types.ModuleType], bool]) -> Callable[[types.ModuleType], bool]:
    def uses_pyside(module: types.ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return original(module)  # no source file of its own: PySide6's answer

    uses_pyside.quick = True  # type: ignore[attr-defined]
    return uses_pyside

"""Workspaces and dialogs the first window does not show are imported and built when first opened.

A `Lazy` names a module attribute as ``"package.module:Name"`` (usually a widget class); the module is
imported the first time `get()` is called, so the app starts without paying for views the operator
may never open. Declare it beside the opener, with the real name for type checkers only::

    if TYPE_CHECKING:
        from operator_app.ui.settings_dialog import SettingsDialog
    SETTINGS_DIALOG: Lazy[type[SettingsDialog]] = Lazy("operator_app.ui.settings_dialog:SettingsDialog")
    ...
    dialog = SETTINGS_DIALOG.get()(settings, notifier, parent)
"""

from __future__ import annotations

import importlib
from typing import Generic, TypeVar, cast

from PySide6.QtWidgets import QDialog

T = TypeVar("T")


class Lazy(Generic[T]):
    """An attribute of a module that is imported on first use."""

    def __init__(self, target: str) -> None:
        module, _, name = target.partition(":")
        if not module or not name:
            raise ValueError(f"expected 'package.module:Name', got {target!r}")
        self.module = module
        self.name = name

    def get(self) -> T:
        """Import the module (once: Python keeps it) and return the attribute."""
        return cast(T, getattr(importlib.import_module(self.module), self.name))

    def __repr__(self) -> str:
        return f"Lazy('{self.module}:{self.name}')"


def bring_forward(dialog: QDialog) -> None:
    """Show a non-modal dialog, or bring it to the front when it is open already."""
    if dialog.isVisible():
        dialog.raise_()
        dialog.activateWindow()
    else:
        dialog.show()

"""The app's compiled Qt resources (icons, sounds: resources/operator_app.qrc) and the app icon.

`register_app_resources` maps `operator_app/resources/operator_app.rcc` once; the files are then
``:/icons/...`` and ``qrc:/sounds/...``. A missing file (a broken install) logs a warning: the app
runs without its icon and sounds.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QResource, QSize
from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

RCC = Path(__file__).resolve().parent.parent / "resources" / "operator_app.rcc"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
_registered: bool | None = None
_icon: QIcon | None = None


def register_app_resources() -> bool:
    """Map the compiled resources (once); False when they cannot be loaded."""
    global _registered
    if _registered is None:
        _registered = QResource.registerResource(str(RCC))
        if not _registered:
            log.warning("cannot load the app's resources from %s: no icon and no sounds", RCC)
    return _registered


def app_icon() -> QIcon:
    """The application icon in every size it is drawn at (title bars, task bars, the tray)."""
    global _icon
    if _icon is None:
        _icon = QIcon()
        if register_app_resources():
            for size in ICON_SIZES:
                _icon.addFile(f":/icons/operator-app-{size}.png", QSize(size, size))
    return _icon

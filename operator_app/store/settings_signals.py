"""The Qt face of `SettingsFile`: ``changed(name)`` after an option was changed and saved."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from operator_app.settings import SettingsFile


class SettingsSignals(QObject):
    """Signals: ``changed(name)``."""

    changed = Signal(str)

    def __init__(self, settings: SettingsFile, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        settings.subscribe(self.changed.emit)

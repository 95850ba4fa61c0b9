"""The user's settings: one typed dataclass, persisted as JSON in the config dir.

No secrets here (tokens live in the OS keyring). An administrator's ``site.json`` in the system
config dir wins over the user's file for the keys it sets, and those keys are then locked.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from operator_app.paths import AppDirs, app_dirs

log = logging.getLogger(__name__)

LANGUAGES = ("system", "ja", "en")


def _option(default: Any, doc: str) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass
class Settings:
    """Every option with its default and one line of description (in the field metadata)."""

    server_url: str = _option("", "The last server used; prefilled in the login dialog.")
    email: str = _option("", "The last e-mail address used to sign in.")
    remember_me: bool = _option(False, "Keep the session's refresh token in the OS keyring.")
    language: str = _option("system", "User interface language: system, ja or en.")
    ca_bundle: str = _option("", "A PEM file of extra certificate authorities trusted for TLS.")
    window_geometry: str = _option("", "The main window's geometry (base64, Qt's saveGeometry).")
    splitter_state: str = _option("", "Sizes of the main window's panes (base64, Qt's saveState).")
    sound_volume: int = _option(70, "Volume of notification sounds, 0 to 100.")
    sound_muted: bool = _option(False, "Play no notification sounds at all.")
    sound_new_chat: bool = _option(True, "Sound when a new chat enters the queue.")
    sound_new_message: bool = _option(True, "Sound when a visitor writes in one of my chats.")
    sound_transfer: bool = _option(True, "Sound when a chat is transferred or routed to me.")
    sound_queue_reminder: bool = _option(True, "Repeat a sound while a chat waits in the queue.")
    desktop_notifications: bool = _option(True, "Show desktop notifications (system tray).")
    call_camera: str = _option("", "Camera for video calls, by its description; empty: the system default.")
    call_microphone: str = _option("", "Microphone for video calls, by its description; empty: the default.")

    @classmethod
    def describe(cls) -> dict[str, str]:
        return {f.name: str(f.metadata.get("doc", "")) for f in dataclasses.fields(cls)}


def _coerce(values: dict[str, Any], source: Path) -> dict[str, Any]:
    """Keep only known keys whose value has the default's type; warn about the rest."""
    defaults = Settings()
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if not hasattr(defaults, key):
            log.warning("%s: unknown setting %r ignored", source, key)
            continue
        if type(value) is not type(getattr(defaults, key)):
            log.warning("%s: setting %r has the wrong type; default used", source, key)
            continue
        clean[key] = value
    if clean.get("language", "system") not in LANGUAGES:
        log.warning("%s: unknown language %r; using the system's", source, clean["language"])
        clean["language"] = "system"
    return clean


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s (%s); using defaults", path, exc)
        return {}
    if not isinstance(data, dict):
        log.warning("%s is not a JSON object; using defaults", path)
        return {}
    return _coerce(data, path)


class SettingsFile:
    """Loads, changes and saves `Settings`; calls every listener with the changed option's name."""

    def __init__(self, dirs: AppDirs | None = None) -> None:
        dirs = dirs or app_dirs()
        self.path = dirs.config / "settings.json"
        self.site_path = dirs.site_config / "site.json"
        self._listeners: list[Callable[[str], None]] = []
        user = _read_json(self.path)
        site = _read_json(self.site_path)
        self.locked = frozenset(site)
        self.values = Settings(**{**user, **site})

    def subscribe(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def get(self, name: str) -> Any:
        return getattr(self.values, name)

    def set(self, name: str, value: Any) -> None:
        """Change one option (ignored when the site config locks it), save, tell listeners."""
        if not hasattr(self.values, name):
            raise AttributeError(name)
        if name in self.locked:
            log.info("setting %r is locked by the site configuration", name)
            return
        if getattr(self.values, name) == value:
            return
        setattr(self.values, name, value)
        self.save()
        for listener in list(self._listeners):
            listener(name)

    def save(self) -> None:
        """Write atomically: a temporary file replaced in one step."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in dataclasses.asdict(self.values).items() if k not in self.locked}
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

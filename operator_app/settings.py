"""The user's settings: one typed dataclass, persisted as JSON in the config dir, under admin policies.

No secrets here (tokens live in the OS keyring). An administrator's policy (`operator_app.policy`)
gives *default* values, used where the user has not chosen, and *enforced* ones, which win and are
locked. The user's file, both policy levels and every change pass the same validation (`validate`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from operator_app.paths import AppDirs, app_dirs
from operator_app.policy import RawPolicy, read_bounded, read_policy

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
    remember_me_allowed: bool = _option(True, "Whether remember me may keep a session (admins turn it off).")
    idle_away_minutes: int = _option(0, "Minutes without input before away; 0: the server's routing setting.")
    proxy_url: str = _option("", "HTTP(S) proxy: empty: the system's; none: direct; or http://host:port.")
    update_url: str = _option("", "Where installers are published; wins over the server's value.")
    sound_output_device: str = _option("", "Audio output for sounds, by its description; empty: the default.")
    sound_folder: str = _option("", "A folder with replacement sound files (new_chat.wav, ...).")

    @classmethod
    def describe(cls) -> dict[str, str]:
        return {f.name: str(f.metadata.get("doc", "")) for f in dataclasses.fields(cls)}


DEFAULTS = Settings()
FIELD_TYPES: dict[str, type] = {f.name: type(getattr(DEFAULTS, f.name)) for f in dataclasses.fields(Settings)}
MAX_TEXT = 8192  # characters of any text option (a path, a URL, the window geometry)
MAX_IDLE_AWAY_MINUTES = 24 * 60  # as the server's idle_away_after (a day)
MAX_SETTINGS_BYTES = 1024 * 1024
SETTINGS_VERSION = 2  # the file holds only the user's own choices (version 1 held every option)
VERSION_KEY = "settings_version"
MAX_WARNINGS = 20  # per source: a file of garbage must not flood the log
HIDDEN_VALUES = frozenset({"proxy_url"})  # may hold a password: never in the log


def _http_url(value: str) -> str | None:
    if not value:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        return "must be an http:// or https:// address"
    return None


def _proxy_url(value: str) -> str | None:
    return None if value == "none" else _http_url(value)


def _in_range(low: int, high: int) -> Callable[[int], str | None]:
    return lambda value: None if low <= value <= high else f"must be from {low} to {high}"


CHECKS: dict[str, Callable[[Any], str | None]] = {
    "language": lambda value: None if value in LANGUAGES else f"must be one of {', '.join(LANGUAGES)}",
    "sound_volume": _in_range(0, 100),
    "idle_away_minutes": _in_range(0, MAX_IDLE_AWAY_MINUTES),
    "server_url": _http_url,
    "update_url": _http_url,
    "proxy_url": _proxy_url,
}


def check(key: str, value: object) -> str | None:
    """What is wrong with `value` for option `key` (a phrase for the log), or None when it is valid."""
    expected = FIELD_TYPES.get(key)
    if expected is None:
        return "is not a known setting"
    if type(value) is not expected:
        return f"must be {expected.__name__}, not {type(value).__name__}"
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return f"is longer than {MAX_TEXT} characters"
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            return "contains control characters"
    rule = CHECKS.get(key)
    return rule(value) if rule is not None else None


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 80


def _shown(key: str, value: object) -> str:
    """The value for a log line: short, bounded in depth, and never a proxy's password."""
    return "a value not shown here" if key in HIDDEN_VALUES else _SHORT.repr(value)


def validate(values: Mapping[str, object], source: str, *, ints_as_bools: bool = False) -> dict[str, Any]:
    """The valid options of `values`; every other one is a warning naming `source` and the key."""
    clean: dict[str, Any] = {}
    problems = 0
    for key, value in values.items():
        if ints_as_bools and FIELD_TYPES.get(key) is bool and type(value) is int and value in (0, 1):
            value = bool(value)
        problem = check(key, value)
        if problem is None:
            clean[key] = value
            continue
        problems += 1
        if problems <= MAX_WARNINGS:
            key_text = _SHORT.repr(key)
            log.warning("%s: setting %s %s (got %s); ignored", source, key_text, problem, _shown(key, value))
    if problems > MAX_WARNINGS:
        log.warning("%s: %d more settings ignored", source, problems - MAX_WARNINGS)
    return clean


class SettingsFile:
    """Loads, changes and saves `Settings`; calls every listener with the changed option's name.

    ``locked``: the options the administrator enforces (and "remember me" when it is not allowed);
    widgets show them disabled with "Set by your administrator".
    """

    def __init__(self, dirs: AppDirs | None = None, *, policy: RawPolicy | None = None) -> None:
        dirs = dirs or app_dirs()
        self.path = dirs.config / "settings.json"
        self._listeners: list[Callable[[str], None]] = []
        raw = policy if policy is not None else read_policy(dirs)
        self.policy_source = raw.source
        bools = raw.ints_as_bools
        self.policy_defaults = validate(raw.defaults, f"{raw.source} (default)", ints_as_bools=bools)
        enforced = validate(raw.enforced, f"{raw.source} (enforced)", ints_as_bools=bools)
        if self.policy_defaults or enforced:
            log.info(
                "admin policy %s: default %s; enforced %s",
                raw.source,
                ", ".join(sorted(self.policy_defaults)) or "-",
                ", ".join(sorted(enforced)) or "-",
            )
        self._user = self._read_user(frozenset(enforced))
        merged = {**self.policy_defaults, **self._user, **enforced}
        if not merged.get("remember_me_allowed", True):  # no session is kept: the option is locked off
            enforced["remember_me"] = merged["remember_me"] = False
            self._user.pop("remember_me", None)
        self.enforced = enforced
        self.locked = frozenset(enforced)
        self.values = Settings(**merged)

    def _read_user(self, locked: frozenset[str]) -> dict[str, Any]:
        """The user's own choices; values an administrator enforces are ignored with a warning."""
        data = read_bounded(self.path, MAX_SETTINGS_BYTES, "settings file")
        if data is None:
            return {}
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            log.warning("%s: not valid JSON (%s); using defaults", self.path, exc)
            return {}
        if not isinstance(parsed, dict):
            log.warning("%s is not a JSON object; using defaults", self.path)
            return {}
        version = parsed.pop(VERSION_KEY, 1)
        user = validate(parsed, str(self.path))
        if (
            version != SETTINGS_VERSION
        ):  # version 1: every option was saved: one at the app's default was never chosen
            user = {key: value for key, value in user.items() if value != getattr(DEFAULTS, key)}
        for key in sorted(locked & user.keys()):
            log.warning(
                "%s: setting %r is set by your administrator (%s); your value is ignored",
                self.path,
                key,
                self.policy_source,
            )
            del user[key]
        return user

    def subscribe(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[str], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def get(self, name: str) -> Any:
        return getattr(self.values, name)

    def origin(self, name: str) -> str:
        """Where the value comes from: "enforced", "user", "default" (the admin's) or "app"."""
        if name in self.locked:
            return "enforced"
        if name in self._user:
            return "user"
        return "default" if name in self.policy_defaults else "app"

    def set(self, name: str, value: Any) -> None:
        """Change one option (ignored when locked or invalid, with a log line), save, tell listeners."""
        if name not in FIELD_TYPES:
            raise AttributeError(name)
        if name in self.locked:
            if value != getattr(self.values, name):
                log.info("setting %r is set by your administrator; the change is ignored", name)
            return
        problem = check(name, value)
        if problem is not None:
            shown = _shown(name, value)
            log.warning("setting %r %s (got %s); not changed", name, problem, shown)
            return
        if getattr(self.values, name) == value:
            return
        self._user[name] = value
        setattr(self.values, name, value)
        self.save()
        for listener in list(self._listeners):
            listener(name)

    def save(self) -> None:
        """Write the user's own choices atomically: a temporary file replaced in one step."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {VERSION_KEY: SETTINGS_VERSION}
        data.update({name: self._user[name] for name in FIELD_TYPES if name in self._user})
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

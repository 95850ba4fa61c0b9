"""Admin policies: what an administrator presets (*default*) or locks (*enforced*) on a machine.

Each system has one source, read here into the same `RawPolicy` (two dicts of raw values and the
source's name for log lines); `operator_app.settings` validates and merges them the same way:

- Linux and others: ``policy.json`` in the site config dir (``/etc/xdg/operator-app/policy.json``),
  ``{"default": {...}, "enforced": {...}}``.
- Windows: the registry keys ``HKLM\\SOFTWARE\\Policies\\OperatorApp\\Default`` and ``...\\Enforced``.
- macOS: ``/Library/Managed Preferences/com.operatorapp.desktop.plist`` with dicts Default, Enforced.

With ``$OPERATOR_APP_HOME`` set (tests, the demo) only ``$OPERATOR_APP_HOME/site/policy.json`` is read.
Nothing here raises: an unreadable source is a warning in the log and an empty policy.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from operator_app.paths import HOME_ENV, AppDirs

log = logging.getLogger(__name__)

POLICY_FILE = "policy.json"
MAC_BUNDLE_ID = "com.operatorapp.desktop"
MAC_POLICY_FILE = Path("/Library/Managed Preferences") / f"{MAC_BUNDLE_ID}.plist"
REGISTRY_KEY = r"SOFTWARE\Policies\OperatorApp"
LEVELS = ("default", "enforced")
# A policy is a few hundred bytes; anything far bigger is a mistake and is not read whole.
MAX_POLICY_BYTES = 256 * 1024
MAX_REGISTRY_VALUES = 256

# Reads one registry subkey ("Default" or "Enforced"): its values by name, or None when it is absent.
RegistryReader = Callable[[str], Mapping[str, object] | None]


@dataclass(frozen=True)
class RawPolicy:
    """Unvalidated values per level, as a source gave them.

    `ints_as_bools`: the source has no boolean type (the registry's REG_DWORD 0/1 stands for one).
    """

    source: str = ""
    defaults: dict[str, object] = field(default_factory=dict)
    enforced: dict[str, object] = field(default_factory=dict)
    ints_as_bools: bool = False


def read_policy(dirs: AppDirs, *, platform: str = sys.platform) -> RawPolicy:
    """The machine's policy from the one source of this system (see the module's docstring)."""
    if os.environ.get(HOME_ENV) or platform not in ("win32", "darwin"):
        return read_json_policy(dirs.site_config / POLICY_FILE)
    if platform == "win32":
        return read_registry_policy()
    return read_plist_policy(MAC_POLICY_FILE)


def parse_levels(
    data: object, source: str, *, ints_as_bools: bool = False, skip_prefix: str | None = None
) -> RawPolicy:
    """The one path every source takes: an object with the two levels (names in any case).

    `skip_prefix`: top-level names that are the source's bookkeeping (a macOS profile's Payload...).
    """
    if not isinstance(data, Mapping):
        log.warning("%s: a policy must be an object with %r and %r; policy ignored", source, *LEVELS)
        return RawPolicy(source)
    levels: dict[str, dict[str, object]] = {level: {} for level in LEVELS}
    for name, values in data.items():
        level = name.lower() if isinstance(name, str) else ""
        if skip_prefix and isinstance(name, str) and name.startswith(skip_prefix):
            continue
        if level not in LEVELS:
            log.warning("%s: unknown policy level %r ignored (use %r or %r)", source, name, *LEVELS)
            continue
        if not isinstance(values, Mapping):
            log.warning("%s: policy level %r is not an object; ignored", source, name)
            continue
        levels[level].update({str(key): value for key, value in values.items()})
    return RawPolicy(source, levels["default"], levels["enforced"], ints_as_bools)


def read_bounded(path: Path, limit: int = MAX_POLICY_BYTES, what: str = "policy") -> bytes | None:
    """The file's bytes; None (and a warning) when it is unreadable or too big; None when absent."""
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("%s: cannot read the %s (%s); %s ignored", path, what, exc, what)
        return None
    if len(data) > limit:
        log.warning("%s: the %s is larger than %d bytes; %s ignored", path, what, limit, what)
        return None
    return data


def read_json_policy(path: Path) -> RawPolicy:
    """``policy.json``: ``{"default": {...}, "enforced": {...}}`` in UTF-8."""
    data = read_bounded(path)
    if data is None:
        return RawPolicy(str(path))
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        log.warning("%s: not valid JSON (%s); policy ignored", path, exc)
        return RawPolicy(str(path))
    return parse_levels(parsed, str(path))


def read_plist_policy(path: Path) -> RawPolicy:
    """macOS managed preferences: a property list (XML or binary) with dicts Default and Enforced."""
    data = read_bounded(path)
    if data is None:
        return RawPolicy(str(path))
    import plistlib  # only here: its XML parser costs start-up time everywhere else

    try:
        parsed = plistlib.loads(data)
    except Exception as exc:  # plistlib raises several kinds (InvalidFileException, ExpatError, ...)
        log.warning("%s: not a valid property list (%s); policy ignored", path, exc)
        return RawPolicy(str(path))
    return parse_levels(parsed, str(path), skip_prefix="Payload")


def read_registry_policy(read_key: RegistryReader | None = None) -> RawPolicy:
    """Windows: the values of the Default and Enforced subkeys. `read_key` replaces `winreg` in tests."""
    source = "HKLM\\" + REGISTRY_KEY
    reader = read_key or _winreg_reader
    levels: dict[str, object] = {}
    for level in ("Default", "Enforced"):
        try:
            values = reader(level)
        except OSError as exc:
            log.warning("%s\\%s: cannot read the policy (%s); ignored", source, level, exc)
            continue
        if values is not None:
            levels[level] = values
    return parse_levels(levels, source, ints_as_bools=True)


def _winreg_reader(level: str) -> Mapping[str, object] | None:
    """Every value of ``HKLM\\SOFTWARE\\Policies\\OperatorApp\\<level>``, by name: the 64-bit view,
    else the 32-bit one (where a 32-bit installer's registry rows land)."""
    if sys.platform != "win32":
        return None
    import winreg

    path = f"{REGISTRY_KEY}\\{level}"
    for view in (winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY):
        try:
            key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, path, 0, winreg.KEY_READ | view)
        except FileNotFoundError:
            continue
        values: dict[str, object] = {}
        with key:
            for index in range(MAX_REGISTRY_VALUES):
                try:
                    name, data, _kind = winreg.EnumValue(key, index)
                except OSError:  # no more values
                    break
                values[name] = data
            else:
                log.warning("HKLM\\%s: more than %d values; the rest ignored", path, MAX_REGISTRY_VALUES)
        return values
    return None

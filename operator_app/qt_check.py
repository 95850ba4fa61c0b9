"""Before the QApplication on Linux: can Qt's X11 platform plugin (xcb) load its system libraries?

When a library is missing Qt prints only a generic message and aborts the process, so the check runs
before: it reads the libraries the plugin and libQt6XcbQpa name (their ELF ``DT_NEEDED`` entries) and
looks each system one up in the dynamic loader's cache (``/etc/ld.so.cache``) and ``LD_LIBRARY_PATH``:
about a millisecond, nothing loaded. Only a name not found there is loaded with ``dlopen`` (ctypes) to
be sure; what fails (or one of its own dependencies: the loader names it) is reported with the
packages that provide it and the command that installs them. Runs only where the xcb plugin
is what Qt will use: Linux, ``QT_QPA_PLATFORM`` unset or ``xcb``, not a Wayland session.
The message is English on purpose: without the platform plugin there is no Qt to translate it.
"""

from __future__ import annotations

import importlib.util
import os
import struct
import sys
from pathlib import Path

# Library name without ".so.N" -> (Debian/Ubuntu package, Fedora/RHEL package).
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util": ("libxcb-util1", "xcb-util"),
    "libxcb-randr": ("libxcb-randr0", "libxcb"),
    "libxcb-render": ("libxcb-render0", "libxcb"),
    "libxcb-shape": ("libxcb-shape0", "libxcb"),
    "libxcb-shm": ("libxcb-shm0", "libxcb"),
    "libxcb-sync": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb": ("libxcb-xkb1", "libxcb"),
    "libxcb-xinput": ("libxcb-xinput0", "libxcb"),
    "libxcb-glx": ("libxcb-glx0", "libxcb"),
    "libxcb": ("libxcb1", "libxcb"),
    "libxkbcommon-x11": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb": ("libx11-xcb1", "libX11-xcb"),
    "libX11": ("libx11-6", "libX11"),
    "libSM": ("libsm6", "libSM"),
    "libICE": ("libice6", "libICE"),
    "libGL": ("libgl1", "libglvnd-glx"),
    "libEGL": ("libegl1", "libglvnd-egl"),
    "libOpenGL": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig": ("libfontconfig1", "fontconfig"),
    "libfreetype": ("libfreetype6", "freetype"),
    "libdbus-1": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0": ("libglib2.0-0", "glib2"),
}


def library_stem(soname: str) -> str:
    """``libxcb-cursor.so.0`` -> ``libxcb-cursor``."""
    return soname.split(".so", 1)[0]


def needed_libraries(path: Path) -> list[str]:
    """The ``DT_NEEDED`` names of a 64- or 32-bit little-endian ELF file ([] when it is not one)."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[5] != 1:
        return []
    wide = data[4] == 2
    if wide:
        shoff, shentsize, shnum = (
            struct.unpack_from("<Q", data, 0x28)[0],
            *struct.unpack_from("<HH", data, 0x3A),
        )
    else:
        shoff, shentsize, shnum = (
            struct.unpack_from("<I", data, 0x20)[0],
            *struct.unpack_from("<HH", data, 0x2E),
        )
    sections = []
    for index in range(shnum):
        base = shoff + index * shentsize
        if wide:
            kind, offset, size, link = (
                *struct.unpack_from("<I", data, base + 4),
                *struct.unpack_from("<QQI", data, base + 0x18),
            )
        else:
            kind, offset, size, link = (
                *struct.unpack_from("<I", data, base + 4),
                *struct.unpack_from("<III", data, base + 0x10),
            )
        sections.append((kind, offset, size, link))
    names: list[str] = []
    for kind, offset, size, link in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strings = sections[link][1]
        entry = struct.Struct("<qQ" if wide else "<iI")
        for position in range(offset, offset + size, entry.size):
            tag, value = entry.unpack_from(data, position)
            if tag == 0:
                break
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", strings + value)
                names.append(data[strings + value : end].decode("ascii", "replace"))
    return names


def qt_directory() -> Path | None:
    """PySide6's Qt folder (plugins/, lib/), found without importing PySide6."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt"


def xcb_files(qt: Path, environ: dict[str, str] | os._Environ[str]) -> list[Path]:
    """The xcb plugin Qt will load (``QT_QPA_PLATFORM_PLUGIN_PATH``, ``QT_PLUGIN_PATH``, then PySide6's)
    and its libQt6XcbQpa."""
    folders = [Path(p) for p in environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").split(os.pathsep) if p]
    folders += [Path(p) / "platforms" for p in environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    folders.append(qt / "plugins" / "platforms")
    plugin = next((f / "libqxcb.so" for f in folders if (f / "libqxcb.so").is_file()), None)
    files = [plugin] if plugin is not None else []
    qpa = qt / "lib" / "libQt6XcbQpa.so.6"
    return [*files, qpa] if qpa.is_file() else files


LOADER_CACHE = Path("/etc/ld.so.cache")


def loader_knows(name: str, cache: bytes, environ: dict[str, str] | os._Environ[str]) -> bool:
    """True when the loader would find `name` without trying: in its cache or in LD_LIBRARY_PATH."""
    if b"/" + name.encode() + b"\0" in cache:  # its strings are the libraries' full paths
        return True
    folders = [p for p in environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p]
    return any((Path(folder) / name).exists() for folder in folders)


def missing_libraries(
    files: list[Path], bundled: Path, environ: dict[str, str] | os._Environ[str] | None = None
) -> list[str]:
    """The system libraries that the `files` need and that cannot be loaded (Qt's own ones in
    `bundled` are skipped), by the name the loader reports."""
    env = os.environ if environ is None else environ
    try:
        cache = LOADER_CACHE.read_bytes()
    except OSError:
        cache = b""  # no glibc cache (e.g. musl): every name is checked by loading it
    missing: list[str] = []
    seen: set[str] = set()
    for path in files:
        try:
            names = needed_libraries(path)
        except (OSError, ValueError, struct.error, IndexError):
            continue  # an unreadable plugin: Qt reports it itself
        for name in names:
            if name in seen or (bundled / name).exists():
                continue
            seen.add(name)
            if loader_knows(name, cache, env):
                continue
            import ctypes

            try:
                ctypes.CDLL(name)
            except OSError as exc:
                # "libxcb-util.so.1: cannot open shared object file: ..." names the one really missing.
                reported = str(exc).split(":", 1)[0].strip()
                found = reported if reported.startswith("lib") and ".so" in reported else name
                if found not in missing:
                    missing.append(found)
    return missing


def install_message(missing: list[str]) -> str:
    """What to tell the user about the missing libraries: names, packages, install commands."""
    debian = sorted({PACKAGES[library_stem(n)][0] for n in missing if library_stem(n) in PACKAGES})
    fedora = sorted({PACKAGES[library_stem(n)][1] for n in missing if library_stem(n) in PACKAGES})
    unknown = [n for n in missing if library_stem(n) not in PACKAGES]
    lines = [
        "operator-app: Qt cannot load its X11 platform plugin (xcb): these system libraries are missing:",
        "  " + ", ".join(missing),
    ]
    if debian:
        lines += [
            "Install them with:",
            "  sudo apt-get install " + " ".join(debian) + "    (Debian, Ubuntu)",
            "  sudo dnf install " + " ".join(fedora) + "    (Fedora, RHEL)",
        ]
    if unknown:
        lines.append(
            "Find the package of " + ", ".join(unknown) + " with: apt-file search <name> (Debian, Ubuntu)"
        )
    return "\n".join(lines)


def uses_xcb(environ: dict[str, str] | os._Environ[str], platform: str = sys.platform) -> bool:
    """True where Qt will try the xcb plugin first."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(":", 1)[0].split(";", 1)[0] == "xcb"
    return not (environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY"))


def qt_platform_problem(environ: dict[str, str] | os._Environ[str] | None = None) -> str | None:
    """The message about missing system libraries, or None when the plugin can load (or is not used)."""
    env = os.environ if environ is None else environ
    if not uses_xcb(env):
        return None
    qt = qt_directory()
    if qt is None:
        return None
    missing = missing_libraries(xcb_files(qt, env), qt / "lib", env)
    return install_message(missing) if missing else None


def exit_if_qt_platform_unusable() -> None:
    """Print what to install and exit (code 1) instead of letting Qt abort with its generic message."""
    problem = qt_platform_problem()
    if problem is not None:
        print(problem, file=sys.stderr, flush=True)
        raise SystemExit(1)

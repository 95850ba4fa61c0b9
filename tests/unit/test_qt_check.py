"""Missing system libraries of Qt's xcb plugin are named, with the command that installs them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from operator_app.qt_check import (
    install_message,
    needed_libraries,
    qt_directory,
    qt_platform_problem,
    uses_xcb,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_issues_three_libraries_give_both_install_commands() -> None:
    text = install_message(["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4, libxcb-keysyms.so.1" in text
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in text
    assert "sudo dnf install xcb-util-cursor xcb-util-keysyms xcb-util-wm" in text
    unknown = install_message(["libwhatever.so.3"])
    assert "apt-get" not in unknown
    assert "apt-file search" in unknown


def test_only_where_qt_uses_xcb() -> None:
    assert uses_xcb({}, "linux")
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "wayland"}, "linux")
    assert not uses_xcb({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not uses_xcb({}, "darwin")
    assert not uses_xcb({}, "win32")


def test_the_real_plugin_needs_are_read_and_all_present_here() -> None:
    qt = qt_directory()
    assert qt is not None
    needs = needed_libraries(qt / "plugins" / "platforms" / "libqxcb.so")
    assert "libxcb-cursor.so.0" in needs
    assert "libQt6XcbQpa.so.6" in needs
    started = time.perf_counter()
    assert qt_platform_problem({}) is None  # this machine has them (the app runs under Xvfb)
    assert time.perf_counter() - started < 0.2  # ~1 ms to read, ~10 ms of loading Qt does anyway


def test_app_prints_the_missing_libraries_instead_of_qts_abort(tmp_path: Path) -> None:
    """A copy of the xcb plugin that needs two libraries this machine lacks, found by Qt's own
    QT_PLUGIN_PATH: the app exits with the names and the install commands, before Qt aborts."""
    qt = qt_directory()
    assert qt is not None
    plugin = (qt / "plugins" / "platforms" / "libqxcb.so").read_bytes()
    for name, absent in ((b"libxcb-cursor.so.0\0", b"libxcb-cursor.so.9\0"), (b"libxcb-keysyms.so.1\0", b"libxcb-keysyms.so.7\0")):  # fmt: skip
        assert plugin.count(name) == 1
        plugin = plugin.replace(name, absent)
    (tmp_path / "platforms").mkdir()
    (tmp_path / "platforms" / "libqxcb.so").write_bytes(plugin)
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "XDG_SESSION_TYPE")}
    env.update(QT_PLUGIN_PATH=str(tmp_path), OPERATOR_APP_HOME=str(tmp_path / "home"), DISPLAY=":0")
    done = subprocess.run(
        [sys.executable, "-m", "operator_app", "--server", "http://127.0.0.1:9"],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "these system libraries are missing:\n  libxcb-cursor.so.9, libxcb-keysyms.so.7" in done.stderr
    assert "sudo apt-get install libxcb-cursor0 libxcb-keysyms1" in done.stderr
    assert "sudo dnf install xcb-util-cursor xcb-util-keysyms" in done.stderr
    assert "Qt platform plugin" not in done.stderr  # Qt never got to abort

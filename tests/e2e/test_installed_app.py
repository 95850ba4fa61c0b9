"""The `.deb` as an admin ships it: built from this checkout by `packaging/build-linux`, installed with
apt, run from /usr/bin under Xvfb with an admin policy that locks the server URL, signed in through
its login dialog, a visitor's chat in Chromium taken and answered from the keyboard (xdotool), then
purged with nothing of the package left behind.

Installing needs root (CI runs as root); elsewhere the module is skipped. The build takes most of the
time (PyInstaller, then the package); the module prints its figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.widget_helpers import bubbles, launch_chromium, new_page, open_widget, send
from tests.support.backend import BackendProcess

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "operator-app"
INSTALLED = Path("/usr/bin/operator-app")
BUNDLE_DIR = Path("/opt/operator-app")
POLICY = Path("/etc/xdg/operator-app/policy.json")
# Libraries whose absence stops Qt's xcb plugin (issue 15) and those QtWebEngine needs: named by the package.
REQUIRED_DEPENDS = ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0", "libnss3")

pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        os.geteuid() != 0, reason="installs the .deb with apt-get: needs root (CI runs as root)"
    ),
]


def _run(cmd: list[str], timeout: float = 120, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=True, **kwargs)  # type: ignore[call-overload, no-any-return]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUTDIR of one `packaging/build-linux` run (nothing is reused from earlier runs, unless a developer
    names a folder with both packages in $OPERATOR_APP_PACKAGES)."""
    if os.environ.get("OPERATOR_APP_PACKAGES"):
        return Path(os.environ["OPERATOR_APP_PACKAGES"])
    out = tmp_path_factory.mktemp("packages")
    started = time.monotonic()
    env = dict(os.environ, PYTHON=sys.executable)
    done = subprocess.run(
        [str(ROOT / "packaging" / "build-linux"), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    print(f"packaging/build-linux: {time.monotonic() - started:.0f} s")
    print("\n".join(line for line in done.stdout.splitlines() if line.startswith("build-linux:")))
    return out


@pytest.fixture(scope="module")
def installed(packages: Path) -> Iterator[list[str]]:
    """The package installed with apt; yields `dpkg -L` taken right after. Purged at the end if a test
    has not done so."""
    deb = next(packages.glob(f"{PACKAGE}_*.deb"))
    if subprocess.run(["dpkg", "-s", PACKAGE], capture_output=True).returncode == 0:
        _run(["apt-get", "purge", "-y", "-q", PACKAGE], timeout=300)  # left by an interrupted run
    started = time.monotonic()
    _run(["apt-get", "install", "-y", "-q", f"./{deb.name}"], timeout=600, cwd=packages)
    print(f"apt-get install: {time.monotonic() - started:.1f} s")
    files = _run(["dpkg", "-L", PACKAGE]).stdout.splitlines()
    try:
        yield files
    finally:
        if subprocess.run(["dpkg", "-s", PACKAGE], capture_output=True).returncode == 0:
            _run(["apt-get", "purge", "-y", "-q", PACKAGE], timeout=300)


@pytest.fixture(scope="module")
def admin_policy(shared_backend: BackendProcess) -> Iterator[Path]:
    """/etc/xdg/operator-app/policy.json enforcing the test backend's URL (any earlier file restored)."""
    earlier = POLICY.read_bytes() if POLICY.exists() else None
    created = not POLICY.parent.exists()
    POLICY.parent.mkdir(parents=True, exist_ok=True)
    POLICY.write_text(json.dumps({"enforced": {"server_url": shared_backend.url}}), encoding="utf-8")
    try:
        yield POLICY
    finally:
        if earlier is not None:
            POLICY.write_bytes(earlier)
        else:
            POLICY.unlink(missing_ok=True)
            if created:
                shutil.rmtree(POLICY.parent, ignore_errors=True)


@contextlib.contextmanager
def xvfb() -> Iterator[str]:
    """An X server of its own (no window manager): yields its DISPLAY."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def _xdotool(display: str, *args: str) -> str:
    done = subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, timeout=20, env=dict(os.environ, DISPLAY=display)
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def _window(display: str, title: str, app: subprocess.Popen[bytes], within: float = 60) -> str:
    """The id of the app's visible window whose title contains `title`, once it is mapped."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = _xdotool(display, "search", "--onlyvisible", "--name", title)
        if found:
            return found.splitlines()[0]
        assert app.poll() is None, f"the installed app exited with {app.returncode}"
        time.sleep(0.1)
    raise AssertionError(f"no window '{title}' within {within} s")


def _app_env(home: Path, display: str) -> dict[str, str]:
    """The user's session: a fresh home, the X display; none of the test run's Qt or app settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "OPERATOR_APP_", "XDG_"))}
    env.update(HOME=str(home), DISPLAY=display, LANG="C.UTF-8")
    # Chromium's own settings for this machine: it refuses its sandbox as root (CI runs as root), and
    # Xvfb has no camera or microphone (a fake pair, granted without a prompt).
    env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    env["QTWEBENGINE_CHROMIUM_FLAGS"] = (
        "--use-fake-device-for-media-stream --use-fake-ui-for-media-stream --no-sandbox --disable-gpu"
    )
    return env


def _is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def _webengine_processes() -> list[int]:
    """The running QtWebEngineProcess helpers started from the installed bundle."""
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            exe = os.readlink(proc / "exe") if proc.name.isdigit() else ""
            if exe.startswith(f"{BUNDLE_DIR}/") and exe.endswith("/QtWebEngineProcess"):
                found.append(int(proc.name))
    return found


def _log_text(home: Path) -> str:
    """The installed app's log (in the user's state folder)."""
    return "\n".join(p.read_text(errors="replace") for p in home.rglob("*.log"))


def _screenshot(display: str, path: Path) -> None:
    subprocess.run(
        ["import", "-window", "root", str(path)],
        check=True,
        timeout=30,
        env=dict(os.environ, DISPLAY=display),
    )


SWITCH_OFF = (0x37, 0x41, 0x51)  # operator_app/ui/style.py: QPushButton#statusSwitch's background
ACCEPTING = (0x86, 0xEF, 0xAC)  # ... and its background once accepting


def _runs_of(image: Image.Image, colour: tuple[int, int, int]) -> list[tuple[int, int, int]]:
    """(length, x_start, y) of the horizontal runs of exactly this colour, longest first."""
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    runs = []
    for y in range(0, height, 2):
        x = 0
        while x < width:
            if pixels[x, y] == colour:
                start = x
                while x < width and pixels[x, y] == colour:
                    x += 1
                runs.append((x - start, start, y))
            x += 1
    return sorted(runs, reverse=True)


def _click_status_switch(display: str, shot: Path) -> None:
    """Click "Not accepting chats" in the top bar, found on the screen as a person finds it: the widest
    patch of its colour (the connection label beside it shares the colour and is narrower). Looked for
    again until it shows: on a busy machine the window is mapped and painted a moment after the log
    says it was shown (the sign-in dialog may still be on the screen meanwhile)."""
    deadline = time.monotonic() + 20
    while True:
        _screenshot(display, shot)
        with Image.open(shot) as image:
            runs = _runs_of(image.convert("RGB"), SWITCH_OFF)
        if runs or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert runs, "no status switch on the screen"
    length, x, y = runs[0]
    _xdotool(display, "mousemove", "--sync", str(x + length // 2), str(y))
    _xdotool(display, "click", "1")


def _shows(display: str, shot: Path, colour: tuple[int, int, int]) -> bool:
    _screenshot(display, shot)
    with Image.open(shot) as image:
        return any(length > 20 for length, _, _ in _runs_of(image.convert("RGB"), colour)[:1])


def test_package_metadata_names_the_libraries_qt_needs(packages: Path) -> None:
    deb = next(packages.glob(f"{PACKAGE}_*.deb"))
    depends = _run(["dpkg-deb", "-f", str(deb), "Depends"]).stdout
    names = {item.split()[0] for item in depends.replace("|", ",").split(",") if item.strip()}
    assert set(REQUIRED_DEPENDS) <= names, depends
    tarball = next(packages.glob(f"{PACKAGE}-*-linux-*.tar.gz"))
    members = set(_run(["tar", "-tzf", str(tarball)]).stdout.splitlines())
    assert f"{PACKAGE}/{PACKAGE}" in members
    assert f"{PACKAGE}/share/applications/{PACKAGE}.desktop" in members
    # The bundle holds no backend code.
    assert not any("chat_backend" in member or "fastapi" in member for member in members)
    # The deb keeps the Python runtime it was frozen with (not a same-named system library).
    contents = _run(["dpkg-deb", "-c", str(deb)]).stdout
    assert "/opt/operator-app/_internal/libpython3" in contents


def test_installed_app_under_a_locked_server_answers_a_visitor_from_the_keyboard(
    installed: list[str], admin_policy: Path, shared_backend: BackendProcess, tmp_path: Path
) -> None:
    backend = shared_backend
    backend.cli("routing", "--auto-assign", "off")  # the operator takes the chat from the queue
    assert str(INSTALLED) in installed
    assert INSTALLED.resolve().is_relative_to(BUNDLE_DIR)
    assert f"/usr/share/applications/{PACKAGE}.desktop" in installed
    assert f"/usr/share/icons/hicolor/256x256/apps/{PACKAGE}.png" in installed
    home = tmp_path / "home"
    home.mkdir()
    demo = subprocess.run([str(INSTALLED), "--demo"], capture_output=True, text=True, timeout=60)
    assert demo.returncode != 0
    assert "source checkout" in demo.stderr, demo.stderr

    with xvfb() as display, (tmp_path / "app.out").open("wb") as output:
        # No --server: the admin policy names it. The password is typed into the login dialog.
        started = time.monotonic()
        app = subprocess.Popen(
            [str(INSTALLED), "--email", backend.agent_email],
            env=_app_env(home, display),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            login = _window(display, "Sign in", app)
            print(f"installed app: login window after {time.monotonic() - started:.2f} s")
            time.sleep(0.3)  # the first paint
            shot = tmp_path / "installed-login-locked-server.png"
            _screenshot(display, shot)
            print(f"screenshot of the login dialog: {shot}")
            _xdotool(display, "windowfocus", "--sync", login)
            _xdotool(display, "type", "--delay", "5", backend.agent_password)
            _xdotool(display, "key", "Return")
            deadline = time.monotonic() + 30
            while "main window shown with" not in _log_text(home):
                assert time.monotonic() < deadline, "no main window: signing in failed"
                assert app.poll() is None, f"the installed app exited with {app.returncode}"
                time.sleep(0.1)
            print(f"installed app: main window after {time.monotonic() - started:.2f} s")
            dialogs = set(_xdotool(display, "search", "--onlyvisible", "--name", "Sign in").split())
            windows = _xdotool(display, "search", "--onlyvisible", "--name", "Live Chat Operator").split()
            (main,) = [window for window in windows if window not in dialogs]
            _xdotool(display, "windowfocus", "--sync", main)
            _click_status_switch(display, tmp_path / "before-accepting.png")
            deadline = time.monotonic() + 20
            while not _shows(display, tmp_path / "accepting.png", ACCEPTING):
                assert time.monotonic() < deadline, "the status switch did not turn to accepting"
                time.sleep(0.2)

            text, answer = "Hello from the shop", "Hello, how can I help?"
            with launch_chromium() as browser:
                page, errors = new_page(browser)
                open_widget(page, backend.demo_url)
                send(page, text)
                joined = page.get_by_test_id("chat-event").filter(has_text="joined the chat")
                deadline = time.monotonic() + 30
                while not joined.count():  # Ctrl+T takes the next queued chat once the app has it
                    assert time.monotonic() < deadline, "the installed app never took the chat"
                    _xdotool(display, "key", "ctrl+t")
                    page.wait_for_timeout(500)
                _xdotool(display, "key", "alt+3")  # to the reply box
                _xdotool(display, "type", "--delay", "5", answer)
                _xdotool(display, "key", "Return")
                expect(bubbles(page, "agent").filter(has_text=answer)).to_be_visible(timeout=20_000)
                assert errors == []
                _screenshot(display, tmp_path / "installed-main-window.png")
                # A video call from the bundle: QtWebEngine's helper process starts for the call page.
                _xdotool(display, "key", "ctrl+shift+v")
                deadline = time.monotonic() + 30
                while not _webengine_processes():
                    assert time.monotonic() < deadline, "no QtWebEngineProcess for the call"
                    assert app.poll() is None, f"the installed app exited with {app.returncode}"
                    time.sleep(0.2)
                time.sleep(2)  # the call pane's first frames
                _screenshot(display, tmp_path / "installed-video-call.png")
                assert app.poll() is None, f"the installed app exited with {app.returncode} in the call"
        finally:
            app.send_signal(signal.SIGTERM)
            try:
                app.wait(20)
            except subprocess.TimeoutExpired:
                app.kill()
    log_text = _log_text(home)
    assert "admin policy" in log_text, log_text[-3000:]
    assert "server_url" in log_text, log_text[-3000:]
    assert "Traceback" not in log_text, log_text[-5000:]
    assert "QtWebEngine cannot be imported" not in log_text
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    print("the app's files in the user's home:", left)


def test_installed_bundle_links_every_library_and_ships_what_video_calls_load(installed: list[str]) -> None:
    """Every ELF file of the installed package finds its libraries (in the bundle or from the package's
    Depends), and QtWebEngine's helper process, resources and locales are there for video calls."""
    qt = BUNDLE_DIR / "_internal" / "PySide6" / "Qt"
    for needed in (
        qt / "libexec" / "QtWebEngineProcess",
        qt / "resources" / "qtwebengine_resources.pak",
        qt / "resources" / "icudtl.dat",
        qt / "translations" / "qtwebengine_locales" / "en-US.pak",
        qt / "translations" / "qtwebengine_locales" / "ja.pak",
        qt / "plugins" / "platforms" / "libqxcb.so",
        qt / "plugins" / "multimedia" / "libffmpegmediaplugin.so",
        BUNDLE_DIR / "_internal" / "operator_app" / "ui" / "video" / "call.html",
        BUNDLE_DIR / "_internal" / "operator_app" / "resources" / "operator_app.rcc",
        BUNDLE_DIR / "_internal" / "operator_app" / "i18n" / "operator_app_ja.qm",
    ):
        assert needed.is_file(), needed
    elves = [path for path in BUNDLE_DIR.rglob("*") if _is_elf(path)]
    missing = []
    for chunk in range(0, len(elves), 40):
        done = _run(["ldd", *map(str, elves[chunk : chunk + 40])])
        missing += [line.strip() for line in done.stdout.splitlines() if "not found" in line]
    assert missing == []
    assert not (BUNDLE_DIR / "_internal" / "chat_backend").exists()


def test_purge_leaves_no_file_of_the_package(installed: list[str]) -> None:
    _run(["apt-get", "purge", "-y", "-q", PACKAGE], timeout=300)
    assert not BUNDLE_DIR.exists()
    assert not INSTALLED.is_symlink()
    assert not INSTALLED.exists()
    left = []
    for name in installed:
        path = Path(name)
        if not (path.exists() or path.is_symlink()):
            continue
        # Directories the system or other packages share (/usr/bin, hicolor's size folders) stay.
        owned = subprocess.run(["dpkg-query", "-S", name], capture_output=True).returncode == 0
        shared = path.is_dir() and not path.is_symlink() and (owned or any(path.iterdir()))
        if not shared:
            left.append(name)
    assert left == []

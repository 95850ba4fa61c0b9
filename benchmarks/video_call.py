"""A 1:1 video call between the widget (headless Chromium, fake camera and microphone) and the app.

    .venv/bin/python benchmarks/video_call.py [--seconds 60] [--settle 10] [--smoke]

Everything is real and on loopback: the backend in a subprocess, the visitor in Debian's Chromium, the
operator app (offscreen) in this process with its QtWebEngine call page. Prints the app's RSS idle
(signed in, settled, before any call), the time from the visitor's "accept" click to the first video
frame of the visitor shown in the app (the visitor turns the camera on right after accepting, as
soon as the widget lets them: the widget starts calls with the camera off), the app's CPU (% of one
core) and RSS averaged and at peak over a call of `--seconds`, and its RSS once the call ended and
`--settle` seconds passed.

"The app" is this process plus its QtWebEngine processes; the backend, Chromium and Playwright's
driver (also children of this process) are left out. This process also hosts Playwright's client
thread (idle while measuring); the RSS that starting it adds (its modules are imported before) is
printed so it can be subtracted. Tree RSS is the sum of each process's RSS (shared pages counted more than once); PSS,
which shares them out, is printed beside it. `--smoke`: a 3 s call, 1 s to settle.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Benchmark-only Chromium flags for the app's QtWebEngine: fake devices, no prompt, plain host
# candidates (no mDNS names, which nothing on this machine would resolve).
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault(
    "QTWEBENGINE_CHROMIUM_FLAGS",
    "--use-fake-device-for-media-stream --use-fake-ui-for-media-stream --no-sandbox --disable-gpu"
    " --disable-features=WebRtcHideLocalIpsWithMdns",
)

import keyring  # noqa: E402
import keyring.backends.null  # noqa: E402
import qasync  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.app_steps import hold_new_chat  # noqa: E402
from benchmarks.deadline import hard_timeout  # noqa: E402
from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, BrowserThread  # noqa: E402
from tests.support.waiting import until  # noqa: E402

FAKE_MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]
TICKS = os.sysconf("SC_CLK_TCK")
# In the app's call page: note (epoch ms) when the first frame of the visitor's video is shown.
WATCH_FIRST_FRAME = """(() => {
  const remote = document.getElementById('remote');
  if (!remote) return false;
  if (window.__benchWatch) return true;
  window.__benchWatch = setInterval(() => {
    if (remote.getVideoPlaybackQuality().totalVideoFrames > 0) {
      window.__benchFirstFrame = Date.now();
      clearInterval(window.__benchWatch);
    }
  }, 2);
  return true;
})()"""
FRAMES_STATE = """JSON.stringify({watching: !!window.__benchWatch, url: location.href,
  frames: document.getElementById('remote').getVideoPlaybackQuality().totalVideoFrames,
  visibility: document.getElementById('remote').style.visibility})"""


class FakeMediaBrowser(BrowserThread):
    """The browser thread of the tests, launched with Chromium's fake camera and microphone."""

    def _start(self) -> None:
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + FAKE_MEDIA_ARGS
        )


# --- /proc ------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _is_webengine(pid: int) -> bool:
    try:
        return "QtWebEngineProcess" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
    except OSError:
        return False


def app_tree(pid: int) -> list[int]:
    """This process and every QtWebEngine process below it (zygotes fork renderers, so walk down)."""
    tree = [pid]
    todo = _children(pid)
    while todo:
        child = todo.pop()
        if _is_webengine(child):
            tree.append(child)
            todo += _children(child)
    return tree


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def memory(pid: int) -> dict[str, float]:
    """RSS of the main process and of the app's tree, and the tree's PSS, in MB."""
    tree = app_tree(pid)
    return {
        "main": _status_kb(pid, "VmRSS") / 1024,
        "tree": sum(_status_kb(p, "VmRSS") for p in tree) / 1024,
        "tree_pss": sum(_pss_kb(p) for p in tree) / 1024,
        "processes": float(len(tree)),
    }


async def sample_call(pid: int, seconds: float) -> dict[str, list[float]]:
    """Once a second for `seconds`: CPU % of one core (main, tree) and RSS MB (main, tree)."""
    samples: dict[str, list[float]] = {"cpu_main": [], "cpu_tree": [], "rss_main": [], "rss_tree": []}
    last = {p: _cpu_ticks(p) for p in app_tree(pid)}
    last_t = time.monotonic()
    end = last_t + seconds
    while time.monotonic() < end:
        await asyncio.sleep(1.0)
        now_t = time.monotonic()
        now = {p: _cpu_ticks(p) for p in app_tree(pid)}
        span = (now_t - last_t) * TICKS
        tree_ticks = sum(now[p] - last[p] for p in now if p in last)
        samples["cpu_main"].append(100 * (now[pid] - last[pid]) / span)
        samples["cpu_tree"].append(100 * tree_ticks / span)
        mem = memory(pid)
        samples["rss_main"].append(mem["main"])
        samples["rss_tree"].append(mem["tree"])
        last, last_t = now, now_t
    return samples


# --- the scenario -----------------------------------------------------------------------------


async def _js(page: Any, code: str) -> Any:
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def done(value: Any) -> None:
        if not future.done():
            future.set_result(value)

    page.runJavaScript(code, 0, done)
    return await asyncio.wait_for(future, 10)


async def measure(backend: BackendProcess, browser: FakeMediaBrowser, seconds: float, settle: float) -> None:
    from operator_app.app import AppController
    from operator_app.ui.main_window import MainWindow

    pid = os.getpid()
    controller = AppController()
    window: MainWindow = await controller.login(backend.url, backend.agent_email, backend.agent_password)
    session = controller.session
    assert session is not None
    await until(lambda: session.connection_state.value == "connected")
    await session.set_status(type(session.store.status)("accepting"))
    await asyncio.sleep(settle)
    idle = memory(pid)
    print(
        f"idle, signed in ({settle:.0f} s settled): RSS {idle['main']:.0f} MB "
        f"(app tree {idle['tree']:.0f} MB, {idle['processes']:.0f} processes)"
    )

    def visitor_writes() -> Page:
        page = browser.new_page(backend.demo_url)
        page.get_by_test_id("launcher").click()
        page.get_by_test_id("message-input").fill("Can we talk on video?")
        page.get_by_test_id("send").click()
        return page

    page = await browser.call(visitor_writes)
    await hold_new_chat(window)
    button = window.chat_panel.video_call_button
    await until(button.isEnabled, what="the video call button")
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    await browser.call(
        lambda: expect(page.get_by_test_id("call-panel")).to_have_attribute("data-state", "incoming")
    )
    await until(lambda: window.video_widget.engine is not None, what="the call page")
    engine = window.video_widget.engine
    assert engine is not None
    deadline = time.monotonic() + 20
    while not await _js(engine.page, WATCH_FIRST_FRAME):
        if time.monotonic() > deadline:
            raise RuntimeError("the call page did not load")
        await asyncio.sleep(0.05)

    def accept_then_camera() -> tuple[float, float]:
        accepted = time.time()
        page.get_by_test_id("call-accept").click()
        page.get_by_test_id("call-camera").click()  # waits until the widget enables it
        return accepted, time.time()

    accepted, camera = await browser.call(accept_then_camera)
    await until(lambda: session.calls.state == "connected", within=30, what="connected")
    connected = time.time()
    first_frame = 0.0
    deadline = time.monotonic() + 30
    while not first_frame:
        first_frame = float(await _js(engine.page, "window.__benchFirstFrame || 0")) / 1000
        if time.monotonic() > deadline:
            shown = await _js(engine.page, FRAMES_STATE)
            pressed = await browser.call(
                lambda: page.get_by_test_id("call-camera").get_attribute("aria-pressed")
            )
            raise RuntimeError(f"no video frame of the visitor reached the app ({shown}, camera {pressed})")
        await asyncio.sleep(0.05)
    print(
        f"accept click -> first visitor video frame shown in the app: {(first_frame - accepted) * 1000:.0f} ms "
        f"(camera click done at +{(camera - accepted) * 1000:.0f} ms, app saw connected by "
        f"+{(connected - accepted) * 1000:.0f} ms)"
    )

    samples = await sample_call(pid, seconds)
    assert session.calls.state == "connected", "the call dropped while measuring"
    print(
        f"during a {seconds:.0f} s call: CPU (% of one core) app tree mean "
        f"{statistics.mean(samples['cpu_tree']):.0f} % peak {max(samples['cpu_tree']):.0f} % "
        f"(main process mean {statistics.mean(samples['cpu_main']):.0f} % peak {max(samples['cpu_main']):.0f} %); "
        f"RSS main mean {statistics.mean(samples['rss_main']):.0f} MB peak {max(samples['rss_main']):.0f} MB, "
        f"app tree mean {statistics.mean(samples['rss_tree']):.0f} MB peak {max(samples['rss_tree']):.0f} MB"
    )
    in_call = memory(pid)
    print(f"  app tree in the call: {in_call['processes']:.0f} processes, PSS {in_call['tree_pss']:.0f} MB")

    QTest.mouseClick(window.video_widget.hangup_button, Qt.MouseButton.LeftButton)
    await until(lambda: window.video_widget.engine is None, what="the call page released")
    await asyncio.sleep(settle)
    after = memory(pid)
    print(
        f"after the call ({settle:.0f} s settled): RSS {after['main']:.0f} MB (+{after['main'] - idle['main']:.0f} "
        f"over idle); app tree {after['tree']:.0f} MB, PSS {after['tree_pss']:.0f} MB, "
        f"{after['processes']:.0f} processes"
    )
    await controller.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the measured call")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to settle before idle figures")
    parser.add_argument("--smoke", action="store_true", help="a 3 s call, 1 s to settle")
    parser.add_argument("--timeout", type=float, help="hard limit for the whole run, seconds")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.settle = 3.0, 1.0
    hard_timeout(args.timeout or (150 if args.smoke else 240 + args.seconds + 2 * args.settle), "video_call")
    keyring.set_keyring(keyring.backends.null.Keyring())
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)  # before QtWebEngine
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPERATOR_APP_HOME"] = str(Path(tmp) / "app")
        backend = BackendProcess(database_url=f"sqlite:///{tmp}/chat.db", workdir=Path(tmp))
        backend.start()
        backend.cli("routing", "--auto-assign", "off")
        app = QApplication.instance() or QApplication([])
        before = _status_kb(os.getpid(), "VmRSS") / 1024
        browser = FakeMediaBrowser()
        print(
            f"starting Playwright's client in this process: +{_status_kb(os.getpid(), 'VmRSS') / 1024 - before:.0f} MB RSS"
        )
        try:
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(measure(backend, browser, args.seconds, args.settle))
            finally:
                loop.close()
        finally:
            browser.close()
            backend.stop()


if __name__ == "__main__":
    main()

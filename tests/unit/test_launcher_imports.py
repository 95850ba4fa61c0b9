"""The launcher's start-up shortcuts: the modules it imports before PySide6 must not import Qt, httpx
comes without its command line, and the collector paused for the start-up comes back."""

from __future__ import annotations

import gc
import subprocess
import sys

from operator_app import startup_gc
from operator_app.launcher import _QT_FREE_MODULES


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip()


def test_the_modules_imported_before_qt_do_not_import_it() -> None:
    code = (
        "import sys\n"
        "from operator_app.launcher import _import_before_qt\n"
        "_import_before_qt()\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('PySide6', 'shiboken6')))\n"
    )
    assert _run(code) == "[]"
    assert "operator_app.store.chat_state" in _QT_FREE_MODULES


def test_httpx_comes_with_the_first_request_not_before_the_window() -> None:
    """The early sign-in talks `http.client`; the main window reaches the app's `ApiClient` without httpx."""
    code = (
        "import sys\n"
        "from operator_app.launcher import _import_before_qt\n"
        "_import_before_qt()\n"
        "from operator_app.net.api import ApiClient\n"
        "api = ApiClient('http://127.0.0.1:9')\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('httpx', 'httpcore', 'anyio', 'h11')))\n"
    )
    assert _run(code) == "[]"


def test_the_early_sign_in_starts_without_pydantic() -> None:
    """Its `/info` (and, for a server of this protocol, its login) leave before pydantic is imported."""
    code = (
        "import sys\n"
        "import operator_app.net.early_signin, operator_app.updates, chat_protocol.versions\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('pydantic', 'httpx', 'PySide6')))\n"
    )
    assert _run(code) == "[]"


def test_httpx_without_its_command_line_still_works() -> None:
    code = (
        "import sys\n"
        "from operator_app.launcher import _without_httpx_command_line\n"
        "_without_httpx_command_line()\n"
        "import httpx\n"
        "print(callable(httpx.main), 'click' in sys.modules, httpx.URL('http://a/b').path)\n"
    )
    assert _run(code) == "True False /b"


def test_collection_paused_for_the_start_up_comes_back_once() -> None:
    assert gc.isenabled()
    startup_gc.pause()
    try:
        assert not gc.isenabled()
        assert startup_gc.paused()
    finally:
        startup_gc.resume()
    assert gc.isenabled()
    assert not startup_gc.paused()
    startup_gc.resume()  # again: nothing
    assert gc.isenabled()


def test_resume_leaves_alone_a_collector_the_program_turned_off_itself() -> None:
    gc.disable()
    try:
        startup_gc.pause()
        startup_gc.resume()
        assert not gc.isenabled()
    finally:
        gc.enable()

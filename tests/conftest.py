"""Shared fixtures: a real backend process on 127.0.0.1 with its own database.

Every test is also marked by what it costs, from the fixtures it requests: `backend` (starts a
`BackendProcess`), `browser` (Chromium), `qt` (a QApplication), else `pure`. The fast lane,
`tests/unit` and `tests/widgets`, may start no backend and no browser.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# QtWebEngine reads its flags once, when the first web view of the process starts (a call, a live
# preview): one set for every test, so the order in which test modules load cannot change them. Test
# only: a fake camera and microphone without a prompt, plain host candidates (no mDNS names, which two
# pages on one machine without multicast could not resolve).
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault(
    "QTWEBENGINE_CHROMIUM_FLAGS",
    "--use-fake-device-for-media-stream --use-fake-ui-for-media-stream --no-sandbox --disable-gpu"
    " --disable-features=WebRtcHideLocalIpsWithMdns",
)
# The backends (and admin commands) started by the tests hash passwords with argon2's cheapest
# parameters: the suite creates and signs in thousands of accounts, at 0.3 CPU seconds each with the
# production parameters (chat_backend/domain/passwords.py; tests/unit/test_password_hashing.py checks
# those). Benchmarks run outside pytest keep the production parameters.
os.environ.setdefault("CHAT_TEST_CHEAP_PASSWORD_HASHES", "1")

from tests.support.backend import BackendProcess  # noqa: E402
from tests.support.databases import (  # noqa: E402
    create_postgres_database,
    drop_postgres_database,
    sqlite_database,
)
from tests.support.sharing import admin_of  # noqa: E402

pytest_plugins = ["pytester"]  # tests/integration/test_backend_log_check.py runs inner pytest sessions

POSTGRES_URL = os.environ.get("CHAT_TEST_DATABASE_URL", "")


def _backend_on(database: str, workdir: Path) -> Iterator[BackendProcess]:
    """A started backend on a fresh migrated `database` ("sqlite" or "postgres"), stopped (and its
    PostgreSQL database dropped) afterwards."""
    if database == "sqlite":
        proc = BackendProcess(database_url=sqlite_database(workdir), workdir=workdir)
        proc.start()
        try:
            yield proc
        finally:
            proc.stop()
        return
    name, url = create_postgres_database(POSTGRES_URL)
    proc = BackendProcess(database_url=url, workdir=workdir)
    try:
        proc.start()
        yield proc
    finally:
        proc.stop()
        drop_postgres_database(POSTGRES_URL, name)


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[BackendProcess]:
    """The backend on an embedded SQLite database, with the demo agent and demo site."""
    yield from _backend_on("sqlite", tmp_path)


def _db_params() -> list[str]:
    return ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(params=_db_params())
def db_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BackendProcess]:
    """Like `backend`, once per database: SQLite always, PostgreSQL when CHAT_TEST_DATABASE_URL names one."""
    yield from _backend_on(request.param, tmp_path)


@pytest.fixture(params=_db_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database (no backend): SQLite, and PostgreSQL when CHAT_TEST_DATABASE_URL names
    one; a PostgreSQL database is dropped afterwards."""
    if request.param == "sqlite":
        yield sqlite_database(tmp_path)
        return
    name, url = create_postgres_database(POSTGRES_URL)
    try:
        yield url
    finally:
        drop_postgres_database(POSTGRES_URL, name)


@pytest.fixture(scope="module")
def shared_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    """One backend (SQLite) for all tests of a module that neither stop nor reconfigure it nor need an
    empty database: each test makes its own visitors and agents."""
    yield from _backend_on("sqlite", tmp_path_factory.mktemp("shared-backend"))


@pytest.fixture(scope="module", params=_db_params())
def shared_db_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackendProcess]:
    """`shared_backend` once per database, like `db_backend`."""
    yield from _backend_on(request.param, tmp_path_factory.mktemp(f"shared-{request.param}-backend"))


@pytest.fixture
def tidy_backend(shared_backend: BackendProcess) -> BackendProcess:
    """`shared_backend` as a fresh one looks to the test: no agent online, no chat queued, the default
    routing settings (tests/support/sharing.py)."""
    admin_of(shared_backend).fresh_start()
    return shared_backend


@pytest.fixture
def tidy_db_backend(shared_db_backend: BackendProcess) -> BackendProcess:
    """`tidy_backend` once per database."""
    admin_of(shared_db_backend).fresh_start()
    return shared_db_backend


@pytest.fixture
def module_backend(request: pytest.FixtureRequest) -> BackendProcess:
    """For a module whose `backend` is shared: `tidy_backend`, or for a test marked `own_backend` (it
    stops or restarts the server) a private backend like `backend`."""
    name = "private_backend" if request.node.get_closest_marker("own_backend") else "tidy_backend"
    found: BackendProcess = request.getfixturevalue(name)
    return found


@pytest.fixture
def private_backend(tmp_path: Path) -> Iterator[BackendProcess]:
    """`backend` under another name, for modules that override `backend` with a shared one."""
    yield from _backend_on("sqlite", tmp_path)


# --- Markers by cost --------------------------------------------------------------------------

TESTS = Path(__file__).parent
FAST_LANE = (TESTS / "unit", TESTS / "widgets")
QT_FIXTURES = frozenset({"qtbot", "qapp", "qloop", "qtmodeltester"})


# What a fixture's return annotation names, or a test body calls, when it starts one of these.
_HANDS_OUT = {
    "backend": re.compile(r"\b(BackendProcess|Cluster)\b"),  # a Cluster is several
    "browser": re.compile(r"Browser(Thread)?\b"),  # playwright's Browser, a BrowserThread or subclass
}
_CONSTRUCTS = {
    "backend": re.compile(r"\bBackendProcess\("),
    "browser": re.compile(r"\b(BrowserThread|launch_chromium\w*)\("),
}


def _fixture_starts(defs: object, kind: str) -> bool:
    func = getattr(defs, "func", None)
    annotation = str(getattr(func, "__annotations__", {}).get("return", ""))
    return bool(_HANDS_OUT[kind].search(annotation))


def _starts(item: pytest.Item, kind: str) -> bool:
    """Whether a fixture in the item's closure hands out a `kind`, or the test body starts one."""
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        for defs in info.name2fixturedefs.values():
            if any(_fixture_starts(d, kind) for d in defs):
                return True
    function = getattr(item, "function", None)
    if function is None:
        return False
    try:
        return bool(_CONSTRUCTS[kind].search(inspect.getsource(function)))
    except (OSError, TypeError):
        return False


def cost_markers(item: pytest.Item) -> list[str]:
    names = set(getattr(item, "fixturenames", ()))
    found = []
    if _starts(item, "backend"):
        found.append("backend")
    if _starts(item, "browser"):
        found.append("browser")
    if names & QT_FIXTURES:
        found.append("qt")
    return found or ["pure"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    misplaced = []
    for item in items:
        markers = cost_markers(item)
        for name in markers:
            item.add_marker(name)
        heavy = {"backend", "browser"} & set(markers)
        if heavy and any(item.path.is_relative_to(lane) for lane in FAST_LANE):
            misplaced.append(f"  {item.nodeid} ({', '.join(sorted(heavy))})")
    if misplaced:
        raise pytest.UsageError(
            "tests/unit and tests/widgets are the fast lane: they start no backend and no browser.\n"
            "Move these tests to tests/integration (or tests/e2e):\n" + "\n".join(misplaced)
        )


# --- A backend that logged an error fails the test ------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "backend_errors_expected(*patterns): the test makes the backend log errors matching these regexes",
    )
    config.addinivalue_line(
        "markers",
        "own_backend: the test stops or restarts its backend; where `backend` is shared (`module_backend`)"
        " it gets a private one",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the test's fixtures are gone (function-scoped backends stopped), read what every backend
    started so far logged since the last test; an error record or a traceback fails this test, unless
    a `backend_errors_expected` pattern matches it."""
    result = yield
    expected = [pattern for mark in item.iter_markers("backend_errors_expected") for pattern in mark.args]
    unexpected = []
    for proc in list(BackendProcess.started):
        for record in proc.unread_log_problems():
            if not any(re.search(pattern, record) for pattern in expected):
                unexpected.append(f"backend {proc.url} ({proc.log_path}):\n{record}")
        if not proc.running:
            BackendProcess.started.remove(proc)
    if unexpected:
        pytest.fail(
            "the backend logged errors (declare deliberate ones with "
            "@pytest.mark.backend_errors_expected(pattern)):\n" + "\n\n".join(unexpected),
            pytrace=False,
        )
    return result

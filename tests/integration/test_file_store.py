"""The attachment stores: the disk folder, and the S3 store against moto's S3 server
(tests/support/s3.py). Each case runs on both where it means the same."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chat_backend.files.s3_store import DELETE_BATCH, S3Store
from chat_backend.files.store import DiskStore, FileStore, StoreError, check_store, new_key
from chat_backend.files.stores import open_store
from chat_backend.settings import Settings
from tests.support.backend import free_port
from tests.support.s3 import S3Server

SECRET = "s3cr3t-never-shown-0123456789"
ACCESS = "AKIA-NEVER-SHOWN-42"


def _s3_settings(env: dict[str, str], **more: str) -> Settings:
    return Settings(
        files_s3_bucket=more.get("bucket", env["CHAT_FILES_S3_BUCKET"]),
        files_s3_endpoint=more.get("endpoint", env["CHAT_FILES_S3_ENDPOINT"]),
        files_s3_region=env["CHAT_FILES_S3_REGION"],
        files_s3_access_key=more.get("access_key", env["CHAT_FILES_S3_ACCESS_KEY"]),
        files_s3_secret_key=more.get("secret_key", env["CHAT_FILES_S3_SECRET_KEY"]),
    )


@pytest.fixture(params=["disk", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FileStore]:
    if request.param == "disk":
        yield open_store(Settings(files_dir=str(tmp_path / "files")))
        return
    server: S3Server = request.getfixturevalue("s3_server")
    yield open_store(_s3_settings(server.new_bucket()))


@pytest.mark.asyncio
async def test_put_get_delete_round_trip(store: FileStore) -> None:
    key = new_key("chat")
    await store.put(key, b"hello \x00 world")
    assert await store.get(key) == b"hello \x00 world"
    await store.delete([key])
    with pytest.raises(KeyError):
        await store.get(key)


@pytest.mark.asyncio
async def test_a_missing_key_is_a_key_error(store: FileStore) -> None:
    with pytest.raises(KeyError):
        await store.get(new_key("chat"))


@pytest.mark.asyncio
async def test_deleting_keys_that_do_not_exist_is_fine(store: FileStore) -> None:
    kept, gone = new_key("chat"), new_key("chat")
    await store.put(kept, b"kept")
    await store.put(gone, b"gone")
    await store.delete([])
    # More than one S3 batch: the real key sits in the second one.
    await store.delete([*(new_key("chat") for _ in range(DELETE_BATCH)), gone, new_key("chat")])
    with pytest.raises(KeyError):
        await store.get(gone)
    assert await store.get(kept) == b"kept"


@pytest.mark.asyncio
async def test_a_3_mb_file_comes_back_whole(store: FileStore) -> None:
    data = os.urandom(3 * 1024 * 1024)
    key = new_key("chat")
    await store.put(key, data)
    assert await store.get(key) == data


@pytest.mark.parametrize(
    "key", ["", "..", "../x", "chat/../../etc/passwd", "chat//x", "chat/./x", "/abs", "a\\..\\b", "a\x00b"]
)
@pytest.mark.asyncio
async def test_keys_that_could_leave_the_store_are_refused(
    store: FileStore, key: str, tmp_path: Path
) -> None:
    with pytest.raises(KeyError):
        await store.put(key, b"x")
    with pytest.raises(KeyError):
        await store.get(key)
    with pytest.raises(KeyError):
        await store.delete([key])
    assert not (tmp_path / "x").exists()


@pytest.mark.asyncio
async def test_the_checks_pass_on_a_working_store(store: FileStore) -> None:
    await check_store(store)


@pytest.mark.asyncio
async def test_the_disk_check_makes_the_folder(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "data" / "files")
    await check_store(store)
    assert (tmp_path / "data" / "files").is_dir()
    assert list((tmp_path / "data" / "files").iterdir()) == []


@pytest.mark.asyncio
async def test_the_disk_check_fails_where_no_folder_can_be(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_bytes(b"")
    store = DiskStore(tmp_path / "plain-file" / "files")  # even root cannot make a folder in a file
    with pytest.raises(StoreError, match="not writable"):
        await check_store(store)
    with pytest.raises(StoreError):
        await store.put(new_key("chat"), b"x")


@pytest.mark.asyncio
async def test_an_unreachable_s3_is_a_store_error_without_the_keys(s3_server: S3Server) -> None:
    # A password in the endpoint's URL is as secret as the keys.
    closed = f"http://chat-user:url-pass-31415@127.0.0.1:{free_port()}"
    store = S3Store(_s3_settings(s3_server.env(), endpoint=closed, access_key=ACCESS, secret_key=SECRET))
    for attempt in (store.put(new_key("chat"), b"x"), store.get(new_key("chat")), store.check()):
        with pytest.raises(StoreError) as caught:
            await attempt
        message = str(caught.value)
        assert "Could not connect" in message
        assert SECRET not in message
        assert ACCESS not in message
        assert "url-pass-31415" not in message
        assert caught.value.__cause__ is None
        assert caught.value.__suppress_context__


@pytest.mark.asyncio
async def test_a_missing_bucket_fails_the_check(s3_server: S3Server) -> None:
    store = S3Store(
        _s3_settings(s3_server.env(), bucket="no-such-bucket", access_key=ACCESS, secret_key=SECRET)
    )
    with pytest.raises(StoreError, match="does not exist") as caught:
        await check_store(store)
    assert "no-such-bucket" in str(caught.value)
    assert SECRET not in str(caught.value)
    with pytest.raises(StoreError, match="does not exist"):
        await store.put(new_key("chat"), b"x")


def test_a_server_keeping_files_on_disk_never_loads_boto3(tmp_path: Path) -> None:
    code = (
        "import sys, asyncio\n"
        "import chat_backend.cli, chat_backend.app\n"
        "from chat_backend.files.store import check_store\n"
        "from chat_backend.files.stores import open_store\n"
        "from chat_backend.settings import Settings\n"
        f"store = open_store(Settings(files_dir={str(tmp_path)!r}))\n"
        "asyncio.run(check_store(store))\n"
        "assert store.name == 'disk'\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_FILES_S3_")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_serve_refuses_a_bucket_it_cannot_use(tmp_path: Path, s3_server: S3Server) -> None:
    env = {**os.environ, **s3_server.env("no-such-bucket"), "CHAT_BACKEND_HOME": str(tmp_path)}
    env["CHAT_FILES_S3_SECRET_KEY"] = SECRET
    cmd = [sys.executable, "-m", "chat_backend.cli", "--database-url", f"sqlite:///{tmp_path / 'chat.db'}"]
    done = subprocess.run(
        [*cmd, "serve", "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "bucket 'no-such-bucket': the bucket does not exist" in done.stderr
    assert SECRET not in done.stderr
    assert not (tmp_path / "chat.db").exists()  # refused before anything was made

"""Where the bytes of attachments live: a folder under the data folder (one node), or an
S3-compatible bucket (several nodes; `chat_backend.files.s3_store`).

Keys are made by the server (`new_key`), never from a user's file name. A store never holds a
partial file: `put` writes under a temporary name and renames (disk), or uploads in one request (S3).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol


class StoreError(RuntimeError):
    """The store could not be reached or refused an operation (logged; the request fails with 503)."""


class FileStore(Protocol):
    """What the rest of the backend needs of a store. All methods may raise `StoreError`."""

    name: str  # "disk" or "s3", for logs and health

    async def put(self, key: str, data: bytes) -> None:
        """Keep `data` under `key` (replacing nothing: keys are new)."""

    async def get(self, key: str) -> bytes:
        """The bytes under `key`; `KeyError` when there are none."""

    async def delete(self, keys: Iterable[str]) -> None:
        """Remove these keys; keys that do not exist are ignored."""


def checked_key(key: str) -> str:
    """`key` if it is one a store may hold: `/`-separated parts, none empty, `.` or `..`, and no
    backslash or NUL; else `KeyError` (a key comes from the database, but is treated as hostile)."""
    if not key or any(part in ("", ".", "..") or "\\" in part or "\x00" in part for part in key.split("/")):
        raise KeyError(key)
    return key


def new_key(prefix: str) -> str:
    """A fresh random key such as `chat/ab/abcdef...` (the two-character folder keeps folders small)."""
    token = secrets.token_hex(16)
    return f"{prefix}/{token[:2]}/{token}"


class DiskStore:
    """Files in a folder; the default on one node (`<data folder>/files`)."""

    name = "disk"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*checked_key(key).split("/"))

    async def check(self) -> None:
        """Make the folder and try writing in it (at `serve`): `StoreError` if that fails."""
        await asyncio.to_thread(self._check)

    def _check(self) -> None:
        probe = self.root / f".probe-{secrets.token_hex(4)}"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise StoreError(f"the file store's folder {self.root} is not writable: {exc}") from exc

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, self._path(key), data)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            with open(partial, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc}") from exc

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise KeyError(key) from exc
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc

    async def delete(self, keys: Iterable[str]) -> None:
        paths = [self._path(key) for key in keys]
        await asyncio.to_thread(self._delete, paths)

    @staticmethod
    def _delete(paths: list[Path]) -> None:
        for path in paths:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot delete {path}: {exc}") from exc


async def check_store(store: FileStore) -> None:
    """Whether `store` works, for `serve` to fail at once when it does not: calls its `check` if it has
    one (both stores here do). Raises `StoreError`."""
    check = getattr(store, "check", None)
    if check is not None:
        await check()

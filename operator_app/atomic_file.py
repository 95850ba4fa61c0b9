"""Writing a file the user asked for so that it is never left half-written: the bytes go to a
temporary file in the same folder, are flushed to disk, and then replace the target in one step
(`os.replace`, atomic on one file system). A failure leaves the old file, if any, as it was."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` (replacing it); raises `OSError` with the target untouched."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

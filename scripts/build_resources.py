"""Compile the app's Qt resources (icons and sounds) into the binary file the app registers.

    .venv/bin/python scripts/build_resources.py

`resources/operator_app.qrc` -> `operator_app/resources/operator_app.rcc` (committed). A binary .rcc
rather than a generated Python module: the app maps it with QResource.registerResource when it first
needs an icon or a sound, so no bytes literal is parsed at start-up and the repository holds no
generated code. Not compressed: WAV and PNG gain little, and uncompressed data is used in place.
Format version 1 holds no file modification times: the same sources give the same bytes.
tests/unit/test_app_resources.py fails when the compiled file differs from its sources.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QRC = ROOT / "resources" / "operator_app.qrc"
RCC = ROOT / "operator_app" / "resources" / "operator_app.rcc"


def rcc_tool() -> str:
    beside = Path(sys.executable).parent / "pyside6-rcc"
    if beside.exists():
        return str(beside)
    found = shutil.which("pyside6-rcc")
    if found is None:
        raise SystemExit("pyside6-rcc not found: install PySide6")
    return found


def compile_resources(out: Path) -> None:
    command = [rcc_tool(), "--binary", "--no-compress", "--format-version", "1", str(QRC), "-o", str(out)]
    subprocess.run(command, check=True)


def main() -> None:
    RCC.parent.mkdir(parents=True, exist_ok=True)
    compile_resources(RCC)
    print(f"wrote {RCC.relative_to(ROOT)} ({RCC.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

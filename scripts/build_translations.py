"""Update the Qt Linguist sources and compile them.

    .venv/bin/python scripts/build_translations.py            # lupdate the .ts files, then lrelease
    .venv/bin/python scripts/build_translations.py --compile  # only lrelease (after editing a .ts)

`translations/operator_app_<lang>.ts` are the sources (edit them with pyside6-linguist); the compiled
`operator_app/i18n/operator_app_<lang>.qm` are committed and loaded by the app. Tests fail when a
string of the code is missing or unfinished in a .ts file, or when a .qm is stale.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS_DIR = ROOT / "translations"
QM_DIR = ROOT / "operator_app" / "i18n"
LANGUAGES = {"ja": "ja_JP", "en": "en_US"}
EXCLUDED = {"demo.py"}


def tool(name: str) -> str:
    """A PySide6 tool next to this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / f"pyside6-{name}"
    if beside.exists():
        return str(beside)
    found = shutil.which(f"pyside6-{name}")
    if found is None:
        raise SystemExit(f"pyside6-{name} not found: install PySide6")
    return found


def sources() -> list[str]:
    files = sorted((ROOT / "operator_app").rglob("*.py"))
    return [str(path) for path in files if path.name not in EXCLUDED]


def ts_path(language: str) -> Path:
    return TS_DIR / f"operator_app_{language}.ts"


def qm_path(language: str) -> Path:
    return QM_DIR / f"operator_app_{language}.qm"


def lupdate(ts_file: Path, language: str) -> None:
    """Merge the code's strings into `ts_file` (created if missing), dropping vanished ones."""
    cmd = [tool("lupdate"), "-silent", "-no-obsolete", "-locations", "none"]
    cmd += ["-source-language", "en_US", "-target-language", LANGUAGES.get(language, language)]
    subprocess.run([*cmd, *sources(), "-ts", str(ts_file)], check=True)


def lrelease(ts_file: Path, qm_file: Path) -> None:
    qm_file.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool("lrelease"), "-silent", str(ts_file), "-qm", str(qm_file)], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--compile", action="store_true", help="only compile the .ts files")
    args = parser.parse_args(argv)
    TS_DIR.mkdir(exist_ok=True)
    for language in LANGUAGES:
        if not args.compile:
            lupdate(ts_path(language), language)
        lrelease(ts_path(language), qm_path(language))
        print(f"{ts_path(language).relative_to(ROOT)} -> {qm_path(language).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write the WiX fragment that installs a bundle folder (what WiX's `heat dir` does; `wixl` has none).

    python packaging/windows/harvest.py BUNDLE_DIR OUT.wxs [--directory INSTALLDIR] [--group BundleFiles]

One component per file (its key path), in a `ComponentGroup` the product's feature references.
Component GUIDs are derived from the file's path in the bundle, so a file keeps its GUID from one
release to the next (what Windows Installer's component rules need for upgrades).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import uuid
from pathlib import Path
from xml.sax.saxutils import quoteattr

# Our own namespace for the component GUIDs (uuid5 of the file's relative path).
NAMESPACE = uuid.UUID("0d9c6f55-2a41-4f3e-b1d8-6a7e2c9f4b10")


def _id(prefix: str, relative: str) -> str:
    """A WiX identifier (letters, digits, _ and ., at most 72 characters) unique for this path."""
    return f"{prefix}_{hashlib.sha1(relative.encode('utf-8')).hexdigest()[:32]}"


def fragment(bundle: Path, directory: str, group: str, base: Path | None = None) -> str:
    """The fragment; `Source` paths relative to `base` (the compiler's working folder; wixl needs it)."""
    base = (base or Path.cwd()).resolve()
    files = sorted(path for path in bundle.rglob("*") if path.is_file())
    if not files:
        raise SystemExit(f"harvest: no files under {bundle}")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">',
    ]
    lines.append("  <Fragment>")
    lines.append(f"    <DirectoryRef Id={quoteattr(directory)}>")
    components: list[str] = []

    def emit(folder: Path, depth: int) -> None:
        indent = "  " * (depth + 3)
        for path in sorted(folder.iterdir()):
            relative = path.relative_to(bundle).as_posix()
            if path.is_dir():
                lines.append(
                    f"{indent}<Directory Id={quoteattr(_id('dir', relative))} Name={quoteattr(path.name)}>"
                )
                emit(path, depth + 1)
                lines.append(f"{indent}</Directory>")
            elif path.is_file():
                component = _id("cmp", relative)
                guid = str(uuid.uuid5(NAMESPACE, relative)).upper()
                components.append(component)
                lines.append(f'{indent}<Component Id={quoteattr(component)} Guid="{guid}" Win64="yes">')
                lines.append(
                    f"{indent}  <File Id={quoteattr(_id('fil', relative))} Name={quoteattr(path.name)} "
                    f'Source={quoteattr(os.path.relpath(path, base))} KeyPath="yes" />'
                )
                lines.append(f"{indent}</Component>")

    emit(bundle, 0)
    lines.append("    </DirectoryRef>")
    lines.append("  </Fragment>")
    lines.append("  <Fragment>")
    lines.append(f"    <ComponentGroup Id={quoteattr(group)}>")
    lines += [f"      <ComponentRef Id={quoteattr(component)} />" for component in components]
    lines.append("    </ComponentGroup>")
    lines.append("  </Fragment>")
    lines.append("</Wix>")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("bundle", type=Path, help="the PyInstaller folder (holds operator-app.exe)")
    parser.add_argument("output", type=Path, help="the .wxs fragment to write")
    parser.add_argument("--directory", default="INSTALLDIR", help="the Directory Id to install into")
    parser.add_argument("--group", default="BundleFiles", help="the ComponentGroup Id to define")
    args = parser.parse_args()
    args.output.write_text(fragment(args.bundle.resolve(), args.directory, args.group), encoding="utf-8")


if __name__ == "__main__":
    main()

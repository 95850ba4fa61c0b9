"""Build the MSI with Debian's `wixl` (msitools) from the WiX authoring, on Linux.

    python packaging/windows/build_msi.py BUNDLE_DIR OUT.msi [--version X.Y.Z]

On Windows the release workflow builds the same `operator-app.wxs` with WiX's candle and light. wixl
reads no `<Condition>` inside a `<Component>`: this script builds from a copy without them, then
writes each condition into the MSI's Component table with msibuild (an SQL UPDATE), so both
builds install the policy components under the same conditions.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WIX = "http://schemas.microsoft.com/wix/2006/wi"
sys.path.insert(0, str(HERE))

from harvest import fragment  # noqa: E402


def split_conditions(source: str) -> tuple[str, dict[str, str], list[str]]:
    """The authoring without what wixl does not read; {component id: condition}; secure properties."""
    ET.register_namespace("", WIX)
    tree = ET.ElementTree(ET.fromstring(source))
    conditions: dict[str, str] = {}
    secure = []
    for parent in tree.iter():
        for prop in parent.findall(f"{{{WIX}}}Property"):
            if prop.attrib.get("Secure") == "yes":
                secure.append(prop.attrib["Id"])
                parent.remove(prop)
    for component in tree.iter(f"{{{WIX}}}Component"):
        for condition in component.findall(f"{{{WIX}}}Condition"):
            conditions[component.attrib["Id"]] = (condition.text or "").strip()
            component.remove(condition)
    # ElementTree drops the processing instructions (<?define?>): keep them from the source.
    defines = [line for line in source.splitlines() if line.strip().startswith("<?define")]
    body = ET.tostring(tree.getroot(), encoding="unicode")
    text = '<?xml version="1.0" encoding="utf-8"?>\n' + body.replace(">", ">\n" + "\n".join(defines), 1)
    return text, conditions, secure


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def build(bundle: Path, output: Path, version: str) -> None:
    authoring, conditions, secure = split_conditions((HERE / "operator-app.wxs").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as work:
        main = Path(work) / "operator-app.wxs"
        main.write_text(authoring, encoding="utf-8")
        files = Path(work) / "bundle.wxs"
        files.write_text(fragment(bundle.resolve(), "INSTALLDIR", "BundleFiles", ROOT), encoding="utf-8")
        cmd = ["wixl", "-a", "x64", "-D", f"Version={version}", "-o", str(output), str(main), str(files)]
        subprocess.run(cmd, cwd=ROOT, check=True)
    for component, condition in conditions.items():
        query = f"UPDATE `Component` SET `Condition` = {sql_string(condition)} WHERE `Component` = {sql_string(component)}"
        subprocess.run(["msibuild", str(output), "-q", query], check=True)
    # Secure public properties reach the elevated part of an install (what WiX's Secure="yes" does).
    table = subprocess.run(
        ["msiinfo", "export", str(output), "Property"], capture_output=True, text=True, check=True
    )
    known = dict(line.split("\t", 1) for line in table.stdout.splitlines()[3:] if "\t" in line)
    listed = [name for name in known.get("SecureCustomProperties", "").split(";") if name]
    value = ";".join(listed + [name for name in secure if name not in listed])
    query = f"UPDATE `Property` SET `Value` = {sql_string(value)} WHERE `Property` = 'SecureCustomProperties'"
    subprocess.run(["msibuild", str(output), "-q", query], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("bundle", type=Path, help="the PyInstaller folder (holds operator-app.exe)")
    parser.add_argument("output", type=Path, help="the .msi to write")
    parser.add_argument("--version", help="default: operator_app.__version__")
    args = parser.parse_args()
    version = args.version
    if version is None:
        text = (ROOT / "operator_app" / "__init__.py").read_text(encoding="utf-8")
        version = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)[1]  # type: ignore[index]
    build(args.bundle, args.output, version)


if __name__ == "__main__":
    main()

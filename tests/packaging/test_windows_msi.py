"""The Windows MSI's tables, built by Debian's wixl from packaging/windows/operator-app.wxs with a small
stand-in bundle (the real bundle is frozen on a Windows runner): the admin-policy registry rows and
their conditions, the Start-menu shortcut, the upgrade code, the harvested files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UPGRADE_CODE = "{6F7C1B0E-3D2A-4E8B-9C51-2A7D4F0E8B13}"
POLICY_KEY = "SOFTWARE\\Policies\\OperatorApp"

pytestmark = pytest.mark.skipif(
    shutil.which("wixl") is None or shutil.which("msiinfo") is None,
    reason="needs Debian's wixl and msitools (.ci/run installs them)",
)


def _table(msi: Path, name: str) -> list[dict[str, str]]:
    """A table's rows as dicts (msiinfo export: a header line, types, the table's keys, then rows)."""
    text = subprocess.run(["msiinfo", "export", str(msi), name], capture_output=True, text=True, check=True)
    lines = text.stdout.splitlines()
    columns = lines[0].split("\t")
    return [dict(zip(columns, line.split("\t"), strict=False)) for line in lines[3:] if line]


@pytest.fixture(scope="module")
def msi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("msi")
    bundle = work / "operator-app"
    (bundle / "_internal" / "PySide6" / "Qt" / "translations").mkdir(parents=True)
    (bundle / "_internal" / "operator_app" / "i18n").mkdir(parents=True)
    (bundle / "operator-app.exe").write_bytes(b"MZ stand-in")
    (bundle / "_internal" / "python311.dll").write_bytes(b"MZ stand-in")
    (bundle / "_internal" / "PySide6" / "Qt" / "translations" / "qtbase_ja.qm").write_bytes(b"qm")
    (bundle / "_internal" / "operator_app" / "i18n" / "operator_app_ja.qm").write_bytes(b"qm")
    output = work / "operator-app.msi"
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "windows" / "build_msi.py"), str(bundle), str(output)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return output


def test_properties_become_the_admin_policy_in_the_registry(msi: Path) -> None:
    registry = {(row["Key"], row["Name"]): row for row in _table(msi, "Registry")}
    expected = {
        ("Default", "server_url"): "[SERVER_URL]",
        ("Enforced", "server_url"): "[SERVER_URL]",
        ("Default", "language"): "[LANGUAGE]",
        ("Enforced", "language"): "[LANGUAGE]",
        ("Enforced", "update_url"): "[UPDATE_URL]",
    }
    components = {row["Component"]: row for row in _table(msi, "Component")}
    conditions = {}
    for (level, name), value in expected.items():
        row = registry[(f"{POLICY_KEY}\\{level}", name)]
        assert row["Root"] == "2"  # HKEY_LOCAL_MACHINE
        assert row["Value"] == value
        conditions[(level, name)] = components[row["Component_"]]["Condition"]
    assert conditions == {
        ("Default", "server_url"): 'SERVER_URL AND NOT LOCK_SERVER_URL = "1"',
        ("Enforced", "server_url"): 'SERVER_URL AND LOCK_SERVER_URL = "1"',
        ("Default", "language"): 'LANGUAGE AND NOT LOCK_LANGUAGE = "1"',
        ("Enforced", "language"): 'LANGUAGE AND LOCK_LANGUAGE = "1"',
        ("Enforced", "update_url"): "UPDATE_URL",
    }
    properties = {row["Property"]: row["Value"] for row in _table(msi, "Property")}
    secure = set(properties["SecureCustomProperties"].split(";"))
    assert {"SERVER_URL", "LOCK_SERVER_URL", "LANGUAGE", "LOCK_LANGUAGE", "UPDATE_URL"} <= secure


def test_start_menu_shortcut_upgrade_code_and_per_machine_install(msi: Path) -> None:
    (shortcut,) = _table(msi, "Shortcut")
    assert shortcut["Directory_"] == "ProgramMenuFolder"
    assert shortcut["Name"] == "Live Chat Operator"
    assert shortcut["Target"] == "[INSTALLDIR]operator-app.exe"
    properties = {row["Property"]: row["Value"] for row in _table(msi, "Property")}
    assert properties["UpgradeCode"] == UPGRADE_CODE
    assert properties["ALLUSERS"] == "1"
    upgrades = _table(msi, "Upgrade")
    assert {row["UpgradeCode"] for row in upgrades} == {UPGRADE_CODE}
    # MajorUpgrade: older versions are found (and removed), a newer one stops the install.
    assert {row["ActionProperty"] for row in upgrades} == {"WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"}


def test_every_bundle_file_is_installed_under_program_files(msi: Path) -> None:
    files = {row["FileName"].split("|")[-1] for row in _table(msi, "File")}
    assert files == {"operator-app.exe", "python311.dll", "qtbase_ja.qm", "operator_app_ja.qm"}
    directories = {row["Directory"]: row for row in _table(msi, "Directory")}
    assert directories["INSTALLDIR"]["Directory_Parent"] == "ProgramFiles64Folder"
    assert directories["INSTALLDIR"]["DefaultDir"] == "Live Chat Operator"

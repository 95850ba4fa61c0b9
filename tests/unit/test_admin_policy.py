"""Admin policies: the three sources (policy.json, the Windows registry, macOS managed preferences)
give the same two levels; bad values are ignored with a log line naming the source and the key;
enforced values stay locked through the user's file, `SettingsFile.set` and a restart."""

from __future__ import annotations

import contextlib
import json
import logging
import plistlib
import sys
import types
from collections.abc import Mapping
from pathlib import Path

import pytest

from operator_app.paths import app_dirs
from operator_app.policy import (
    MAC_POLICY_FILE,
    MAX_POLICY_BYTES,
    RawPolicy,
    RegistryReader,
    read_json_policy,
    read_plist_policy,
    read_policy,
    read_registry_policy,
)
from operator_app.settings import MAX_IDLE_AWAY_MINUTES, Settings, SettingsFile, check, validate


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPERATOR_APP_HOME", str(tmp_path))
    (tmp_path / "site").mkdir()
    (tmp_path / "config").mkdir()
    return tmp_path


def write_policy(home: Path, policy: object) -> Path:
    path = home / "site" / "policy.json"
    path.write_text(json.dumps(policy), encoding="utf-8")
    return path


def write_user(home: Path, values: dict[str, object]) -> Path:
    path = home / "config" / "settings.json"
    path.write_text(json.dumps({"settings_version": 2, **values}), encoding="utf-8")
    return path


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# --- the two levels and their precedence ---------------------------------------------------------


def test_default_applies_until_the_user_chooses_and_enforced_always_wins(home: Path) -> None:
    write_policy(
        home,
        {
            "default": {"sound_volume": 40, "language": "ja", "server_url": "https://default.example"},
            "enforced": {"server_url": "https://chat.example.com", "sound_muted": True},
        },
    )
    settings = SettingsFile()
    assert settings.values.sound_volume == 40  # the admin's default
    assert settings.values.language == "ja"
    assert settings.values.server_url == "https://chat.example.com"  # enforced beats default
    assert settings.locked == {"server_url", "sound_muted"}
    assert settings.origin("sound_volume") == "default"
    assert settings.origin("server_url") == "enforced"
    assert settings.origin("email") == "app"

    settings.set("sound_volume", 90)  # the user may change a default
    settings.set("sound_muted", False)  # ...but not an enforced value
    settings.set("server_url", "https://elsewhere.example")
    assert (settings.values.sound_volume, settings.values.sound_muted) == (90, True)
    assert settings.origin("sound_volume") == "user"

    again = SettingsFile()  # after a restart
    assert again.values.sound_volume == 90
    assert again.values.sound_muted is True
    assert again.values.server_url == "https://chat.example.com"
    saved = json.loads((home / "config" / "settings.json").read_text(encoding="utf-8"))
    assert "server_url" not in saved
    assert "sound_muted" not in saved
    assert "language" not in saved  # never chosen by the user: a new admin default still applies


def test_a_user_choice_equal_to_the_apps_default_still_beats_the_admins_default(home: Path) -> None:
    write_policy(home, {"default": {"sound_muted": True}})
    SettingsFile().set("sound_muted", False)
    assert SettingsFile().values.sound_muted is False


def test_an_old_settings_file_with_every_option_does_not_hide_the_admins_defaults(home: Path) -> None:
    """Files written before policies held every option; one at the app's default was never chosen."""
    (home / "config" / "settings.json").write_text(
        json.dumps({**Settings().__dict__, "sound_volume": 70, "email": "hana@example.com"}),
        encoding="utf-8",
    )
    write_policy(home, {"default": {"sound_volume": 30, "server_url": "https://chat.example.com"}})
    values = SettingsFile().values
    assert (values.sound_volume, values.server_url, values.email) == (
        30,
        "https://chat.example.com",
        "hana@example.com",
    )


def test_a_locked_value_edited_by_hand_in_the_users_file_is_ignored_with_a_log_line(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    policy = write_policy(home, {"enforced": {"language": "en", "idle_away_minutes": 5}})
    user = write_user(home, {"language": "ja", "idle_away_minutes": 0, "email": "a@b.c"})
    settings = SettingsFile()
    assert (settings.values.language, settings.values.idle_away_minutes) == ("en", 5)
    assert settings.values.email == "a@b.c"
    lines = warnings(caplog)
    assert any(str(user) in line and "'language'" in line and str(policy) in line for line in lines)
    assert any("'idle_away_minutes'" in line and "administrator" in line for line in lines)
    settings.set("email", "b@c.d")  # the next save drops the ignored values from the user's file
    assert "language" not in json.loads(user.read_text(encoding="utf-8"))


def test_remember_me_not_allowed_locks_remember_me_off(home: Path) -> None:
    write_user(home, {"remember_me": True, "email": "a@b.c"})
    write_policy(home, {"enforced": {"remember_me_allowed": False}})
    settings = SettingsFile()
    assert settings.values.remember_me is False
    assert {"remember_me", "remember_me_allowed"} <= settings.locked
    settings.set("remember_me", True)
    assert SettingsFile().values.remember_me is False


# --- validation: one path for every source -------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "phrase"),
    [
        ("sound_volume", 101, "from 0 to 100"),
        ("sound_volume", -1, "from 0 to 100"),
        ("sound_volume", "70", "must be int, not str"),
        ("sound_volume", 70.0, "must be int, not float"),
        ("sound_muted", 1, "must be bool, not int"),
        ("sound_muted", "true", "must be bool"),
        ("idle_away_minutes", -5, "from 0 to"),
        ("idle_away_minutes", MAX_IDLE_AWAY_MINUTES + 1, "from 0 to"),
        ("language", "klingon", "must be one of system, ja, en"),
        ("server_url", "ftp://chat.example.com", "http:// or https://"),
        ("server_url", "chat.example.com", "http:// or https://"),
        ("server_url", "https://", "http:// or https://"),
        ("server_url", "https://chat.example.com:99999", "not a valid URL"),
        ("update_url", "javascript:alert(1)", "http:// or https://"),
        ("update_url", "https://a.example/x y", "http:// or https://"),
        ("proxy_url", "socks5://proxy:1080", "http:// or https://"),
        ("ca_bundle", "/etc/ssl/a\nb.pem", "control characters"),
        ("ca_bundle", "x" * 9000, "longer than"),
        ("no_such_option", 1, "not a known setting"),
        ("server_url", None, "must be str, not NoneType"),
        ("sound_new_chat", [True], "must be bool, not list"),
    ],
)
def test_bad_values_are_refused_with_a_reason(key: str, value: object, phrase: str) -> None:
    problem = check(key, value)
    assert problem is not None
    assert phrase in problem


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("server_url", ""),
        ("server_url", "https://chat.example.com"),
        ("server_url", "http://127.0.0.1:8470"),
        ("proxy_url", "none"),
        ("proxy_url", "http://user:secret@proxy.example.com:3128"),
        ("update_url", "https://downloads.example.com/operator-app/"),
        ("idle_away_minutes", 0),
        ("sound_volume", 0),
        ("sound_volume", 100),
        ("language", "ja"),
    ],
)
def test_good_values_pass(key: str, value: object) -> None:
    assert check(key, value) is None


def test_the_log_names_the_source_and_the_key_and_never_shows_a_proxy_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    values = {"sound_volume": 500, "proxy_url": "ftp://u:hunter2@proxy", "colour": "red", "language": "en"}
    assert validate(values, "/etc/xdg/operator-app/policy.json (enforced)") == {"language": "en"}
    lines = warnings(caplog)
    assert len(lines) == 3
    assert all(line.startswith("/etc/xdg/operator-app/policy.json (enforced): setting '") for line in lines)
    assert any("'sound_volume' must be from 0 to 100 (got 500)" in line for line in lines)
    assert any("'colour' is not a known setting" in line for line in lines)
    assert not any("hunter2" in line for line in lines)


def test_a_deeply_nested_or_huge_value_is_logged_short(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    nested = "[" * 900 + "]" * 900
    path = home / "site" / "policy.json"
    path.write_text(
        f'{{"default": {{"language": {nested}, "email": {json.dumps("x" * 200_000)}}}}}', encoding="utf-8"
    )
    settings = SettingsFile()
    assert settings.policy_defaults == {}
    lines = warnings(caplog)
    assert len(lines) == 2
    assert all(len(line) < 300 for line in lines)


def test_a_policy_full_of_garbage_does_not_flood_the_log(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_policy(home, {"enforced": {f"key{n}": n for n in range(5000)} | {"language": "ja"}})
    settings = SettingsFile()
    assert settings.locked == {"language"}
    lines = warnings(caplog)
    assert len(lines) == 21
    assert lines[-1].endswith("(enforced): 4980 more settings ignored")


def test_an_invalid_change_through_set_is_refused(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = SettingsFile()
    settings.set("sound_volume", 1000)
    settings.set("email", "a\tb@c.d")
    assert (settings.values.sound_volume, settings.values.email) == (70, "")
    lines = warnings(caplog)
    assert "setting 'sound_volume' must be from 0 to 100 (got 1000); not changed" in lines
    assert any("'email' contains control characters" in line for line in lines)
    with pytest.raises(AttributeError):
        settings.set("no_such_option", 1)
    assert SettingsFile().values.sound_volume == Settings().sound_volume


# --- policy.json (Linux and others) --------------------------------------------------------------


def test_the_linux_policy_is_read_from_the_site_config_dir(home: Path) -> None:
    path = write_policy(home, {"Default": {"language": "ja"}, "ENFORCED": {"sound_volume": 10}})
    policy = read_policy(app_dirs(), platform="linux")
    assert policy == RawPolicy(str(path), {"language": "ja"}, {"sound_volume": 10})
    # With OPERATOR_APP_HOME set the file is the one source on every system (tests, the demo).
    assert read_policy(app_dirs(), platform="win32") == policy
    assert read_policy(app_dirs(), platform="darwin") == policy


def test_without_operator_app_home_windows_and_macos_read_their_own_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPERATOR_APP_HOME", raising=False)
    dirs = app_dirs()
    assert read_policy(dirs, platform="win32").source == "HKLM\\SOFTWARE\\Policies\\OperatorApp"
    assert read_policy(dirs, platform="darwin").source == str(MAC_POLICY_FILE)
    assert Path("/Library/Managed Preferences/com.operatorapp.desktop.plist") == MAC_POLICY_FILE
    assert read_policy(dirs, platform="linux").source.endswith("operator-app/policy.json")


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"[1, 2, 3]", "must be an object"),
        (b'"enforced"', "must be an object"),
        (b'{"enforced": [1], "default": {"language": "ja"}}', "level 'enforced' is not an object"),
        (b'{"locked": {"language": "ja"}, "default": {"language": "ja"}}', "unknown policy level 'locked'"),
        (b"[" * 100_000 + b"]" * 100_000, "policy"),
    ],
)
def test_a_malformed_policy_file_is_a_warning_naming_the_file(
    home: Path, caplog: pytest.LogCaptureFixture, content: bytes, phrase: str
) -> None:
    path = home / "site" / "policy.json"
    path.write_bytes(content)
    settings = SettingsFile()  # never raises
    lines = warnings(caplog)
    assert any(str(path) in line and phrase in line for line in lines), lines
    assert settings.locked == frozenset()
    assert settings.values.language in ("system", "ja")  # a valid level elsewhere in the file still counts


def test_a_huge_policy_file_is_not_read_whole(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = home / "site" / "policy.json"
    with path.open("wb") as file:
        file.write(b'{"default": {"language": "ja"}, "pad": "')
        file.truncate(10 * 1024 * 1024)
    assert read_json_policy(path) == RawPolicy(str(path))
    assert any(f"larger than {MAX_POLICY_BYTES} bytes" in line for line in warnings(caplog))


def test_an_unreadable_policy_is_a_warning(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = home / "site" / "policy.json"
    path.mkdir()  # a folder where the file should be
    assert SettingsFile().locked == frozenset()
    assert any(str(path) in line and "cannot read" in line for line in warnings(caplog))


def test_a_policy_with_some_bad_values_keeps_the_good_ones(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_policy(
        home,
        {
            "default": {"sound_volume": "loud", "language": "ja", "theme": "dark"},
            "enforced": {"server_url": "https://chat.example.com", "idle_away_minutes": -1, "x": None},
        },
    )
    settings = SettingsFile()
    assert settings.locked == {"server_url"}
    assert (settings.values.language, settings.values.sound_volume) == ("ja", 70)
    lines = warnings(caplog)
    assert f"{path} (default): setting 'sound_volume' must be int, not str (got 'loud'); ignored" in lines
    assert any(f"{path} (default): setting 'theme' is not a known setting" in line for line in lines)
    assert any(f"{path} (enforced): setting 'idle_away_minutes' must be from 0" in line for line in lines)
    assert any(f"{path} (enforced): setting 'x'" in line for line in lines)


# --- the Windows registry ------------------------------------------------------------------------


def fake_registry(keys: Mapping[str, Mapping[str, object]]) -> RegistryReader:
    """What `winreg` gives for HKLM\\SOFTWARE\\Policies\\OperatorApp\\<level>: values by name."""

    def read(level: str) -> Mapping[str, object] | None:
        return keys.get(level)

    return read


def test_registry_dwords_are_bools_and_ints_and_strings_stay_strings(home: Path) -> None:
    reader = fake_registry(
        {
            "Default": {"sound_volume": 35, "sound_new_chat": 0, "language": "ja"},
            "Enforced": {
                "server_url": "https://chat.example.com",
                "remember_me_allowed": 0,
                "update_url": "https://downloads.example.com/",
            },
        }
    )
    raw = read_registry_policy(reader)
    assert raw.source == "HKLM\\SOFTWARE\\Policies\\OperatorApp"
    settings = SettingsFile(policy=raw)
    values = settings.values
    assert (values.sound_volume, values.sound_new_chat, values.language) == (35, False, "ja")
    assert values.server_url == "https://chat.example.com"
    assert values.remember_me_allowed is False
    assert values.update_url == "https://downloads.example.com/"
    assert settings.locked == {"server_url", "remember_me_allowed", "update_url", "remember_me"}


def test_registry_values_of_the_wrong_kind_are_ignored_with_a_log_line(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reader = fake_registry(
        {
            "Enforced": {
                "sound_muted": 2,  # a DWORD that is no boolean
                "sound_volume": "50",  # REG_SZ for an int
                "server_url": b"https://x",  # REG_BINARY
                "proxy_url": ["http://p:1"],  # REG_MULTI_SZ
                "language": "en",
            }
        }
    )
    settings = SettingsFile(policy=read_registry_policy(reader))
    assert settings.locked == {"language"}
    lines = warnings(caplog)
    for key in ("sound_muted", "sound_volume", "server_url", "proxy_url"):
        assert any(f"HKLM\\SOFTWARE\\Policies\\OperatorApp (enforced): setting '{key}'" in x for x in lines)


def test_a_registry_that_cannot_be_read_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    def denied(level: str) -> Mapping[str, object] | None:
        if level == "Enforced":
            raise PermissionError("access denied")
        return {"language": "ja"}

    raw = read_registry_policy(denied)
    assert (raw.defaults, raw.enforced) == ({"language": "ja"}, {})
    assert any("OperatorApp\\Enforced: cannot read the policy" in line for line in warnings(caplog))
    assert read_registry_policy(lambda level: None) == RawPolicy(
        "HKLM\\SOFTWARE\\Policies\\OperatorApp", ints_as_bools=True
    )


def test_on_linux_the_real_registry_reader_reads_nothing() -> None:
    raw = read_registry_policy()
    assert (raw.defaults, raw.enforced) == ({}, {})


class FakeWinreg(types.ModuleType):
    """The part of `winreg` the reader uses, over a dict {(view, path): {name: value}}."""

    HKEY_LOCAL_MACHINE = 0x80000002
    KEY_READ = 0x20019
    KEY_WOW64_64KEY = 0x0100
    KEY_WOW64_32KEY = 0x0200

    def __init__(self, keys: dict[tuple[int, str], dict[str, object]]) -> None:
        super().__init__("winreg")
        self.keys = keys

    def OpenKey(
        self, root: int, path: str, reserved: int, access: int
    ) -> contextlib.nullcontext[list[tuple[str, object, int]]]:
        assert root == self.HKEY_LOCAL_MACHINE
        assert access & self.KEY_READ
        view = access & (self.KEY_WOW64_64KEY | self.KEY_WOW64_32KEY)
        if (view, path) not in self.keys:
            raise FileNotFoundError(path)
        return contextlib.nullcontext([(name, value, 1) for name, value in self.keys[(view, path)].items()])

    def EnumValue(
        self, key: contextlib.nullcontext[list[tuple[str, object, int]]], index: int
    ) -> tuple[str, object, int]:
        values = key.enter_result
        if index >= len(values):
            raise OSError("no more data")
        return values[index]


def test_the_windows_reader_reads_the_64_bit_view_then_the_32_bit_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeWinreg(
        {
            (FakeWinreg.KEY_WOW64_64KEY, r"SOFTWARE\Policies\OperatorApp\Enforced"): {
                "server_url": "https://a.example"
            },
            (FakeWinreg.KEY_WOW64_32KEY, r"SOFTWARE\Policies\OperatorApp\Enforced"): {
                "server_url": "https://b.example"
            },
            (FakeWinreg.KEY_WOW64_32KEY, r"SOFTWARE\Policies\OperatorApp\Default"): {"sound_muted": 1},
        }
    )
    monkeypatch.setitem(sys.modules, "winreg", fake)
    monkeypatch.setattr(sys, "platform", "win32")
    raw = read_registry_policy()
    assert raw.enforced == {"server_url": "https://a.example"}
    assert raw.defaults == {"sound_muted": 1}
    assert SettingsFile(policy=raw).values.sound_muted is True


# --- macOS managed preferences -------------------------------------------------------------------


@pytest.mark.parametrize("form", [plistlib.FMT_XML, plistlib.FMT_BINARY])
def test_managed_preferences_give_the_same_policy(
    home: Path, tmp_path: Path, form: plistlib.PlistFormat, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "com.operatorapp.desktop.plist"
    path.write_bytes(
        plistlib.dumps(
            {
                "Default": {"sound_volume": 20, "sound_queue_reminder": False},
                "Enforced": {"server_url": "https://chat.example.com", "idle_away_minutes": 15},
                "PayloadUUID": "4F1E7C2A-0000-4000-8000-000000000001",  # a profile's bookkeeping
            },
            fmt=form,
        )
    )
    settings = SettingsFile(policy=read_plist_policy(path))
    values = settings.values
    assert (values.sound_volume, values.sound_queue_reminder) == (20, False)
    assert (values.server_url, values.idle_away_minutes) == ("https://chat.example.com", 15)
    assert settings.locked == {"server_url", "idle_away_minutes"}
    assert warnings(caplog) == []


def test_a_broken_or_wrong_plist_is_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "broken.plist"
    broken.write_bytes(b"<?xml version='1.0'?><plist><dict><key>Default</key>")
    assert read_plist_policy(broken) == RawPolicy(str(broken))
    wrong = tmp_path / "wrong.plist"
    wrong.write_bytes(plistlib.dumps({"Enforced": {"sound_muted": 1, "sound_volume": 10}}))
    settings = SettingsFile(policy=read_plist_policy(wrong))  # a plist has real booleans: 1 is no bool
    assert settings.locked == {"sound_volume"}
    lines = warnings(caplog)
    assert any(str(broken) in line and "not a valid property list" in line for line in lines)
    assert any(str(wrong) in line and "'sound_muted' must be bool" in line for line in lines)
    assert read_plist_policy(tmp_path / "absent.plist") == RawPolicy(str(tmp_path / "absent.plist"))


def test_every_option_is_documented_for_admins() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "deploy-app.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.describe() if f"`{name}`" not in text]
    assert missing == [], f"document these options in docs/deploy-app.md: {missing}"

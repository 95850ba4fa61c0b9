"""Typed settings in the config dir, the enforced admin policy, platform dirs under OPERATOR_APP_HOME, keyring use."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from operator_app.credentials import CredentialStore
from operator_app.paths import app_dirs
from operator_app.settings import Settings, SettingsFile
from tests.widgets.fixtures import MemoryKeyring


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPERATOR_APP_HOME", str(tmp_path))
    return tmp_path


def test_operator_app_home_replaces_every_platform_dir(home: Path) -> None:
    dirs = app_dirs()
    assert (dirs.config, dirs.data, dirs.log) == (home / "config", home / "data", home / "log")
    assert dirs.site_config == home / "site"


def test_every_option_has_a_default_and_a_description() -> None:
    docs = Settings.describe()
    assert set(docs) == {f.name for f in dataclasses.fields(Settings)}
    assert all(docs.values())
    assert Settings().language == "system"


def test_changes_are_saved_and_announced_once(home: Path) -> None:
    settings = SettingsFile()
    changed: list[str] = []
    settings.subscribe(changed.append)
    settings.set("server_url", "https://chat.example.com")
    settings.set("server_url", "https://chat.example.com")
    settings.set("remember_me", True)
    assert changed == ["server_url", "remember_me"]
    saved = json.loads((home / "config" / "settings.json").read_text(encoding="utf-8"))
    assert saved["server_url"] == "https://chat.example.com"
    assert SettingsFile().values.remember_me is True


def test_a_damaged_file_falls_back_to_defaults_per_option(home: Path) -> None:
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(
        json.dumps({"email": "a@b.c", "remember_me": "yes", "language": "klingon", "unknown": 1}),
        encoding="utf-8",
    )
    values = SettingsFile().values
    assert (values.email, values.remember_me, values.language) == ("a@b.c", False, "system")
    (home / "config" / "settings.json").write_text("{not json", encoding="utf-8")
    assert SettingsFile().values == Settings()


def test_the_enforced_policy_wins_and_locks_its_options(home: Path) -> None:
    (home / "site").mkdir(parents=True)
    (home / "site" / "policy.json").write_text(
        json.dumps({"enforced": {"server_url": "https://corp.example"}}), encoding="utf-8"
    )
    settings = SettingsFile()
    settings.set("server_url", "https://elsewhere.example")
    assert settings.values.server_url == "https://corp.example"
    assert "server_url" in settings.locked
    settings.set("email", "a@b.c")
    assert "server_url" not in json.loads((home / "config" / "settings.json").read_text(encoding="utf-8"))


def test_no_secret_is_ever_written_to_the_settings_file(home: Path) -> None:
    names = {f.name for f in dataclasses.fields(Settings)}
    assert not {n for n in names if "password" in n or "token" in n}


@pytest.fixture
def ring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


def test_refresh_tokens_live_in_the_keyring(ring: MemoryKeyring) -> None:
    store = CredentialStore()
    assert store.available()
    assert store.save("https://chat.example.com", "Alice@Example.com", "rt-1")
    assert store.load("https://chat.example.com", "alice@example.com") == "rt-1"
    store.forget("https://chat.example.com", "alice@example.com")
    store.forget("https://chat.example.com", "alice@example.com")
    assert store.load("https://chat.example.com", "alice@example.com") is None


def test_without_a_keyring_backend_nothing_is_remembered_and_nothing_falls_back() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        store = CredentialStore()
        assert not store.available()
        assert store.save("https://chat.example.com", "a@b.c", "rt-1") is False
        assert store.load("https://chat.example.com", "a@b.c") is None
    finally:
        keyring.set_keyring(previous)

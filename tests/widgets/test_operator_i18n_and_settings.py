"""Language choice and loading, and settings changes seen as a Qt signal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from pytestqt.qtbot import QtBot

from operator_app.settings import SettingsFile
from operator_app.store.settings_signals import SettingsSignals
from operator_app.ui.qt_runtime import choose_language, install_translators, remove_translators


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [
        ("system", ["ja-JP", "en-US"], "ja"),
        ("system", ["fr-FR", "en-GB"], "en"),
        ("system", ["de-DE"], "en"),
        ("en", ["ja-JP"], "en"),
        ("ja", ["en-US"], "ja"),
    ],
)
def test_the_language_follows_the_setting_then_the_system(
    setting: str, system: list[str], expected: str
) -> None:
    assert choose_language(setting, system) == expected


@pytest.fixture
def japanese(qapp: QCoreApplication) -> Iterator[str]:
    default = QLocale()
    language = install_translators(qapp, "ja")
    yield language
    remove_translators(qapp)
    QLocale.setDefault(default)


def test_the_japanese_catalogue_is_loaded(japanese: str) -> None:
    assert japanese == "ja"
    assert QCoreApplication.translate("SidePane", "Queue (%1)") == "待機列 (%1)"
    assert QCoreApplication.translate("ErrorText", "Wrong e-mail address or password.") == (
        "メールアドレスまたはパスワードが違います。"
    )
    assert QCoreApplication.translate("DisplayText", "Visitor #%1").replace("%1", "3") == "訪問者 #3"


def test_a_setting_change_is_announced_as_a_qt_signal(qtbot: QtBot) -> None:
    settings = SettingsFile()
    signals = SettingsSignals(settings)
    with qtbot.waitSignal(signals.changed) as changed:
        settings.set("language", "ja")
    assert changed.args == ["language"]
    assert SettingsFile().values.language == "ja"

"""Qt's own messages routed into logging, the translators for the chosen language, and a scroll area's
viewport found without PySide6's type search (`viewport_of`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    Qt,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
LANGUAGES = ("ja", "en")

qt_log = logging.getLogger("qt")
_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
_translators: list[QTranslator] = []


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    qt_log.log(_LEVELS.get(kind, logging.WARNING), "%s", message)


def install_qt_message_handler() -> object:
    """Route qDebug/qWarning/... into the ``qt`` logger; returns the previous handler."""
    return qInstallMessageHandler(_qt_message)


def choose_language(setting: str, ui_languages: list[str] | None = None) -> str:
    """``ja`` or ``en``: the setting when it names one, else the first match in the system's list."""
    if setting in LANGUAGES:
        return setting
    for language in ui_languages if ui_languages is not None else QLocale.system().uiLanguages():
        code = language.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def ui_language() -> Literal["ja", "en"]:
    """The language the app is shown in, ``ja`` or ``en`` (`install_translators` sets the default
    locale to it)."""
    return "ja" if QLocale().language() == QLocale.Language.Japanese else "en"


def remove_translators(app: QCoreApplication) -> None:
    """Back to the untranslated app: the translators go and the default locale is the system's again
    (what reads `QLocale()`, such as an export's language, follows)."""
    for translator in _translators:
        app.removeTranslator(translator)
    _translators.clear()
    QLocale.setDefault(QLocale.system())


def install_translators(app: QCoreApplication, setting: str) -> str:
    """Load the app's and Qt's translations for the chosen language; returns the language."""
    language = choose_language(setting)
    remove_translators(app)
    ours = QTranslator(app)
    if ours.load(str(I18N_DIR / f"operator_app_{language}.qm")):
        app.installTranslator(ours)
        _translators.append(ours)
    else:
        logging.getLogger(__name__).warning("no translation file for %s in %s", language, I18N_DIR)
    qt_path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_translator = QTranslator(app)
    if qt_translator.load(f"qtbase_{language}", qt_path):
        app.installTranslator(qt_translator)
        _translators.append(qt_translator)
    QLocale.setDefault(QLocale(language))
    return language


def viewport_of(area: QAbstractScrollArea) -> QWidget:
    """`area.viewport()`, found as the child Qt names ``qt_scrollarea_viewport``.

    The viewport is made by Qt, not by Python: the first time PySide6 hands out such a widget through
    a method typed `QWidget*`, it searches all its widget classes for the widget's own type, building
    each one's Python class and enums on the way (~9 ms, once per process). Found by name and type,
    it needs no search; later `viewport()` calls return the same object.
    """
    found = area.findChild(QWidget, "qt_scrollarea_viewport", Qt.FindChildOption.FindDirectChildrenOnly)
    return found if found is not None else area.viewport()

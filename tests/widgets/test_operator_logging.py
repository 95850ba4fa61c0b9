"""Errors go somewhere: the rotating log file gets uncaught exceptions, loop errors and Qt messages."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import qInstallMessageHandler, qWarning

from operator_app.logging_setup import LOG_FILE, loop_exception_handler, setup_logging
from operator_app.ui.qt_runtime import install_qt_message_handler


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    handlers, level, hook = list(root.handlers), root.level, sys.excepthook
    path = setup_logging(tmp_path / "log", console_level=logging.CRITICAL)
    yield path
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    sys.excepthook = hook


def test_uncaught_exceptions_and_loop_errors_are_written_to_the_log_file(log_file: Path) -> None:
    assert log_file.name == LOG_FILE
    try:
        raise ValueError("a bug in a slot")
    except ValueError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    try:
        loop_exception_handler(
            loop, {"message": "Task exception was never retrieved", "exception": KeyError("k")}
        )
    finally:
        loop.close()
    text = log_file.read_text(encoding="utf-8")
    assert "uncaught exception" in text
    assert "ValueError: a bug in a slot" in text
    assert "Task exception was never retrieved" in text
    assert "KeyError" in text


def test_qt_messages_are_routed_into_logging(log_file: Path, qapp: object) -> None:
    previous = install_qt_message_handler()
    try:
        qWarning("a warning from Qt")
    finally:
        qInstallMessageHandler(previous)  # type: ignore[arg-type]
    assert "WARNING qt: a warning from Qt" in " ".join(log_file.read_text(encoding="utf-8").split())

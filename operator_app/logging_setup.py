"""Logging to a rotating file in the log dir (and stderr); uncaught errors are routed into it."""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
LOG_FILE = "operator-app.log"

log = logging.getLogger("operator_app")


def setup_logging(log_dir: Path, *, console_level: int = logging.INFO) -> Path:
    """Root logger -> ``operator-app.log`` (1 MiB x 5) and stderr; returns the file's path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger()
    root.setLevel(min(logging.INFO, console_level))
    formatter = logging.Formatter(LOG_FORMAT)
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1024 * 1024, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(formatter)
    file_handler.setLevel(logging.DEBUG)
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(formatter)
    console.setLevel(console_level)
    root.addHandler(file_handler)
    root.addHandler(console)
    # Frame logs of websockets would contain tokens; httpx logs every request at INFO.
    logging.getLogger("websockets").setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    sys.excepthook = log_uncaught
    return path


def log_uncaught(exc_type: type[BaseException], exc: BaseException, traceback: TracebackType | None) -> None:
    """`sys.excepthook`: an exception nobody caught (a Qt slot, a callback) goes to the log."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, traceback)
        return
    log.critical("uncaught exception", exc_info=(exc_type, exc, traceback))


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The asyncio loop's handler: unretrieved task errors and callback failures go to the log."""
    error = context.get("exception")
    message = context.get("message", "error in the event loop")
    if isinstance(error, BaseException):
        log.error("%s", message, exc_info=(type(error), error, error.__traceback__))
    else:
        log.error("%s: %s", message, context)

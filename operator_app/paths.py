"""Where the app keeps its files: platformdirs, or everything under ``$OPERATOR_APP_HOME`` when set."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "operator-app"
HOME_ENV = "OPERATOR_APP_HOME"


@dataclass(frozen=True)
class AppDirs:
    """The user's config, data and log folders (created on demand by their users), and the machine's
    site config folder, where an admin's ``policy.json`` lives (read only)."""

    config: Path
    data: Path
    log: Path
    site_config: Path


def app_dirs() -> AppDirs:
    """The folders to use now; ``OPERATOR_APP_HOME`` (tests, the demo) replaces every platform dir."""
    home = os.environ.get(HOME_ENV)
    if home:
        base = Path(home)
        return AppDirs(base / "config", base / "data", base / "log", base / "site")
    return AppDirs(
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        log=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        site_config=Path(platformdirs.site_config_dir(APP_NAME, appauthor=False)),
    )

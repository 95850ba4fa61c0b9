"""``operator-app``: the command line (the app itself runs in `operator_app.launcher.run_app`).

``--server URL`` prefills the login dialog; with ``--email`` and the password in the environment
variable ``OPERATOR_APP_PASSWORD`` the app signs in without showing it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from operator_app import __version__
from operator_app.launcher import run_app

PASSWORD_ENV = "OPERATOR_APP_PASSWORD"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="operator-app", description="Live-chat operator desktop app.")
    parser.add_argument("--server", metavar="URL", help="chat server address (prefills the login dialog)")
    parser.add_argument(
        "--email", metavar="E", help=f"sign in automatically as E, with the password in ${PASSWORD_ENV}"
    )
    parser.add_argument("--demo", action="store_true", help="start the embedded demo server and sign in")
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"], help="console log level"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.demo:
        from operator_app.demo import main as demo_main

        return demo_main()
    password = os.environ.get(PASSWORD_ENV) if args.email else None
    return run_app(args.server, args.email, password, log_level=args.log_level)


if __name__ == "__main__":
    sys.exit(main())

"""The start-up floor: a bare PySide6 + qasync window, launched the way `app_startup` launches the app.

    python -m benchmarks.startup_floor LOG_FILE

Imports PySide6 and qasync, creates the QApplication, shows an empty QMainWindow from inside the
qasync loop and writes `MARKER` to LOG_FILE when the window's first show event arrives (the app logs
its own marker from the same event), then waits to be terminated. Nothing else is imported first.
"""

from __future__ import annotations

import sys

MARKER = "bare window shown"


def main() -> int:
    log_file = sys.argv[1]
    import asyncio

    import qasync
    from PySide6.QtGui import QShowEvent
    from PySide6.QtWidgets import QApplication, QMainWindow

    class Window(QMainWindow):
        def showEvent(self, event: QShowEvent) -> None:
            super().showEvent(event)
            with open(log_file, "a", encoding="utf-8") as log:
                log.write(MARKER + "\n")

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)

    async def run() -> int:
        window = Window()
        window.setWindowTitle("floor")
        window.resize(1000, 700)
        window.show()
        await asyncio.Event().wait()  # until terminated
        return 0

    return int(qasync.run(run()))


if __name__ == "__main__":
    sys.exit(main())

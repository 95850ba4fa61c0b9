"""The start-up floor: a bare PySide6 + qasync window, launched the way `app_startup` launches the app.

    python -m benchmarks.startup_floor LOG_FILE

Imports PySide6 and qasync, creates the QApplication, shows an empty QMainWindow from inside the
qasync loop and writes `MARKER` to LOG_FILE when the window's first show event arrives (the app logs
its own marker from the same event), and `DRAWN` after its first frame, then waits to be terminated.
Nothing else is imported first.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

MARKER = "bare window shown"
DRAWN = "bare window drawn"  # its first frame


def main() -> int:
    log_file = sys.argv[1]
    import asyncio

    import qasync
    from PySide6.QtGui import QShowEvent
    from PySide6.QtWidgets import QApplication, QMainWindow

    class Window(QMainWindow):
        drawn = False

        def showEvent(self, event: QShowEvent) -> None:
            super().showEvent(event)
            with open(log_file, "a", encoding="utf-8") as log:
                log.write(MARKER + "\n")

        def paintEvent(self, event: QPaintEvent) -> None:
            super().paintEvent(event)
            if not self.drawn:  # noted after this frame, as the app notes its own
                from PySide6.QtCore import QTimer

                self.drawn = True
                QTimer.singleShot(0, self, self.note_drawn)

        def note_drawn(self) -> None:
            with open(log_file, "a", encoding="utf-8") as log:
                log.write(DRAWN + "\n")

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

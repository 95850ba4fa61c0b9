"""No cyclic garbage collection while the app starts: `pause` before the imports, `resume` once a window shows.

Starting allocates hundreds of thousands of objects that all stay alive (modules, classes, protocol
models, widgets); the collector would walk them again and again (a full pass, several young ones) for
almost nothing to free, tens of milliseconds before the first window. Reference counting still frees
everything else at once. `resume` runs when the first window (main window or login dialog) is shown,
and at the latest after `LONGEST_PAUSE` seconds whatever happens (`pause`'s caller arms it).
"""

from __future__ import annotations

import gc

# The longest start-up without collection, seconds: a sign-in waiting on a slow network ends it.
LONGEST_PAUSE = 10.0

_paused = False


def pause() -> None:
    """Stop automatic collection, if it runs (an embedding program may have turned it off itself)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Collection as before `pause`; does nothing when `pause` did not stop it, or when called again."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()


def paused() -> bool:
    return _paused

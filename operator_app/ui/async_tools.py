"""The pattern for user actions: ``@asyncSlot()`` over ``@reports_errors`` over a service call.

No nested event loops: dialogs are shown with ``show()`` and awaited through `finished_future`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, Protocol, TypeVar, cast, overload

from PySide6.QtWidgets import QDialog, QWidget
from qasync import asyncSlot

from operator_app.ui.error_text import describe_error, is_expected

log = logging.getLogger(__name__)

R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


def async_slot(*types: type) -> Callable[[F], F]:
    """`qasync.asyncSlot` with a type mypy can follow (qasync ships no hints)."""
    return cast(Callable[[F], F], asyncSlot(*types))


class ShowsErrors(Protocol):
    def show_error(self, text: str) -> None: ...


@overload
def reports_errors(fn: Callable[..., Awaitable[R]], /) -> Callable[..., Coroutine[Any, Any, R | None]]: ...


@overload
def reports_errors(
    *, on_error: str
) -> Callable[[Callable[..., Awaitable[R]]], Callable[..., Coroutine[Any, Any, R | None]]]: ...


def reports_errors(fn: Callable[..., Awaitable[R]] | None = None, /, *, on_error: str | None = None) -> Any:
    """Catch a failed action of a `ShowsErrors` object: log it, tell the user in one sentence.

    ``@reports_errors(on_error="show_refusal")``: the object's ``show_refusal(exc)`` tells the user
    instead, its own way (the server's reason next to the field, a page's failed state)."""
    if fn is None:
        return functools.partial(reports_errors, on_error=on_error)

    @functools.wraps(fn)
    async def wrapper(self: ShowsErrors, *args: Any, **kwargs: Any) -> R | None:
        try:
            return await fn(self, *args, **kwargs)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if is_expected(exc):
                log.warning("%s failed: %r", fn.__qualname__, exc)
            else:
                log.exception("%s failed", fn.__qualname__)
            if on_error is None:
                self.show_error(describe_error(exc))
            else:
                getattr(self, on_error)(exc)
            return None

    return wrapper


@contextlib.contextmanager
def disabled(*widgets: QWidget) -> Iterator[None]:
    """Disable controls while an action runs; always re-enabled."""
    for widget in widgets:
        widget.setEnabled(False)
    try:
        yield
    finally:
        for widget in widgets:
            widget.setEnabled(True)


def finished_future(dialog: QDialog) -> asyncio.Future[int]:
    """A future resolved with the dialog's result when it finishes (instead of ``exec()``)."""
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def done(result: int) -> None:
        if not future.done():
            future.set_result(result)

    dialog.finished.connect(done)
    return future

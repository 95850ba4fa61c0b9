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


Action = Callable[..., Awaitable[R]]
Reported = Callable[..., Coroutine[Any, Any, R | None]]


@overload
def reports_errors(fn: Action[R], /) -> Reported[R]: ...


@overload
def reports_errors(
    *,
    describe: Callable[[BaseException], str] = ...,
    on_error: str | None = ...,
) -> Callable[[Action[R]], Reported[R]]: ...


def reports_errors(
    fn: Action[R] | None = None,
    /,
    *,
    describe: Callable[[BaseException], str] = describe_error,
    on_error: str | None = None,
) -> Reported[R] | Callable[[Action[R]], Reported[R]]:
    """Catch a failed action of a `ShowsErrors` object: log it, tell the user in one sentence.

    ``@reports_errors(describe=...)``: another sentence for the failure than `describe_error`'s.
    ``@reports_errors(on_error="show_refusal")``: the object's ``show_refusal(exc)`` tells the user
    instead, its own way (the server's reason next to the field, a page's failed state).
    """

    def decorate(action: Action[R]) -> Reported[R]:
        @functools.wraps(action)
        async def wrapper(self: ShowsErrors, *args: Any, **kwargs: Any) -> R | None:
            try:
                return await action(self, *args, **kwargs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_expected(exc):
                    log.warning("%s failed: %r", action.__qualname__, exc)
                else:
                    log.exception("%s failed", action.__qualname__)
                if on_error is not None:
                    getattr(self, on_error)(exc)
                else:
                    self.show_error(describe(exc))
                return None

        return wrapper

    return decorate if fn is None else decorate(fn)


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

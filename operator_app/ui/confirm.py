"""Asking before a consequential step: ``if await confirm(parent, title, text, ok_label): ...``.

The question is a modal `ConfirmDialog` opened with ``show()`` and awaited through `finished_future`
(never ``exec()`` or a static `QMessageBox` helper). Objects inside it: ``confirmText``,
``actionButton`` (says `ok_label`), ``actionError`` and a Cancel button; Esc cancels.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtWidgets import QDialogButtonBox, QWidget

from operator_app.ui.admin.action_dialog import ActionDialog, plain_label
from operator_app.ui.async_tools import finished_future


class ConfirmDialog(ActionDialog):
    """A question with the consequences spelled out. With an `action`, OK runs it and a refusal stays
    in the dialog (``actionError``); without one, OK just accepts."""

    def __init__(self, title: str, text: str, action_text: str, parent: QWidget | None = None) -> None:
        super().__init__(title, action_text, parent)
        self.text = plain_label(text, self, "confirmText")
        self.body.addWidget(self.text)
        self.resize(440, 160)

    def make_cancel_default(self) -> None:
        """Enter answers Cancel (for a question whose safe answer is no)."""
        self.action_button.setDefault(False)
        self.action_button.setAutoDefault(False)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(True)
        cancel.setDefault(True)
        cancel.setFocus()


async def confirm(
    parent: QWidget,
    title: str,
    text: str,
    ok_label: str,
    *,
    name: str = "",
    action: Callable[[], Awaitable[object]] | None = None,
    default_to_cancel: bool = False,
) -> bool:
    """True when the user confirmed (and `action`, if given, succeeded); False when cancelled.

    `name` is the dialog's objectName; `action` runs inside the dialog so that a refusal is shown where
    the question was asked; `default_to_cancel` makes Enter answer Cancel.
    """
    dialog = ConfirmDialog(title, text, ok_label, parent)
    if name:
        dialog.setObjectName(name)
    dialog.action = action
    if default_to_cancel:
        dialog.make_cancel_default()
    done = finished_future(dialog)
    dialog.show()
    result = await done
    dialog.deleteLater()
    return result == ConfirmDialog.DialogCode.Accepted.value

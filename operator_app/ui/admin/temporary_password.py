"""The one-time display of a temporary password, and the plain-text label the admin pages use.

Objects: ``temporaryPasswordDialog``, ``temporaryPasswordText``, ``temporaryPassword``,
``copyPasswordButton``, ``temporaryPasswordCopied``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def plain_label(text: str, parent: QWidget, name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class TemporaryPasswordDialog(QDialog):
    """``temporaryPasswordDialog``: shows a temporary password once, with a Copy button."""

    def __init__(self, name: str, password: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("temporaryPasswordDialog")
        self.setWindowTitle(self.tr("Temporary password"))
        intro = plain_label(
            self.tr(
                "The temporary password of %1 is shown only now. Pass it on securely (in person or by "
                "phone, not in the same e-mail as the address). They must choose their own password "
                "when they sign in."
            ).replace("%1", name),
            self,
            "temporaryPasswordText",
        )
        self.password = QLineEdit(password, self)
        self.password.setObjectName("temporaryPassword")
        self.password.setReadOnly(True)
        self.password.selectAll()
        self.copy_button = QPushButton(self.tr("&Copy"), self)
        self.copy_button.setObjectName("copyPasswordButton")
        self.copy_button.clicked.connect(self.copy)
        self.copied = plain_label("", self, "temporaryPasswordCopied")
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.copy_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.copied)
        layout.addWidget(buttons)
        self.resize(460, 180)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.password.text())
        self.copied.setText(self.tr("Copied to the clipboard."))

"""The settings dialog's Network group: the HTTP(S) proxy and extra certificate authorities.

A value is saved when the field is left (or Enter is pressed) and only when it is valid; an invalid
one is explained under the field and not saved. Options an admin policy enforces are shown disabled.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from operator_app.settings import SettingsFile, check
from operator_app.ui.policy_lock import mark_locked

ERROR_QSS = "color: #b91c1c;"
HINT_QSS = "color: #6b7280;"


class NetworkSettings(QGroupBox):
    """Objects: ``proxyUrlEdit``, ``proxyUrlError``, ``caBundleEdit``, ``caBundleBrowse``,
    ``caBundleError``; ``<name>LockNote`` beside a locked field."""

    def __init__(self, settings: SettingsFile, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Network"), parent)
        self.setObjectName("networkSettings")
        self.settings = settings
        self.file_dialog: QFileDialog | None = None
        form = QFormLayout(self)

        self.proxy = QLineEdit(settings.values.proxy_url, self)
        self.proxy.setObjectName("proxyUrlEdit")
        self.proxy.setPlaceholderText(self.tr("System settings"))
        self.proxy.editingFinished.connect(self._proxy_finished)
        self.proxy_error = self._message("proxyUrlError", ERROR_QSS)
        proxy_label = QLabel(self.tr("&Proxy:"), self)
        proxy_label.setBuddy(self.proxy)
        form.addRow(proxy_label, self._row("proxy_url", self.proxy))
        form.addRow("", self.proxy_error)
        hint = self._message("proxyUrlHint", HINT_QSS)
        hint.setText(
            self.tr(
                "Empty: the system's proxy settings. none: no proxy. Or an address such as http://user:password@proxy.example.com:3128"
            )
        )
        hint.setVisible(True)
        form.addRow("", hint)

        self.ca_bundle = QLineEdit(settings.values.ca_bundle, self)
        self.ca_bundle.setObjectName("caBundleEdit")
        self.ca_bundle.setPlaceholderText(self.tr("Only the system's certificate authorities"))
        self.ca_bundle.editingFinished.connect(self._ca_bundle_finished)
        self.browse = QPushButton(self.tr("&Browse\u2026"), self)
        self.browse.setObjectName("caBundleBrowse")
        self.browse.clicked.connect(self._browse)
        self.ca_bundle_error = self._message("caBundleError", ERROR_QSS)
        ca_label = QLabel(self.tr("Extra &certificates:"), self)
        ca_label.setBuddy(self.ca_bundle)
        form.addRow(ca_label, self._row("ca_bundle", self.ca_bundle, self.browse))
        form.addRow("", self.ca_bundle_error)
        note = self._message("networkNote", HINT_QSS)
        note.setText(self.tr("Used from the next sign-in."))
        note.setVisible(True)
        form.addRow("", note)

    def _message(self, name: str, style: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setStyleSheet(style)
        label.setVisible(False)
        return label

    def _row(self, option: str, edit: QLineEdit, *extra: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(edit, 1)
        for widget in extra:
            row.addWidget(widget)
        note = mark_locked(edit, option in self.settings.locked)
        if note is not None:
            for widget in extra:
                widget.setEnabled(False)
            row.addWidget(note)
        return row

    def commit(self) -> None:
        """Save what the unlocked fields hold (when valid), as leaving them does."""
        if "proxy_url" not in self.settings.locked:
            self._proxy_finished()
        if "ca_bundle" not in self.settings.locked:
            self._ca_bundle_finished()

    def _proxy_finished(self) -> None:
        value = self.proxy.text().strip()
        if check("proxy_url", value) is not None:
            self._show(
                self.proxy_error,
                self.tr("Enter none, or an address that starts with http:// or https:// and names a host."),
            )
            return
        self._show(self.proxy_error, "")
        self.settings.set("proxy_url", value)

    def _ca_bundle_finished(self) -> None:
        value = self.ca_bundle.text().strip()
        value = str(Path(value).expanduser()) if value else ""
        if value and not Path(value).is_file():
            self._show(self.ca_bundle_error, self.tr("There is no file %1.").replace("%1", value))
            return
        if value and check("ca_bundle", value) is not None:
            self._show(self.ca_bundle_error, self.tr("This file name cannot be used."))
            return
        self._show(self.ca_bundle_error, "")
        self.settings.set("ca_bundle", value)

    def _browse(self) -> None:
        """A file dialog opened with ``open()`` (no nested event loop)."""
        dialog = QFileDialog(self, self.tr("Certificate authorities (PEM)"))
        dialog.setObjectName("caBundleDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([self.tr("PEM certificates (*.pem *.crt *.cer)"), self.tr("All files (*)")])
        dialog.fileSelected.connect(self._file_chosen)
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        dialog.open()

    def _file_chosen(self, path: str) -> None:
        self.ca_bundle.setText(path)
        self._ca_bundle_finished()

    def _show(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

"""Admin page: files in chats (`/settings/attachments`): whether visitors and agents may send files, the
largest file (in MB) and the kinds allowed.

Objects: ``adminFilesPage``, ``filesEnabled``, ``filesMaxMb`` (1..50), ``filesKind_images``,
``filesKind_pdf``, ``filesKind_text``, ``filesKind_office``, ``filesSave``, ``filesRevert`` (back to
what was loaded) and ``filesMessage``. Files on while no kind is ticked is refused inline.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.attachments import (
    ALL_CATEGORIES,
    MAX_UPLOAD_BYTES_CEILING,
    AttachmentSettings,
    FileCategory,
)
from operator_app.store.admin_service import AdminService
from operator_app.ui.admin.message_label import MessageLabel
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.refusal import refusal_text

MB = 1024 * 1024


def megabytes(size: int) -> int:
    """A size limit in whole MB for the spin box (at least 1)."""
    return max(1, round(size / MB))


class FilesPage(AdminPage):
    """Files on or off, the largest file, the kinds allowed."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.setObjectName("adminFilesPage")
        self.loaded = AttachmentSettings()

        self.enabled = QCheckBox(self.tr("Visitors and agents may send &files in chats"), self)
        self.enabled.setObjectName("filesEnabled")
        self.max_mb = QSpinBox(self)
        self.max_mb.setObjectName("filesMaxMb")
        self.max_mb.setRange(1, MAX_UPLOAD_BYTES_CEILING // MB)
        self.max_mb.setSuffix(" MB")  # a unit symbol, the same in every language
        names = {
            "images": self.tr("Images (PNG, JPEG, GIF, WebP)"),
            "pdf": self.tr("PDF documents"),
            "text": self.tr("Text files (plain text, CSV)"),
            "office": self.tr("Office documents (Word, Excel, PowerPoint, OpenDocument)"),
        }
        self.kinds: dict[FileCategory, QCheckBox] = {}
        kinds = QVBoxLayout()
        for category in ALL_CATEGORIES:
            box = QCheckBox(names[category], self)
            box.setObjectName(f"filesKind_{category}")
            self.kinds[category] = box
            kinds.addWidget(box)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.enabled)
        form.addRow(self.tr("&Largest file"), self.max_mb)
        form.addRow(self.tr("Kinds allowed"), kinds)
        self.enabled.toggled.connect(self._enable_limits)
        hint = QLabel(
            self.tr(
                "The file's kind is found from its content, not its name. Images are re-encoded without"
                " their metadata (such as a photo's location). Office documents with macros are refused."
            ),
            self,
        )
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #6b7280;")

        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setObjectName("filesSave")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(self.tr("&Revert"), self)
        self.revert_button.setObjectName("filesRevert")
        self.revert_button.setToolTip(self.tr("Show the saved settings again"))
        self.revert_button.clicked.connect(self.revert)
        self.message = MessageLabel("filesMessage", self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addStretch(0)  # the buttons stay together on the right, a message or not
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addStretch(1)
        layout.addLayout(bottom)
        self.show_settings(self.loaded)

    def title(self) -> str:
        return self.tr("Files")

    @reports_errors(on_error="show_failed")
    async def reload(self) -> None:
        self.show_loading()
        with disabled(self.save_button, self.revert_button):
            settings = await self.service.attachment_settings()
        self.show_ready()
        self.show_settings(settings)

    def show_settings(self, settings: AttachmentSettings) -> None:
        self.loaded = settings
        self.enabled.setChecked(settings.enabled)
        self.max_mb.setValue(megabytes(settings.max_bytes))
        for category, box in self.kinds.items():
            box.setChecked(category in settings.allowed)
        self._enable_limits(settings.enabled)

    def _enable_limits(self, on: bool) -> None:
        self.max_mb.setEnabled(on)
        for box in self.kinds.values():
            box.setEnabled(on)

    def revert(self) -> None:
        self.show_settings(self.loaded)
        self.message.clear_message()

    def form_settings(self) -> AttachmentSettings | None:
        """The form as settings, or None with the reason shown inline. An unchanged size keeps the
        saved byte count (one that is not a whole number of MB stays as it is)."""
        allowed = [category for category, box in self.kinds.items() if box.isChecked()]
        if self.enabled.isChecked() and not allowed:
            self.message.error(self.tr("Tick at least one kind of file, or do not allow files."))
            self.kinds["images"].setFocus()
            return None
        mb = self.max_mb.value()
        size = self.loaded.max_bytes if mb == megabytes(self.loaded.max_bytes) else mb * MB
        return AttachmentSettings(enabled=self.enabled.isChecked(), max_bytes=size, allowed=allowed)

    def show_refusal(self, error: BaseException) -> None:
        self.message.error(refusal_text(error))

    @async_slot()
    @reports_errors(on_error="show_refusal")
    async def save(self) -> bool:
        settings = self.form_settings()
        if settings is None:
            return False
        with disabled(self.save_button, self.revert_button):
            saved = await self.service.save_attachment_settings(settings)
        self.show_settings(saved)
        self.message.notice(self.tr("File settings saved."))
        self.changed.emit()
        return True

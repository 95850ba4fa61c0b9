"""Send the visitor of a chat to a page of the site (``pagePushDialog``).

The backend accepts only pages on the site's own origins and says so (`page_not_allowed`); the dialog
checks the obvious first (an absolute http(s) address without credentials) so a typo is caught at once.
The visitor is asked in the widget; their answer appears in the transcript.
"""

from __future__ import annotations

import logging
import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chat_protocol import ErrorCode
from chat_protocol.traffic import origin_of
from operator_app.errors import RealtimeError
from operator_app.store.chat_session import ChatSession
from operator_app.store.display_text import escaped_tooltip
from operator_app.ui.async_tools import async_slot, disabled, reports_errors

log = logging.getLogger(__name__)


class PagePushDialog(QDialog):
    """Objects: ``pagePushUrl``, ``pagePushError``, ``pagePushSubmit``."""

    def __init__(
        self,
        session: ChatSession,
        chat_id: str,
        visitor: str,
        suggestion: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pagePushDialog")
        self.setWindowTitle(self.tr("Send a page"))
        self.session = session
        self.chat_id = chat_id
        self._client_id = str(uuid.uuid4())

        heading = QLabel(
            self.tr("Show %1 a page of your site. They are asked before it opens.").replace("%1", visitor),
            self,
        )
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        self.url = QLineEdit(self)
        self.url.setObjectName("pagePushUrl")
        self.url.setPlaceholderText("https://")
        self.url.setText(suggestion)
        self.url.setAccessibleName(self.tr("Page address"))
        self.url.setMinimumWidth(420)
        self.error = QLabel(self)
        self.error.setObjectName("pagePushError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(self)
        self.submit_button = QPushButton(self.tr("Send page"), self)
        self.submit_button.setObjectName("pagePushSubmit")
        self.submit_button.setDefault(True)
        buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.url.textEdited.connect(self._edited)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.url)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setStyleSheet("color: #b42318;")
        self.error.show()

    def _edited(self, _text: str) -> None:
        self.error.hide()
        self._client_id = str(uuid.uuid4())  # another address is another request

    @async_slot()
    @reports_errors
    async def submit(self) -> None:
        url = self.url.text().strip()
        if origin_of(url) is None:
            self.show_error(self.tr("Enter a full address starting with https:// or http://."))
            return
        with disabled(self.submit_button, self.url):
            try:
                await self.session.push_page(self.chat_id, self._client_id, url)
            except RealtimeError as exc:
                self._client_id = str(uuid.uuid4())  # refused: a new attempt is a new request
                if exc.code != ErrorCode.PAGE_NOT_ALLOWED:
                    raise
                log.warning("page push refused: %r", exc)
                self.error.setToolTip(escaped_tooltip(exc.message))
                refusal = self.tr(
                    "This address is not on your site, so it cannot be sent. Only pages of the site's "
                    "own addresses can be shown to the visitor."
                )
                self.show_error(refusal)
                return
        self.accept()

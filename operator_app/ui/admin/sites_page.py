"""The sites tab (``adminSitesPage``): the websites that embed the widget, and the origins (addresses)
the widget and page push accept for each.

Objects: ``sitesList``, ``newSiteButton``, ``siteName``, ``siteOrigins`` (one origin a line),
``saveSiteButton``, ``siteSnippet`` (read-only), ``copySnippetButton``, ``sitesMessage``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.admin import SiteInfo, SiteInput
from operator_app.store.admin_service import AdminService
from operator_app.store.choice_list_model import ChoiceListModel
from operator_app.ui.admin.action_dialog import plain_label
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.admin.refusal import refusal_text
from operator_app.ui.async_tools import async_slot, disabled
from operator_app.ui.error_text import is_expected

log = logging.getLogger(__name__)
MAX_ORIGINS = 50


class SitesPage(AdminPage):
    """`editing` is the site shown in the form (None: a new one)."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.setObjectName("adminSitesPage")
        self.sites: list[SiteInfo] = []
        self.editing: SiteInfo | None = None

        self.site_choices = ChoiceListModel(parent=self)
        self.list = QListView(self)
        self.list.setObjectName("sitesList")
        self.list.setModel(self.site_choices)
        self.list.selectionModel().currentRowChanged.connect(self._current_changed)
        self.new_button = QPushButton(self.tr("&New site"), self)
        self.new_button.setObjectName("newSiteButton")
        self.new_button.clicked.connect(self.new_site)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.new_button)
        left_buttons.addStretch(1)
        left_layout.addLayout(left_buttons)

        self.name = QLineEdit(self)
        self.name.setObjectName("siteName")
        self.name.setMaxLength(200)
        self.origins = QPlainTextEdit(self)
        self.origins.setObjectName("siteOrigins")
        self.origins.setTabChangesFocus(True)
        self.origins.setPlaceholderText("https://www.example.com\nhttps://shop.example.com")
        origins_help = plain_label(
            self.tr(
                "One address a line, like https://www.example.com (scheme, host and port only). "
                "The chat widget and page push work only on these."
            ),
            self,
        )
        origins_help.setStyleSheet("color: #6b7280;")
        self.save_button = QPushButton(self.tr("&Save site"), self)
        self.save_button.setObjectName("saveSiteButton")
        self.save_button.clicked.connect(self.save_site)
        self.message = plain_label("", self, "sitesMessage")
        self.snippet = QPlainTextEdit(self)
        self.snippet.setObjectName("siteSnippet")
        self.snippet.setReadOnly(True)
        self.snippet.setMaximumHeight(90)
        self.snippet.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_button = QPushButton(self.tr("&Copy"), self)
        self.copy_button.setObjectName("copySnippetButton")
        self.copy_button.clicked.connect(self.copy_snippet)
        snippet_row = QHBoxLayout()
        snippet_row.addWidget(self.snippet, 1)
        snippet_row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)

        right = QWidget(self)
        form = QFormLayout(right)
        form.setContentsMargins(8, 0, 0, 0)
        form.addRow(self.tr("&Name"), self.name)
        form.addRow(self.tr("&Allowed origins"), self.origins)
        form.addRow("", origins_help)
        save_row = QHBoxLayout()
        save_row.addWidget(self.message, 1)
        save_row.addWidget(self.save_button)
        form.addRow(save_row)
        form.addRow(self.tr("Embed code"), snippet_row)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([260, 580])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.state_label)
        self._edit(None)

    def title(self) -> str:
        return self.tr("Sites")

    # --- loading --------------------------------------------------------------------------------

    async def reload(self) -> None:
        self.show_loading()
        try:
            sites = await self.service.call(self.service.api.sites)
        except Exception as exc:
            self.show_failed(exc)
            return
        self._show(sites, self.editing.site_id if self.editing else None)

    def _show(self, sites: list[SiteInfo], select: str | None) -> None:
        self.sites = sorted(sites, key=lambda s: s.name.casefold())
        # Emits no current-row change: a reset clears the current row silently, set again below.
        self.site_choices.set_entries([(s.site_id, s.name) for s in self.sites])
        if self.sites:
            self.show_ready()
        else:
            self.show_empty(self.tr("No sites yet. Add the website that embeds the chat widget."))
        chosen = next((s for s in self.sites if s.site_id == select), None)
        if chosen is None and self.sites and select is None and self.editing is None:
            chosen = self.sites[0]
        self._set_current_row(self.sites.index(chosen) if chosen is not None else -1)
        self._edit(chosen)

    def select_site(self, site_id: str) -> bool:
        row = self.site_choices.row_of(site_id)
        if row >= 0:
            self._set_current_row(row)
        return row >= 0

    def _set_current_row(self, row: int) -> None:
        """Make `row` current and selected; -1 (an invalid index) clears both."""
        self.list.setCurrentIndex(self.site_choices.index(row))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.row()
        if 0 <= row < len(self.sites):
            self._edit(self.sites[row])

    def _edit(self, site: SiteInfo | None) -> None:
        self.editing = site
        self.name.setText(site.name if site else "")
        self.origins.setPlainText("\n".join(site.origins) if site else "")
        self.snippet.setPlainText(
            site.embed_snippet if site else self.tr("Save the site to get its embed code.")
        )
        self.copy_button.setEnabled(site is not None)
        self.save_button.setText(self.tr("&Save site") if site else self.tr("&Create site"))

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #b91c1c;")
        self.message.setText(text)

    def _notice(self, text: str) -> None:
        self.message.setStyleSheet("color: #166534;")
        self.message.setText(text)

    # --- actions --------------------------------------------------------------------------------

    def new_site(self) -> None:
        self.list.clearSelection()
        self._set_current_row(-1)
        self._edit(None)
        self.message.clear()
        self.name.setFocus()

    def copy_snippet(self) -> None:
        if self.editing is not None:
            QGuiApplication.clipboard().setText(self.editing.embed_snippet)
            self._notice(self.tr("The embed code is on the clipboard."))

    def origin_lines(self) -> list[str]:
        lines = (line.strip() for line in self.origins.toPlainText().splitlines())
        return list(dict.fromkeys(line for line in lines if line))

    @async_slot()
    async def save_site(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.show_error(self.tr("Enter the site's name."))
            self.name.setFocus()
            return
        origins = self.origin_lines()
        if len(origins) > MAX_ORIGINS:
            self.show_error(self.tr("At most %1 origins per site.").replace("%1", str(MAX_ORIGINS)))
            return
        body = SiteInput(name=name, origins=origins)
        editing = self.editing
        try:
            with disabled(self.save_button, self.new_button):
                if editing is None:
                    saved = await self.service.call(self.service.api.create_site, body)
                else:
                    saved = await self.service.call(self.service.api.update_site, editing.site_id, body)
        except Exception as exc:
            if is_expected(exc):
                log.warning("site save refused: %r", exc)
            else:
                log.exception("site save failed")
            self.show_error(refusal_text(exc))
            return
        self._show([s for s in self.sites if s.site_id != saved.site_id] + [saved], saved.site_id)
        self._notice(self.tr("Saved."))
        self.changed.emit()

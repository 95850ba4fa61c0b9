"""The sites tab (``adminSitesPage``): the websites that embed the widget, and the origins (addresses)
the widget and page push accept for each.

Objects: ``sitesList``, ``newSiteButton``, ``siteName``, ``siteOrigins`` (one origin a line),
``siteTicketGroup`` (the group the site's offline-form tickets go to), ``saveSiteButton``, ``siteSnippet`` (read-only), ``copySnippetButton``, ``sitesMessage``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.admin import SiteInfo, SiteInput
from chat_protocol.rest import GroupInfo
from operator_app.store.admin_service import AdminService
from operator_app.store.choice_list_model import ChoiceListModel
from operator_app.ui.admin.master_detail import MasterDetailPage
from operator_app.ui.admin.temporary_password import plain_label

MAX_ORIGINS = 50


class SitesPage(MasterDetailPage[SiteInfo, SiteInput]):
    """`sites` as listed (by name); no deletion (chats and visitors keep their site)."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, "sitesMessage", parent)
        self.setObjectName("adminSitesPage")
        self.sites: list[SiteInfo] = []
        self.groups: list[GroupInfo] = []

        self.site_choices = ChoiceListModel(parent=self)
        self.view = self.list = QListView(self)
        self.list.setObjectName("sitesList")
        self.list.setModel(self.site_choices)
        self.follow_current_row()
        self.new_button = self.button("newSiteButton", self.tr("&New site"), self.new_item)

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
        self.ticket_group = QComboBox(self)
        self.ticket_group.setObjectName("siteTicketGroup")
        self.ticket_group.setToolTip(
            self.tr("Tickets left through this site's offline form go to this group.")
        )
        self.save_button = self.button("saveSiteButton", self.tr("&Save site"), self.save)
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
        form.addRow(self.tr("&Tickets go to"), self.ticket_group)
        form.addRow(self.save_row())
        form.addRow(self.tr("Embed code"), snippet_row)

        layout = QVBoxLayout(self)
        layout.addWidget(self.split(self.master_pane(), right, [260, 580]), 1)
        layout.addWidget(self.state_label)
        self.edit(None)

    def title(self) -> str:
        return self.tr("Sites")

    # --- the items ------------------------------------------------------------------------------

    def item_id(self, item: SiteInfo) -> str:
        return item.site_id

    def item_at(self, row: int) -> SiteInfo | None:
        return self.sites[row] if 0 <= row < len(self.sites) else None

    def row_of(self, item_id: str) -> int:
        return self.site_choices.row_of(item_id)

    def select_site(self, site_id: str) -> bool:
        return self.select(site_id)

    async def fetch(self) -> list[SiteInfo]:
        self.groups = sorted(await self.service.list_groups(), key=lambda g: g.name.casefold())
        return await self.service.list_sites()

    def _fill_groups(self, chosen: str | None) -> None:
        self.ticket_group.clear()
        self.ticket_group.addItem(self.tr("No group (every agent)"), None)
        for group in self.groups:
            self.ticket_group.addItem(group.name, group.group_id)
        index = self.ticket_group.findData(chosen) if chosen else 0
        self.ticket_group.setCurrentIndex(max(index, 0))

    def show_items(self, items: list[SiteInfo]) -> None:
        self._show(items, self.editing.site_id if self.editing else None)

    def _show(self, sites: list[SiteInfo], select: str | None) -> None:
        self.sites = sorted(sites, key=lambda s: s.name.casefold())
        # Emits no current-row change: a reset clears the current row silently, set again below.
        self.site_choices.set_entries([(s.site_id, s.name) for s in self.sites])
        self.update_state()
        chosen = next((s for s in self.sites if s.site_id == select), None)
        if chosen is None and self.sites and select is None and self.editing is None:
            chosen = self.sites[0]
        self.set_current_row(self.sites.index(chosen) if chosen is not None else -1)
        self.edit(chosen)

    def empty_text(self) -> str:
        return self.tr("No sites yet. Add the website that embeds the chat widget.")

    # --- the form -------------------------------------------------------------------------------

    def fill_form(self, item: SiteInfo | None) -> None:
        self.name.setText(item.name if item else "")
        self.origins.setPlainText("\n".join(item.origins) if item else "")
        self._fill_groups(item.default_group_id if item else None)
        self.snippet.setPlainText(
            item.embed_snippet if item else self.tr("Save the site to get its embed code.")
        )
        self.copy_button.setEnabled(item is not None)
        self.save_button.setText(self.tr("&Save site") if item else self.tr("&Create site"))

    def first_field(self) -> QWidget:
        return self.name

    def copy_snippet(self) -> None:
        if self.editing is not None:
            QGuiApplication.clipboard().setText(self.editing.embed_snippet)
            self.message.notice(self.tr("The embed code is on the clipboard."))

    def origin_lines(self) -> list[str]:
        lines = (line.strip() for line in self.origins.toPlainText().splitlines())
        return list(dict.fromkeys(line for line in lines if line))

    def form_body(self) -> SiteInput | None:
        name = self.name.text().strip()
        if not name:
            self.message.error(self.tr("Enter the site's name."))
            self.name.setFocus()
            return None
        origins = self.origin_lines()
        if len(origins) > MAX_ORIGINS:
            self.message.error(self.tr("At most %1 origins per site.").replace("%1", str(MAX_ORIGINS)))
            return None
        return SiteInput(name=name, origins=origins, default_group_id=self.ticket_group.currentData())

    async def store(self, item: SiteInfo | None, body: SiteInput) -> SiteInfo:
        return await self.service.save_site(item.site_id if item else None, body)

    async def show_saved(self, saved: SiteInfo) -> None:
        self._show([s for s in self.sites if s.site_id != saved.site_id] + [saved], saved.site_id)

    def saved_text(self, saved: SiteInfo) -> str:
        return self.tr("Saved.")

"""The tags tab (``adminTagsPage``): the tags agents put on chats (a name and a colour), and the rule
that a chat needs a tag before an agent closes it.

Objects: ``tagsList``, ``newTagButton``, ``deleteTagButton``, ``tagName``, ``tagColour`` (the chosen
colour, as text), ``tagPalette`` (one checkable swatch a colour: Tab reaches them, Space picks one),
``tagOtherColour`` (a colour dialog), ``saveTagButton``, ``tagsMessage``, ``tagsRequireToClose``
(saved as soon as it is ticked or cleared); ``deleteTagConfirm`` asks before a deletion.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QColorDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.tags import Tag, TagInput, TagSettings
from operator_app.store.admin_service import AdminService
from operator_app.store.tag_list_model import TagListModel
from operator_app.ui.admin.master_detail import MasterDetailPage, Question
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.refusal import refusal_text
from operator_app.ui.tag_chips import colour_icon

DEFAULT_COLOUR = "#607d8b"
PALETTE = (
    "#c62828",
    "#ef6c00",
    "#f9a825",
    "#2e7d32",
    "#00838f",
    "#1565c0",
    "#283593",
    "#6a1b9a",
    "#ad1457",
    "#607d8b",
)


class TagsPage(MasterDetailPage[Tag, TagInput]):
    """`tags` as listed (by name); `settings` the tag rule as loaded."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, "tagsMessage", parent)
        self.setObjectName("adminTagsPage")
        self.settings = TagSettings()
        self.colour = DEFAULT_COLOUR
        self.colour_dialog: QColorDialog | None = None

        self.model = TagListModel(self)
        self.view = self.list = QListView(self)
        self.list.setObjectName("tagsList")
        self.list.setModel(self.model)
        self.list.setIconSize(QSize(14, 14))  # the colour as a small swatch before the name
        self.follow_current_row()
        self.new_button = self.button("newTagButton", self.tr("&New tag"), self.new_item)
        self.delete_button = self.button("deleteTagButton", self.tr("&Delete\u2026"), self.delete)

        self.name = QLineEdit(self)
        self.name.setObjectName("tagName")
        self.name.setMaxLength(50)
        self.name.setPlaceholderText(self.tr("e.g. Returns"))
        self.swatch_row = QWidget(self)
        self.swatch_row.setObjectName("tagPalette")
        swatches = QHBoxLayout(self.swatch_row)
        swatches.setContentsMargins(0, 0, 0, 0)
        swatches.setSpacing(2)
        self.swatches = QButtonGroup(self)
        self.swatches.setExclusive(False)  # a colour from the dialog leaves every swatch unticked
        names = (
            self.tr("Red"),
            self.tr("Orange"),
            self.tr("Yellow"),
            self.tr("Green"),
            self.tr("Teal"),
            self.tr("Blue"),
            self.tr("Indigo"),
            self.tr("Purple"),
            self.tr("Pink"),
            self.tr("Grey"),
        )
        for colour, name in zip(PALETTE, names, strict=True):
            swatch = QToolButton(self.swatch_row)
            swatch.setObjectName(f"tagSwatch{colour[1:]}")
            swatch.setIcon(colour_icon(colour, 18))
            swatch.setCheckable(True)
            swatch.setAutoRaise(True)
            swatch.setAccessibleName(name)
            swatch.setToolTip(f"{name} ({colour})")
            swatch.clicked.connect(lambda _checked=False, colour=colour: self.set_colour(colour))
            self.swatches.addButton(swatch)
            swatches.addWidget(swatch)
        self.other_colour = QPushButton(self.tr("&Other colour\u2026"), self)
        self.other_colour.setObjectName("tagOtherColour")
        self.other_colour.clicked.connect(self.choose_colour)
        swatches.addWidget(self.other_colour)
        swatches.addStretch(1)
        self.colour_text = QLabel(self)
        self.colour_text.setObjectName("tagColour")
        self.save_button = self.button("saveTagButton", self.tr("&Save tag"), self.save)
        right = QWidget(self)
        form = QFormLayout(right)
        form.setContentsMargins(8, 0, 0, 0)
        form.addRow(self.tr("&Name"), self.name)
        form.addRow(self.tr("Colour"), self.swatch_row)
        form.addRow("", self.colour_text)
        form.addRow(self.save_row())

        self.require = QCheckBox(self.tr("&Require a tag before a chat is closed"), self)
        self.require.setObjectName("tagsRequireToClose")
        self.require.setToolTip(
            self.tr("Agents must put at least one tag on a chat before they can close it.")
        )
        self.require.toggled.connect(self.save_rule)

        layout = QVBoxLayout(self)
        layout.addWidget(self.split(self.master_pane(), right, [280, 560]), 1)
        layout.addWidget(self.require)
        layout.addWidget(self.state_label)
        self.edit(None)

    def title(self) -> str:
        return self.tr("Tags")

    # --- the colour -----------------------------------------------------------------------------

    def set_colour(self, colour: str) -> None:
        self.colour = QColor(colour).name()
        for swatch, swatch_colour in zip(self.swatches.buttons(), PALETTE, strict=True):
            swatch.setChecked(swatch_colour == self.colour)
        self.colour_text.setText(self.colour)

    def choose_colour(self) -> QColorDialog:
        """Any colour, in Qt's colour dialog (opened, not exec'd: the page stays responsive)."""
        dialog = QColorDialog(QColor(self.colour), self)
        dialog.setObjectName("tagColourDialog")
        dialog.colorSelected.connect(lambda colour: self.set_colour(colour.name()))
        dialog.finished.connect(dialog.deleteLater)
        self.colour_dialog = dialog
        dialog.open()
        return dialog

    # --- the items ------------------------------------------------------------------------------

    def item_id(self, item: Tag) -> str:
        return item.tag_id

    def item_at(self, row: int) -> Tag | None:
        return self.model.tag_at(row)

    def row_of(self, item_id: str) -> int:
        return self.model.row_of(item_id)

    async def fetch(self) -> list[Tag]:
        tags, settings = await asyncio.gather(self.service.list_tags(), self.service.tag_settings())
        self._show_rule(settings)
        return tags

    def show_items(self, items: list[Tag]) -> None:
        self._show(items, self.editing.tag_id if self.editing else None)

    def _show(self, tags: list[Tag], select: str | None) -> None:
        self.model.set_tags(tags)
        self.update_state()
        row = self.model.row_of(select) if select is not None else -1
        self.set_current_row(row)
        self.edit(self.model.tag_at(row))

    def empty_text(self) -> str:
        return self.tr("No tags yet. Create one, such as Returns or VIP, for agents to put on chats.")

    # --- the form -------------------------------------------------------------------------------

    def fill_form(self, item: Tag | None) -> None:
        self.name.setText(item.name if item else "")
        self.set_colour(item.colour if item else DEFAULT_COLOUR)
        self.save_button.setText(self.tr("&Save tag") if item else self.tr("&Create tag"))

    def first_field(self) -> QWidget:
        return self.name

    def form_body(self) -> TagInput | None:
        name = " ".join(self.name.text().split())
        if not name:
            self.message.error(self.tr("Enter the tag's name."))
            self.name.setFocus()
            return None
        return TagInput(name=name, colour=self.colour)

    async def store(self, item: Tag | None, body: TagInput) -> Tag:
        return await self.service.save_tag(item.tag_id if item else None, body)

    async def show_saved(self, saved: Tag) -> None:
        self._show([t for t in self.model.tags if t.tag_id != saved.tag_id] + [saved], saved.tag_id)

    def saved_text(self, saved: Tag) -> str:
        return self.tr("Saved.")

    # --- deleting -------------------------------------------------------------------------------

    def delete_question(self, item: Tag) -> Question:
        return Question(
            self.tr("Delete tag"),
            self.tr("Delete the tag %1? It is taken off every chat that has it, closed chats too.").replace(
                "%1", item.name
            ),
            self.tr("Delete"),
            "deleteTagConfirm",
        )

    async def remove(self, item: Tag) -> None:
        await self.service.delete_tag(item.tag_id)

    async def show_deleted(self, item: Tag) -> None:
        self._show([t for t in self.model.tags if t.tag_id != item.tag_id], None)

    def deleted_text(self, item: Tag) -> str:
        return self.tr("The tag %1 was deleted.").replace("%1", item.name)

    # --- the rule -------------------------------------------------------------------------------

    def _show_rule(self, settings: TagSettings) -> None:
        self.settings = settings
        self.require.blockSignals(True)
        self.require.setChecked(settings.require_tag_to_close)
        self.require.blockSignals(False)

    @async_slot(bool)
    @reports_errors(on_error="show_rule_refusal")
    async def save_rule(self, on: bool) -> None:
        """Saved at once; a refusal puts the box back as the server has it."""
        with disabled(self.require):
            saved = await self.service.save_tag_settings(TagSettings(require_tag_to_close=on))
        self._show_rule(saved)
        self.message.notice(
            self.tr("Agents must now tag a chat before closing it.")
            if saved.require_tag_to_close
            else self.tr("Agents may close chats without a tag.")
        )
        self.changed.emit()

    def show_rule_refusal(self, error: BaseException) -> None:
        self._show_rule(self.settings)
        self.message.error(refusal_text(error))

"""Admin page: automatic greeting rules, with how often each was shown and accepted.

Objects: ``adminGreetingsPage``, ``adminGreetingsTable``, ``greetingNew``, ``greetingSave``,
``greetingDelete``, ``greetingDeleteConfirm``, ``greetingsMessage``; the editor ``greetingName``,
``greetingEnabled``, ``greetingText``, ``greetingSender``, ``greetingSite``; per condition a checkbox
``greetingCond_<field>`` and its value ``greetingCondValue_<field>`` (fields of `GreetingConditions`;
``business_hours_only`` is a checkbox alone).
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.enums import DeviceClass
from chat_protocol.traffic import GreetingConditions, GreetingRule, GreetingRuleInput
from operator_app.errors import ApiError
from operator_app.store.admin_service import AdminService
from operator_app.store.greeting_rules_model import GreetingRulesModel
from operator_app.ui.admin.master_detail import MasterDetailPage, Question

log = logging.getLogger(__name__)

ValueEditor = QSpinBox | QDoubleSpinBox | QLineEdit | QComboBox


class _Condition:
    """An optional condition: a checkbox that switches its value editor on."""

    def __init__(self, field: str, label: str, editor: ValueEditor, parent: QWidget) -> None:
        self.field = field
        self.check = QCheckBox(label, parent)
        self.check.setObjectName(f"greetingCond_{field}")
        self.editor = editor
        editor.setObjectName(f"greetingCondValue_{field}")
        editor.setEnabled(False)
        self.check.toggled.connect(editor.setEnabled)

    def set(self, value: Any) -> None:
        self.check.setChecked(value is not None)
        editor = self.editor
        if isinstance(editor, QSpinBox):
            editor.setValue(int(value or 0))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value or 0))
        elif isinstance(editor, QLineEdit):
            editor.setText(str(value or ""))
        else:
            index = editor.findData(value)
            editor.setCurrentIndex(max(0, index))

    def get(self) -> Any:
        if not self.check.isChecked():
            return None
        editor = self.editor
        if isinstance(editor, QSpinBox | QDoubleSpinBox):
            return editor.value()
        if isinstance(editor, QLineEdit):
            return editor.text().strip()
        return editor.currentData()


class GreetingRulesPage(MasterDetailPage[GreetingRule, GreetingRuleInput]):
    """The rules table on top, the editor of the selected (or a new) rule below."""

    delete_default_to_cancel = True

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, "greetingsMessage", parent)
        self.setObjectName("adminGreetingsPage")
        self.model = GreetingRulesModel(self)

        self.view = self.table = QTableView(self)
        self.table.setObjectName("adminGreetingsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(GreetingRulesModel.NAME, QHeaderView.ResizeMode.Stretch)
        self.follow_selection()
        self.new_button = self.button("greetingNew", self.tr("&New rule"), self.new_item)
        self.delete_button = self.button("greetingDelete", self.tr("&Delete"), self.delete)

        editor = QWidget(self)
        self._build_editor(editor)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(editor)
        self.save_button = self.button("greetingSave", self.tr("&Save rule"), self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addWidget(self.split(self.master_pane(), scroll, [180, 360], vertical=True), 1)
        layout.addLayout(self.save_row())
        self.edit(None)

    def _build_editor(self, editor: QWidget) -> None:
        self.name = QLineEdit(editor)
        self.name.setObjectName("greetingName")
        self.name.setMaxLength(100)
        self.enabled = QCheckBox(self.tr("&Enabled"), editor)
        self.enabled.setObjectName("greetingEnabled")
        self.sender_name = QLineEdit(editor)
        self.sender_name.setObjectName("greetingSender")
        self.sender_name.setMaxLength(100)
        self.sender_name.setPlaceholderText(self.tr("Empty: shown on behalf of the team"))
        self.site = QComboBox(editor)
        self.site.setObjectName("greetingSite")
        self.site.addItem(self.tr("All sites"), None)
        self.text = QPlainTextEdit(editor)
        self.text.setObjectName("greetingText")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(70)
        general = QFormLayout()
        general.addRow(self.tr("&Name"), self.name)
        general.addRow("", self.enabled)
        general.addRow(self.tr("Si&te"), self.site)
        general.addRow(self.tr("Se&nder name"), self.sender_name)
        general.addRow(self.tr("Greeting &text"), self.text)

        def seconds() -> QSpinBox:
            box = QSpinBox(editor)
            box.setRange(0, 86_400)
            box.setSuffix(self.tr(" s"))
            return box

        pages = QSpinBox(editor)
        pages.setRange(0, 10_000)
        url = QLineEdit(editor)
        url.setMaxLength(500)
        url.setPlaceholderText(self.tr("e.g. */cart*"))
        referrer = QLineEdit(editor)
        referrer.setMaxLength(200)
        referrer.setPlaceholderText(self.tr("e.g. google"))
        device = QComboBox(editor)
        for value, text in (
            (DeviceClass.DESKTOP, self.tr("Desktop")),
            (DeviceClass.TABLET, self.tr("Tablet")),
            (DeviceClass.MOBILE, self.tr("Mobile")),
            (DeviceClass.UNKNOWN, self.tr("Unknown device")),
        ):
            device.addItem(text, value.value)
        returning = QComboBox(editor)
        returning.addItem(self.tr("Returning visitors"), True)
        returning.addItem(self.tr("First-time visitors"), False)
        cart = QDoubleSpinBox(editor)
        cart.setRange(0, 1e9)
        cart.setDecimals(2)
        self.conditions = [
            _Condition("min_time_on_site", self.tr("Time on the site at least"), seconds(), editor),
            _Condition("min_time_on_page", self.tr("Time on the page at least"), seconds(), editor),
            _Condition("url_pattern", self.tr("Page address matches"), url, editor),
            _Condition("min_pages_viewed", self.tr("Pages viewed at least"), pages, editor),
            _Condition("referrer_contains", self.tr("Referrer contains"), referrer, editor),
            _Condition("device_class", self.tr("Device"), device, editor),
            _Condition("returning", self.tr("Visitor"), returning, editor),
            _Condition("min_cart_value", self.tr("Cart value at least"), cart, editor),
        ]
        self.business_hours_only = QCheckBox(self.tr("Only during business hours"), editor)
        self.business_hours_only.setObjectName("greetingCond_business_hours_only")
        conditions_box = QGroupBox(self.tr("Conditions (all ticked ones must hold)"), editor)
        conditions = QFormLayout(conditions_box)
        for condition in self.conditions:
            conditions.addRow(condition.check, condition.editor)
        conditions.addRow(self.business_hours_only)

        row = QHBoxLayout(editor)
        row.addLayout(general, 1)
        row.addWidget(conditions_box, 1)

    def title(self) -> str:
        return self.tr("Greetings")

    # --- the items ----------------------------------------------------------------------------

    def item_id(self, item: GreetingRule) -> str:
        return item.rule_id

    def item_at(self, row: int) -> GreetingRule | None:
        return self.model.rule(row)

    def row_of(self, item_id: str) -> int:
        return self.model.row_of(item_id)

    async def fetch(self) -> list[GreetingRule]:
        rules = await self.service.list_greeting_rules()
        await self._load_sites()
        return rules

    def show_items(self, items: list[GreetingRule]) -> None:
        self.model.set_rules(items)

    def empty_text(self) -> str:
        return self.tr("No greeting rules yet. Write one and save it.")

    async def _load_sites(self) -> None:
        """The sites to choose from; without `GET /sites` (or on its failure) only "All sites"."""
        try:
            sites = await self.service.list_sites()
        except ApiError as exc:
            log.warning("sites not loaded for the greeting rules: %r", exc)
            return
        current = self.site.currentData()
        while self.site.count() > 1:
            self.site.removeItem(1)
        for site in sites:
            self.site.addItem(site.name, site.site_id)
        self.model.set_site_names({site.site_id: site.name for site in sites})
        self._select_site(current)

    def _select_site(self, site_id: str | None) -> None:
        index = self.site.findData(site_id) if site_id is not None else 0
        if index < 0:  # a site this list does not know: keep it selectable as its id
            self.site.addItem(site_id or "", site_id)
            index = self.site.count() - 1
        self.site.setCurrentIndex(index)

    # --- the form -----------------------------------------------------------------------------

    def fill_form(self, item: GreetingRule | None) -> None:
        self.name.setText(item.name if item else "")
        self.enabled.setChecked(item.enabled if item else True)
        self.sender_name.setText(item.sender_name if item else "")
        self.text.setPlainText(item.text if item else "")
        self._select_site(item.site_id if item else None)
        values = item.conditions if item else GreetingConditions()
        for condition in self.conditions:
            condition.set(getattr(values, condition.field))
        self.business_hours_only.setChecked(values.business_hours_only)

    def first_field(self) -> QWidget:
        return self.name

    # --- saving and deleting ----------------------------------------------------------------

    def form_body(self) -> GreetingRuleInput | None:
        """The form as a rule, or None with the reason shown inline."""
        values: dict[str, Any] = {c.field: c.get() for c in self.conditions}
        if values["url_pattern"] == "" or values["referrer_contains"] == "":
            self.message.error(self.tr("Fill in the ticked conditions, or untick them."))
            return None
        values["business_hours_only"] = self.business_hours_only.isChecked()
        try:
            return GreetingRuleInput(
                name=self.name.text().strip(),
                site_id=self.site.currentData(),
                enabled=self.enabled.isChecked(),
                text=self.text.toPlainText().strip(),
                sender_name=self.sender_name.text().strip(),
                conditions=GreetingConditions.model_validate(values),
            )
        except ValidationError as exc:
            fields = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            if "name" in fields:
                self.message.error(self.tr("Give the rule a name."))
                self.name.setFocus()
            elif "text" in fields:
                self.message.error(self.tr("Write the text of the greeting."))
                self.text.setFocus()
            else:
                self.message.error(self.tr("Some values are not valid. Check the conditions."))
            return None

    async def store(self, item: GreetingRule | None, body: GreetingRuleInput) -> GreetingRule:
        return await self.service.save_greeting_rule(item.rule_id if item else None, body)

    async def show_saved(self, saved: GreetingRule) -> None:
        self.editing = saved
        await self.reload()
        self.select(saved.rule_id)

    def saved_text(self, saved: GreetingRule) -> str:
        return self.tr("Saved the rule “%1”.").replace("%1", saved.name)

    def delete_question(self, item: GreetingRule) -> Question:
        return Question(
            self.tr("Delete greeting rule"),
            self.tr("Delete the rule “%1”? Its counts are lost.").replace("%1", item.name),
            self.tr("&Delete"),
            "greetingDeleteConfirm",
        )

    async def remove(self, item: GreetingRule) -> None:
        await self.service.delete_greeting_rule(item.rule_id)

    async def show_deleted(self, item: GreetingRule) -> None:
        self.editing = None
        await self.reload()
        self.new_item()

    def deleted_text(self, item: GreetingRule) -> str:
        return self.tr("Deleted the rule “%1”.").replace("%1", item.name)

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
from PySide6.QtCore import QItemSelection, Qt
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
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.traffic import DeviceClass, GreetingConditions, GreetingRule, GreetingRuleInput
from operator_app.errors import ApiError
from operator_app.store.admin_service import AdminService
from operator_app.store.greeting_rules_model import GreetingRulesModel
from operator_app.ui.admin.message_label import MessageLabel
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.admin.refusal import refusal_text
from operator_app.ui.async_tools import async_slot, disabled, finished_future
from operator_app.ui.error_text import is_expected

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


class GreetingRulesPage(AdminPage):
    """The rules table on top, the editor of the selected (or a new) rule below."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.setObjectName("adminGreetingsPage")
        self.editing: GreetingRule | None = None
        self.model = GreetingRulesModel(self)

        self.table = QTableView(self)
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
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.new_button = QPushButton(self.tr("&New rule"), self)
        self.new_button.setObjectName("greetingNew")
        self.new_button.clicked.connect(self.new_rule)
        self.delete_button = QPushButton(self.tr("&Delete"), self)
        self.delete_button.setObjectName("greetingDelete")
        self.delete_button.clicked.connect(self.ask_delete)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_buttons = QHBoxLayout()
        top_buttons.addWidget(self.new_button)
        top_buttons.addWidget(self.delete_button)
        top_buttons.addStretch(1)
        top_layout.addLayout(top_buttons)

        editor = QWidget(self)
        self._build_editor(editor)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(editor)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(top)
        splitter.addWidget(scroll)
        splitter.setSizes([180, 360])
        self.save_button = QPushButton(self.tr("&Save rule"), self)
        self.save_button.setObjectName("greetingSave")
        self.save_button.clicked.connect(self.save)
        self.message = MessageLabel("greetingsMessage", self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self._edit(None)

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

    # --- loading ----------------------------------------------------------------------------

    async def reload(self) -> None:
        self.show_loading()
        api = self.service.api
        try:
            with disabled(self.new_button, self.save_button, self.delete_button):
                rules = await self.service.call(api.greeting_rules)
                await self._load_sites()
        except Exception as exc:
            self._log("load", exc)
            self.show_failed(exc)
            self._edit_buttons()
            return
        self._edit_buttons()
        self.model.set_rules(rules)
        if rules:
            self.show_ready()
        else:
            self.show_empty(self.tr("No greeting rules yet. Write one and save it."))
        if self.editing is not None and self.model.row_of(self.editing.rule_id) < 0:
            self._edit(None)

    async def _load_sites(self) -> None:
        """The sites to choose from; without `GET /sites` (or on its failure) only "All sites"."""
        try:
            sites = await self.service.call(self.service.api.sites)
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

    # --- selection and the editor -----------------------------------------------------------

    def _selected(self, *args: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            rule = self.model.rule(rows[0].row())
            if rule is not None:
                self._edit(rule)
                self.message.clear_message()

    def select(self, rule_id: str) -> None:
        row = self.model.row_of(rule_id)
        if row >= 0:
            self.table.selectRow(row)

    def _edit(self, rule: GreetingRule | None) -> None:
        self.editing = rule
        self.name.setText(rule.name if rule else "")
        self.enabled.setChecked(rule.enabled if rule else True)
        self.sender_name.setText(rule.sender_name if rule else "")
        self.text.setPlainText(rule.text if rule else "")
        self._select_site(rule.site_id if rule else None)
        values = rule.conditions if rule else GreetingConditions()
        for condition in self.conditions:
            condition.set(getattr(values, condition.field))
        self.business_hours_only.setChecked(values.business_hours_only)
        self._edit_buttons()

    def _edit_buttons(self) -> None:
        self.delete_button.setEnabled(self.editing is not None)

    def new_rule(self) -> None:
        self.table.clearSelection()
        self._edit(None)
        self.message.clear_message()
        self.name.setFocus()

    # --- saving and deleting ----------------------------------------------------------------

    def form_input(self) -> GreetingRuleInput | None:
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

    @async_slot()
    async def save(self) -> bool:
        body = self.form_input()
        if body is None:
            return False
        editing = self.editing
        api = self.service.api
        try:
            with disabled(self.save_button, self.new_button, self.delete_button):
                if editing is None:
                    saved = await self.service.call(api.create_greeting_rule, body)
                else:
                    saved = await self.service.call(api.update_greeting_rule, editing.rule_id, body)
        except Exception as exc:
            self._log("save", exc)
            self.message.error(refusal_text(exc))
            self._edit_buttons()
            return False
        self.editing = saved
        self.changed.emit()
        await self.reload()
        self.select(saved.rule_id)
        self.message.notice(self.tr("Saved the rule “%1”.").replace("%1", saved.name))
        return True

    @async_slot()
    async def ask_delete(self) -> None:
        rule = self.editing
        if rule is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete greeting rule"),
            self.tr("Delete the rule “%1”? Its counts are lost.").replace("%1", rule.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("greetingDeleteConfirm")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        answer = finished_future(box)
        box.show()
        result = await answer
        box.deleteLater()
        if result == QMessageBox.StandardButton.Yes.value:
            await self.delete_now(rule)

    async def delete_now(self, rule: GreetingRule) -> bool:
        try:
            with disabled(self.save_button, self.new_button, self.delete_button):
                await self.service.call(self.service.api.delete_greeting_rule, rule.rule_id)
        except Exception as exc:
            self._log("delete", exc)
            self.message.error(refusal_text(exc))
            self._edit_buttons()
            return False
        self.editing = None
        self.changed.emit()
        await self.reload()
        self.new_rule()
        self.message.notice(self.tr("Deleted the rule “%1”.").replace("%1", rule.name))
        return True

    @staticmethod
    def _log(what: str, exc: BaseException) -> None:
        if is_expected(exc):
            log.warning("greeting rule %s failed: %r", what, exc)
        else:
            log.exception("greeting rule %s failed", what)

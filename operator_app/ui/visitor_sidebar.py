"""Everything known about one visitor (``visitorPanel``): beside the open chat, or the row selected
in the traffic view. The profile loads over REST; the current page follows the live traffic row.

Objects: ``visitorStatus``, ``visitorRetry``, ``visitorTitle``, ``visitorSpamMark`` and ``spamButton``
(operator_app/ui/visitor_spam.py), ``visitorNameEdit``,
``visitorEmailEdit``, ``visitorPhoneEdit``, ``visitorSaveButton``, ``visitorSaveError``,
``copyEmailButton``, ``copyPhoneButton``, ``copyUrlButton``, ``visitorLanguage``, ``visitorTimeZone``,
``visitorLocalTime``, ``visitorLocation``, ``visitorDevice``, ``visitorPageTitle``, ``visitorPageUrl``,
``visitorSource``, ``visitorReferrer``, ``visitorVisits``, ``visitorTags``, ``visitHistory``,
``previousChats``, ``customData``, ``cartContents``, ``cartTotal``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from operator_app.store.traffic_text import device_text, place_text, source_text, visitor_label
from operator_app.store.visitors_service import VisitorsService
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.elided_label import ElidedLabel
from operator_app.ui.error_text import describe_error
from operator_app.ui.on_demand import Lazy
from operator_app.ui.visitor_data import VisitorDataRow
from operator_app.ui.visitor_sections import (
    CHAT_ID_ROLE,
    fill_cart,
    fill_chats,
    fill_custom_data,
    fill_history,
)
from operator_app.ui.visitor_spam import SpamMarkRow

if TYPE_CHECKING:
    from chat_protocol.traffic import TrafficRow, VisitorProfile
    from operator_app.ui.past_chat_dialog import PastChatDialog

PAST_CHAT_DIALOG: Lazy[type[PastChatDialog]] = Lazy("operator_app.ui.past_chat_dialog:PastChatDialog")

FIELD_LIMIT = 100  # `Short` in chat_protocol.traffic


def local_time_in(zone: str, now: datetime | None = None) -> str:
    """``14:05 (Asia/Tokyo)`` for a valid IANA zone, else empty."""
    if not zone:
        return ""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return (now or datetime.now(tz)).astimezone(tz).strftime("%H:%M")


class VisitorSidebar(QScrollArea):
    """Signals: ``saved(visitor_id)`` after an edit was stored."""

    saved = Signal(str)

    def __init__(self, service: VisitorsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visitorPanel")
        self.setAccessibleName(self.tr("Visitor details"))
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(280)
        self.service = service
        self.visitor_id: str | None = None
        self.profile: VisitorProfile | None = None
        self.loading: asyncio.Task[None] | None = None
        # A load still running when the panel is destroyed is cancelled: its answer would fill widgets
        # that no longer exist. The slot holds the running load, not the panel.
        loads: list[asyncio.Future[None]] = []
        self._loads = loads
        self.destroyed.connect(lambda *_: [load.cancel() for load in loads])
        self.past_chat_dialog: PastChatDialog | None = None
        body = QWidget(self)
        body.setObjectName("visitorPanelBody")
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(12, 10, 12, 10)
        self.body_layout.setSpacing(6)
        self._build_status()
        self.details = QWidget(body)
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.setSpacing(6)
        self.spam_row = SpamMarkRow(service, self.details)
        self.spam_row.changed.connect(self._spam_changed)
        details.addWidget(self.spam_row)
        self.data_row = VisitorDataRow(service, self.details)
        self.data_row.deleted.connect(self._deleted)
        details.addWidget(self.data_row)
        self._build_contact(details)
        self._build_facts(details)
        self._build_lists(details)
        self.body_layout.addWidget(self.details)
        self.body_layout.addStretch(1)
        self.setWidget(body)
        self._clock = QTimer(self)
        self._clock.setInterval(15_000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        service.model.batch_applied.connect(self._rows_changed)
        self.show_visitor(None)

    # --- construction -----------------------------------------------------------------------

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setProperty("class", "sectionHeader")
        label.setStyleSheet("font-weight: bold; color: #4b5563; padding-top: 6px;")
        return label

    def _build_status(self) -> None:
        row = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setObjectName("visitorStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.retry_button = QPushButton(self.tr("Try again"), self)
        self.retry_button.setObjectName("visitorRetry")
        self.retry_button.clicked.connect(self.reload)
        row.addWidget(self.status, 1)
        row.addWidget(self.retry_button)
        self.body_layout.addLayout(row)
        self.title = ElidedLabel("visitorTitle", self)
        self.title.setStyleSheet("font-size: 12pt; font-weight: bold; color: #111827;")
        self.body_layout.addWidget(self.title)

    def _copy_button(self, name: str, source: QLineEdit | ElidedLabel) -> QToolButton:
        button = QToolButton(self)
        button.setText(self.tr("Copy"))
        button.setObjectName(name)
        button.setToolTip(self.tr("Copy to the clipboard"))

        def copy() -> None:
            text = source.text() if isinstance(source, QLineEdit) else source.full_text
            if text:
                QGuiApplication.clipboard().setText(text)

        button.clicked.connect(copy)
        return button

    def _build_contact(self, parent: QVBoxLayout) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit, self.email_edit, self.phone_edit = (QLineEdit(self) for _ in range(3))
        for edit, name in (
            (self.name_edit, "visitorNameEdit"),
            (self.email_edit, "visitorEmailEdit"),
            (self.phone_edit, "visitorPhoneEdit"),
        ):
            edit.setObjectName(name)
            edit.setMaxLength(FIELD_LIMIT)
            edit.textEdited.connect(self._edited)
            edit.returnPressed.connect(self.save)
        self.copy_email = self._copy_button("copyEmailButton", self.email_edit)
        self.copy_phone = self._copy_button("copyPhoneButton", self.phone_edit)
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("E-mail"), self._with(self.email_edit, self.copy_email))
        form.addRow(self.tr("Phone"), self._with(self.phone_edit, self.copy_phone))
        parent.addLayout(form)
        row = QHBoxLayout()
        self.save_error = QLabel(self)
        self.save_error.setObjectName("visitorSaveError")
        self.save_error.setTextFormat(Qt.TextFormat.PlainText)
        self.save_error.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("visitorSaveButton")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_error, 1)
        row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        parent.addLayout(row)

    def _with(self, widget: QWidget, button: QToolButton) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget, 1)
        row.addWidget(button)
        return box

    def _build_facts(self, parent: QVBoxLayout) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        names = (
            "visitorLanguage", "visitorTimeZone", "visitorLocalTime", "visitorLocation", "visitorDevice",
            "visitorPageTitle", "visitorPageUrl", "visitorSource", "visitorReferrer", "visitorVisits",
            "visitorTags",
        )  # fmt: skip
        self.facts = {name: ElidedLabel(name, self) for name in names}
        self.facts["visitorPageUrl"].set_value("")
        self.copy_url = self._copy_button("copyUrlButton", self.facts["visitorPageUrl"])
        labels = (
            self.tr("Language"), self.tr("Time zone"), self.tr("Local time"), self.tr("Location"),
            self.tr("Device"), self.tr("Current page"), self.tr("Address"), self.tr("Source"),
            self.tr("Referrer"), self.tr("Visits"), self.tr("Tags"),
        )  # fmt: skip
        for name, label in zip(names, labels, strict=True):
            widget: QWidget = self.facts[name]
            if name == "visitorPageUrl":
                widget = self._with(self.facts[name], self.copy_url)
            form.addRow(label, widget)
        parent.addLayout(form)

    def _list_view(self, view: QAbstractItemView, name: str, model: QStandardItemModel) -> None:
        view.setObjectName(name)
        view.setModel(model)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setMaximumHeight(170)
        view.setMinimumHeight(60)
        if isinstance(view, QTreeView):
            view.setUniformRowHeights(True)
            view.setWordWrap(False)

    def _build_lists(self, parent: QVBoxLayout) -> None:
        self.history_model, self.chats_model = QStandardItemModel(self), QStandardItemModel(self)
        self.custom_model, self.cart_model = QStandardItemModel(self), QStandardItemModel(self)
        self.history = QTreeView(self)
        self._list_view(self.history, "visitHistory", self.history_model)
        self.history.setHeaderHidden(True)
        self.chats = QListView(self)
        self._list_view(self.chats, "previousChats", self.chats_model)
        self.chats.setUniformItemSizes(True)
        self.chats.doubleClicked.connect(self._open_chat)
        self.custom = QTreeView(self)
        self._list_view(self.custom, "customData", self.custom_model)
        self.custom.setRootIsDecorated(False)
        self.cart = QTreeView(self)
        self._list_view(self.cart, "cartContents", self.cart_model)
        self.cart.setRootIsDecorated(False)
        self.cart_total = QLabel(self)
        self.cart_total.setObjectName("cartTotal")
        self.cart_total.setTextFormat(Qt.TextFormat.PlainText)
        for heading, view in (
            (self.tr("Visits and pages"), self.history),
            (self.tr("Previous chats (double-click to read)"), self.chats),
            (self.tr("Custom data"), self.custom),
            (self.tr("Cart"), self.cart),
        ):
            parent.addWidget(self._heading(heading))
            parent.addWidget(view)
        parent.addWidget(self.cart_total)

    # --- loading ----------------------------------------------------------------------------

    def show_visitor(self, visitor_id: str | None) -> None:
        """Show a visitor (None: nothing). Loads the profile unless it is the one shown."""
        if visitor_id == self.visitor_id and (self.profile is not None or self.loading is not None):
            return
        self.visitor_id = visitor_id
        self.profile = None
        if self.loading is not None:
            self.loading.cancel()
            self.loading = None
        self.details.setVisible(False)
        self.title.set_value("")
        self.retry_button.hide()
        if visitor_id is None:
            self.status.setText(self.tr("Select a chat or a visitor to see the details."))
            return
        self.reload()

    def reload(self) -> None:
        if self.visitor_id is None:
            return
        self.status.setText(self.tr("Loading the visitor\u2026"))
        self.retry_button.hide()
        self.loading = asyncio.ensure_future(self._load(self.visitor_id))
        self._loads[:] = [self.loading]

    def show_error(self, text: str) -> None:
        """The profile could not be loaded: say why and offer a retry."""
        self.status.setText(text)
        self.retry_button.show()
        self.loading = None

    @reports_errors
    async def _load(self, visitor_id: str) -> None:
        # Showing another visitor cancels this load: what comes back belongs to the shown one.
        profile = await self.service.profile(visitor_id)
        if visitor_id == self.visitor_id:
            self.loading = None
            self.fill(profile)

    def fill(self, profile: VisitorProfile) -> None:
        self.profile = profile
        self.status.setText("")
        self.details.setVisible(True)
        self.title.set_value(visitor_label(profile.name, profile.number))
        self.spam_row.show_profile(profile)
        self.data_row.show_profile(profile)
        for edit, value in (
            (self.name_edit, profile.name),
            (self.email_edit, profile.email),
            (self.phone_edit, profile.phone),
        ):
            edit.setText(value)
            edit.setCursorPosition(0)
        self.save_button.setEnabled(False)
        self.save_error.setText("")
        facts = self.facts
        facts["visitorLanguage"].set_value(profile.language)
        facts["visitorTimeZone"].set_value(profile.time_zone)
        place = place_text(profile.location, approximate=False)
        if place and profile.location_approximate:
            place = self.tr("%1 (approximate)").replace("%1", place)
        facts["visitorLocation"].set_value(place)
        facts["visitorVisits"].set_value(
            self.tr("%1 (first %2)")
            .replace("%1", str(profile.visits))
            .replace("%2", profile.first_visit_at.astimezone().strftime("%Y-%m-%d"))
        )
        facts["visitorTags"].set_value(", ".join(profile.tags))
        latest = profile.history[0] if profile.history else None
        facts["visitorReferrer"].set_value(latest.referrer if latest else "")
        if latest is not None:
            facts["visitorDevice"].set_value(device_text(latest.device_class, latest.os, latest.browser))
            facts["visitorSource"].set_value(source_text(latest.source))
        fill_history(self.history_model, profile.history)
        fill_chats(self.chats_model, profile.previous_chats)
        fill_custom_data(self.custom_model, profile.custom_data)
        self.cart_total.setText(
            self.tr("Total: %1").replace("%1", total)
            if (total := fill_cart(self.cart_model, profile.cart))
            else ""
        )
        self.custom.resizeColumnToContents(0)
        self._tick()
        live = self.service.model.get(profile.visitor_id) or profile.live
        self.show_live(live)

    def show_live(self, row: TrafficRow | None) -> None:
        """The current page and device as the traffic list has them now."""
        facts = self.facts
        if row is None:
            facts["visitorPageTitle"].set_value(self.tr("Not on the website now"))
            facts["visitorPageUrl"].set_value("")
            return
        facts["visitorPageTitle"].set_value(row.page_title or row.page_url)
        facts["visitorPageUrl"].set_value(row.page_url)
        facts["visitorDevice"].set_value(device_text(row.device_class, row.os, row.browser))
        facts["visitorSource"].set_value(source_text(row.source))

    def _rows_changed(self, ids: object) -> None:
        if self.profile is not None and isinstance(ids, set) and self.profile.visitor_id in ids:
            self.show_live(self.service.model.get(self.profile.visitor_id))

    def _tick(self) -> None:
        zone = self.profile.time_zone if self.profile is not None else ""
        self.facts["visitorLocalTime"].set_value(local_time_in(zone))

    def _deleted(self, visitor_id: str) -> None:
        """The admin deleted the visitor: nothing of theirs stays on screen."""
        if visitor_id == self.visitor_id:
            self.profile = None
            self.details.setVisible(False)
            self.status.setText(self.tr("This visitor and their data were deleted."))

    def _spam_changed(self, profile: object) -> None:
        """The mark was set or taken back: show it (edits in progress stay)."""
        from chat_protocol.traffic import VisitorProfile

        if isinstance(profile, VisitorProfile) and profile.visitor_id == self.visitor_id:
            self.profile = profile
            self.spam_row.show_profile(profile)

    # --- editing ----------------------------------------------------------------------------

    def _edited(self, *args: object) -> None:
        profile = self.profile
        if profile is None:
            return
        changed = (self.name_edit.text(), self.email_edit.text(), self.phone_edit.text()) != (
            profile.name,
            profile.email,
            profile.phone,
        )
        self.save_button.setEnabled(changed)
        self.save_error.setText("")

    def show_save_error(self, exc: BaseException) -> None:
        """A failed edit, under the fields; the edits stay for another try."""
        self._edited()
        self.save_error.setStyleSheet("color: #b91c1c;")
        self.save_error.setText(describe_error(exc))

    @async_slot()
    @reports_errors(on_error="show_save_error")
    async def save(self) -> None:
        from chat_protocol.traffic import VisitorUpdate

        profile = self.profile
        if profile is None or not self.save_button.isEnabled():
            return
        update = VisitorUpdate(
            name=self.name_edit.text().strip() if self.name_edit.text() != profile.name else None,
            email=self.email_edit.text().strip() if self.email_edit.text() != profile.email else None,
            phone=self.phone_edit.text().strip() if self.phone_edit.text() != profile.phone else None,
        )
        with disabled(self.save_button, self.name_edit, self.email_edit, self.phone_edit):
            saved = await self.service.update_visitor(profile.visitor_id, update)
        if self.visitor_id == saved.visitor_id:
            self.fill(saved)
            self.save_error.setStyleSheet("color: #15803d;")
            self.save_error.setText(self.tr("Saved."))
        self.saved.emit(saved.visitor_id)

    # --- previous chats ---------------------------------------------------------------------

    def _open_chat(self, index: QModelIndex) -> None:
        chat_id = index.data(CHAT_ID_ROLE)
        if chat_id:
            self.open_past_chat(str(chat_id))

    def open_past_chat(self, chat_id: str) -> PastChatDialog:
        if self.past_chat_dialog is not None:
            self.past_chat_dialog.close()
        title = self.title.full_text
        dialog = PAST_CHAT_DIALOG.get()(self.service, chat_id, title, self.window())
        self.past_chat_dialog = dialog
        dialog.open_and_load()
        return dialog
